"""Shoulder load for the pages and the caseload: reads sessions (and WUSPI results) and asks
``rules.shoulder``. A fixed number of queries whatever the caseload's size."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa

from heartbeat.core.i18n import _l
from heartbeat.extensions import db
from heartbeat.measures.instruments import WUSPI_CODE
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.measures.scoring import real_change
from heartbeat.participants import attention
from heartbeat.participants.attention import AttentionQuery, AttentionRule, Found, Item
from heartbeat.participants.models import Participant
from heartbeat.progress.rules import shoulder
from heartbeat.training.models import SessionKind, TrainingSession

_PUSH_KINDS = [SessionKind(kind) for kind in sorted(shoulder.PUSH_KINDS)]
_COLUMNS = (
    TrainingSession.participant_id,
    TrainingSession.started_at,
    TrainingSession.kind,
    TrainingSession.moving_time_s,
    TrainingSession.cadence_ppm,
    TrainingSession.pain,
)


def _session(row) -> shoulder.PushSession:
    return shoulder.PushSession(
        row.started_at,
        str(row.kind.value if hasattr(row.kind, "value") else row.kind),
        row.moving_time_s,
        row.cadence_ppm,
        row.pain,
    )


def wuspi_rising(participant_ids: list[int]) -> set[int]:
    """Whose latest WUSPI rose from the one before by at least its smallest real change."""
    if not participant_ids:
        return set()
    rows = db.session.execute(
        sa.select(
            MeasureResponse.participant_id,
            MeasureResponse.total,
            Measure.smallest_real_change,
        )
        .join(Measure, Measure.id == MeasureResponse.measure_id)
        .where(
            Measure.code == WUSPI_CODE,
            MeasureResponse.participant_id.in_(participant_ids),
            MeasureResponse.completed_at.is_not(None),
        )
        .order_by(MeasureResponse.participant_id, MeasureResponse.completed_at.desc())
    ).all()
    totals: dict[int, list[tuple[float | None, float | None]]] = defaultdict(list)
    for row in rows:
        totals[row.participant_id].append((row.total, row.smallest_real_change))
    rising = set()
    for pid, values in totals.items():
        if len(values) >= 2 and real_change(values[1][0], values[0][0], values[0][1]) == 1:
            rising.add(pid)
    return rising


def for_participant(participant_id: int, today: date, tz: tzinfo) -> shoulder.ShoulderLoad:
    since = today - timedelta(days=shoulder.CHRONIC_DAYS + 1)
    rows = db.session.execute(
        sa.select(*_COLUMNS).where(
            TrainingSession.participant_id == participant_id,
            TrainingSession.started_at >= datetime.combine(since, time.min, tzinfo=tz),
        )
    ).all()
    return shoulder.shoulder_load(
        [_session(row) for row in rows],
        today,
        tz,
        wuspi_rising=participant_id in wuspi_rising([participant_id]),
    )


def _attention(q: AttentionQuery) -> Found:
    """Candidates in SQL (the same windows, the ratio over 1.5), then the rule decides."""
    acute_from = q.local_midnight(q.today - timedelta(days=shoulder.ACUTE_DAYS - 1))
    chronic_from = q.local_midnight(q.today - timedelta(days=shoulder.CHRONIC_DAYS - 1))
    until = q.local_midnight(q.today + timedelta(days=1))
    count = sa.case(
        (
            TrainingSession.kind.in_(_PUSH_KINDS),
            sa.func.coalesce(TrainingSession.cadence_ppm, shoulder.DEFAULT_CADENCE_PPM)
            * sa.func.coalesce(TrainingSession.moving_time_s, 0)
            / 60.0,
        ),
        else_=0.0,
    )
    recent = TrainingSession.started_at >= acute_from
    window = sa.and_(
        TrainingSession.centre_id == q.centre_id,
        TrainingSession.started_at >= chronic_from,
        TrainingSession.started_at < until,
    )
    acute = sa.func.sum(sa.case((recent, count), else_=0.0))
    chronic = sa.func.sum(count)
    candidates = list(
        db.session.scalars(
            sa.select(TrainingSession.participant_id)
            .where(window)
            .group_by(TrainingSession.participant_id)
            .having(
                chronic > 0, acute * shoulder.CHRONIC_DAYS > shoulder.RATIO_FLAG * 7 * chronic - 1
            )
        )
    )
    if not candidates:
        return Found([], 0)
    rows = db.session.execute(
        sa.select(*_COLUMNS, *attention.NAME_COLUMNS[1:])
        .join(Participant, Participant.id == TrainingSession.participant_id)
        .where(window, *q.people, TrainingSession.participant_id.in_(candidates))
        .order_by(TrainingSession.participant_id, TrainingSession.started_at)
    ).all()
    rising = wuspi_rising(candidates)
    by_participant: dict[int, list] = defaultdict(list)
    for row in rows:
        by_participant[row.participant_id].append(row)
    flagged: list[Item] = []
    for pid, sessions in by_participant.items():
        load = shoulder.shoulder_load(
            [_session(row) for row in sessions], q.today, q.tz, wuspi_rising=pid in rising
        )
        if load.flagged:
            flagged.append(Item(pid, attention.display_name(sessions[0]), {"load": load}))
    flagged.sort(key=lambda item: (-(item.facts["load"].ratio or 0), item.name))
    return Found(flagged[: q.limit], len(flagged))


def register() -> None:
    attention.register_rule(
        AttentionRule(
            "shoulder_load",
            32,
            _l("Shoulder load jumped"),
            _l(
                "Estimated pushes in the last 7 days over 1.5 times the weekly average of the last"
                " 28, while pain or the WUSPI is rising."
            ),
            "progress/attention/shoulder.html",
            _attention,
        )
    )
