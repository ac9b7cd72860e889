from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length, Optional, Regexp

from heartbeat.centres.models import PaperSize, Units
from heartbeat.centres.services import timezone_choices
from heartbeat.core.i18n import LANGUAGES, _l


class CentreSettingsForm(FlaskForm):
    name = StringField(_l("Centre name"), validators=[DataRequired(), Length(max=120)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    country = StringField(
        _l("Country code"),
        validators=[DataRequired(), Regexp(r"^[A-Za-z]{2}$", message=_l("Two letters, e.g. GB."))],
        description=_l("Two letters, for example GB, US or DE."),
        render_kw={"maxlength": 2, "autocomplete": "country"},
    )
    units = SelectField(
        _l("Distances shown in"),
        choices=[
            SelectChoice(Units.KM.value, _l("Kilometres")),
            SelectChoice(Units.MI.value, _l("Miles")),
        ],
        description=_l("The centre's default: each person may choose their own on My account."),
    )
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="en",
        description=_l(
            "Of the centre's pages, emails and certificates: each person may choose their own on "
            "My account."
        ),
    )
    paper_size = SelectField(
        _l("Certificate paper"),
        choices=[
            SelectChoice(PaperSize.A4.value, "A4"),
            SelectChoice(PaperSize.LETTER.value, _l("US Letter")),
        ],
    )
    allow_self_report = BooleanField(
        _l("Participants may log their own sessions"),
        description=_l(
            "From their own page. Their sessions count towards milestones once a therapist "
            "verifies them."
        ),
    )

    def __init__(self, *args, keep_timezone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by region; only canonical zones, plus the centre's own if it is an old alias.
        self.timezone.choices = timezone_choices(keep_timezone)


class CreateCentreForm(CentreSettingsForm):
    slug = StringField(
        _l("Short name for links (slug)"),
        validators=[
            Optional(),
            Length(max=60),
            Regexp(
                r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
                message=_l("Lower-case letters, digits and hyphens only."),
            ),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. riverside-rehab. Leave it blank to "
            "make one from the centre's name."
        ),
    )
