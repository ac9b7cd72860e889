"""Addresses and browsers for the security tests: URL arguments from the security world,
answers as the policy table words them, and a signed-in browser per role."""

from __future__ import annotations

from flask import url_for

from tests.helpers import signed_in
from tests.security.world import SecurityWorld


def email_of(world: SecurityWorld, role: str) -> str | None:
    return {
        "participant": world.a.records["p1"].user_email,
        "therapist": world.a.therapist_email,
        "admin": world.a.admin_email,
        "operator": world.operator_email,
    }.get(role)


def fill(world: SecurityWorld, arg: str, role: str, centre: str, record: str):
    """The value of URL argument ``arg`` naming an object of ``centre`` owned by ``record``.

    The actor always belongs to centre A ("own"); the operator to none, for whom A stands in.
    """
    side = world.a if centre == "own" else world.b
    row = side.records["p1" if record == "own" else "p2"]
    if arg in (
        "participant_id",
        "session_id",
        "award_id",
        "certificate_id",
        "serial",
        "flag_id",
        "response_id",
        "plan_id",
        "planned_id",
    ):
        return getattr(row, arg)
    if arg == "user_id":
        if record == "own":
            return {
                "therapist": side.therapist_id,
                "participant": side.records["p1"].user_id,
            }.get(role, side.admin_id)
        return side.admin_id if role == "therapist" else side.therapist_id
    simple = {
        "stage_id": side.stage_id,
        "invite_id": side.invite_id,
        "centre_id": side.centre_id,
        "job_id": side.job_id,
        "measure_id": side.measure_id,
        "number": 1,
        "email_id": side.email_id,
        "secret": side.reset_secret,
        "ticket": side.unsubscribe_ticket,
        "token": side.invite_token,
        "slug": side.slug,
        "key": row.achievement_key,
        "filename": "css/app.css",
        "template_id": side.template_id,
        "template_session_id": side.template_session_id,
        "squad_id": side.squad_id,
        "planned_squad_id": side.planned_squad_id,
        "day": "2026-04-28",  # p1's day marked unavailable
    }
    if arg not in simple:
        raise KeyError(f"no value for URL argument {arg!r}: teach fill() about it")
    return simple[arg]


def build_url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def answer(response) -> str:
    """The response as a word of the policy table."""
    if response.status_code == 302 and response.headers["Location"].startswith("/login"):
        return "login"
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code >= 500:
        return f"error {response.status_code}"
    return "ok"


class Browsers:
    """One signed-in browser per role, signed in again when an endpoint ends its session."""

    def __init__(self, app, world: SecurityWorld):
        self.app = app
        self.world = world
        self.open: dict[str, object] = {}

    def __call__(self, role: str):
        if role == "anonymous":
            return self.app.test_client()
        if role not in self.open:
            self.open[role] = signed_in(self.app, email_of(self.world, role))
        return self.open[role]

    def forget(self, role: str) -> None:
        self.open.pop(role, None)
