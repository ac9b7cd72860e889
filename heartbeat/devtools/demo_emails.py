"""The demo centre's email history and choices, so *Centre → Emails* and *My account → Emails*
show something believable: a week of sent emails, one waiting for a retry and one that failed
(the demo itself sends no email unless ``HEARTBEAT_SMTP_HOST`` is set)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.outbox.models import EmailKind, EmailState, OutboxEmail
from heartbeat.outbox.services import set_preferences

REFUSED = "The mail server could not be reached (ConnectionRefusedError)."


def seed_emails(centre: Centre, users: dict[str, User], now: datetime | None = None) -> None:
    now = now or utcnow()
    set_preferences(
        users["therapist@riverside.example"].id,
        digest=True,
        milestones=True,
        certificates=True,
        digest_weekday=4,  # Friday afternoon, to plan the next week
        digest_hour=16,
    )
    set_preferences(
        users["participant@riverside.example"].id,
        digest=False,
        milestones=True,
        certificates=False,
        digest_weekday=0,
        digest_hour=8,
    )
    if db.session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.centre_id == centre.id)):
        return
    therapist = users["therapist@riverside.example"]
    coach = users["coach@riverside.example"]
    participant = users["participant@riverside.example"]
    history = [
        (
            6,
            therapist,
            EmailKind.DIGEST,
            "Red flag: 1 person has symptoms to follow up. This week at Riverside Rehab: 5 to"
            " look at in your caseload",
            1,
        ),
        (5, participant, EmailKind.MILESTONE, "Milestone reached: One mile", 1),
        (4, None, EmailKind.INVITATION, "Your invitation to Riverside Rehab on Heartbeat Miles", 2),
        (2, coach, EmailKind.DIGEST, "This week at Riverside Rehab: 2 to look at", 1),
        (1, participant, EmailKind.MILESTONE, "Milestone reached: 5K", 1),
    ]
    for days, user, kind, subject, attempts in history:
        at = now - timedelta(days=days, hours=3)
        db.session.add(
            OutboxEmail(
                centre_id=centre.id,
                user_id=user.id if user else None,
                kind=kind,
                to_address=user.email if user else "jordan.okafor@example.org",
                subject=subject,
                body_text="",
                headers={},
                state=EmailState.SENT,
                attempts=attempts,
                max_attempts=6,
                next_attempt_at=at,
                last_error=None,
                created_at=at,
                sent_at=at + timedelta(minutes=attempts - 1, seconds=2),
            )
        )
    waiting = now - timedelta(minutes=3)
    db.session.add(
        OutboxEmail(
            centre_id=centre.id,
            kind=EmailKind.INVITATION,
            to_address="priya.shah@example.org",
            subject="Your invitation to Riverside Rehab on Heartbeat Miles",
            body_text="(the demo's stand-in body)",
            headers={},
            state=EmailState.QUEUED,
            attempts=2,
            max_attempts=6,
            next_attempt_at=now + timedelta(minutes=3),
            last_error=REFUSED,
            created_at=waiting,
        )
    )
    db.session.add(
        OutboxEmail(
            centre_id=centre.id,
            kind=EmailKind.INVITATION,
            to_address="sam.rivers@example.org",
            subject="Your invitation to Riverside Rehab on Heartbeat Miles",
            body_text="(the demo's stand-in body)",
            headers={},
            state=EmailState.FAILED,
            attempts=6,
            max_attempts=6,
            next_attempt_at=now - timedelta(days=3),
            last_error="The mail server refused the address ([550]).",
            created_at=now - timedelta(days=3, hours=1),
        )
    )
    db.session.flush()
