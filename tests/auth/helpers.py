"""Helpers for the account tests: read and change rows outside any request, and drive cookies.

Every database helper opens its own short app context: a test client request made *inside* an
app context would share that context's ``g`` and session, which hides real behaviour.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from heartbeat.auth.models import Invite, User
from heartbeat.extensions import db

HOST = "heartbeat.test"
INVITE_LINK = re.compile(r"/invite/([^\"<\s]+)")
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SETUP_SECRET = re.compile(r'<code class="secret-key">([A-Z2-7 ]+)</code>')


class Rows:
    """Fresh, detached copies of rows, read and written straight in the database."""

    def __init__(self, app):
        self.app = app

    def user(self, email: str) -> User | None:
        with self.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
            db.session.expunge_all()
            return user

    def update_user(self, email: str, **values) -> None:
        with self.app.app_context():
            db.session.execute(sa.update(User).where(User.email == email).values(**values))
            db.session.commit()

    def user_count(self) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(User))

    def invites(self) -> list[Invite]:
        with self.app.app_context():
            invites = db.session.scalars(sa.select(Invite).order_by(Invite.id)).all()
            db.session.expunge_all()
            return list(invites)

    def update_invite(self, invite_id: int, **values) -> None:
        with self.app.app_context():
            db.session.execute(sa.update(Invite).where(Invite.id == invite_id).values(**values))
            db.session.commit()


def is_signed_in(client) -> bool:
    """True when the client's cookies open /home; a signed-out client is sent to sign in."""
    response = client.get("/home")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return False


def cookie_value(client, name: str) -> str:
    cookie = client.get_cookie(name, domain=HOST)
    assert cookie is not None, f"no {name} cookie was set"
    return cookie.value


def client_with_cookie(app, name: str, value: str):
    """A brand-new browser holding just this one cookie."""
    fresh = app.test_client()
    fresh.set_cookie(name, value, domain=HOST)
    return fresh


def login_as(app, email: str, password: str, *, remember: bool = False):
    """A new client signed in as ``email``."""
    fresh = app.test_client()
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = fresh.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return fresh


def invite_token(html: str) -> str:
    match = INVITE_LINK.search(html)
    assert match, "no invitation link on the page"
    return match.group(1)


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def setup_secret(html: str) -> str:
    """The two-factor secret the setup page shows for typing into an app."""
    match = SETUP_SECRET.search(html)
    assert match, "no two-factor key on the page"
    return match.group(1).replace(" ", "")
