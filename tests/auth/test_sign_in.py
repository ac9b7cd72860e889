"""Signing in: the happy path, the one generic failure message, lockout and the `next` target.

The lockout is per account and source; the rules themselves are tested in test_guessing.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from markupsafe import escape

from heartbeat.auth.models import SignInGuard
from heartbeat.auth.views import SIGN_IN_FAILED
from heartbeat.extensions import db
from tests.auth.helpers import is_signed_in
from tests.helpers import PASSWORD

GENERIC_MESSAGE = str(escape(SIGN_IN_FAILED))  # as the template writes it


def _without(body: str, email: str) -> str:
    """The page with the echoed email taken out, so two failures can be compared byte for byte."""
    return body.replace(email, "EMAIL")


# --- success --------------------------------------------------------------------------------------


def test_correct_password_signs_in_and_redirects_to_the_start_page(client, auth, world):
    response = auth.login(world.a.therapist.email)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_sign_in_records_the_time_of_the_last_login(client, auth, world, rows):
    assert rows.user(world.a.therapist.email).last_login_at is None
    before = datetime.now(UTC)

    auth.login(world.a.therapist.email)

    recorded = rows.user(world.a.therapist.email).last_login_at
    assert recorded is not None
    assert before - timedelta(seconds=1) <= recorded <= datetime.now(UTC) + timedelta(seconds=1)


def test_email_is_matched_without_regard_to_case_or_surrounding_spaces(client, auth, world):
    response = auth.login("  Therapist@ALPHA.Example ")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_signed_in_person_visiting_the_sign_in_page_is_sent_on(client, auth, world):
    auth.login(world.a.admin.email)

    response = client.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- one message for every failure ----------------------------------------------------------------


def test_wrong_password_is_refused_with_401_and_the_generic_message(client, auth, world):
    response = auth.login(world.a.therapist.email, "not the right password")

    assert response.status_code == 401
    assert GENERIC_MESSAGE in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_wrong_password_and_unknown_email_get_the_same_message(client, auth, world):
    known = world.a.therapist.email
    unknown = "nobody@alpha.example"

    wrong_password = auth.login(known, "not the right password")
    unknown_email = auth.login(unknown, "not the right password")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert _without(wrong_password.get_data(as_text=True), known) == _without(
        unknown_email.get_data(as_text=True), unknown
    )
    assert GENERIC_MESSAGE in unknown_email.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in_and_gets_the_generic_message(
    client, auth, world, rows
):
    email = world.a.therapist.email
    rows.update_user(email, active=False)

    refused = auth.login(email)
    unknown = auth.login("nobody@alpha.example")

    assert refused.status_code == 401
    assert _without(refused.get_data(as_text=True), email) == _without(
        unknown.get_data(as_text=True), "nobody@alpha.example"
    )
    assert not is_signed_in(client)
    assert rows.user(email).last_login_at is None


def test_an_empty_form_is_not_checked_against_any_account(client, auth, world, rows):
    response = client.post("/login", data={"email": world.a.admin.email, "password": ""})

    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert rows.user(world.a.admin.email).failed_logins == 0


# --- the next parameter ---------------------------------------------------------------------------


def test_a_protected_page_sends_an_anonymous_visitor_to_sign_in_and_back(client, world):
    bounced = client.get("/centre/staff")
    assert bounced.status_code == 302
    login_url = bounced.headers["Location"]
    assert login_url.startswith("/login?next=")

    response = client.post(login_url, data={"email": world.a.admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/centre/staff"
    assert client.get("/centre/staff").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "//evil.example/centre/staff",
        "http:evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "centre/staff",
    ],
)
def test_next_pointing_anywhere_but_a_local_path_is_ignored(client, world, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": world.a.admin.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/\t/evil.example"])
def test_next_with_a_backslash_or_tab_trick_stays_on_this_site(client, world, target):
    # Browsers read "/\\host" (and "/<tab>/host") as "//host"; the redirect must not do that.
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": world.a.admin.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith("//")
    assert "\\" not in location and "\t" not in location
    assert urlsplit(location).netloc == ""


# --- lockout --------------------------------------------------------------------------------------


def _fail_until_locked(app, auth, email: str) -> None:
    for _ in range(app.config["HEARTBEAT_LOCKOUT_THRESHOLD"]):
        assert auth.login(email, "not the right password").status_code == 401


def test_the_threshold_of_wrong_passwords_locks_this_source_out(app, client, auth, world, rows):
    email = world.a.therapist.email
    threshold = app.config["HEARTBEAT_LOCKOUT_THRESHOLD"]
    assert threshold == 5

    for attempt in range(1, threshold):
        auth.login(email, "not the right password")
        user = rows.user(email)
        assert user.failed_logins == attempt
        assert user.locked_until is None

    auth.login(email, "not the right password")

    locked_until = rows.user(email).locked_until
    assert locked_until is not None
    minutes = app.config["HEARTBEAT_LOCKOUT_MINUTES"]
    assert locked_until > datetime.now(UTC) + timedelta(minutes=minutes - 1)


def test_a_locked_out_source_is_refused_even_the_right_password(app, client, auth, world, rows):
    email = world.a.therapist.email
    _fail_until_locked(app, auth, email)

    response = auth.login(email)

    assert response.status_code == 401
    assert GENERIC_MESSAGE in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert rows.user(email).last_login_at is None


def test_a_locked_out_source_looks_like_any_other_failure(app, client, auth, world):
    email = world.a.therapist.email
    _fail_until_locked(app, auth, email)

    locked = auth.login(email)
    unknown = auth.login("nobody@alpha.example")

    assert locked.status_code == unknown.status_code == 401
    assert _without(locked.get_data(as_text=True), email) == _without(
        unknown.get_data(as_text=True), "nobody@alpha.example"
    )


def test_sign_in_works_again_once_the_lock_time_has_passed(app, client, auth, world, rows):
    email = world.a.therapist.email
    _fail_until_locked(app, auth, email)
    with app.app_context():
        db.session.execute(
            sa.update(SignInGuard).values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()

    response = auth.login(email)

    assert response.status_code == 302
    assert is_signed_in(client)
    user = rows.user(email)
    assert user.locked_until is None
    assert user.failed_logins == 0


def test_a_successful_sign_in_resets_the_failure_count(client, auth, world, rows):
    email = world.a.therapist.email
    for _ in range(3):
        auth.login(email, "not the right password")
    assert rows.user(email).failed_logins == 3

    auth.login(email)

    assert rows.user(email).failed_logins == 0


def test_an_admin_of_the_same_centre_can_unlock_an_account(app, auth, world, rows):
    email = world.a.therapist.email
    _fail_until_locked(app, auth, email)
    admin = app.test_client()
    admin.post("/login", data={"email": world.a.admin.email, "password": PASSWORD})

    response = admin.post(f"/centre/users/{world.a.therapist.id}/unlock")

    assert response.status_code == 302
    assert rows.user(email).locked_until is None
    therapist = app.test_client()
    assert therapist.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    assert is_signed_in(therapist)


def test_an_admin_of_another_centre_cannot_unlock_and_gets_404(app, auth, world, rows):
    email = world.a.therapist.email
    _fail_until_locked(app, auth, email)
    other_admin = app.test_client()
    other_admin.post("/login", data={"email": world.b.admin.email, "password": PASSWORD})

    response = other_admin.post(f"/centre/users/{world.a.therapist.id}/unlock")

    assert response.status_code == 404
    assert rows.user(email).locked_until is not None


def test_a_therapist_cannot_unlock_an_account(app, auth, world, rows):
    email = world.a.participant.email
    _fail_until_locked(app, auth, email)
    therapist = app.test_client()
    therapist.post("/login", data={"email": world.a.therapist.email, "password": PASSWORD})

    response = therapist.post(f"/centre/users/{world.a.participant.id}/unlock")

    assert response.status_code == 403
    assert rows.user(email).locked_until is not None
