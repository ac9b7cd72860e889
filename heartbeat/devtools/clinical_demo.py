"""The demo centre's clinical picture: red flags (one waiting, one followed up). Idempotent:
nothing is added once the centre has any red flag."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety import services as safety
from heartbeat.safety.models import RedFlag
from heartbeat.training.models import TrainingSession

# Eilidh MacLeod (T4) reported symptoms last night: waiting. Sami Virtanen (T2): followed up.
WAITING = ("Eilidh", "MacLeod")
FOLLOWED_UP = ("Sami", "Virtanen")


def _person(centre: Centre, given: str, family: str) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant)
        .where(
            Participant.centre_id == centre.id,
            Participant.given_name == given,
            Participant.family_name == family,
        )
        .execution_options(all_centres=True)
    )


def _latest_session(participant: Participant) -> TrainingSession | None:
    return db.session.scalar(
        sa.select(TrainingSession)
        .where(TrainingSession.participant_id == participant.id)
        .order_by(TrainingSession.started_at.desc())
        .limit(1)
        .execution_options(all_centres=True)
    )


def seed_red_flags(centre: Centre, *, therapist: User, today: date) -> None:
    has_any = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RedFlag)
        .where(RedFlag.centre_id == centre.id)
        .execution_options(all_centres=True)
    )
    if has_any:
        return
    tz = ZoneInfo(centre.timezone)
    waiting = _person(centre, *WAITING)
    if waiting is not None:
        session = _latest_session(waiting)
        if session is not None:
            session.symptom_reported = True
        safety.raise_flag(
            waiting,
            ["headache", "flushing", "nose"],
            actor=therapist,
            session_id=session.id if session is not None else None,
            now=datetime.combine(today - timedelta(days=1), time(18, 40), tzinfo=tz),
        )
    followed = _person(centre, *FOLLOWED_UP)
    if followed is not None:
        raised_at = datetime.combine(today - timedelta(days=24), time(10, 5), tzinfo=tz)
        flag = safety.raise_flag(
            followed, ["headache", "goosebumps"], actor=therapist, now=raised_at
        )
        if flag is not None:
            safety.acknowledge(
                flag,
                actor=therapist,
                follow_up=(
                    "Sat Sami up and loosened the leg-bag strap (kinked tube). Headache eased in"
                    " ten minutes; BP back to his usual. Reminded him to empty before long pushes."
                ),
                expected_version=flag.version,
                now=raised_at + timedelta(minutes=14),
            )
