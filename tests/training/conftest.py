"""Helpers for the training tests: participants with a ladder, sessions through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.models import Award, LadderStage
from heartbeat.progress.services import seed_default_ladder
from heartbeat.training import services
from heartbeat.training.models import SessionKind, SessionSource, TrainingSession
from tests.harness import populated_template
from tests.helpers import build_world
from tests.participants.conftest import Helpers

DATA = Path(__file__).parent / "data"
START = datetime(2025, 5, 1, 8, 30, tzinfo=UTC)
ENROLLED = date(2009, 1, 5)
NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)

__all__ = ["DATA", "NOW", "START", "Training"]


def session_values(**overrides) -> dict:
    """Clean column values for a plain track session."""
    values = {
        "started_at": START,
        "kind": SessionKind.TRACK,
        "distance_m": 450.0,
        "moving_time_s": 180,
        "elapsed_time_s": None,
        "cadence_ppm": None,
        "avg_hr": None,
        "max_hr": None,
        "rpe": 5,
        "pain": None,
        "pain_site": None,
        "symptom_reported": False,
        "surface": None,
        "weather": None,
        "chair": None,
        "notes": None,
        "event_name": None,
        "official_time_s": None,
        "place_in_class": None,
        "elevation_gain_m": None,
    }
    values.update(overrides)
    return values


class Training(Helpers):
    def __init__(self, app, world, pids: tuple[int, int, int] | None = None):
        """Ladders for both centres and three participants (two in A, one in B), unless
        ``pids`` says they are in the database already."""
        super().__init__(app)
        self.world = world
        if pids is None:
            with app.app_context():
                for centre_world in (world.a, world.b):
                    seed_default_ladder(centre_world.centre.id)
                db.session.commit()
            # Long-standing participants: the device files in tests/training/data were recorded
            # in 2010-2017, after enrolment. (A session before enrolment is history:
            # test_history.py.)
            pids = (
                self.enrol(world.a, enrolled_on=ENROLLED),
                self.enrol(world.a, given_name="Bea", family_name="Other", enrolled_on=ENROLLED),
                self.enrol(world.b, given_name="Cy", family_name="Bravo", enrolled_on=ENROLLED),
            )
        self.pid, self.other_pid, self.b_pid = pids

    def add(self, participant_id: int | None = None, *, source=SessionSource.STAFF, **values):
        """A session through the service (awards evaluated); returns its id."""
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id or self.pid)
            actor = db.session.scalar(
                sa.select(User).where(
                    User.centre_id == participant.centre_id, User.email.like("therapist@%")
                )
            )
            session = services.log_session(
                participant, actor=actor, values=session_values(**values), source=source
            )
            db.session.commit()
            return session.id

    def add_many(self, count: int, participant_id: int | None = None, **values) -> None:
        """Plain rows, quickly (no awards): for query-count tests."""
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id or self.pid)
            db.session.execute(
                sa.insert(TrainingSession),
                [
                    {
                        **session_values(started_at=START - timedelta(hours=i), **values),
                        "centre_id": participant.centre_id,
                        "participant_id": participant.id,
                    }
                    for i in range(count)
                ],
            )
            db.session.commit()

    def session(self, session_id: int) -> TrainingSession | None:
        with self.app.app_context():
            session = db.session.get(TrainingSession, session_id)
            db.session.expunge_all()
            return session

    def sessions(self, participant_id: int | None = None) -> list[TrainingSession]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(TrainingSession)
                .where(TrainingSession.participant_id == (participant_id or self.pid))
                .order_by(TrainingSession.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    def award_codes(self, participant_id: int | None = None) -> set[str]:
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(LadderStage.code, Award.club_code)
                .select_from(Award)
                .outerjoin(LadderStage, Award.stage_id == LadderStage.id)
                .where(Award.participant_id == (participant_id or self.pid))
            ).all()
            return {code or club for code, club in rows}

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        return super().audit(action)

    def allow_self_report(self, centre_world, allowed: bool = True) -> None:
        with self.app.app_context():
            centre = db.session.get(Centre, centre_world.centre.id)
            centre.allow_self_report = allowed
            db.session.commit()

    def set_units(self, centre_world, units: str) -> None:
        with self.app.app_context():
            db.session.execute(
                sa.update(Centre).where(Centre.id == centre_world.centre.id).values(units=units)
            )
            db.session.commit()


def _populate(app) -> tuple[int, int, int]:
    made = Training(app, build_world(app))
    return (made.pid, made.other_pid, made.b_pid)


populated_template("training", 10, _populate)


@pytest.fixture
def training(app, world, starts_from, populated) -> Training:
    if starts_from == "training":
        return Training(app, world, populated.value("training"))
    return Training(app, world)
