"""Fixtures of the API tests: the security tests' two-centre world, and a token per role.

``tokens`` holds a token per role of centre A (participant ``p1``'s login is the participant), a
read-only one for each staff role, and the operator's; the other centre's staff tokens are under
``b_admin`` and ``b_therapist``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from heartbeat.auth import tokens as token_services
from heartbeat.auth.models import TokenScope, User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.security.conftest import shared_app, shared_world  # noqa: F401  (module fixtures)
from tests.security.world import SecurityWorld


def issue(app, user_id: int, scope: TokenScope = TokenScope.WRITE, *, days: int = 30) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        if user.is_participant:
            scope = TokenScope.READ
        issued = token_services.issue_token(
            user, name=f"test {scope.value}", scope=scope, days=days, now=utcnow()
        )
        db.session.commit()
        return issued.secret


@dataclass
class Tokens:
    participant: str
    therapist: str
    admin: str
    operator: str
    therapist_read: str
    admin_read: str
    b_admin: str
    b_therapist: str
    b_participant: str

    def of(self, role: str) -> str:
        return getattr(self, role)


def issue_all(app, world: SecurityWorld) -> Tokens:
    return Tokens(
        participant=issue(app, world.a.records["p1"].user_id),
        therapist=issue(app, world.a.therapist_id),
        admin=issue(app, world.a.admin_id),
        operator=issue(app, world.operator_id),
        therapist_read=issue(app, world.a.therapist_id, TokenScope.READ),
        admin_read=issue(app, world.a.admin_id, TokenScope.READ),
        b_admin=issue(app, world.b.admin_id),
        b_therapist=issue(app, world.b.therapist_id),
        b_participant=issue(app, world.b.records["p1"].user_id),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def app(shared_app):  # noqa: F811
    return shared_app


@pytest.fixture(scope="module")
def world(shared_world) -> SecurityWorld:  # noqa: F811
    return shared_world


@pytest.fixture(scope="module")
def tokens(app, world) -> Tokens:
    return issue_all(app, world)


@pytest.fixture
def runner_for():
    """A CLI runner for an app (the module's app, unlike the default ``runner`` fixture)."""
    return lambda app: app.test_cli_runner()
