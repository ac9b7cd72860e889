"""A therapist's weekly email of who in their caseload needs attention.

Each member of staff chooses the day and hour (in their centre's time zone) on their account
page, or turns it off (``outbox.models.EmailPreference``; Monday 08:00 by default). The digest
lists the registered needs-attention lists (``attention.py``) for the participants they are the
therapist of, with names and the list each is on: what the caseload page shows them anyway,
and no values (no pain scores, no distances). Nothing is sent when nothing needs attention.
Open red flags (safety's list, marked ``urgent`` in the registry) come first, and the subject
says so.

``send_due_digests`` runs every few minutes in the worker (``outbox.sending.periodic``) and from
``flask --app heartbeat send-digests`` (cron, or by hand).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import Role, User
from heartbeat.auth.viewer import language_of_login
from heartbeat.centres.models import Centre
from heartbeat.core.i18n import _, ngettext, speaking
from heartbeat.core.public_url import public_url_for
from heartbeat.db import set_centre_scope
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind, EmailPreference
from heartbeat.outbox.services import preferences_of, queue_email
from heartbeat.participants import attention
from heartbeat.participants.models import Participant

log = logging.getLogger("heartbeat.mail")

# Once a week: a digest is not sent again within this time, whatever the schedule says.
MIN_GAP = timedelta(days=6)
NAMES_PER_LIST = 8


@dataclass(frozen=True)
class DigestList:
    title: str  # lazy text: read in the language the email is written in
    names: list[str]
    more: int
    urgent: bool = False  # a safety matter (an open red flag): first, and named in the subject

    @property
    def count(self) -> int:
        return len(self.names) + self.more


def digest_for(user: User, centre: Centre, now: datetime) -> list[DigestList]:
    """The needs-attention lists of ``user``'s own caseload, leaving out empty ones."""
    tz = ZoneInfo(centre.timezone)
    found = attention.needs_attention(
        [Participant.therapist_id == user.id],
        centre_id=centre.id,
        now=now,
        today=now.astimezone(tz).date(),
        tz=tz,
        limit=NAMES_PER_LIST,
    )
    lists = [
        DigestList(part.rule.title, [item.name for item in part.items], part.more, part.rule.urgent)
        for part in found.lists
        if part.total
    ]
    # Safety first whatever the lists' order: open red flags head the email.
    return sorted(lists, key=lambda part: not part.urgent)


def subject_of(lists: list[DigestList], centre: Centre) -> str:
    """ "Red flag waiting ..." first when one is open, then how many to look at."""
    count = sum(part.count for part in lists)
    subject = _(
        "This week at %(centre)s: %(count)s to look at in your caseload",
        centre=centre.name,
        count=count,
    )
    flagged = sum(part.count for part in lists if part.urgent)
    if flagged:
        return ngettext(
            "Red flag: %(num)s person has symptoms to follow up. %(subject)s",
            "Red flag: %(num)s people have symptoms to follow up. %(subject)s",
            flagged,
            subject=subject,
        )
    return subject


def is_due(pref: EmailPreference, centre: Centre, now: datetime) -> bool:
    """Its day, at or past its hour, in the centre's time zone, and none sent this week."""
    if not pref.digest:
        return False
    local = now.astimezone(ZoneInfo(centre.timezone))
    if local.weekday() != pref.digest_weekday or local.hour < pref.digest_hour:
        return False
    return pref.last_digest_at is None or now - pref.last_digest_at >= MIN_GAP


def _staff() -> list[tuple[User, Centre]]:
    rows = db.session.execute(
        sa.select(User, Centre)
        .join(Centre, Centre.id == User.centre_id)
        .where(
            User.active.is_(True),
            User.role.in_([Role.THERAPIST, Role.ADMIN]),
            sa.exists().where(Participant.therapist_id == User.id),
        )
        .order_by(User.id)
        .execution_options(all_centres=True)
    ).all()
    return [(row[0], row[1]) for row in rows]


def send_due_digests(now: datetime) -> int:
    """Queue every digest due at ``now`` (flushes; the caller commits). How many were queued."""
    queued = 0
    for user, centre in _staff():
        pref = preferences_of(user.id)
        if not is_due(pref, centre, now):
            continue
        set_centre_scope(centre.id)
        try:
            lists = digest_for(user, centre, now)
        finally:
            set_centre_scope(None)
        pref.last_digest_at = now  # looked at this week, sent or not
        db.session.add(pref)
        if not lists:
            continue
        # Written in the therapist's language (their login's, else their centre's).
        with speaking(language_of_login(user.id, centre)):
            email = queue_email(
                kind=EmailKind.DIGEST,
                to=user.email,
                subject=subject_of(lists, centre),
                template="digest",
                context={
                    "name": user.name,
                    "centre": centre.name,
                    "lists": lists,
                    "caseload_url": public_url_for("participants.caseload", scope="mine"),
                },
                centre_id=centre.id,
                user_id=user.id,
                now=now,
            )
        queued += email is not None
    db.session.flush()
    if queued:
        log.info("queued %s weekly digests", queued)
    return queued
