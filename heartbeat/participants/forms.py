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
from heartbeat.core.i18n import _, _l
from heartbeat.core.text import refuse_unprintable_name
from heartbeat.participants.classification import CODES_TEXT, MDF_LABELS, ClassificationStatus
from heartbeat.participants.models import (
    ConsentKind,
    Gloves,
    ImpairmentCategory,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.participants.names import NameOrder
from heartbeat.participants.services import DETAIL_FIELDS


def _choices(enum_cls, blank: Any = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(member.value, member.lazy_label) for member in enum_cls]


_CHOOSE_ONE = _l("Choose one of the options.")


class ListSelectField(SelectField):
    """A select whose "not in the list" error names what to do."""

    def __init__(self, *args, invalid_message: Any = _CHOOSE_ONE, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_message) from None


def _date(label: Any, required: Any = None, **kwargs) -> DateField:
    validators = [DataRequired(message=required)] if required else [Optional()]
    return DateField(label, validators=validators, **kwargs)


class ParticipantForm(VersionedForm):
    given_name = StringField(
        _l("Given name"),
        validators=[
            DataRequired(message=_l("Enter the given name.")),
            Length(max=80),
            refuse_unprintable_name,
        ],
        render_kw={"autocomplete": "off"},
    )
    family_name = StringField(
        _l("Family name"),
        validators=[
            DataRequired(message=_l("Enter the family name.")),
            Length(max=80),
            refuse_unprintable_name,
        ],
        render_kw={"autocomplete": "off"},
    )
    preferred_name = StringField(
        _l("Preferred name"),
        validators=[Optional(), Length(max=80), refuse_unprintable_name],
        description=_l("What they like to be called, if not their given name."),
    )
    name_order = ListSelectField(
        _l("Name order"),
        choices=_choices(NameOrder),
        default=NameOrder.GIVEN_FIRST.value,
        description=_l(
            "Which name comes first when their name is written in full, as on certificates."
        ),
        invalid_message=_l("Choose which name comes first."),
    )
    date_of_birth = _date(_l("Date of birth"), _l("Enter the date of birth."))
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(message=_l("Enter a valid email.")), Length(max=254)],
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    emergency_name = StringField(
        _l("Emergency contact name"), validators=[Optional(), Length(max=120)]
    )
    emergency_phone = TelField(
        _l("Emergency contact phone"), validators=[Optional(), Length(max=40)]
    )
    impairment = ListSelectField(
        _l("Impairment category"),
        choices=_choices(ImpairmentCategory, _l("Choose a category")),
        validators=[DataRequired(message=_l("Choose an impairment category."))],
        invalid_message=_l("Choose an impairment category from the list."),
    )
    condition = TextAreaField(
        _l("Impairment or condition"),
        validators=[Optional(), Length(max=4000)],
        description=_l(
            "In your own words, for example \u201cincomplete SCI after a fall, 2019\u201d."
        ),
    )
    sci_level = StringField(
        _l("Spinal-cord injury level"),
        validators=[Optional(), Length(max=6)],
        description=_l(
            "For a spinal-cord injury only, e.g. C6, T4 or L1. At or above T6 heart rate is "
            "unreliable, so effort is judged by RPE first."
        ),
        render_kw={"autocomplete": "off", "size": 4},
    )
    racing_class = ListSelectField(
        _l("Racing class"),
        choices=_choices(RacingClass),
        default=RacingClass.UNCLASSIFIED.value,
        validators=[DataRequired(message=_l("Choose a racing class."))],
        invalid_message=_l(
            "Choose a racing class from the list, or \u201cNot yet classified\u201d."
        ),
    )
    classification_status = ListSelectField(
        _l("Classification status"),
        choices=_choices(ClassificationStatus),
        default=ClassificationStatus.NEW.value,
        validators=[DataRequired(message=_l("Choose a classification status."))],
        invalid_message=_l("Choose %(codes)s.", codes=CODES_TEXT),
    )
    classification_review_on = _date(
        _l("Classification review date"),
        description=_l("Needed when the status is R (review) or R (FRD) (the fixed review date)."),
    )
    enrolled_on = _date(_l("Enrolment date"), _l("Enter the enrolment date."))
    therapist_id = ListSelectField(
        _l("Therapist"), choices=[], invalid_message=_l("Choose a therapist of this centre.")
    )
    goal = TextAreaField(_l("Goal"), validators=[Optional(), Length(max=4000)])
    goal_milestone = StringField(
        _l("Target milestone"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example \u201cFirst 5K\u201d or \u201cBoston qualifying time\u201d."),
    )
    goal_target_on = _date(_l("Target date"))

    def __init__(self, *args, therapists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.therapist_id.choices = [SelectChoice("", _("No therapist yet"))] + [
            SelectChoice(str(user.id), user.name) for user in therapists
        ]

    def validate_date_of_birth(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError(_("The date of birth must be in the past."))

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
        ConsentKind.DATA_PROCESSING.lazy_label,
        description=_l("Required: without it we cannot enrol them."),
    )
    consent_media = BooleanField(ConsentKind.MEDIA.lazy_label)
    consent_public_verification = BooleanField(
        ConsentKind.PUBLIC_VERIFICATION.lazy_label,
        description=_l("Anyone checking one of their certificates would see their name."),
    )
    consent_recorded_on = _date(_l("Date the answers were given"), _l("Enter the date."))

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
        _l("New status"),
        choices=_choices(ParticipantStatus),
        invalid_message=_l("Choose a status from the list."),
    )
    changed_on = _date(_l("Date of the change"), _l("Enter the date of the change."))
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=2000)]
    )
    version = HiddenField()


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Note"),
        validators=[DataRequired(message=_l("Write the note first.")), Length(max=10_000)],
    )
    shared = BooleanField(
        _l("Share with the participant"),
        description=_l(
            "Shared notes appear on their own page. Leave unticked to keep it to staff."
        ),
    )


class FittingForm(FlaskForm):
    chair_make = StringField(
        _l("Chair make"), validators=[DataRequired(message=_l("Enter the make.")), Length(max=80)]
    )
    chair_model = StringField(_l("Chair model"), validators=[Optional(), Length(max=80)])
    fitted_on = _date(_l("Fitted on"), _l("Enter the date of the fitting."))
    wheel_size = StringField(
        _l("Wheel size"),
        validators=[Optional(), Length(max=20)],
        description=_l("As written on the tyre, e.g. 700c or 28 in."),
    )
    push_rim_mm = IntegerField(
        _l("Push-rim diameter (mm)"),
        validators=[Optional()],
        description=_l("Measured across the rim, in millimetres (a 14-inch rim is about 356 mm)."),
    )
    gloves = ListSelectField(_l("Gloves"), choices=_choices(Gloves, _l("Not recorded")))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class PortalInviteForm(FlaskForm):
    email = EmailField(
        _l("Their email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email.")), Length(max=254)],
        description=_l("The invitation link goes to this address; they choose their own password."),
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose the CSV file to import."))],
        description=_l(
            "UTF-8 CSV with the header of the template. Nothing is imported unless "
            "every row is right."
        ),
        render_kw={"accept": ".csv,text/csv"},
    )

    def validate_file(self, field) -> None:
        name = (field.data.filename or "").lower() if field.data else ""
        if name and not name.endswith((".csv", ".txt")):
            raise ValidationError(_("Choose a .csv file (save the spreadsheet as CSV UTF-8)."))


class EraseForm(FlaskForm):
    confirm_name = StringField(
        _l("Type their full name to confirm"),
        validators=[DataRequired(message=_l("Type the participant's full name.")), Length(max=200)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    # Re-authentication: an unattended signed-in screen must not be enough to erase a record.
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


class ClassificationChecklistForm(VersionedForm):
    """The Medical Diagnostics Form checklist: one tick per item done."""

    checklist = SelectMultipleField(
        _l("Done so far"),
        description=_l("Tick each item once it is done: with every one ticked, the form is ready."),
        choices=[SelectChoice(key, label) for key, label in MDF_LABELS.items()],
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names an unknown item
    )

    def load(self, participant) -> None:
        self.checklist.data = list(participant.classification_checklist or [])
        self.mark_loaded(participant.version)
