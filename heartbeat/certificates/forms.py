from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from heartbeat.certificates import queries
from heartbeat.certificates.images import HEX_COLOUR, contrast_on_white
from heartbeat.certificates.models import DEFAULT_ACCENT, DEFAULT_PRIMARY, DEFAULT_PROGRAMME
from heartbeat.core.edits import VersionedForm
from heartbeat.core.i18n import LANGUAGES, _, _l, decimal_text
from heartbeat.core.text import refuse_unprintable_name

MIN_CONTRAST = 4.5
# What the batch form offers (``printing.SELECTIONS``: the same keys, in the audit trail's words).
BATCH_CHOICES = {"month": _l("Issued this month"), "unprinted": _l("Not printed yet")}


class RegisterFilterForm(FlaskForm):
    """The register's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    stage = SelectField(_l("Milestone"), choices=[], validate_choice=False)
    issued_from = DateField(_l("Issued on or after"), validators=[Optional()])
    issued_to = DateField(_l("Issued on or before"), validators=[Optional()])
    printed = SelectField(
        _l("Printed"),
        choices=[SelectChoice(k, v) for k, v in queries.PRINTED_FILTERS.items()],
        validate_choice=False,
    )
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(k, v) for k, v in queries.STATUS_FILTERS.items()],
        default="standing",
        validate_choice=False,
    )
    q = SearchField(_l("Name or serial"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = [
            SelectChoice("", _("Any milestone")),
            SelectChoice("club", _("Clubs")),
        ] + [SelectChoice(str(stage.id), stage.title) for stage in stages]

    def validate_issued_to(self, field) -> None:
        if field.data and self.issued_from.data and field.data < self.issued_from.data:
            raise ValidationError(_("The end date is before the start date."))


class CheckCredentialForm(FlaskForm):
    """Anyone can check a credential file they were given (public, CSRF-protected)."""

    credential_file = FileField(
        _l("Credential file"),
        description=_l("The .json file of a Heartbeat Miles credential (Open Badges 3.0)."),
    )
    credential_text = TextAreaField(
        _l("Or paste the credential"),
        validators=[Length(max=64 * 1024, message=_l("That is far longer than a credential."))],
    )

    def credential_bytes(self) -> bytes | None:
        upload = self.credential_file.data
        if upload is not None and upload.filename:
            data: bytes = upload.read(64 * 1024 + 1)
            return data
        text = (self.credential_text.data or "").strip()
        return text.encode() if text else None


class IssueForm(FlaskForm):
    award_id = HiddenField(validators=[DataRequired(message=_l("Choose an award."))])
    # Empty: the participant's own language (``services.participant_language``).
    language = SelectField(
        _l("Language"),
        choices=[SelectChoice("", "")]
        + [SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="",
        validate_choice=False,  # an unknown code is simply not a choice (the participant's)
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for revoking it.")),
            Length(min=3, max=1000, message=_l("Between 3 and 1,000 characters.")),
        ],
        description=_l("Kept in the audit trail. The public verify page only says it was revoked."),
    )
    version = HiddenField()


class RenewForm(FlaskForm):
    """Confirming a renewal: CSRF and the version of the certificate the person saw."""

    version = HiddenField()


class BatchForm(FlaskForm):
    mode = RadioField(
        _l("Which certificates"),
        choices=[SelectChoice(k, v) for k, v in BATCH_CHOICES.items()],
        default="unprinted",
        validators=[DataRequired(message=_l("Choose which certificates to print."))],
    )


def _colour_field(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(message=_l("Enter a colour as # and six hex digits, like #0b5563.")),
            Regexp(HEX_COLOUR, message=_l("Enter a colour as # and six hex digits, like #0b5563.")),
        ],
        description=description,
        # A colour picker; a browser without one shows a text box, checked the same way.
        render_kw={"type": "color", "autocomplete": "off", "spellcheck": "false"},
    )


class BrandingForm(VersionedForm):
    programme_name = StringField(
        _l("Programme name"),
        validators=[DataRequired(message=_l("Enter the programme's name.")), Length(max=120)],
        description=_l("Printed under the milestone, e.g. “Riverside adaptive racing programme”."),
    )
    primary_colour = _colour_field(
        _l("Main colour"), _l("Border, heading and centre name. Must read well on white (4.5:1).")
    )
    accent_colour = _colour_field(
        _l("Accent colour"), _l("The milestone's name. Must read well on white (4.5:1).")
    )
    signatory_name = StringField(
        _l("Signatory's name"),
        validators=[Optional(), Length(max=120), refuse_unprintable_name],
        description=_l("Who signs the certificates, e.g. “Dr Ana Souza”."),
    )
    signatory_title = StringField(
        _l("Signatory's title"),
        validators=[Optional(), Length(max=120)],
        description=_l("e.g. “Head of therapy”."),
    )
    paper_size = SelectField(
        _l("Paper size"),
        choices=[SelectChoice("A4", "A4"), SelectChoice("Letter", _l("US Letter"))],
    )
    logo = FileField(
        _l("Logo"),
        description=_l("PNG or SVG, up to 512 KB. SVGs with scripts or links are refused."),
        render_kw={"accept": "image/png,image/svg+xml,.png,.svg"},
    )
    remove_logo = BooleanField(_l("Remove the current logo"))
    signature = FileField(
        _l("Signature image"),
        description=_l("Optional. A PNG of the signature, up to 256 KB."),
        render_kw={"accept": "image/png,.png"},
    )
    remove_signature = BooleanField(_l("Remove the current signature image"))

    def load(self, centre, current) -> None:
        """The design as saved (the defaults before anyone saved one)."""
        self.programme_name.data = current.programme_name if current else DEFAULT_PROGRAMME
        self.primary_colour.data = current.primary_colour if current else DEFAULT_PRIMARY
        self.accent_colour.data = current.accent_colour if current else DEFAULT_ACCENT
        self.signatory_name.data = current.signatory_name if current else ""
        self.signatory_title.data = current.signatory_title if current else ""
        self.paper_size.data = centre.paper_size.value
        self.remove_logo.data = self.remove_signature.data = False
        self.mark_loaded(current.version if current else 0)

    def _check_contrast(self, field) -> None:
        if field.data and HEX_COLOUR.match(field.data):
            ratio = contrast_on_white(field.data)
            if ratio < MIN_CONTRAST:
                raise ValidationError(
                    _(
                        "%(colour)s has a contrast of %(ratio)s:1 on white; text needs at least "
                        "%(minimum)s:1. Choose a darker colour.",
                        colour=field.data,
                        ratio=decimal_text(ratio, 1),
                        minimum=decimal_text(MIN_CONTRAST),
                    )
                )

    def validate_primary_colour(self, field) -> None:
        self._check_contrast(field)

    def validate_accent_colour(self, field) -> None:
        self._check_contrast(field)
