"""Private calendar feeds: an address with a long random token that calendar apps subscribe to.

Only the token's SHA-256 is stored, so the address is shown once, when it is made; making a new
one or revoking it stops the old one at once. The feed holds planned sessions only: their kind
and target, never notes, pain or anything else about the person's health. A participant's feed
has their plan and the one-off sessions planned for their squads; a therapist's, the weekly
meetings and the one-off planned sessions of the squads they run or whose members are on their
caseload.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import Role, User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import (
    CalendarFeed,
    PlannedSession,
    PlannedSquadSession,
    Squad,
    squad_member,
)
from heartbeat.plans.values import describe_target

TOKEN_BYTES = 32  # 256 bits, 43 characters of URL-safe text
PAST_DAYS = 28
MAX_EVENTS = 400
PRODID = "-//Heartbeat Miles//Training plans//EN"
DEFAULT_START = time(10, 0)  # planned sessions have a day, not a time: shown at 10:00 for 1 h
SQUAD_LENGTH = timedelta(hours=1, minutes=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.scalars(
        sa.select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ).first()


def revoke_feed(user: User, *, now: datetime | None = None) -> bool:
    now = now or utcnow()
    feeds = db.session.scalars(
        sa.select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None)
        )
    ).all()
    for feed in feeds:
        feed.revoked_at = now
        audit.record(
            user,
            feed.centre_id,
            "calendar_feed.revoke",
            "calendar_feed",
            feed.id,
            {"revoked_at": {"before": None, "after": audit.json_value(now)}},
            at=now,
        )
    db.session.flush()
    return bool(feeds)


def make_feed(user: User, *, now: datetime | None = None) -> str:
    """A new address for ``user`` (any older one stops working); returns the token, once."""
    if user.centre_id is None:
        raise ValueError("Only people of a centre have a calendar feed.")
    now = now or utcnow()
    revoke_feed(user, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(
        centre_id=user.centre_id, user_id=user.id, token_hash=token_hash(token), created_at=now
    )
    db.session.add(feed)
    db.session.flush()
    audit.record(
        user,
        user.centre_id,
        "calendar_feed.create",
        "calendar_feed",
        feed.id,
        audit.created({"created_at": now}),
        at=now,
    )
    return token


def feed_for(token: str) -> tuple[CalendarFeed, User] | None:
    """The live feed and its owner for ``token`` (read across centres: the token says whose)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        sa.select(CalendarFeed, User)
        .join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None))
        .execution_options(all_centres=True)
    ).first()
    if row is None or not row.User.active:
        return None
    return row.CalendarFeed, row.User


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def planned_squad_events(squad_ids: sa.Select[Any], since: datetime, now: datetime) -> list[Any]:
    """One event per one-off squad session planned for the squads ``squad_ids`` selects, from
    ``since`` on and not yet recorded."""
    rows = db.session.execute(
        sa.select(PlannedSquadSession, Squad.name)
        .join(Squad, Squad.id == PlannedSquadSession.squad_id)
        .where(
            PlannedSquadSession.squad_id.in_(squad_ids),
            PlannedSquadSession.starts_at >= since,
            PlannedSquadSession.squad_session_id.is_(None),
        )
        .order_by(PlannedSquadSession.starts_at, PlannedSquadSession.id)
        .limit(MAX_EVENTS)
        .execution_options(all_centres=True)
    ).all()
    events = []
    for row, name in rows:
        event = icalendar.Event()
        event.add("uid", f"planned-squad-{row.id}@heartbeat-miles")
        event.add("dtstamp", now)
        event.add("dtstart", row.starts_at.astimezone(UTC))
        event.add("dtend", (row.starts_at + SQUAD_LENGTH).astimezone(UTC))
        event.add("summary", f"Squad session: {name} ({row.kind.label})")
        if row.place:
            event.add("location", row.place)
        events.append(event)
    return events


def participant_events(
    user: User, tz: tzinfo, units: str, today: date, now: datetime
) -> Sequence[icalendar.Event]:
    participant = db.session.scalars(
        sa.select(Participant)
        .where(Participant.user_id == user.id, Participant.centre_id == user.centre_id)
        .execution_options(all_centres=True)
    ).first()
    if participant is None:
        return []
    rows = db.session.scalars(
        sa.select(PlannedSession)
        .where(
            PlannedSession.participant_id == participant.id,
            PlannedSession.centre_id == user.centre_id,
            PlannedSession.on >= today - timedelta(days=PAST_DAYS),
        )
        .order_by(PlannedSession.on, PlannedSession.id)
        .limit(MAX_EVENTS)
        .execution_options(all_centres=True)
    ).all()
    events = []
    for row in rows:
        event = icalendar.Event()
        target = describe_target(row.target_distance_m, row.target_duration_s, units)
        event.add("uid", f"planned-{row.id}@heartbeat-miles")
        event.add("dtstamp", now)
        start = datetime.combine(row.on, DEFAULT_START, tzinfo=tz)
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", (start + timedelta(hours=1)).astimezone(UTC))
        event.add("summary", f"{row.kind.label}: {target}, RPE {row.target_rpe}")
        event.add("description", "Planned session. Log it on your Heartbeat Miles page when done.")
        events.append(event)
    mine = sa.select(squad_member.c.squad_id).where(squad_member.c.participant_id == participant.id)
    since = datetime.combine(today - timedelta(days=PAST_DAYS), time.min, tzinfo=tz)
    return events + planned_squad_events(mine, since, now)


def therapist_events(user: User, tz: tzinfo, today: date, now: datetime) -> list[icalendar.Event]:
    caseload = (
        sa.select(squad_member.c.squad_id)
        .join(Participant, Participant.id == squad_member.c.participant_id)
        .where(Participant.therapist_id == user.id)
    )
    theirs = sa.select(Squad.id).where(
        Squad.centre_id == user.centre_id,
        sa.or_(Squad.therapist_id == user.id, Squad.id.in_(caseload)),
    )
    squads = db.session.scalars(
        sa.select(Squad)
        .where(Squad.id.in_(theirs), Squad.meets_weekday.is_not(None))
        .order_by(Squad.name)
        .limit(MAX_EVENTS)
        .execution_options(all_centres=True)
    ).all()
    events = []
    for squad in squads:
        weekday = squad.meets_weekday or 0
        first = today + timedelta(days=(weekday - today.weekday()) % 7)
        hour, minute = (int(part) for part in (squad.meets_at or "18:00").split(":"))
        start = datetime.combine(first, time(hour, minute), tzinfo=tz)
        event = icalendar.Event()
        event.add("uid", f"squad-{squad.id}@heartbeat-miles")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + SQUAD_LENGTH)
        event.add("rrule", {"freq": "weekly"})
        event.add("summary", f"Squad session: {squad.name} ({squad.kind.label})")
        if squad.place:
            event.add("location", squad.place)
        events.append(event)
    since = datetime.combine(today - timedelta(days=PAST_DAYS), time.min, tzinfo=tz)
    return events + planned_squad_events(theirs, since, now)


def calendar_for(user: User, tz: tzinfo, units: str, *, now: datetime | None = None) -> bytes:
    now = now or utcnow()
    today = now.astimezone(tz).date()
    if user.role == Role.PARTICIPANT:
        calendar = _calendar("My training plan")
        events: Sequence[icalendar.Event] = participant_events(user, tz, units, today, now)
    else:
        calendar = _calendar("Squad sessions")
        events = therapist_events(user, tz, today, now)
    for event in events:
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
