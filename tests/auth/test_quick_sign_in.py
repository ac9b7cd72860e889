"""The quick sign-in the other tests use (tests/helpers.py) makes the session real sign-in makes.

Tests outside tests/auth sign in without posting a password; these checks keep that shortcut
honest, so a change to what sign-in puts in the session shows up here, not as tests elsewhere
passing on a session the app would never make.
"""

from __future__ import annotations

import pytest

from tests.auth.helpers import is_signed_in
from tests.helpers import PASSWORD, sign_in, sign_in_with_password, signed_in


def _session(client) -> dict:
    with client.session_transaction() as values:
        return {key: value for key, value in values.items() if key != "_flashes"}


@pytest.mark.parametrize("who", ["admin", "therapist", "participant"])
def test_the_quick_sign_in_leaves_the_session_a_password_sign_in_leaves(app, world, who):
    email = getattr(world.a, who).email
    real = _session(sign_in_with_password(app, email, PASSWORD))
    quick = _session(signed_in(app, email))
    assert set(quick) == set(real)
    for key in ("_fresh", "_id"):
        assert quick[key] == real[key], key
    # "<id>:<session version>:<device nonce>": the same person and version, each its own device.
    assert quick["_user_id"].rsplit(":", 1)[0] == real["_user_id"].rsplit(":", 1)[0]
    assert quick["_user_id"].count(":") == real["_user_id"].count(":") == 2
    assert quick["_user_id"] != real["_user_id"]
    for clock in ("signed_in_at", "last_seen"):
        assert abs(quick[clock] - real[clock]) <= 5, clock


def test_a_quick_session_opens_pages_and_ends_like_a_real_one(app, world, rows):
    client = signed_in(app, world.a.therapist)
    assert is_signed_in(client)
    assert client.post("/logout").status_code == 302
    assert not is_signed_in(client)


def test_a_quick_session_is_refused_once_the_account_is_deactivated(app, world, rows):
    client = signed_in(app, world.a.therapist.email)
    rows.update_user(world.a.therapist.email, active=False)
    assert not is_signed_in(client)
    with pytest.raises(AssertionError, match="may not sign in"):
        sign_in(app.test_client(), world.a.therapist.email)
