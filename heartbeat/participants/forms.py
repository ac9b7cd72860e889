from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from heartbeat.core.edits import VersionedForm
from heartbeat.core.text import refuse_unprintable_name
from heartbeat.participants.classification import CODES_TEXT, MDF_ITEMS, ClassificationStatus
from heartbeat.participants.models import (
    ConsentKind,
    Gloves,
    ImpairmentCategory,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.participants.names import NameOrder
from heartbeat.participants.services import DETAIL_FIELDS


def _choices(enum_cls, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(member.value, member.label) for member in enum_cls]


class ListSelectField(SelectField):
    """A select whose "not in the list" error names what to do."""

    def __init__(self, *args, invalid_message: str = "Choose one of the options.", **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_message) from None


def _date(label: str, required: str | None = None, **kwargs) -> DateField:
    validators = [DataRequired(message=required)] if required else [Optional()]
    return DateField(label, validators=validators, **kwargs)


class ParticipantForm(VersionedForm):
    given_name = StringField(
        "Given name",
        validators=[
            DataRequired(message="Enter the given name."),
            Length(max=80),
            refuse_unprintable_name,
        ],
        render_kw={"autocomplete": "off"},
    )
    family_name = StringField(
        "Family name",
        validators=[
            DataRequired(message="Enter the family name."),
            Length(max=80),
            refuse_unprintable_name,
        ],
        render_kw={"autocomplete": "off"},
    )
    preferred_name = StringField(
        "Preferred name",
        validators=[Optional(), Length(max=80), refuse_unprintable_name],
        description="What they like to be called, if not their given name.",
    )
    name_order = ListSelectField(
        "Name order",
        choices=_choices(NameOrder),
        default=NameOrder.GIVEN_FIRST.value,
        description="Which name comes first when their name is written in full, as on "
        "certificates.",
        invalid_message="Choose which name comes first.",
    )
    date_of_birth = _date("Date of birth", "Enter the date of birth.")
    email = EmailField(
        "Email", validators=[Optional(), Email(message="Enter a valid email."), Length(max=254)]
    )
    phone = TelField("Phone", validators=[Optional(), Length(max=40)])
    emergency_name = StringField("Emergency contact name", validators=[Optional(), Length(max=120)])
    emergency_phone = TelField("Emergency contact phone", validators=[Optional(), Length(max=40)])
    impairment = ListSelectField(
        "Impairment category",
        choices=_choices(ImpairmentCategory, "Choose a category"),
        validators=[DataRequired(message="Choose an impairment category.")],
        invalid_message="Choose an impairment category from the list.",
    )
    condition = TextAreaField(
        "Impairment or condition",
        validators=[Optional(), Length(max=4000)],
        description="In your own words, for example \u201cincomplete SCI after a fall, 2019\u201d.",
    )
    sci_level = StringField(
        "Spinal-cord injury level",
        validators=[Optional(), Length(max=6)],
        description=(
            "For a spinal-cord injury only, e.g. C6, T4 or L1. At or above T6 heart rate is "
            "unreliable, so effort is judged by RPE first."
        ),
        render_kw={"autocomplete": "off", "size": 4},
    )
    racing_class = ListSelectField(
        "Racing class",
        choices=_choices(RacingClass),
        default=RacingClass.UNCLASSIFIED.value,
        validators=[DataRequired(message="Choose a racing class.")],
        invalid_message="Choose a racing class from the list, or \u201cNot yet classified\u201d.",
    )
    classification_status = ListSelectField(
        "Classification status",
        choices=_choices(ClassificationStatus),
        default=ClassificationStatus.NEW.value,
        validators=[DataRequired(message="Choose a classification status.")],
        invalid_message=f"Choose {CODES_TEXT}.",
    )
    classification_review_on = _date(
        "Classification review date",
        description="Needed when the status is R (review) or R (FRD) (the fixed review date).",
    )
    enrolled_on = _date("Enrolment date", "Enter the enrolment date.")
    therapist_id = ListSelectField(
        "Therapist", choices=[], invalid_message="Choose a therapist of this centre."
    )
    goal = TextAreaField("Goal", validators=[Optional(), Length(max=4000)])
    goal_milestone = StringField(
        "Target milestone",
        validators=[Optional(), Length(max=200)],
        description="For example \u201cFirst 5K\u201d or \u201cBoston qualifying time\u201d.",
    )
    goal_target_on = _date("Target date")

    def __init__(self, *args, therapists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist_id.choices = [SelectChoice("", "No therapist yet")] + [
            SelectChoice(str(user.id), user.name) for user in therapists
        ]

    def validate_date_of_birth(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The date of birth must be in the past.")

    def details(self) -> dict[str, Any]:
        values = {name: getattr(self, name).data for name in DETAIL_FIELDS}
        values["therapist_id"] = int(values["therapist_id"]) if values["therapist_id"] else None
        return values

    def load(self, participant) -> None:
        """Fill the form from the record (a GET of the edit page)."""
        for name in DETAIL_FIELDS:
            value = getattr(participant, name)
            if name == "therapist_id":
                value = str(value) if value else ""
            elif hasattr(value, "value"):
                value = value.value
            getattr(self, name).data = value
        self.mark_loaded(participant.version)


CONSENT_FIELDS = {kind: f"consent_{kind.value}" for kind in ConsentKind}


class _ConsentFields:
    consent_data_processing = BooleanField(
        ConsentKind.DATA_PROCESSING.label,
        description="Required: without it we cannot enrol them.",
    )
    consent_media = BooleanField(ConsentKind.MEDIA.label)
    consent_public_verification = BooleanField(
        ConsentKind.PUBLIC_VERIFICATION.label,
        description="Anyone checking one of their certificates would see their name.",
    )
    consent_recorded_on = _date("Date the answers were given", "Enter the date.")

    def consents(self) -> dict[ConsentKind, bool]:
        return {kind: bool(getattr(self, name).data) for kind, name in CONSENT_FIELDS.items()}


class EnrolForm(_ConsentFields, ParticipantForm):
    pass


class ConsentForm(_ConsentFields, VersionedForm):
    def load(self, answers: dict[ConsentKind, bool], recorded_on: date, version: int) -> None:
        for kind, name in CONSENT_FIELDS.items():
            getattr(self, name).data = answers.get(kind, False)
        self.consent_recorded_on.data = recorded_on
        self.mark_loaded(version)


class StatusForm(FlaskForm):
    to_status = ListSelectField(
        "New status",
        choices=_choices(ParticipantStatus),
        invalid_message="Choose a status from the list.",
    )
    changed_on = _date("Date of the change", "Enter the date of the change.")
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Give a reason."), Length(max=2000)]
    )
    version = HiddenField()


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note", validators=[DataRequired(message="Write the note first."), Length(max=10_000)]
    )
    shared = BooleanField(
        "Share with the participant",
        description="Shared notes appear on their own page. Leave unticked to keep it to staff.",
    )


class FittingForm(FlaskForm):
    chair_make = StringField(
        "Chair make", validators=[DataRequired(message="Enter the make."), Length(max=80)]
    )
    chair_model = StringField("Chair model", validators=[Optional(), Length(max=80)])
    fitted_on = _date("Fitted on", "Enter the date of the fitting.")
    wheel_size = StringField(
        "Wheel size",
        validators=[Optional(), Length(max=20)],
        description="As written on the tyre, e.g. 700c or 28 in.",
    )
    push_rim_mm = IntegerField(
        "Push-rim diameter (mm)",
        validators=[Optional()],
        description="Measured across the rim, in millimetres (a 14-inch rim is about 356 mm).",
    )
    gloves = ListSelectField("Gloves", choices=_choices(Gloves, "Not recorded"))
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=4000)])


class PortalInviteForm(FlaskForm):
    email = EmailField(
        "Their email",
        validators=[DataRequired(), Email(message="Enter a valid email."), Length(max=254)],
        description="The invitation link goes to this address; they choose their own password.",
    )


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired(message="Choose the CSV file to import.")],
        description="UTF-8 CSV with the header of the template. Nothing is imported unless "
        "every row is right.",
        render_kw={"accept": ".csv,text/csv"},
    )

    def validate_file(self, field) -> None:
        name = (field.data.filename or "").lower() if field.data else ""
        if name and not name.endswith((".csv", ".txt")):
            raise ValidationError("Choose a .csv file (save the spreadsheet as CSV UTF-8).")


class EraseForm(FlaskForm):
    confirm_name = StringField(
        "Type their full name to confirm",
        validators=[DataRequired(message="Type the participant's full name."), Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    # Re-authentication: an unattended signed-in screen must not be enough to erase a record.
    password = PasswordField(
        "Your password",
        validators=[DataRequired(message="Enter your password."), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class ClassificationChecklistForm(VersionedForm):
    """The Medical Diagnostics Form checklist: one tick per item done."""

    checklist = SelectMultipleField(
        "Done so far",
        description="Tick each item once it is done: with every one ticked, the form is ready.",
        choices=[SelectChoice(key, label) for key, label in MDF_ITEMS.items()],
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names an unknown item
    )

    def load(self, participant) -> None:
        self.checklist.data = list(participant.classification_checklist or [])
        self.mark_loaded(participant.version)
