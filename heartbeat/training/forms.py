"""Forms for the training pages.

Numbers, dates and durations are text fields read by :mod:`heartbeat.training.values`, so the
form, the CSV import and the device-file import share one set of rules and messages.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2

from heartbeat.core.edits import VersionedForm, parse_version
from heartbeat.core.i18n import LazyText, _, _l
from heartbeat.participants.forms import ListSelectField
from heartbeat.safety.forms import SYMPTOMS_HINT, SYMPTOMS_LABEL, SymptomsField
from heartbeat.training.dates import HISTORY_LABEL
from heartbeat.training.models import PainSite, SessionKind, TrainingSession
from heartbeat.training.parsing import REQUIRED_INPUTS
from heartbeat.training.values import (
    PAIN_LABELS,
    RPE_LABELS,
    distance_input,
    duration_input,
)

UNIT_WORDS = {"km": "kilometres", "mi": "miles"}
# The distance field's hint in each unit (one sentence each, for the translations).
_DISTANCE_HINTS = {
    "km": _l("In kilometres, for example 5.2. You can also type 400 m, 3 km or 2 mi."),
    "mi": _l("In miles, for example 5.2. You can also type 400 m, 3 km or 2 mi."),
}
NUMERIC = {"inputmode": "numeric", "autocomplete": "off", "size": 5}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off", "size": 8}

__all__ = ["parse_version"]


def _kinds(blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(kind.value, _label_of(kind)) for kind in SessionKind]


def _scale(labels: dict[int, str], blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(str(n), _scale_label(n, labels)) for n in range(11)
    ]


def _label_of(member: SessionKind | PainSite) -> Any:
    """A member's label, read in each request's language (the choices are made once)."""
    return LazyText(lambda: member.label)


def _scale_label(n: int, labels: dict[int, str]) -> Any:
    """ "4: Somewhat hard", read in each request's language (the choices are made once)."""
    return LazyText(lambda: f"{n}: {labels[n]}") if n in labels else str(n)


class _Required:
    """Marks a field required, for the page to show ("(required)", and ``required`` on the
    input) like any field with a required validator. It checks nothing itself: ``read_session``
    does, with every other rule, so the form, the CSV import and device files share a message.
    """

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        return None


def _marks(name: str) -> list[_Required]:
    return [_Required()] if name in REQUIRED_INPUTS else []


class _SessionFields:
    """The fields a participant may fill in about their own session."""

    date = StringField(_l("Date"), validators=_marks("date"), render_kw={"type": "date"})
    before_enrolment = BooleanField(
        HISTORY_LABEL,
        description=_l(
            "Tick it only for a session from before the enrolment date. History is marked as such"
            " and never dates a milestone by itself: a therapist confirms any award it shows."
        ),
    )
    time = StringField(
        _l("Start time"),
        validators=_marks("time"),
        description=_l("At the centre's time, as hh:mm (for example 09:30)."),
        render_kw={"type": "time"},
    )
    kind = ListSelectField(
        _l("Kind of session"),
        choices=_kinds(_l("Choose the kind")),
        validators=_marks("kind"),
        validate_choice=False,  # values.read_session checks it, with every other field
    )
    distance = StringField(_l("Distance"), render_kw=DECIMAL)
    duration = StringField(
        _l("Time"),
        description=_l("Moving time as h:mm:ss or mm:ss, for example 1:05:30 or 42:05."),
        render_kw={"autocomplete": "off", "size": 8},
    )
    rpe = ListSelectField(
        _l("RPE: how hard it felt (Borg CR10)"),
        choices=_scale(RPE_LABELS, _l("Not recorded")),
        description=_l("0 is rest, 10 is the hardest effort possible."),
        validate_choice=False,
    )
    pain = ListSelectField(
        _l("Pain (0 to 10)"),
        choices=_scale(PAIN_LABELS, _l("Not recorded")),
        validate_choice=False,
    )
    pain_site = ListSelectField(
        _l("Where it hurt"),
        choices=[SelectChoice("", _l("Nowhere / not recorded"))]
        + [SelectChoice(site.value, _label_of(site)) for site in PainSite],
        validate_choice=False,
    )
    symptom_reported = BooleanField(
        _l("A symptom was reported"),
        description=_l(
            "For example a pounding headache, flushing or sweating above the injury: "
            "the team follows it up."
        ),
    )
    # Offered (and read) only for participants at T6 and above: ``safety.rules.at_risk``.
    ad_symptoms = SymptomsField(SYMPTOMS_LABEL, description=SYMPTOMS_HINT)
    notes = TextAreaField(_l("Notes"))

    def set_units(self, units: str) -> None:
        self.distance.label.text = _("Distance (%(units)s)", units=units)
        self.distance.description = _DISTANCE_HINTS[units]

    def raw(self) -> dict[str, Any]:
        return {
            name: getattr(self, name).data
            for name in (
                "date",
                "before_enrolment",
                "time",
                "kind",
                "distance",
                "duration",
                "rpe",
                "pain",
                "pain_site",
                "symptom_reported",
                "notes",
            )
        }


class SelfReportForm(_SessionFields, FlaskForm):
    pass


class SessionForm(_SessionFields, VersionedForm):
    cadence = StringField(_l("Push cadence (pushes per minute)"), render_kw=NUMERIC)
    avg_hr = StringField(_l("Average heart rate (beats per minute)"), render_kw=NUMERIC)
    max_hr = StringField(_l("Maximum heart rate (beats per minute)"), render_kw=NUMERIC)
    surface = StringField(_l("Surface"), description=_l("For example track, tarmac, rollers."))
    weather = StringField(_l("Weather"), description=_l("For example dry, 14 \u00b0C, light wind."))
    chair = StringField(_l("Chair used"))
    event_name = StringField(_l("Event"))
    official_time = StringField(
        _l("Official time"),
        description=_l("As h:mm:ss."),
        render_kw={"autocomplete": "off", "size": 8},
    )
    place_in_class = StringField(_l("Place in class"), render_kw=NUMERIC)

    def raw(self) -> dict[str, Any]:
        return {
            **super().raw(),
            **{
                name: getattr(self, name).data
                for name in (
                    "cadence",
                    "avg_hr",
                    "max_hr",
                    "surface",
                    "weather",
                    "chair",
                    "event_name",
                    "official_time",
                    "place_in_class",
                )
            },
        }

    def load(self, session: TrainingSession, *, units: str, tz: ZoneInfo) -> None:
        """Fill the form from a saved session (the edit page)."""
        local = session.started_at.astimezone(tz)
        self.date.data = local.date().isoformat()
        self.time.data = local.strftime("%H:%M")
        self.kind.data = session.kind.value
        self.distance.data = distance_input(session.distance_m, units)
        self.duration.data = duration_input(session.moving_time_s)
        self.official_time.data = duration_input(session.official_time_s)
        for name, column in (
            ("cadence", "cadence_ppm"),
            ("avg_hr", "avg_hr"),
            ("max_hr", "max_hr"),
            ("place_in_class", "place_in_class"),
            ("rpe", "rpe"),
            ("pain", "pain"),
        ):
            value = getattr(session, column)
            getattr(self, name).data = "" if value is None else str(value)
        self.pain_site.data = session.pain_site.value if session.pain_site else ""
        self.symptom_reported.data = session.symptom_reported
        self.before_enrolment.data = session.before_enrolment
        for name in ("surface", "weather", "chair", "notes", "event_name"):
            getattr(self, name).data = getattr(session, name) or ""
        self.mark_loaded(session.version)


class _FileOrKept:
    """A file must be chosen, unless one is kept from the last try (it only lacked the kind)."""

    field_flags = {"required": True}

    def __init__(self, message: Any) -> None:
        self.required = FileRequired(message=message)

    def __call__(self, form: FlaskForm, field: FileField) -> None:
        if not form.kept.data:
            self.required(form, field)


class UploadForm(FlaskForm):
    file = FileField(
        _l("Device file (GPX, TCX or FIT)"),
        validators=[_FileOrKept(_l("Choose a GPX, TCX or FIT file to upload."))],
        description=_l(
            "As saved by a watch, bike computer or app; gzipped (.gz) files too, or a ZIP of many "
            "(a Strava or Garmin export), imported in the background with a report of every file."
        ),
        render_kw={
            "accept": ".gpx,.tcx,.fit,.gz,.zip,application/gpx+xml,application/gzip,"
            "application/zip,application/octet-stream"
        },
    )
    kind = ListSelectField(
        _l("Kind of session"),
        choices=_kinds(_l("As the file says")),
        description=_l("Files from running or cycling apps often do not say; choose it then."),
        validate_choice=False,  # imports.choose_kind says what is wrong with it
    )
    before_enrolment = BooleanField(
        HISTORY_LABEL,
        description=_l(
            "For a file recorded before the participant's enrolment: it is saved as history, and"
            " a therapist confirms any award it shows."
        ),
    )
    #: The token of a file kept from the last try (see :mod:`heartbeat.training.pending`).
    kept = HiddenField()


class CsvImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(message=_l("Choose a CSV file to import."))],
        description=_l("UTF-8 text with the header row described below."),
        render_kw={"accept": ".csv,text/csv"},
    )


class ConfirmForm(FlaskForm):
    """A bare form for CSRF on confirmations (delete, verify)."""

    version = HiddenField()
