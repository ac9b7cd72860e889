"""Helpers for the plans tests: the default templates, a participant, sessions and plans made
through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.plans.models import Plan, PlannedSession, PlanTemplate, TemplateSession
from heartbeat.plans.services import assigning, templates
from heartbeat.training import services as training
from heartbeat.training.models import SessionKind
from tests.participants.conftest import Helpers
from tests.training.conftest import session_values

LONDON = ZoneInfo("Europe/London")
ENROLLED = date(2025, 1, 10)
MONDAY = date(2025, 6, 2)  # a Monday, after enrolment


class Plans(Helpers):
    def __init__(self, app, world):
        super().__init__(app)
        self.world = world
        with app.app_context():
            for side in (world.a, world.b):
                templates.seed_default_templates(side.centre.id)
            db.session.commit()
        self.pid = self.enrol(world.a, enrolled_on=ENROLLED)
        self.other_pid = self.enrol(world.a, given_name="Bea", family_name="Other")
        self.b_pid = self.enrol(world.b, given_name="Cy", family_name="Bravo")

    def template_id(self, side=None, name_starts="First 5K") -> int:
        side = side or self.world.a
        with self.app.app_context():
            return db.session.scalar(
                sa.select(PlanTemplate.id).where(
                    PlanTemplate.centre_id == side.centre.id,
                    PlanTemplate.name.startswith(name_starts),
                )
            )

    def therapist(self, centre_id: int) -> User:
        return db.session.scalar(
            sa.select(User).where(User.centre_id == centre_id, User.email.like("therapist@%"))
        )

    def assign(self, participant_id=None, starts_on=MONDAY, template_id=None) -> int:
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id or self.pid)
            template = db.session.get(PlanTemplate, template_id or self.template_id())
            rows = db.session.scalars(
                sa.select(TemplateSession).where(TemplateSession.template_id == template.id)
            ).all()
            plan = assigning.assign_plan(
                participant,
                template,
                list(rows),
                starts_on=starts_on,
                actor=self.therapist(participant.centre_id),
            )
            db.session.commit()
            return plan.id

    def planned(self, plan_id: int) -> list[PlannedSession]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(PlannedSession)
                .where(PlannedSession.plan_id == plan_id)
                .order_by(PlannedSession.on, PlannedSession.id)
            ).all()
            db.session.expunge_all()
            return list(rows)

    def plan(self, plan_id: int) -> Plan:
        with self.app.app_context():
            plan = db.session.get(Plan, plan_id)
            db.session.expunge_all()
            return plan

    def log(self, day: date, kind=SessionKind.TRACK, at=time(10, 0), participant_id=None, **values):
        with self.app.app_context():
            participant = db.session.get(Participant, participant_id or self.pid)
            started = datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)
            session = training.log_session(
                participant,
                actor=self.therapist(participant.centre_id),
                values=session_values(started_at=started, kind=kind, **values),
            )
            db.session.commit()
            return session.id


@pytest.fixture
def plans(app, world) -> Plans:
    return Plans(app, world)


__all__ = ["ENROLLED", "LONDON", "MONDAY", "Plans", "timedelta"]
