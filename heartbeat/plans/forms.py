"""Forms for plans: templates and their sessions, assigning, adjusting, squads and feeds.

Targets are text fields read by :mod:`heartbeat.plans.values`, so every form reading a planned
session shares one set of rules and messages.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, stubs 3.2
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from heartbeat.core.edits import VersionedForm
from heartbeat.participants.forms import ListSelectField
from heartbeat.plans.models import PlannedSession, PlanTemplate, TemplateSession, Unavailability
from heartbeat.plans.values import HR_ZONES, PLANNED_KINDS
from heartbeat.training.values import RPE_LABELS, distance_input, duration_input

DAYS = ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5", "Day 6", "Day 7"]
UNIT_WORDS = {"km": "kilometres", "mi": "miles"}


class _Targets:
    kind = ListSelectField(
        "Kind of session",
        choices=[SelectChoice("", "Choose the kind")]
        + [SelectChoice(kind.value, kind.label) for kind in PLANNED_KINDS],
        validate_choice=False,  # values.read_targets checks it, with every other field
    )
    distance = StringField("Target distance", render_kw={"inputmode": "decimal", "size": 8})
    duration = StringField(
        "Target time",
        description="As h:mm:ss or mm:ss, or minutes (30). A distance, a time, or both.",
        render_kw={"autocomplete": "off", "size": 8},
    )
    rpe = ListSelectField(
        "Target effort: RPE (Borg CR10)",
        choices=[SelectChoice("", "Choose the effort")]
        + [SelectChoice(str(n), f"{n}: {RPE_LABELS[n]}") for n in range(11)],
        validate_choice=False,
    )
    hr_zone = ListSelectField(
        "Heart-rate zone (optional)",
        choices=[SelectChoice("", "None: by RPE only")]
        + [SelectChoice(str(n), label) for n, label in HR_ZONES.items()],
        description="Left out of the plan of anyone whose injury is at or above T6: their heart"
        " rate does not show effort.",
        validate_choice=False,
    )
    notes = TextAreaField("Notes", validators=[Length(max=2000)])

    def set_units(self, units: str) -> None:
        self.distance.label.text = f"Target distance ({units})"
        self.distance.description = f"In {UNIT_WORDS.get(units, units)}, for example 5, or 400 m."

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
        "Name", validators=[DataRequired("Give the template a name."), Length(max=120)]
    )
    summary = TextAreaField("Who it is for and what it builds", validators=[Length(max=2000)])
    weeks = ListSelectField("Weeks", choices=[SelectChoice(str(n), str(n)) for n in range(1, 27)])

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
        "Name of the new template",
        validators=[DataRequired("Give the template a name."), Length(max=120)],
    )
    summary = TextAreaField("Who it is for and what it builds", validators=[Length(max=2000)])
    keep_notes = BooleanField(
        "Copy each session's notes",
        description="Templates are seen by all staff: check the notes say nothing about this"
        " person.",
    )


class TemplateSessionForm(_Targets, VersionedForm):
    week = ListSelectField("Week", choices=[], validate_choice=False)
    day = ListSelectField(
        "Day of the week",
        choices=[SelectChoice(str(n), label) for n, label in enumerate(DAYS)],
        description="Day 1 is the day the plan starts on.",
        validate_choice=False,
    )

    def set_weeks(self, weeks: int) -> None:
        self.week.choices = [SelectChoice(str(n), f"Week {n}") for n in range(1, weeks + 1)]

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
    on = StringField("Date", render_kw={"type": "date"})

    def load(self, row: PlannedSession, units: str) -> None:
        self.on.data = row.on.isoformat()
        self.load_targets(row, units)
        self.mark_loaded(row.version)


class AssignForm(FlaskForm):  # Flask-WTF ships no types
    template = ListSelectField("Plan template", choices=[], validate_choice=False)
    starts_on = StringField(
        "Starts on",
        render_kw={"type": "date"},
        description="Week 1 starts on this day; day 1 of each week is the same weekday.",
    )


class StatusForm(FlaskForm):
    version = HiddenField()
    status = HiddenField()


class ConfirmForm(FlaskForm):
    version = HiddenField()


class UnavailableForm(FlaskForm):
    first = StringField("From", render_kw={"type": "date"})
    last = StringField("To (the same day for one day)", render_kw={"type": "date"})
    reason = ListSelectField(
        "Why", choices=[SelectChoice(r.value, r.label) for r in Unavailability]
    )


class FeedForm(FlaskForm):
    confirm = BooleanField("I understand the old address stops working")


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class SquadForm(VersionedForm):
    name = StringField("Name", validators=[DataRequired("Give the squad a name."), Length(max=120)])
    kind = ListSelectField(
        "Usual kind of session",
        choices=[SelectChoice(kind.value, kind.label) for kind in PLANNED_KINDS],
    )
    place = StringField("Usual place", validators=[Length(max=120)])
    meets_weekday = ListSelectField(
        "Meets on",
        choices=[SelectChoice("", "No regular day")]
        + [SelectChoice(str(n), day) for n, day in enumerate(WEEKDAYS)],
        description="For the therapist's calendar feed.",
        validate_choice=False,
    )
    meets_at = StringField(
        "At", render_kw={"type": "time"}, validators=[Length(max=5)], description="hh:mm"
    )
    members = SelectMultipleField(
        "Members",
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

    date = StringField("Date", render_kw={"type": "date"})
    time = StringField("Start time", render_kw={"type": "time"})
    kind = ListSelectField(
        "Kind of session",
        choices=[SelectChoice(kind.value, kind.label) for kind in PLANNED_KINDS],
    )
    place = StringField("Place", validators=[Length(max=120)])
    distance = StringField("Distance for everyone", render_kw={"inputmode": "decimal", "size": 8})
    duration = StringField("Time for everyone", render_kw={"autocomplete": "off", "size": 8})
    rpe = ListSelectField(
        "RPE for everyone",
        choices=[SelectChoice("", "Each person's own")]
        + [SelectChoice(str(n), f"{n}: {RPE_LABELS[n]}") for n in range(11)],
        validate_choice=False,
    )


class PlanSquadSessionForm(FlaskForm):
    """A one-off squad session planned ahead: when, what and where (the squad says who)."""

    date = StringField("Date", render_kw={"type": "date"})
    time = StringField("Start time", render_kw={"type": "time"}, description="hh:mm")
    kind = ListSelectField(
        "Kind of session",
        choices=[SelectChoice(kind.value, kind.label) for kind in PLANNED_KINDS],
    )
    place = StringField("Place", validators=[Length(max=120)])
