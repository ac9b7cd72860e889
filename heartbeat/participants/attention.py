"""The caseload's "needs attention" panel: who a therapist should look at first, and why.

Each list is one aggregate query over the whole (filtered) caseload, whatever its size: the last
session per participant, their latest pain score, awards waiting, consents, reviews, and the load
check (weekly distance jump with rising pain, decided by ``progress.rules.load_warning`` on the
few participants whose totals could trip it). Each list is capped; ``more`` says how many are left.
Withdrawn participants never need attention; paused ones are not expected to train.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import (
    ClassificationStatus,
    Consent,
    ConsentKind,
    Participant,
    ParticipantStatus,
)
from heartbeat.progress import rules
from heartbeat.progress.models import Award
from heartbeat.progress.services import FACT_COLUMNS, fact_from_row
from heartbeat.training.models import SessionKind, TrainingSession

QUIET_DAYS = 14
PAIN_AT_LEAST = 6
REVIEW_WITHIN_DAYS = 30
LIST_LIMIT = 8

_DISTANCE_KINDS = [SessionKind(kind) for kind in sorted(rules.DISTANCE_KINDS)]
_NAME_COLUMNS = (
    Participant.id,
    Participant.given_name,
    Participant.preferred_name,
    Participant.family_name,
)


@dataclass(frozen=True)
class Item:
    participant_id: int
    name: str  # "Family, Preferred-or-given", as the caseload table shows it
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttentionList:
    items: list[Item]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Attention:
    quiet: AttentionList
    pain: AttentionList
    awards: AttentionList
    consents: AttentionList
    reviews: AttentionList
    load: AttentionList
    awards_waiting: int  # awards (not people) waiting for a verification or a review

    @property
    def total(self) -> int:
        return sum(
            part.total
            for part in (self.quiet, self.pain, self.awards, self.consents, self.reviews, self.load)
        )


def _name(row) -> str:
    return f"{row.family_name}, {row.preferred_name or row.given_name}"


def _capped(rows, facts) -> AttentionList:
    """Rows carry ``total`` (a window count over the uncapped list); ``facts`` reads the rest."""
    items = [Item(row.id, _name(row), facts(row)) for row in rows]
    return AttentionList(items, rows[0].total if rows else 0)


def _local_midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def needs_attention(
    conditions: list[sa.ColumnElement[bool]],
    *,
    centre_id: int,
    now: datetime,
    today: date,
    tz: tzinfo,
    limit: int = LIST_LIMIT,
) -> Attention:
    """Six capped lists for the participants matching ``conditions`` (the caseload's filter)."""
    people = [
        *conditions,
        Participant.centre_id == centre_id,
        Participant.status != ParticipantStatus.WITHDRAWN,
    ]
    total = sa.func.count().over().label("total")
    awards, awards_waiting = _awards(people, centre_id, total, limit)
    return Attention(
        quiet=_quiet(people, centre_id, total, limit, now, today),
        pain=_pain(people, centre_id, total, limit),
        awards=awards,
        consents=_consents(people, centre_id, total, limit),
        reviews=_reviews(people, total, limit, today),
        load=_load(people, centre_id, limit, today, tz),
        awards_waiting=awards_waiting,
    )


def _quiet(people, centre_id, total, limit, now, today) -> AttentionList:
    """Active participants with no session in 14 days (counting from enrolment for newcomers).

    ``Participant.last_session_at`` is kept by the milestone engine, so this reads one row per
    person whatever the centre's history.
    """
    last_at = Participant.last_session_at
    cutoff = now - timedelta(days=QUIET_DAYS)
    rows = db.session.execute(
        sa.select(*_NAME_COLUMNS, Participant.enrolled_on, last_at.label("last_at"), total)
        .where(
            *people,
            Participant.status == ParticipantStatus.ACTIVE,
            sa.or_(
                last_at < cutoff,
                sa.and_(
                    last_at.is_(None),
                    Participant.enrolled_on <= today - timedelta(days=QUIET_DAYS),
                ),
            ),
        )
        .order_by(last_at.is_not(None), last_at, Participant.family_name)
        .limit(limit)
    ).all()
    return _capped(
        rows,
        lambda row: {
            "last_at": row.last_at,
            "enrolled_on": row.enrolled_on,
            "days": (now - row.last_at).days if row.last_at else (today - row.enrolled_on).days,
        },
    )


def _pain(people, centre_id, total, limit) -> AttentionList:
    """The latest session that recorded pain scored it 6/10 or more.

    The latest *score*, not the latest session: a strength session logged without a pain score
    after a painful push must not hide the pain. The engine keeps it as ``last_pain``.
    """
    rows = db.session.execute(
        sa.select(
            *_NAME_COLUMNS,
            Participant.last_pain.label("pain"),
            Participant.last_session_at.label("started_at"),
            total,
        )
        .where(*people, Participant.last_pain >= PAIN_AT_LEAST)
        .order_by(Participant.last_pain.desc(), Participant.last_session_at.desc(), Participant.id)
        .limit(limit)
    ).all()
    return _capped(rows, lambda row: {"pain": row.pain, "at": row.started_at})


def _awards(people, centre_id, total, limit) -> tuple[AttentionList, int]:
    waiting = (
        sa.select(
            Award.participant_id,
            sa.func.sum(sa.case((Award.verified_at.is_(None), 1), else_=0)).label("unverified"),
            sa.func.sum(sa.case((Award.needs_review.is_(True), 1), else_=0)).label("review"),
        )
        .where(
            Award.centre_id == centre_id,
            sa.or_(Award.verified_at.is_(None), Award.needs_review.is_(True)),
        )
        .group_by(Award.participant_id)
        .subquery()
    )
    count = waiting.c.unverified + waiting.c.review
    rows = db.session.execute(
        sa.select(
            *_NAME_COLUMNS,
            waiting.c.unverified,
            waiting.c.review,
            total,
            sa.func.sum(count).over().label("awards"),
        )
        .join(waiting, waiting.c.participant_id == Participant.id)
        .where(*people)
        .order_by(count.desc(), Participant.family_name, Participant.id)
        .limit(limit)
    ).all()
    listed = _capped(
        rows, lambda row: {"unverified": int(row.unverified), "review": int(row.review)}
    )
    return listed, int(rows[0].awards) if rows else 0


def _consents(people, centre_id, total, limit) -> AttentionList:
    """Data processing not given, or some kind of consent never answered."""
    answered = {
        kind: sa.func.max(sa.case((Consent.kind == kind, 1), else_=0)).label(kind.value)
        for kind in ConsentKind
    }
    dp_given = sa.func.max(
        sa.case(
            (sa.and_(Consent.kind == ConsentKind.DATA_PROCESSING, Consent.given.is_(True)), 1),
            else_=0,
        )
    ).label("dp_given")
    consents = (
        sa.select(Consent.participant_id, dp_given, *answered.values())
        .where(Consent.centre_id == centre_id)
        .group_by(Consent.participant_id)
        .subquery()
    )
    columns = {kind: consents.c[kind.value] for kind in ConsentKind}
    rows = db.session.execute(
        sa.select(*_NAME_COLUMNS, consents.c.dp_given, *columns.values(), total)
        .outerjoin(consents, consents.c.participant_id == Participant.id)
        .where(
            *people,
            sa.or_(
                consents.c.participant_id.is_(None),
                consents.c.dp_given == 0,
                *(column == 0 for column in columns.values()),
            ),
        )
        .order_by(sa.func.coalesce(consents.c.dp_given, 0), Participant.family_name, Participant.id)
        .limit(limit)
    ).all()

    def facts(row) -> dict[str, Any]:
        mapping = row._mapping
        unanswered = [kind for kind, column in columns.items() if not mapping[column]]
        return {
            "data_processing_given": bool(row.dp_given),
            "data_processing_answered": ConsentKind.DATA_PROCESSING not in unanswered,
            "unanswered": unanswered,
        }

    return _capped(rows, facts)


def _reviews(people, total, limit, today) -> AttentionList:
    """Classification status R with the review due within 30 days, overdue, or not dated."""
    review_on = Participant.classification_review_on
    rows = db.session.execute(
        sa.select(*_NAME_COLUMNS, review_on, total)
        .where(
            *people,
            Participant.classification_status == ClassificationStatus.REVIEW,
            sa.or_(review_on.is_(None), review_on <= today + timedelta(days=REVIEW_WITHIN_DAYS)),
        )
        .order_by(review_on.is_not(None), review_on, Participant.family_name, Participant.id)
        .limit(limit)
    ).all()
    return _capped(
        rows,
        lambda row: {
            "review_on": row.classification_review_on,
            "overdue": row.classification_review_on is not None
            and row.classification_review_on < today,
        },
    )


def _load(people, centre_id, limit, today, tz) -> AttentionList:
    """The load warning of ``progress.rules``, asked only of participants who could trip it.

    SQL narrows the field with the same windows (the last 7 local days against the 28 before):
    enough distance lately to be a jump, and pain scores in both windows to compare. The rule
    itself then decides on those few participants' sessions, all read in this one query.
    """
    recent_from = _local_midnight(today - timedelta(days=6), tz)
    baseline_from = recent_from - timedelta(weeks=rules.LOAD_BASELINE_WEEKS)
    until = _local_midnight(today + timedelta(days=1), tz)
    recent = TrainingSession.started_at >= recent_from
    distance = sa.case(
        (TrainingSession.kind.in_(_DISTANCE_KINDS), TrainingSession.distance_m), else_=0.0
    )
    recent_m = sa.func.sum(sa.case((recent, distance), else_=0.0))
    baseline_m = sa.func.sum(sa.case((recent, 0.0), else_=distance))
    with_pain = TrainingSession.pain.is_not(None)
    window = sa.and_(
        TrainingSession.centre_id == centre_id,
        TrainingSession.started_at >= baseline_from,
        TrainingSession.started_at < until,
    )
    slack = 1.0  # metres: SQL sums floats in another order than Python; the rule decides exactly
    # Two plain queries rather than one with a subquery: on tables without statistics yet (a
    # fresh import) PostgreSQL nested the subquery inside the join and took minutes.
    candidates = db.session.scalars(
        sa.select(TrainingSession.participant_id)
        .where(window)
        .group_by(TrainingSession.participant_id)
        .having(
            recent_m >= rules.LOAD_MIN_INCREASE_M - slack,
            recent_m * rules.LOAD_BASELINE_WEEKS >= rules.LOAD_RATIO * baseline_m - slack,
            sa.func.count(sa.case((sa.and_(recent, with_pain), 1))) > 0,
            sa.func.count(sa.case((sa.and_(sa.not_(recent), with_pain), 1))) > 0,
        )
    ).all()
    rows = db.session.execute(
        sa.select(TrainingSession.participant_id, *FACT_COLUMNS, *_NAME_COLUMNS[1:])
        .join(Participant, Participant.id == TrainingSession.participant_id)
        .where(window, *people, TrainingSession.participant_id.in_(candidates))
        .order_by(TrainingSession.participant_id, TrainingSession.started_at)
    ).all()
    by_participant: dict[int, list] = defaultdict(list)
    for row in rows:
        by_participant[row.participant_id].append(row)
    warned: list[Item] = []
    for participant_id, sessions in by_participant.items():
        warning = rules.load_warning([fact_from_row(row) for row in sessions], today, tz)
        if warning is not None:
            first = sessions[0]
            warned.append(Item(participant_id, _name(first), {"warning": warning}))
    warned.sort(key=lambda item: (-(item.facts["warning"].ratio or 0), item.name))
    return AttentionList(warned[:limit], len(warned))
