"""Raising and acknowledging red flags, and the centre's guidance: flush, never commit.

Every change is audited: ``red_flag.raise`` (who reported what, with which session),
``red_flag.acknowledge`` (who read it, when, and the follow-up note) and ``safety.guidance``
(the centre's text before and after).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.core.edits import InputError, check_version
from heartbeat.core.i18n import _
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety.models import FlagKind, RedFlag, SafetyGuidance
from heartbeat.safety.rules import (
    GUIDANCE_MAX,
    clean_symptoms,
    english_default_guidance,
    shown_guidance,
    stored_guidance,
)

FOLLOW_UP_MAX = 4000


class SafetyError(InputError):
    """A change that cannot be made; ``field_errors`` names the input fields to blame."""


def raise_flag(
    participant: Participant,
    symptoms: Sequence[str],
    *,
    actor: User | None,
    session_id: int | None = None,
    self_reported: bool = False,
    now: datetime | None = None,
) -> RedFlag | None:
    """A red flag for the symptoms reported (None when none were)."""
    try:
        keys = clean_symptoms(symptoms)
    except ValueError as error:
        raise SafetyError(str(error), field_errors={"symptoms": str(error)}) from None
    if not keys:
        return None
    now = now or utcnow()
    flag = RedFlag(
        centre_id=participant.centre_id,
        participant_id=participant.id,
        session_id=session_id,
        kind=FlagKind.DYSREFLEXIA,
        symptoms=keys,
        raised_at=now,
        raised_by_id=actor.id if actor is not None else None,
        self_reported=self_reported,
    )
    db.session.add(flag)
    db.session.flush()
    audit.record(
        actor,
        participant.centre_id,
        "red_flag.raise",
        "red_flag",
        flag.id,
        audit.created(
            {
                "participant_id": participant.id,
                "kind": flag.kind,
                "symptoms": keys,
                "session_id": session_id,
                "self_reported": self_reported,
            }
        ),
        at=now,
    )
    return flag


def acknowledge(
    flag: RedFlag,
    *,
    actor: User,
    follow_up: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> None:
    """A staff member has read the flag and says what they did about it."""
    note = (follow_up or "").strip()
    if not note:
        message = _("Say what was done or what happens next (the follow-up note).")
        raise SafetyError(message, field_errors={"follow_up": message})
    if len(note) > FOLLOW_UP_MAX:
        message = _("Keep the follow-up note under %(num)s characters.", num=FOLLOW_UP_MAX)
        raise SafetyError(message, field_errors={"follow_up": message})
    if not flag.open:
        message = _("This red flag was already acknowledged.")
        raise SafetyError(message, field_errors={"follow_up": message})
    check_version(expected_version, flag.version, _("this red flag"))
    now = now or utcnow()
    flag.acknowledged_at = now
    flag.acknowledged_by_id = actor.id
    flag.follow_up = note
    db.session.flush()
    audit.record(
        actor,
        flag.centre_id,
        "red_flag.acknowledge",
        "red_flag",
        flag.id,
        audit.diff(
            {},
            {"acknowledged_at": now, "acknowledged_by_id": actor.id, "follow_up": note},
        ),
        at=now,
    )


def guidance_row(centre_id: int) -> SafetyGuidance | None:
    return db.session.scalar(sa.select(SafetyGuidance).where(SafetyGuidance.centre_id == centre_id))


def guidance_text(centre_id: int) -> str:
    """The centre's guidance, or the default written from published guidance (in the reader's
    language)."""
    row = guidance_row(centre_id)
    return shown_guidance(row.dysreflexia if row is not None else None)


def set_guidance(
    centre_id: int,
    text: str,
    *,
    actor: User,
    expected_version: int | None,
    now: datetime | None = None,
) -> audit.Changes:
    """The clinical lead's own wording; an empty text goes back to the default."""
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > GUIDANCE_MAX:
        message = _("Keep the guidance under %(num)s characters.", num=GUIDANCE_MAX)
        raise SafetyError(message, field_errors={"text": message})
    text = stored_guidance(text)
    now = now or utcnow()
    row = guidance_row(centre_id)
    before = row.dysreflexia if row is not None else english_default_guidance()
    if row is not None:
        check_version(expected_version, row.version, _("the guidance"))
    if text == before:
        return {}
    if row is None:
        row = SafetyGuidance(centre_id=centre_id, dysreflexia=text, updated_at=now)
        db.session.add(row)
    else:
        row.dysreflexia = text
        row.updated_at = now
    row.updated_by_id = actor.id
    db.session.flush()
    changes = audit.diff({"guidance": before}, {"guidance": text})
    audit.record(actor, centre_id, "safety.guidance", "safety_guidance", row.id, changes, at=now)
    return changes
