"""The caseload's "needs attention" panel: who a therapist should look at first, and why.

The panel is a registry of lists. This package registers the ones its own records decide (no
session lately, high pain, consents missing, classification reviews due); features above it add
theirs (``progress``: awards waiting, training-load jumps) in their ``hooks.register``. Each list
is one aggregate query over the whole (filtered) caseload, whatever its size, and is capped;
``more`` says how many are left. Withdrawn participants never need attention; paused ones are not
expected to train.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa

from heartbeat.core.i18n import _, _l, date_text, ngettext
from heartbeat.extensions import db
from heartbeat.participants.classification import REVIEW_DATED, ClassificationStatus
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    Participant,
    ParticipantStatus,
)

QUIET_DAYS = 14
PAIN_AT_LEAST = 6
REVIEW_WITHIN_DAYS = 30
LIST_LIMIT = 8

NAME_COLUMNS = (
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
class Found:
    """What one list's builder found: the first ``limit`` people, and how many in all."""

    items: list[Item]
    total: int
    link: tuple[str, str] | None = None  # (address, text): where to act on the whole list


@dataclass(frozen=True)
class AttentionQuery:
    """The people to look at (the caseload's filter, this centre, not withdrawn) and when."""

    people: list[sa.ColumnElement[bool]]
    centre_id: int
    now: datetime
    today: date
    tz: tzinfo
    limit: int

    @property
    def total(self) -> sa.Label[int]:
        """A window count over the uncapped list, for ``found``."""
        return sa.func.count().over().label("total")

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)


@dataclass(frozen=True)
class AttentionRule:
    key: str  # also the HTML id of its group
    order: int  # lower first
    title: str  # lazy text (``_l``), read in the reader's language
    hint: str
    reason_template: str  # renders one ``item``'s reason (with ``zone``, ``units``, ``distance``)
    build: Callable[[AttentionQuery], Found]
    # A safety matter (safety's red flags): the therapist's digest names it in its subject and
    # puts it first, before everything else.
    urgent: bool = False


@dataclass(frozen=True)
class AttentionList:
    rule: AttentionRule
    items: list[Item]
    total: int
    link: tuple[str, str] | None

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Attention:
    lists: list[AttentionList]

    @property
    def total(self) -> int:
        return sum(part.total for part in self.lists)

    def __getitem__(self, key: str) -> AttentionList:
        return next(part for part in self.lists if part.rule.key == key)


_RULES: dict[str, AttentionRule] = {}


def register_rule(rule: AttentionRule) -> None:
    _RULES[rule.key] = rule  # the same rule again (apps are created more than once in tests)


def display_name(row) -> str:
    return f"{row.family_name}, {row.preferred_name or row.given_name}"


def found(rows, facts: Callable[[Any], dict[str, Any]]) -> Found:
    """Rows carry ``total`` (``AttentionQuery.total``); ``facts`` reads the rest."""
    items = [Item(row.id, display_name(row), facts(row)) for row in rows]
    return Found(items, rows[0].total if rows else 0)


def needs_attention(
    conditions: list[sa.ColumnElement[bool]],
    *,
    centre_id: int,
    now: datetime,
    today: date,
    tz: tzinfo,
    limit: int = LIST_LIMIT,
) -> Attention:
    """Every registered list, for the participants matching ``conditions`` (the caseload's)."""
    query = AttentionQuery(
        people=[
            *conditions,
            Participant.centre_id == centre_id,
            Participant.status != ParticipantStatus.WITHDRAWN,
        ],
        centre_id=centre_id,
        now=now,
        today=today,
        tz=tz,
        limit=limit,
    )
    lists = []
    for rule in sorted(_RULES.values(), key=lambda rule: rule.order):
        result = rule.build(query)
        lists.append(AttentionList(rule, result.items, result.total, result.link))
    return Attention(lists)


def _quiet(q: AttentionQuery) -> Found:
    """Active participants with no session in 14 days (counting from enrolment for newcomers).

    ``Participant.last_session_at`` is kept by the milestone engine, so this reads one row per
    person whatever the centre's history.
    """
    last_at = Participant.last_session_at
    now, today = q.now, q.today
    cutoff = now - timedelta(days=QUIET_DAYS)
    rows = db.session.execute(
        sa.select(*NAME_COLUMNS, Participant.enrolled_on, last_at.label("last_at"), q.total)
        .where(
            *q.people,
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
        .limit(q.limit)
    ).all()
    return found(
        rows,
        lambda row: {
            "last_at": row.last_at,
            "enrolled_on": row.enrolled_on,
            "days": (now - row.last_at).days if row.last_at else (today - row.enrolled_on).days,
        },
    )


def _pain(q: AttentionQuery) -> Found:
    """The latest session that recorded pain scored it 6/10 or more.

    The latest *score*, not the latest session: a strength session logged without a pain score
    after a painful push must not hide the pain. The engine keeps it as ``last_pain``.
    """
    rows = db.session.execute(
        sa.select(
            *NAME_COLUMNS,
            Participant.last_pain.label("pain"),
            Participant.last_session_at.label("started_at"),
            q.total,
        )
        .where(*q.people, Participant.last_pain >= PAIN_AT_LEAST)
        .order_by(Participant.last_pain.desc(), Participant.last_session_at.desc(), Participant.id)
        .limit(q.limit)
    ).all()
    return found(rows, lambda row: {"pain": row.pain, "at": row.started_at})


def _consents(q: AttentionQuery) -> Found:
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
        .where(Consent.centre_id == q.centre_id)
        .group_by(Consent.participant_id)
        .subquery()
    )
    columns = {kind: consents.c[kind.value] for kind in ConsentKind}
    rows = db.session.execute(
        sa.select(*NAME_COLUMNS, consents.c.dp_given, *columns.values(), q.total)
        .outerjoin(consents, consents.c.participant_id == Participant.id)
        .where(
            *q.people,
            sa.or_(
                consents.c.participant_id.is_(None),
                consents.c.dp_given == 0,
                *(column == 0 for column in columns.values()),
            ),
        )
        .order_by(sa.func.coalesce(consents.c.dp_given, 0), Participant.family_name, Participant.id)
        .limit(q.limit)
    ).all()

    def facts(row) -> dict[str, Any]:
        mapping = row._mapping
        unanswered = [kind for kind, column in columns.items() if not mapping[column]]
        return {
            "data_processing_given": bool(row.dp_given),
            "data_processing_answered": ConsentKind.DATA_PROCESSING not in unanswered,
            "unanswered": unanswered,
        }

    return found(rows, facts)


def _reviews(q: AttentionQuery) -> Found:
    """Classification status R or R (FRD) with the review due within 30 days, overdue, or not
    dated."""
    review_on = Participant.classification_review_on
    rows = db.session.execute(
        sa.select(*NAME_COLUMNS, review_on, Participant.classification_status, q.total)
        .where(
            *q.people,
            Participant.classification_status.in_(sorted(REVIEW_DATED)),
            sa.or_(review_on.is_(None), review_on <= q.today + timedelta(days=REVIEW_WITHIN_DAYS)),
        )
        .order_by(review_on.is_not(None), review_on, Participant.family_name, Participant.id)
        .limit(q.limit)
    ).all()
    return found(
        rows,
        lambda row: {
            "review_on": row.classification_review_on,
            "overdue": row.classification_review_on is not None
            and row.classification_review_on < q.today,
            "fixed": row.classification_status == ClassificationStatus.FIXED_REVIEW,
        },
    )


def register() -> None:
    """The lists this package decides from its own records."""
    for rule in (
        AttentionRule(
            "quiet",
            10,
            _l("No session for 14 days"),
            _l("Active participants with no session logged in the last 14 days."),
            "participants/attention/quiet.html",
            _quiet,
        ),
        AttentionRule(
            "pain",
            20,
            _l("Pain 6/10 or more"),
            _l("Their latest recorded pain score was 6 out of 10 or higher."),
            "participants/attention/pain.html",
            _pain,
        ),
        AttentionRule(
            "consents",
            50,
            _l("Consents missing"),
            _l("Data processing not given, or a consent never answered."),
            "participants/attention/consents.html",
            _consents,
        ),
        AttentionRule(
            "reviews",
            60,
            _l("Classification reviews due"),
            _l("Status R or R (FRD) with the review date in the next 30 days or already past."),
            "participants/attention/reviews.html",
            _reviews,
        ),
    ):
        register_rule(rule)


@dataclass(frozen=True)
class PersonItem:
    text: str
    href: str | None = None  # where to act on it


def for_person(
    participant: Participant,
    answered: dict[ConsentKind, bool],
    *,
    now: datetime,
    today: date,
    consents_href: str | None = None,
) -> list[PersonItem]:
    """What the caseload's lists would say about one person, from their own row and consents
    (no query): the same thresholds, for the top of their overview."""
    items: list[PersonItem] = []
    if participant.status == ParticipantStatus.WITHDRAWN:
        return items
    last_at = participant.last_session_at
    if participant.status == ParticipantStatus.ACTIVE:
        if last_at is not None and last_at < now - timedelta(days=QUIET_DAYS):
            days = (now - last_at).days
            items.append(
                PersonItem(
                    ngettext("No session for %(num)s day.", "No session for %(num)s days.", days)
                )
            )
        elif last_at is None and participant.enrolled_on <= today - timedelta(days=QUIET_DAYS):
            days = (today - participant.enrolled_on).days
            items.append(
                PersonItem(
                    ngettext(
                        "No session since enrolling %(num)s day ago.",
                        "No session since enrolling %(num)s days ago.",
                        days,
                    )
                )
            )
    if participant.last_pain is not None and participant.last_pain >= PAIN_AT_LEAST:
        items.append(PersonItem(_("Latest pain score %(pain)s/10.", pain=participant.last_pain)))
    if not answered.get(ConsentKind.DATA_PROCESSING, False):
        items.append(PersonItem(_("Consent to data processing not given."), consents_href))
    elif any(kind not in answered for kind in ConsentKind):
        items.append(PersonItem(_("A consent was never answered."), consents_href))
    if participant.classification_status in REVIEW_DATED:
        review_on = participant.classification_review_on
        if review_on is None:
            items.append(PersonItem(_("Classification review: no date set.")))
        elif review_on < today:
            day = date_text(review_on, "%d %b %Y")
            items.append(PersonItem(_("Classification review was due %(day)s.", day=day)))
        elif review_on <= today + timedelta(days=REVIEW_WITHIN_DAYS):
            day = date_text(review_on, "%d %b %Y")
            items.append(PersonItem(_("Classification review due %(day)s.", day=day)))
    return items
