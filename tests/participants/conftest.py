"""Helpers for the participant tests: enrol people straight through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from heartbeat.audit.models import AuditEvent
from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants import services
from heartbeat.participants.models import ConsentKind, Participant

TODAY = date(2025, 6, 2)

DETAILS = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "preferred_name": None,
    "name_order": "given_first",
    "date_of_birth": date(1990, 5, 1),
    "email": "ada@example.org",
    "phone": "01234 567890",
    "emergency_name": "Byron",
    "emergency_phone": "09876 543210",
    "impairment": "sci",
    "condition": "Incomplete SCI after a fall",
    "sci_level": "T4",
    "racing_class": "T53",
    "classification_status": "C",
    "classification_review_on": None,
    "enrolled_on": date(2025, 1, 10),
    "therapist_id": None,
    "goal": "Push a full mile",
    "goal_milestone": "One mile",
    "goal_target_on": date(2025, 12, 1),
}


def form_data(**overrides) -> dict[str, str]:
    """DETAILS as a browser would post them."""
    data = {}
    for name, value in {**DETAILS, **overrides}.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


class Helpers:
    def __init__(self, app):
        self.app = app

    def enrol(self, centre_world, *, actor=None, consents=None, **overrides) -> int:
        with self.app.app_context():
            user = db.session.get(User, (actor or centre_world.therapist).id)
            participant = services.enrol(
                centre_id=centre_world.centre.id,
                actor=user,
                details={**DETAILS, "therapist_id": centre_world.therapist.id, **overrides},
                consents=consents or {ConsentKind.DATA_PROCESSING: True},
                consent_recorded_on=date(2025, 1, 10),
                today=TODAY,
            )
            db.session.commit()
            return participant.id

    def participant(self, participant_id: int) -> Participant | None:
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id)
            db.session.expunge_all()
            return participant

    def link(self, participant_id: int, user) -> None:
        with self.app.app_context():
            db.session.execute(
                sa.update(Participant)
                .where(Participant.id == participant_id)
                .values(user_id=user.id, version=Participant.version + 1)
            )
            db.session.commit()

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        with self.app.app_context():
            stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
            if action:
                stmt = stmt.where(AuditEvent.action == action)
            events = db.session.scalars(stmt).all()
            db.session.expunge_all()
            return list(events)

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def helpers(app) -> Helpers:
    return Helpers(app)


def add_session(
    app,
    participant_id: int,
    *,
    days_ago: float,
    distance_m: float = 1000.0,
    pain: int | None = None,
    kind: str = "track",
    **extra,
) -> int:
    """A training session ``days_ago`` before now, straight into the table."""
    from datetime import timedelta

    from heartbeat.db import utcnow
    from heartbeat.training.models import TrainingSession

    with app.app_context():
        centre_id = db.session.get(Participant, participant_id).centre_id
        row = TrainingSession(
            centre_id=centre_id,
            participant_id=participant_id,
            started_at=utcnow() - timedelta(days=days_ago),
            kind=kind,
            distance_m=distance_m,
            pain=pain,
            **extra,
        )
        db.session.add(row)
        db.session.flush()
        # What the milestone engine keeps for lists after every session change in the app.
        from heartbeat.progress.services import refresh_session_digest

        refresh_session_digest(db.session.get(Participant, participant_id))
        db.session.commit()
        return row.id


def seed_ladder(app, centre_world) -> dict[str, int]:
    """The default ladder for a world's centre: ``{code: stage id}``."""
    from heartbeat.progress.services import seed_default_ladder

    with app.app_context():
        stages = seed_default_ladder(centre_world.centre.id)
        db.session.commit()
        return {stage.code: stage.id for stage in stages}
