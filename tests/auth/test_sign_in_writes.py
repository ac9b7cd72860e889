"""A sign-in checks the password before it writes anything, and writes its outcome in one short,
race-free statement: attempts at the same moment each count, and a code works once."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, Type

from heartbeat.auth import guard, mfa
from heartbeat.auth.models import MfaRecoveryCode, SignInGuard, User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from tests.conftest import is_postgres
from tests.helpers import PASSWORD

ATTEMPTS = 6
# An argon2 cost that takes most of a second: long enough to look for a lock while it runs.
SLOW_ARGON2 = {
    "HEARTBEAT_ARGON2_TIME_COST": 24,
    "HEARTBEAT_ARGON2_MEMORY_KIB": 19 * 1024,
    "HEARTBEAT_ARGON2_PARALLELISM": 1,
}


@pytest.fixture
def app_config():
    return {"HEARTBEAT_LOCKOUT_THRESHOLD": 10, **SLOW_ARGON2}


def _set_slow_password(app, email: str) -> None:
    # Slow on purpose (about a second on an idle machine): the test watches the lock meanwhile.
    hashed = PasswordHasher(time_cost=80, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
    with app.app_context():
        db.session.execute(
            sa.update(User).where(User.email == email).values(password_hash=hashed.hash(PASSWORD))
        )
        db.session.commit()


def _user(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        db.session.expunge(user)
        return user


def _at_once(count: int, work) -> list:
    """Run ``work(n)`` in ``count`` threads released together; their results, or errors."""
    ready = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        try:
            ready.wait(timeout=20)
            results[n] = work(n)
        except BaseException as error:
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_wrong_passwords_at_the_same_moment_each_count(app, world):
    email = world.a.therapist.email
    _set_slow_password(app, email)
    statuses = _at_once(
        ATTEMPTS,
        lambda n: (
            app.test_client()
            .post("/login", data={"email": email, "password": f"wrong guess {n}"})
            .status_code
        ),
    )
    assert statuses == [401] * ATTEMPTS
    assert _user(app, email).failed_logins == ATTEMPTS


def test_the_attempt_that_reaches_the_limit_locks_that_source_out(app, world):
    email = world.a.therapist.email
    for _ in range(9):
        app.test_client().post("/login", data={"email": email, "password": "no"})
    with app.app_context():
        assert db.session.scalar(sa.select(SignInGuard.failures)) == 9
    assert (
        app.test_client().post("/login", data={"email": email, "password": "no"}).status_code == 401
    )
    with app.app_context():
        row = db.session.scalars(sa.select(SignInGuard)).one()
        assert row.failures == 0 and row.locked_until > utcnow()
    assert _user(app, email).is_locked(utcnow())  # what the staff list shows
    # Locked out: even the right password opens nothing from there now.
    assert (
        app.test_client().post("/login", data={"email": email, "password": PASSWORD}).status_code
        == 401
    )


def test_a_sign_in_that_finishes_after_its_source_was_locked_out_is_refused(app, world):
    client = guard.Client(address="192.0.2.1")
    with app.app_context():
        user = db.session.scalars(
            sa.select(User).where(User.email == world.a.therapist.email)
        ).one()
        source, _ = guard.source_of(user, client)
        # Another attempt locks this source out while this one is checking the password.
        db.session.add(
            SignInGuard(
                user_id=user.id,
                source=source,
                failures=0,
                window_started_at=utcnow(),
                locked_until=utcnow() + timedelta(minutes=15),
            )
        )
        db.session.flush()
        assert guard.record_success(user, client, utcnow(), None) is False
        # From another address, the same sign-in goes through.
        assert guard.record_success(user, guard.Client(address="192.0.2.2"), utcnow(), None)
        db.session.rollback()


@pytest.mark.parametrize("password", ["wrong password", PASSWORD], ids=["wrong", "right"])
def test_no_write_lock_is_held_while_the_password_is_checked(app, world, database_url, password):
    if is_postgres(database_url):
        pytest.skip("SQLite's write lock")
    email = world.a.therapist.email
    _set_slow_password(app, email)
    with app.app_context():
        path = db.engine.url.database
    done = threading.Event()
    outcome: list = []

    def sign_in() -> None:
        started = time.monotonic()
        response = app.test_client().post("/login", data={"email": email, "password": password})
        outcome.append((response.status_code, time.monotonic() - started))
        done.set()

    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    waits = []
    thread = threading.Thread(target=sign_in)
    thread.start()
    try:
        while not done.is_set():
            started = time.monotonic()
            other.execute("BEGIN IMMEDIATE")
            waits.append(time.monotonic() - started)
            other.execute("ROLLBACK")
            time.sleep(0.02)
    finally:
        thread.join(timeout=60)
        other.close()
    status, seconds = outcome[0]
    assert status == (302 if password == PASSWORD else 401)
    assert seconds > 0.3, "the password check was too quick to tell anything"
    assert len(waits) >= 5
    # The lock is only the outcome's single UPDATE: never most of the sign-in.
    assert max(waits) < seconds / 2, (max(waits), seconds)


@pytest.fixture
def two_factor_user(app, world):
    secret = mfa.new_secret()
    with app.app_context():
        db.session.execute(
            sa.update(User)
            .where(User.id == world.a.admin.id)
            .values(mfa_secret=mfa.encrypt_secret(secret), mfa_enabled_at=utcnow())
        )
        db.session.commit()
    return world.a.admin.id, secret


def _verify_at_once(app, user_id: int, code: str) -> list:
    """Two sign-ins that both loaded the user before either checked the code."""
    loaded = threading.Barrier(2)

    def verify(n: int):
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.scalars(sa.select(MfaRecoveryCode.id)).all()
            loaded.wait(timeout=20)
            used = mfa.verify(user, code, utcnow())
            db.session.commit()
            return used

    return _at_once(2, verify)


def test_one_authenticator_code_sent_twice_at_once_works_once(app, two_factor_user):
    user_id, secret = two_factor_user
    results = _verify_at_once(app, user_id, pyotp.TOTP(secret).now())
    assert sorted(results, key=str) == sorted(["totp", None], key=str), results


def test_one_recovery_code_sent_twice_at_once_works_once(app, two_factor_user):
    user_id, _ = two_factor_user
    with app.app_context():
        codes = mfa.regenerate_recovery_codes(db.session.get(User, user_id))
        db.session.commit()
    results = _verify_at_once(app, user_id, codes[0])
    assert sorted(results, key=str) == sorted(["recovery", None], key=str), results
    with app.app_context():
        assert mfa.recovery_codes_left(db.session.get(User, user_id)) == len(codes) - 1
