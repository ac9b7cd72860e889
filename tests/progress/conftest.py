"""Helpers for the progress tests: ladders for both centres, participants, sessions as rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress import services
from heartbeat.progress.models import Award, LadderStage
from heartbeat.training.models import SessionKind, TrainingSession
from tests.harness import populated_template
from tests.helpers import build_world
from tests.participants.conftest import Helpers

__all__ = ["Progress"]


@dataclass
class Progress:
    app: object
    world: object
    stages_a: dict[str, int]  # code -> id, centre A
    stages_b: dict[str, int]
    pid: int  # centre A, linked to world.a.participant's login
    pid_b: int  # centre B

    def session(
        self,
        participant_id: int | None = None,
        distance_m: float = 1000.0,
        *,
        days_ago: float = 1,
        at: datetime | None = None,
        kind: str = "track",
        moving_time_s: int | None = 600,
        **extra,
    ) -> int:
        with self.app.app_context():
            participant_id = participant_id or self.pid
            centre_id = db.session.get(Participant, participant_id).centre_id
            row = TrainingSession(
                centre_id=centre_id,
                participant_id=participant_id,
                started_at=at or utcnow() - timedelta(days=days_ago),
                kind=SessionKind(kind),
                distance_m=distance_m,
                moving_time_s=moving_time_s,
                **extra,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    def evaluate(self, participant_id: int | None = None) -> services.EvaluationResult:
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id or self.pid)
            result = services.evaluate_awards(participant)
            db.session.commit()
            return result

    def awards(self, participant_id: int | None = None) -> dict[str, Award]:
        """Awards by stage code or club code, detached with their columns loaded."""
        with self.app.app_context():
            rows = db.session.execute(
                sa.select(Award, LadderStage.code)
                .outerjoin(LadderStage, Award.stage_id == LadderStage.id)
                .where(Award.participant_id == (participant_id or self.pid))
            ).all()
            db.session.expunge_all()
            return {code or award.club_code: award for award, code in rows}

    def verify_all(self, participant_id: int | None = None) -> None:
        with self.app.app_context():
            therapist = db.session.get(User, self.world.a.therapist.id)
            awards = db.session.scalars(
                sa.select(Award).where(Award.participant_id == (participant_id or self.pid))
            ).all()
            services.verify_awards(awards, actor=therapist)
            db.session.commit()

    def stage(self, stage_id: int) -> LadderStage:
        with self.app.app_context():
            stage = db.session.get(LadderStage, stage_id)
            db.session.expunge_all()
            return stage

    def audit(self, action: str) -> list[AuditEvent]:
        with self.app.app_context():
            events = db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).all()
            db.session.expunge_all()
            return list(events)

    def delete_session(self, session_id: int) -> None:
        with self.app.app_context():
            db.session.execute(sa.delete(TrainingSession).where(TrainingSession.id == session_id))
            db.session.commit()


def _seed(app, centre_id: int) -> dict[str, int]:
    with app.app_context():
        stages = services.seed_default_ladder(centre_id)
        db.session.commit()
        return {stage.code: stage.id for stage in stages}


@dataclass
class ProgressRows:
    stages_a: dict[str, int]
    stages_b: dict[str, int]
    pid: int
    pid_b: int


def _populate(app, world) -> ProgressRows:
    """Both centres' ladders, a participant in A (linked to A's portal login) and one in B."""
    helpers = Helpers(app)
    stages_a = _seed(app, world.a.centre.id)
    stages_b = _seed(app, world.b.centre.id)
    pid = helpers.enrol(world.a, sci_level="T10")
    helpers.link(pid, world.a.participant)
    pid_b = helpers.enrol(world.b, given_name="Bea", family_name="Bravo")
    return ProgressRows(stages_a, stages_b, pid, pid_b)


populated_template("progress", 10, lambda app: _populate(app, build_world(app)))


@pytest.fixture
def progress(app, world, starts_from, populated) -> Progress:
    if starts_from == "progress":
        rows = populated.value("progress")
    else:
        rows = _populate(app, world)
    return Progress(app, world, rows.stages_a, rows.stages_b, rows.pid, rows.pid_b)
