"""People, worlds and signed-in clients: the one place tests get them from.

Two ways to be signed in:

- ``signed_in(app, who)`` / ``sign_in(client, who)``: for tests that are about something else.
  The session is made by the app's own sign-in functions (``login_user`` and the session
  clocks, exactly what ``/login`` does after the password is checked), so every rule a signed-in
  request passes still applies; it skips only the password hash, the slowest step of a test.
- ``sign_in_with_password(app, email)`` and ``Auth``: the real ``POST /login``. The account
  tests (``tests/auth``) and the security tests use these.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher, Type
from flask import Flask, session
from flask.testing import FlaskClient
from flask_login import login_user

from heartbeat.auth import services as account_services
from heartbeat.auth import sessions as device_sessions
from heartbeat.auth.models import Role, User
from heartbeat.auth.session_rules import start_session_clock
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.harness import FAST_ARGON2

PASSWORD = "correct horse battery staple"
# Hashed once per run; every test user has this password.
PASSWORD_HASH = PasswordHasher(
    time_cost=FAST_ARGON2["HEARTBEAT_ARGON2_TIME_COST"],
    memory_cost=FAST_ARGON2["HEARTBEAT_ARGON2_MEMORY_KIB"],
    parallelism=FAST_ARGON2["HEARTBEAT_ARGON2_PARALLELISM"],
    type=Type.ID,
).hash(PASSWORD)


# --- people and worlds --------------------------------------------------------------------------


@dataclass
class CentreWorld:
    centre: Centre
    admin: User
    therapist: User
    participant: User
    other_participant: User


@dataclass
class World:
    """Two centres, each with an admin, a therapist and two participants, plus an operator."""

    a: CentreWorld
    b: CentreWorld
    operator: User


def add_user(centre: Centre | None, email: str, role: Role, *, operator: bool = False) -> User:
    """A user with the test password, added to the session (call inside an app context)."""
    user = User(
        email=email,
        name=email.split("@")[0].replace(".", " ").title(),
        role=role,
        centre_id=centre.id if centre else None,
        is_operator=operator,
        password_hash=PASSWORD_HASH,
    )
    db.session.add(user)
    return user


def centre_world(slug: str) -> CentreWorld:
    """A centre with its admin, therapist and two participants (inside an app context)."""
    centre = Centre(name=f"Centre {slug.upper()}", slug=slug, timezone="Europe/London")
    db.session.add(centre)
    db.session.flush()
    world = CentreWorld(
        centre=centre,
        admin=add_user(centre, f"admin@{slug}.example", Role.ADMIN),
        therapist=add_user(centre, f"therapist@{slug}.example", Role.THERAPIST),
        participant=add_user(centre, f"pat@{slug}.example", Role.PARTICIPANT),
        other_participant=add_user(centre, f"sam@{slug}.example", Role.PARTICIPANT),
    )
    db.session.flush()
    return world


def build_world(app: Flask) -> World:
    """Centres ``alpha`` and ``bravo`` and an operator, committed; detached copies returned."""
    with app.app_context():
        db.session().expire_on_commit = False
        built = World(
            a=centre_world("alpha"),
            b=centre_world("bravo"),
            operator=add_user(None, "operator@platform.example", Role.ADMIN, operator=True),
        )
        db.session.commit()
        # Detached copies keep their loaded attributes for use in assertions.
        db.session.expunge_all()
        return built


def read_world(app: Flask) -> World:
    """The world ``build_world`` made in this database, read back (detached, fully loaded)."""
    with app.app_context():
        centres = {c.slug: c for c in db.session.scalars(sa.select(Centre))}
        users = {u.email: u for u in db.session.scalars(sa.select(User))}
        db.session.expunge_all()

    def side(slug: str) -> CentreWorld:
        return CentreWorld(
            centre=centres[slug],
            admin=users[f"admin@{slug}.example"],
            therapist=users[f"therapist@{slug}.example"],
            participant=users[f"pat@{slug}.example"],
            other_participant=users[f"sam@{slug}.example"],
        )

    return World(a=side("alpha"), b=side("bravo"), operator=users["operator@platform.example"])


# --- signed-in clients --------------------------------------------------------------------------


def _email(who: User | str) -> str:
    return who if isinstance(who, str) else who.email


def sign_in(client: FlaskClient, who: User | str) -> FlaskClient:
    """Sign ``client`` in as ``who`` (a user or an email) the way ``/login`` ends: a fresh
    session holding what ``login_user`` and the session clocks put there. No password."""
    app = client.application
    email = _email(who)
    with app.app_context():
        user = account_services.find_user_by_email(email)
        assert user is not None, f"no account {email!r}"
        # The request the session is made in looks like the client's (Flask-Login ties a
        # session to the browser's address and user agent).
        with app.test_request_context(environ_base=client.environ_base):
            session.clear()
            device_sessions.start(user, utcnow())
            db.session.commit()
            assert login_user(user), f"{email!r} may not sign in (inactive?)"
            start_session_clock()
            values = dict(session)
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie.update(values)
    return client


def signed_in(app: Flask, who: User | str) -> FlaskClient:
    """A new client signed in as ``who`` (see ``sign_in``)."""
    return sign_in(app.test_client(), who)


def sign_in_with_password(
    app: Flask, email: str, password: str = PASSWORD, *, remember: bool = False
) -> FlaskClient:
    """A new client signed in through ``POST /login``; fails the test unless it worked."""
    client = app.test_client()
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, (email, response.status_code)
    return client


class Auth:
    """The ``auth`` fixture: the real sign-in and sign-out forms, on the test's ``client``."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def login(self, email: str, password: str = PASSWORD, *, remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def sign_in(self, who: User | str) -> FlaskClient:
        """The quick way (see ``sign_in``), for tests that are not about signing in."""
        return sign_in(self.client, who)

    def logout(self):
        return self.client.post("/logout")
