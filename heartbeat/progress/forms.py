"""Forms for the ladder, sign-offs and award decisions."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from heartbeat.core.edits import VersionedForm
from heartbeat.core.i18n import _, _l
from heartbeat.core.units import METRES_PER_KM, METRES_PER_MILE
from heartbeat.progress.models import CRITERION_LABELS, CriterionKind
from heartbeat.progress.reviews import WITHDRAW_REASON_MAX
from heartbeat.progress.sentences import HINT
from heartbeat.progress.stages import DESCRIPTION_MAX, TITLE_MAX

_DURATION = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})$")


def parse_duration(text: str) -> int:
    """ "1:30:00" or "45:00" as seconds; ValueError with a message for the person."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(_("Enter the time as hours:minutes:seconds, such as 1:30:00, or 45:00."))
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if seconds >= 60 or (match.group(1) is not None and minutes >= 60):
        raise ValueError(_("Minutes and seconds go up to 59."))
    return hours * 3600 + minutes * 60 + seconds


class _StageWords(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("Short, as it reads on the ladder and on certificates: “10K”."),
        validators=[DataRequired(message=_l("Enter a title.")), Length(max=TITLE_MAX)],
    )
    description = TextAreaField(
        _l("What it means"),
        description=HINT,
        validators=[
            DataRequired(message=_l("Say what reaching it means.")),
            Length(max=DESCRIPTION_MAX),
        ],
    )


def _months(text: str | None) -> int | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValidationError(_("Enter a whole number of months, such as 12, or leave it empty."))
    return int(cleaned)


class _StageExpiry(FlaskForm):
    valid_for_months: int | None = None  # set by validation

    expires_after = StringField(
        _l("Certificates expire after (months, optional)"),
        description=_l(
            "For a clearance that must be renewed, such as 12. Empty: they never expire."
        ),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def validate_expires_after(self, field) -> None:
        self.valid_for_months = _months(field.data)


SKILLS_HINT = _l(
    "Items of the wheelchair skills checklist this stage asks for (sign-off stages only). Its"
    " sign-off page shows each one's latest result, and its certificates name them."
)


class _StageSkills(FlaskForm):
    skill_ids: tuple[int, ...] = ()  # set by validation

    skills = SelectMultipleField(
        _l("Skills required (optional)"),
        description=SKILLS_HINT,
        choices=[],
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service checks them against the centre's checklist
    )

    def offer_skills(self, items) -> None:
        """The centre's skills checklist items to choose from."""
        self.skills.choices = [SelectChoice(str(item.id), item.label) for item in items]

    def validate_skills(self, field) -> None:
        try:
            self.skill_ids = tuple(sorted({int(value) for value in field.data or []}))
        except ValueError:
            raise ValidationError(_("Choose skills from the list.")) from None


class StageForm(_StageWords, _StageExpiry, _StageSkills):
    kind = SelectField(
        _l("How it is reached"),
        choices=[SelectChoice(kind.value, CRITERION_LABELS[kind.value]) for kind in CriterionKind],
        default=CriterionKind.DISTANCE.value,
        validate_choice=False,
    )
    distance = StringField(
        _l("Distance"),
        description=_l("For a distance or race stage. Leave empty for a sign-off."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    time_limit = StringField(
        _l("Time limit (optional)"),
        description=_l("Only for a stage that must be done within a time: hours:minutes:seconds."),
        render_kw={"autocomplete": "off"},
    )
    place = SelectField(_l("Place on the ladder"), validate_choice=False)

    def __init__(
        self, *args, units: str = "km", places: list[SelectChoice] | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.units = units
        self.distance.label.text = _("Distance (miles)") if units == "mi" else _("Distance (km)")
        self.place.choices = places or [SelectChoice("end", _("At the end"))]
        self.threshold_m: float | None = None
        self.max_duration_s: int | None = None

    def validate_kind(self, field) -> None:
        if field.data not in {kind.value for kind in CriterionKind}:
            raise ValidationError(_("Choose how the stage is reached."))

    def validate_distance(self, field) -> None:
        text = (field.data or "").strip().replace(",", "")
        if not text:
            self.threshold_m = None
            return
        try:
            value = float(text)
        except ValueError:
            raise ValidationError(_("Enter the distance as a number, such as 5 or 21.1.")) from None
        if value != value or value <= 0:
            raise ValidationError(_("Enter a distance above zero."))
        per_unit = METRES_PER_MILE if self.units == "mi" else METRES_PER_KM
        self.threshold_m = round(value * per_unit, 3)

    def validate_time_limit(self, field) -> None:
        text = (field.data or "").strip()
        try:
            self.max_duration_s = parse_duration(text) if text else None
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def placement(self) -> dict[str, Any]:
        value = self.place.data or "end"
        if value == "top":
            return {"at_top": True}
        if value.startswith("after:"):
            return {"after_stage_id": int(value.removeprefix("after:"))}
        return {}

    def validate_place(self, field) -> None:
        # SelectChoice objects (WTForms 3.3), which the type stubs (3.2) do not know yet.
        choices: list[Any] = list(self.place.choices or [])
        valid = {choice.value for choice in choices}
        if field.data not in valid:
            raise ValidationError(_("Choose a place from the list."))


class StageEditForm(_StageWords, _StageExpiry, _StageSkills, VersionedForm):
    def load(self, stage, required=()) -> None:
        self.title.data, self.description.data = stage.title, stage.description
        months = stage.valid_for_months
        self.expires_after.data = str(months) if months else ""
        self.skills.data = [str(item.id) for item in required]
        self.mark_loaded(stage.version)


class VersionForm(FlaskForm):
    """A button's form: CSRF and the version the person saw."""

    version = HiddenField()


class SignOffForm(FlaskForm):
    signed_on = DateField(
        _l("Date signed off"),
        description=_l("The day the participant showed the skill."),
        validators=[DataRequired(message=_l("Enter the date it was signed off."))],
    )
    # Only for "Chair fitted" while no fitting is on record: the sign-off records it too, so the
    # chair panel and the ladder agree (issue 14 item 5).
    chair_make = StringField(
        _l("Chair make"),
        description=_l(
            "The racing chair they were fitted with. Leave it empty to record the fitting later;"
            " their page then says the fitting details are not recorded yet."
        ),
        validators=[Length(max=80)],
    )
    chair_model = StringField(_l("Chair model (optional)"), validators=[Length(max=80)])

    def fitting(self) -> dict[str, str] | None:
        make = (self.chair_make.data or "").strip()
        if not make:
            return None
        return {"chair_make": make, "chair_model": (self.chair_model.data or "").strip()}


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it withdrawn?"),
        description=_l(
            "Goes in the audit trail, for example “the session was logged for the wrong person”."
        ),
        validators=[
            DataRequired(message=_l("Say why the award is withdrawn.")),
            Length(max=WITHDRAW_REASON_MAX),
        ],
    )
    version = HiddenField()
