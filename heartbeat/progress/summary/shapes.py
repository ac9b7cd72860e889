"""The shapes a participant's progress page reads: ladder steps, awards, bests, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from heartbeat.core.i18n import _l
from heartbeat.core.units import Units
from heartbeat.progress import charts, rules
from heartbeat.progress.ladder import DEFAULT_CLUBS

CLUB_ORDER = {club.code: index for index, club in enumerate(DEFAULT_CLUBS)}

StageState = Literal["achieved", "current", "upcoming"]
STATE_LABELS: dict[StageState, str] = {
    "achieved": _l("Reached"),
    "current": _l("Working on now"),
    "upcoming": _l("Still to come"),
}


@dataclass(frozen=True)
class StageStep:
    id: int
    title: str
    description: str
    criterion: str
    state: StageState
    signoff: bool
    award: AwardRow | None = None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass(frozen=True)
class NextProgress:
    stage_title: str
    best_m: float
    threshold_m: float
    text: str  # "7.2 km of 10 km"
    to_go: str  # "2.8 km to go"
    percent: int
    condition: str | None  # "within 1:30:00", "in an official race"


@dataclass(frozen=True)
class AwardRow:
    id: int
    key: str
    title: str
    description: str
    achieved_on: date
    evidence: str | None
    verified: bool
    verified_by: str | None
    verified_on: date | None
    needs_review: bool
    review_reason: str | None
    review_text: str | None
    version: int
    is_club: bool
    stage_retired: bool
    signoff: bool
    # Its evidence is history from before enrolment (confirmed or not), and the day of it.
    from_history: bool = False
    evidence_on: date | None = None

    @property
    def to_date(self) -> bool:
        """Only history reaches it: a therapist confirms it and chooses its date."""
        return self.review_reason == "history_evidence" and not self.verified


@dataclass(frozen=True)
class Best:
    label: str
    value: str
    detail: str
    on: date


@dataclass
class Summary:
    units: Units
    path: list[StageStep]
    current: StageStep | None
    next_progress: NextProgress | None  # towards the current stage, when it is a distance
    distance_progress: NextProgress | None  # towards the lowest distance stage not yet reached
    awards: list[AwardRow]
    total_m: float
    total_miles_text: str
    total_km_text: str | None
    next_club_text: str | None
    marathons: int
    streak_weeks: int
    this_week_text: str  # every session logged this week, confirmed or waiting (activity)
    this_week_waiting_text: str | None  # the part of it waiting for a therapist
    this_week_all_waiting: bool
    waiting_text: str | None  # distance logged and waiting: not yet in the Heartbeat Miles
    sessions_waiting: int
    sessions_count: int
    history_count: int
    bests: list[Best]
    effort: list[tuple[str, str]]
    lead_with_rpe: bool
    load_warning: rules.LoadWarning | None
    load_warning_text: str | None = None
    charts: dict[str, charts.Chart] = field(default_factory=dict)
    celebrate: list[AwardRow] = field(default_factory=list)

    @property
    def pending(self) -> list[AwardRow]:
        """Waiting to be verified (history awards wait for their date instead: ``to_date``)."""
        return [award for award in self.awards if not award.verified and not award.to_date]

    @property
    def to_date(self) -> list[AwardRow]:
        return [award for award in self.awards if award.to_date]

    @property
    def to_review(self) -> list[AwardRow]:
        return [award for award in self.awards if award.needs_review and award.verified]

    @property
    def clubs(self) -> list[AwardRow]:
        return sorted(
            (award for award in self.awards if award.is_club),
            key=lambda award: CLUB_ORDER.get(award.key.removeprefix("club:"), 99),
        )

    @property
    def retired_stage_awards(self) -> list[AwardRow]:
        return [award for award in self.awards if award.stage_retired]

    @property
    def reached_count(self) -> int:
        return sum(1 for step in self.path if step.state == "achieved")

    @property
    def at_top(self) -> bool:
        return bool(self.path) and self.current is None
