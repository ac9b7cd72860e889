"""The centre dashboard's numbers: a fixed handful of aggregate queries, whatever the centre's size.

Month boundaries are the centre's calendar month in its own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _, date_text, ngettext, number
from heartbeat.core.units import Units, distance_text, units_of
from heartbeat.extensions import db
from heartbeat.participants.models import Participant, ParticipantStatus
from heartbeat.plans.services.caseload import CentreCompliance, centre_compliance
from heartbeat.progress import charts
from heartbeat.progress.models import HISTORY_EVIDENCE, Award, LadderStage
from heartbeat.progress.rules import DISTANCE_KINDS
from heartbeat.progress.services import ladder
from heartbeat.training.models import SessionKind, TrainingSession

RECENT_SHOWN = 10


@dataclass(frozen=True)
class StageCount:
    label: str
    count: int
    retired: bool = False


@dataclass
class Dashboard:
    month_label: str
    active_participants: int
    sessions_this_month: int
    distance_this_month_m: float
    distance_text: str
    waiting_text: str | None  # the part of it logged by participants and not yet confirmed
    stage_awards_this_month: int
    club_awards_this_month: int
    distribution: list[StageCount]
    chart: charts.Chart
    recent: list[Award]
    compliance: CentreCompliance | None = None  # training plans: the last finished week
    month: date | None = None  # the first day of the month shown
    current: bool = True  # the month shown is this month
    previous_month: date | None = None  # None: nothing earlier to pick
    next_month: date | None = None  # None: the month shown is this month

    @property
    def when(self) -> str:
        """How the month stats are labelled: "this month" or "in March 2026"."""
        return _("this month") if self.current else _("in %(month)s", month=self.month_label)

    @property
    def milestones_this_month(self) -> int:
        return self.stage_awards_this_month + self.club_awards_this_month


def month_bounds(today: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of this month and of the next, in ``tz``, as aware datetimes."""
    start = datetime.combine(today.replace(day=1), time(0), tzinfo=tz)
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time(0), tzinfo=tz)


EARLIEST_MONTH = date(2000, 1, 1)


def parse_month(text: str, today: date) -> date | None:
    """The month ``?month=YYYY-MM`` names (its first day), or None unless it is a real month
    from ``EARLIEST_MONTH`` up to this one."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2:
        return None
    if not (
        parts[0].isascii() and parts[0].isdigit() and parts[1].isascii() and parts[1].isdigit()
    ):
        return None
    year, number = int(parts[0]), int(parts[1])
    if not 1 <= number <= 12:
        return None
    month = date(year, number, 1)
    return month if EARLIEST_MONTH <= month <= today.replace(day=1) else None


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


def build_dashboard(
    centre: Centre, now: datetime, month: date | None = None, units: Units | None = None
) -> Dashboard:
    """The dashboard; the month stats are for ``month`` (its first day; None: this month),
    distances in ``units`` (the centre's when None)."""
    tz = ZoneInfo(centre.timezone)
    today = now.astimezone(tz).date()
    this_month = today.replace(day=1)
    shown = month.replace(day=1) if month is not None else this_month
    start, end = month_bounds(shown, tz)
    units = units or units_of(centre.units)

    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    )
    # Activity, as ``progress.rules`` defines it: every session logged in the programme this
    # month, confirmed or still waiting (the waiting part is named); history is not this month's.
    distance_kinds = [SessionKind(kind) for kind in sorted(DISTANCE_KINDS)]
    covers_ground = TrainingSession.kind.in_(distance_kinds)
    sessions, distance, waiting = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(
                sa.func.sum(sa.case((covers_ground, TrainingSession.distance_m), else_=0.0)),
                0.0,
            ),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case(
                        (
                            sa.and_(covers_ground, sa.not_(TrainingSession.counts)),
                            TrainingSession.distance_m,
                        ),
                        else_=0.0,
                    )
                ),
                0.0,
            ),
        ).where(
            TrainingSession.started_at >= start,
            TrainingSession.started_at < end,
            TrainingSession.before_enrolment.is_(False),
        )
    ).one()
    in_month = (
        Award.achieved_at >= start,
        Award.achieved_at < end,
        # An award only history reaches has no date until a therapist gives it one.
        sa.or_(Award.review_reason.is_(None), Award.review_reason != HISTORY_EVIDENCE),
    )
    by_kind = dict(
        db.session.execute(
            sa.select(Award.stage_id.is_not(None), sa.func.count())
            .where(*in_month)
            .group_by(Award.stage_id.is_not(None))
        ).all()
    )
    recent = list(
        db.session.scalars(
            sa.select(Award)
            .options(joinedload(Award.participant), joinedload(Award.stage))
            .where(*in_month)
            .order_by(Award.achieved_at.desc(), Award.id.desc())
            .limit(RECENT_SHOWN)
        ).unique()
    )
    distribution = stage_distribution(centre.id)
    return Dashboard(
        month_label=date_text(shown, "%B %Y"),
        active_participants=active or 0,
        sessions_this_month=sessions or 0,
        distance_this_month_m=float(distance or 0.0),
        distance_text=distance_text(float(distance or 0.0), units),
        waiting_text=distance_text(float(waiting), units) if waiting else None,
        stage_awards_this_month=by_kind.get(True, 0),
        club_awards_this_month=by_kind.get(False, 0),
        distribution=distribution,
        chart=distribution_chart(distribution),
        recent=recent,
        compliance=centre_compliance(centre.id, tz, today),
        month=shown,
        current=shown == this_month,
        previous_month=_shift(shown, -1) if shown > EARLIEST_MONTH else None,
        next_month=_shift(shown, 1) if shown < this_month else None,
    )


def stage_distribution(centre_id: int) -> list[StageCount]:
    """Active participants by the stage they are working on, in ladder order.

    The engine keeps ``Participant.current_stage_id``; it is empty both for someone who has
    reached every stage and for someone the engine has not looked at yet (no sessions, no
    sign-off), so those two are told apart by whether they hold any stage award.
    """
    stages: list[LadderStage] = ladder(centre_id)
    active = Participant.status == ParticipantStatus.ACTIVE
    counts = dict(
        db.session.execute(
            sa.select(Participant.current_stage_id, sa.func.count())
            .where(active)
            .group_by(Participant.current_stage_id)
        ).all()
    )
    unplaced = counts.pop(None, 0)
    at_top = 0
    if unplaced:
        at_top = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Participant)
                .where(
                    active,
                    Participant.current_stage_id.is_(None),
                    sa.exists().where(
                        Award.participant_id == Participant.id, Award.stage_id.is_not(None)
                    ),
                )
            )
            or 0
        )
    first_active = next((stage for stage in stages if not stage.retired), None)
    if first_active is not None:
        counts[first_active.id] = counts.get(first_active.id, 0) + unplaced - at_top
    rows = [
        StageCount(stage.title, counts.get(stage.id, 0), stage.retired)
        for stage in stages
        if not stage.retired or counts.get(stage.id)
    ]
    rows.append(StageCount(_("Reached every stage"), at_top))
    return rows


def distribution_chart(rows: list[StageCount]) -> charts.Chart:
    total = sum(row.count for row in rows)
    busiest = max(rows, key=lambda row: row.count) if rows else None
    description = ngettext(
        "Bar chart of %(num)s active participant by the stage they are working on.",
        "Bar chart of %(num)s active participants by the stage they are working on.",
        total,
    )
    if busiest and busiest.count:
        description += " " + _(
            "Most are working on %(stage)s (%(count)s).", stage=busiest.label, count=busiest.count
        )
    retired = " " + _("(retired)")
    labels = [row.label + (retired if row.retired else "") for row in rows]
    table = charts.DataTable(
        caption=_("Active participants by the stage they are working on"),
        columns=(_("Stage"), _("Participants")),
        rows=tuple((label, number(row.count)) for label, row in zip(labels, rows, strict=True)),
    )
    return charts.row_bar_chart(
        "dashboard-stages",
        _("Where participants are on the ladder"),
        description,
        [(label, row.count) for label, row in zip(labels, rows, strict=True)],
        format_value=lambda value: number(round(value)),
        table=table,
    )
