"""Guessing protection that gives an attacker no lock to put on anyone (auth/guard.py).

The attacker probe: five wrong passwords from anyone locked a known account for fifteen
minutes, so whoever knew an address could keep its owner out. Now a source is locked out of
one account, guesses spread over many addresses are slowed for unknown sources only, the owner
signs in from elsewhere or from a device they used before, and is told by email (a real SMTP
server here) that someone is guessing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.auth import guard
from heartbeat.auth.models import SignInGuard
from heartbeat.extensions import db
from tests.helpers import PASSWORD

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"
WRONG = "not the right password"


@pytest.fixture
def app_config(mail_config):
    return {**mail_config, "HEARTBEAT_SLOWDOWN_THRESHOLD": 10}


def attempt(client, email: str, password: str = WRONG, ip: str = ATTACKER):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def guess(app, email: str, times: int, ip: str = ATTACKER) -> None:
    for _ in range(times):
        assert attempt(app.test_client(), email, ip=ip).status_code == 401


def test_guessing_from_one_address_locks_that_address_not_the_owner(app, world):
    email = world.a.therapist.email
    guess(app, email, app.config["HEARTBEAT_LOCKOUT_THRESHOLD"])

    from_attacker = attempt(app.test_client(), email, PASSWORD, ATTACKER)
    from_owner = attempt(app.test_client(), email, PASSWORD, OWNER)

    assert from_attacker.status_code == 401  # even the right password, from there
    assert from_owner.status_code == 302


def test_the_lock_is_per_account(app, world):
    guess(app, world.a.therapist.email, 5)

    assert attempt(app.test_client(), world.a.admin.email, PASSWORD, ATTACKER).status_code == 302


def test_addresses_of_one_ipv6_64_are_one_source(app, world):
    email = world.a.therapist.email
    for n in range(5):
        guess(app, email, 1, ip=f"2001:db8:1:2::{n + 1:x}")

    assert attempt(app.test_client(), email, PASSWORD, "2001:db8:1:2::ffff").status_code == 401
    assert attempt(app.test_client(), email, PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_guesses_from_many_addresses_slow_unknown_sources_down(app, world, rows):
    email = world.a.therapist.email
    for n in range(10):
        guess(app, email, 1, ip=f"192.0.2.{n}")

    user = rows.user(email)
    assert user.failed_logins == 10
    delay = user.slowed_until - datetime.now(UTC)
    assert timedelta(0) < delay <= timedelta(seconds=1)
    # A new address must wait, even with the right password...
    assert attempt(app.test_client(), email, PASSWORD, "192.0.2.200").status_code == 401


def test_the_slowdown_doubles_and_stops_at_its_maximum(app, world, rows):
    email = world.a.therapist.email
    delays = []
    for n in range(20):
        # Each guess comes after the previous delay has passed (a patient attacker).
        rows.update_user(email, slowed_until=None)
        guess(app, email, 1, ip=f"192.0.2.{n}")
        user = rows.user(email)
        if user.slowed_until is not None:
            delays.append(round((user.slowed_until - user.last_failed_login_at).total_seconds()))

    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]


def test_the_owner_signs_in_from_a_known_device_while_unknown_sources_are_slowed(app, world):
    email = world.a.therapist.email
    laptop = app.test_client()
    assert attempt(laptop, email, PASSWORD, OWNER).status_code == 302
    assert laptop.get_cookie(guard.DEVICE_COOKIE, domain="heartbeat.test") is not None
    laptop.post("/logout")

    for n in range(12):
        guess(app, email, 1, ip=f"192.0.2.{n}")

    # Same laptop, even on a new network: known to this account, not slowed.
    assert attempt(laptop, email, PASSWORD, "192.0.2.250").status_code == 302


def test_a_device_cookie_of_another_account_or_forged_is_not_trusted(app, world):
    email = world.a.therapist.email
    other = app.test_client()
    assert attempt(other, world.a.admin.email, PASSWORD, OWNER).status_code == 302
    other.post("/logout")
    forged = app.test_client()
    forged.set_cookie(guard.DEVICE_COOKIE, "eyJ1IjoyfQ.forged.signature", domain="heartbeat.test")
    for n in range(10):
        guess(app, email, 1, ip=f"192.0.2.{n}")

    assert attempt(other, email, PASSWORD, "192.0.2.251").status_code == 401
    assert attempt(forged, email, PASSWORD, "192.0.2.252").status_code == 401


def test_a_known_device_guessing_is_still_locked_out_after_the_threshold(app, world):
    email = world.a.therapist.email
    stolen = app.test_client()
    assert attempt(stolen, email, PASSWORD, OWNER).status_code == 302
    stolen.post("/logout")

    for _ in range(5):
        assert attempt(stolen, email, WRONG, OWNER).status_code == 401

    assert attempt(stolen, email, PASSWORD, OWNER).status_code == 401
    # The same address without that device cookie is another source.
    assert attempt(app.test_client(), email, PASSWORD, OWNER).status_code == 302


def test_the_owner_is_emailed_once_when_their_account_is_being_guessed_at(app, world, mailbox):
    email = world.a.therapist.email
    guess(app, email, 4)
    assert mailbox.messages == []

    guess(app, email, 1)  # the fifth: this address is locked out

    (message,) = mailbox.wait_for(1)
    assert message["To"] == email
    assert "trying to sign in" in message["Subject"]
    body = mailbox.body(message)
    assert "you can still sign in as usual" in body
    assert PASSWORD not in body and WRONG not in body

    guess(app, email, 5, ip="198.51.100.67")  # another address, locked out too
    assert len(mailbox.wait_for(2, timeout=0.5)) == 1  # at most one email a day


def test_the_owner_is_emailed_when_spread_out_guessing_slows_sign_in(app, world, mailbox):
    email = world.a.admin.email
    for n in range(10):
        guess(app, email, 1, ip=f"192.0.2.{n}")

    (message,) = mailbox.wait_for(1)
    assert message["To"] == email


def test_an_admin_unlock_clears_every_source(app, world, rows):
    email = world.a.therapist.email
    guess(app, email, 5)
    admin = app.test_client()
    assert attempt(admin, world.a.admin.email, PASSWORD, OWNER).status_code == 302

    unlocked = admin.post(
        f"/centre/users/{world.a.therapist.id}/unlock", environ_base={"REMOTE_ADDR": OWNER}
    )
    assert unlocked.headers["Location"] == "/centre/staff"

    assert attempt(app.test_client(), email, PASSWORD, ATTACKER).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInGuard)) == 0


def test_no_address_is_stored(app, world):
    guess(app, world.a.therapist.email, 2)

    with app.app_context():
        sources = db.session.scalars(sa.select(SignInGuard.source)).all()
    assert sources and all(ATTACKER not in source for source in sources)
