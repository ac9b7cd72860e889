"""Forms for plans: templates and their sessions, assigning, adjusting, squads and feeds.

Targets are text fields read by :mod:`heartbeat.plans.values`, so every form reading a planned
session shares one set of rules and messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from heartbeat.core.edits import VersionedForm
from heartbeat.core.i18n import WEEKDAYS, _, _l
from heartbeat.participants.forms import ListSelectField
from heartbeat.plans.models import PlannedSession, PlanTemplate, TemplateSession, Unavailability
from heartbeat.plans.values import HR_ZONES, PLANNED_KINDS
from heartbeat.training.values import RPE_LABELS, distance_input, duration_input

DAYS = [_l("Day %(day)s", day=n) for n in range(1, 8)]
UNIT_WORDS = {"km": _l("kilometres"), "mi": _l("miles")}


def _kinds(blank: Any = None) -> Callable[[], list[Any]]:
    """The kinds a plan may ask for, worded when a form is shown (in the reader's language)."""

    def choices() -> list[Any]:
        first = [SelectChoice("", blank)] if blank is not None else []
        return first + [SelectChoice(kind.value, kind.label) for kind in PLANNED_KINDS]

    return choices


def _efforts(blank: Any) -> Callable[[], list[Any]]:
    """The RPE options, worded when a form is shown (in the reader's language)."""

    def choices() -> list[Any]:
        return [SelectChoice("", blank)] + [
            SelectChoice(str(n), f"{n}: {RPE_LABELS[n]}") for n in range(11)
        ]

    return choices


class _Targets:
    kind = ListSelectField(
        _l("Kind of session"),
        choices=_kinds(_l("Choose the kind")),
        validate_choice=False,  # values.read_targets checks it, with every other field
    )
    distance = StringField(_l("Target distance"), render_kw={"inputmode": "decimal", "size": 8})
    duration = StringField(
        _l("Target time"),
        description=_l("As h:mm:ss or mm:ss, or minutes (30). A distance, a time, or both."),
        render_kw={"autocomplete": "off", "size": 8},
    )
    rpe = ListSelectField(
        _l("Target effort: RPE (Borg CR10)"),
        choices=_efforts(_l("Choose the effort")),
        validate_choice=False,
    )
    hr_zone = ListSelectField(
        _l("Heart-rate zone (optional)"),
        choices=[SelectChoice("", _l("None: by RPE only"))]
        + [SelectChoice(str(n), label) for n, label in HR_ZONES.items()],
        description=_l(
            "Left out of the plan of anyone whose injury is at or above T6: their heart"
            " rate does not show effort."
        ),
        validate_choice=False,
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000)])

    def set_units(self, units: str) -> None:
        self.distance.label.text = _("Target distance (%(units)s)", units=units)
        self.distance.description = _(
            "In %(units)s, for example 5, or 400 m.", units=str(UNIT_WORDS.get(units, units))
        )

    def targets(self) -> dict[str, Any]:
        return {
            name: getattr(self, name).data
            for name in ("kind", "distance", "duration", "rpe", "hr_zone", "notes")
        }

    def load_targets(self, row: TemplateSession | PlannedSession, units: str) -> None:
        self.kind.data = row.kind.value
        self.distance.data = distance_input(row.target_distance_m, units)
        self.duration.data = duration_input(row.target_duration_s)
        self.rpe.data = str(row.target_rpe)
        self.hr_zone.data = "" if row.hr_zone is None else str(row.hr_zone)
        self.notes.data = row.notes or ""


class TemplateForm(VersionedForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the template a name.")), Length(max=120)]
    )
    summary = TextAreaField(_l("Who it is for and what it builds"), validators=[Length(max=2000)])
    weeks = ListSelectField(
        _l("Weeks"), choices=[SelectChoice(str(n), str(n)) for n in range(1, 27)]
    )

    def load(self, template: PlanTemplate) -> None:
        self.name.data = template.name
        self.summary.data = template.summary or ""
        self.weeks.data = str(template.weeks)
        self.mark_loaded(template.version)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "summary": (self.summary.data or "").strip() or None,
            "weeks": int(self.weeks.data),
        }


class CopyPlanForm(FlaskForm):  # Flask-WTF ships no types
    """A person's plan, as adjusted, saved as a new template of the library."""

    name = StringField(
        _l("Name of the new template"),
        validators=[DataRequired(_l("Give the template a name.")), Length(max=120)],
    )
    summary = TextAreaField(_l("Who it is for and what it builds"), validators=[Length(max=2000)])
    keep_notes = BooleanField(
        _l("Copy each session's notes"),
        description=_l(
            "Templates are seen by all staff: check the notes say nothing about this person."
        ),
    )


class TemplateSessionForm(_Targets, VersionedForm):
    week = ListSelectField(_l("Week"), choices=[], validate_choice=False)
    day = ListSelectField(
        _l("Day of the week"),
        choices=[SelectChoice(str(n), label) for n, label in enumerate(DAYS)],
        description=_l("Day 1 is the day the plan starts on."),
        validate_choice=False,
    )

    def set_weeks(self, weeks: int) -> None:
        self.week.choices = [
            SelectChoice(str(n), _("Week %(week)s", week=n)) for n in range(1, weeks + 1)
        ]

    def place(self) -> dict[str, Any]:
        def number(text: Any) -> int | None:
            return int(text) if str(text or "").isdigit() else None

        return {"week": number(self.week.data), "day": number(self.day.data)}

    def load(self, row: TemplateSession, units: str) -> None:
        self.week.data = str(row.week)
        self.day.data = str(row.day)
        self.load_targets(row, units)
        self.mark_loaded(row.version)


class PlannedSessionForm(_Targets, VersionedForm):
    on = StringField(_l("Date"), render_kw={"type": "date"})

    def load(self, row: PlannedSession, units: str) -> None:
        self.on.data = row.on.isoformat()
        self.load_targets(row, units)
        self.mark_loaded(row.version)


class AssignForm(FlaskForm):  # Flask-WTF ships no types
    template = ListSelectField(_l("Plan template"), choices=[], validate_choice=False)
    starts_on = StringField(
        _l("Starts on"),
        render_kw={"type": "date"},
        description=_l("Week 1 starts on this day; day 1 of each week is the same weekday."),
    )


class StatusForm(FlaskForm):
    version = HiddenField()
    status = HiddenField()


class ConfirmForm(FlaskForm):
    version = HiddenField()


class UnavailableForm(FlaskForm):
    first = StringField(_l("From"), render_kw={"type": "date"})
    last = StringField(_l("To (the same day for one day)"), render_kw={"type": "date"})
    reason = ListSelectField(
        _l("Why"), choices=lambda: [SelectChoice(r.value, r.label) for r in Unavailability]
    )


class FeedForm(FlaskForm):
    confirm = BooleanField(_l("I understand the old address stops working"))


class SquadForm(VersionedForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the squad a name.")), Length(max=120)]
    )
    kind = ListSelectField(
        _l("Usual kind of session"),
        choices=_kinds(),
    )
    place = StringField(_l("Usual place"), validators=[Length(max=120)])
    meets_weekday = ListSelectField(
        _l("Meets on"),
        choices=[SelectChoice("", _l("No regular day"))]
        + [SelectChoice(str(n), day) for n, day in enumerate(WEEKDAYS)],
        description=_l("For the therapist's calendar feed."),
        validate_choice=False,
    )
    meets_at = StringField(
        _l("At"), render_kw={"type": "time"}, validators=[Length(max=5)], description="hh:mm"
    )
    members = SelectMultipleField(
        _l("Members"),
        choices=[],
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )

    def load(self, squad: Any) -> None:
        self.name.data = squad.name
        self.kind.data = squad.kind.value
        self.place.data = squad.place or ""
        self.meets_weekday.data = "" if squad.meets_weekday is None else str(squad.meets_weekday)
        self.meets_at.data = squad.meets_at or ""
        self.members.data = [str(p.id) for p in squad.members]
        self.mark_loaded(squad.version)


class SquadSessionForm(FlaskForm):
    """The top of the squad session form: when, where, what, and the defaults each row takes
    where it is left blank. The rows themselves are read by the view (one per person)."""

    date = StringField(_l("Date"), render_kw={"type": "date"})
    time = StringField(_l("Start time"), render_kw={"type": "time"})
    kind = ListSelectField(
        _l("Kind of session"),
        choices=_kinds(),
    )
    place = StringField(_l("Place"), validators=[Length(max=120)])
    distance = StringField(
        _l("Distance for everyone"), render_kw={"inputmode": "decimal", "size": 8}
    )
    duration = StringField(_l("Time for everyone"), render_kw={"autocomplete": "off", "size": 8})
    rpe = ListSelectField(
        _l("RPE for everyone"),
        choices=_efforts(_l("Each person's own")),
        validate_choice=False,
    )


class PlanSquadSessionForm(FlaskForm):
    """A one-off squad session planned ahead: when, what and where (the squad says who)."""

    date = StringField(_l("Date"), render_kw={"type": "date"})
    time = StringField(_l("Start time"), render_kw={"type": "time"}, description="hh:mm")
    kind = ListSelectField(
        _l("Kind of session"),
        choices=_kinds(),
    )
    place = StringField(_l("Place"), validators=[Length(max=120)])
