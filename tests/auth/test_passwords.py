"""Password storage (argon2id), the password rules, rehashing and the OWASP floor."""

from __future__ import annotations

import pytest
from argon2 import Type as Argon2Type
from argon2 import extract_parameters

from heartbeat.auth.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    password_problems,
    verify_password,
)
from heartbeat.extensions import db
from tests.auth.helpers import is_signed_in, login_as
from tests.harness import FAST_ARGON2, make_app
from tests.helpers import PASSWORD

NEW_PASSWORD = "a brand new passphrase for the track"
TOO_COMMON = "This password is too common"


def _change_password(client, current: str, new: str, confirm: str | None = None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": confirm or new},
    )


# --- storage --------------------------------------------------------------------------------------


def test_a_new_password_is_stored_as_argon2id_with_the_configured_costs(app, world, rows):
    client = login_as(app, world.a.therapist.email, PASSWORD)

    assert _change_password(client, PASSWORD, NEW_PASSWORD).status_code == 302

    stored = rows.user(world.a.therapist.email).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    params = extract_parameters(stored)
    assert params.type is Argon2Type.ID
    assert params.time_cost == app.config["HEARTBEAT_ARGON2_TIME_COST"]
    assert params.memory_cost == app.config["HEARTBEAT_ARGON2_MEMORY_KIB"]
    assert params.parallelism == app.config["HEARTBEAT_ARGON2_PARALLELISM"]
    assert NEW_PASSWORD not in stored


def test_hashing_the_same_password_twice_gives_different_salted_hashes(app):
    with app.app_context():
        first, second = hash_password(NEW_PASSWORD), hash_password(NEW_PASSWORD)
        assert first != second
        assert verify_password(first, NEW_PASSWORD)
        assert verify_password(second, NEW_PASSWORD)
        assert not verify_password(first, NEW_PASSWORD + "!")
        assert not verify_password(None, NEW_PASSWORD)
        assert not verify_password("not a hash at all", NEW_PASSWORD)


# --- the rules ------------------------------------------------------------------------------------


def test_a_password_shorter_than_twelve_characters_is_refused(app):
    assert MIN_LENGTH == 12
    assert password_problems("eleven char") == [f"Use at least {MIN_LENGTH} characters."]
    assert password_problems("twelve chars") == []


@pytest.mark.parametrize(
    "common", ["password1234", "qwertyuiop123", "Password1234", "QWERTYUIOP123"]
)
def test_a_common_password_is_refused_whatever_its_case(app, common):
    problems = password_problems(common)

    assert len(problems) == 1
    assert problems[0].startswith(TOO_COMMON)


def test_a_password_of_one_or_two_repeated_characters_is_refused(app):
    assert password_problems("aaaaaaaaaaaaaaaa")[0].startswith(TOO_COMMON)
    assert password_problems("abababababababab")[0].startswith(TOO_COMMON)


def test_a_password_equal_to_the_email_name_is_refused(app):
    problems = password_problems("jordan.smithers", email="Jordan.Smithers@alpha.example")

    assert problems == ["Do not use your email address as your password."]


@pytest.mark.parametrize("length", [64, 100, MAX_LENGTH])
def test_long_passphrases_are_welcome(app, length):
    phrase = ("my chair and i race the sunrise along the canal " * 4)[:length]
    assert len(phrase) == length

    assert password_problems(phrase) == []


def test_a_password_longer_than_128_characters_is_refused(app):
    assert MAX_LENGTH == 128
    phrase = "x" + "my chair and i race the sunrise along the canal " * 3

    assert len(phrase) > MAX_LENGTH
    assert password_problems(phrase) == [f"Use at most {MAX_LENGTH} characters."]


# --- changing a password --------------------------------------------------------------------------


def test_the_change_password_page_opens_for_a_signed_in_person(app, world):
    client = login_as(app, world.a.therapist.email, PASSWORD)

    response = client.get("/account/password")

    assert response.status_code == 200
    assert 'name="current_password"' in response.get_data(as_text=True)


def test_the_change_password_errors_are_listed_in_the_order_of_the_fields(app, world):
    client = login_as(app, world.a.therapist.email, PASSWORD)

    response = _change_password(client, "", "short one")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    current = page.index("Current password: This field is required.")
    new = page.index("New password: Use at least 12 characters.")
    assert current < new


def test_after_a_password_change_only_the_new_password_signs_in(app, world, rows):
    email = world.a.therapist.email
    client = login_as(app, email, PASSWORD)

    _change_password(client, PASSWORD, NEW_PASSWORD)

    old = app.test_client().post("/login", data={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    assert is_signed_in(login_as(app, email, NEW_PASSWORD))


def test_a_hundred_character_passphrase_is_accepted_by_the_change_password_form(app, world):
    email = world.a.therapist.email
    phrase = ("my chair and i race the sunrise along the canal " * 3)[:100]
    client = login_as(app, email, PASSWORD)

    assert _change_password(client, PASSWORD, phrase).status_code == 302

    assert is_signed_in(login_as(app, email, phrase))


def test_a_password_change_with_the_wrong_current_password_is_refused(app, world, rows):
    email = world.a.therapist.email
    before = rows.user(email)
    client = login_as(app, email, PASSWORD)

    response = _change_password(client, "not my password at all", NEW_PASSWORD)

    assert response.status_code == 422
    assert "Your current password is not right." in response.get_data(as_text=True)
    after = rows.user(email)
    assert after.password_hash == before.password_hash
    assert after.session_version == before.session_version
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short one", "short one", "Use at least 12 characters."),
        ("password1234", "password1234", TOO_COMMON),
        ("x" * 129, "x" * 129, "Field cannot be longer than 128 characters."),
        (NEW_PASSWORD, NEW_PASSWORD + " again", "The two passwords differ."),
    ],
)
def test_a_weak_or_mismatched_new_password_is_refused_and_nothing_changes(
    app, world, rows, new, confirm, message
):
    email = world.a.therapist.email
    before = rows.user(email).password_hash
    client = login_as(app, email, PASSWORD)

    response = _change_password(client, PASSWORD, new, confirm)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert rows.user(email).password_hash == before


# --- rehashing when the costs go up ---------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_ARGON2_TIME_COST": 3}])
def test_signing_in_upgrades_a_hash_made_with_older_cheaper_costs(app, client, auth, world, rows):
    email = world.a.therapist.email
    old_hash = rows.user(email).password_hash  # made by the fixtures with t=2
    assert extract_parameters(old_hash).time_cost == 2

    assert auth.login(email).status_code == 302

    new_hash = rows.user(email).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=3,p=1$")
    # ...and the upgraded hash still opens the account.
    assert is_signed_in(login_as(app, email, PASSWORD))


def test_signing_in_keeps_a_hash_that_already_has_the_current_costs(client, auth, world, rows):
    email = world.a.therapist.email
    old_hash = rows.user(email).password_hash

    auth.login(email)

    assert rows.user(email).password_hash == old_hash


@pytest.fixture
def stronger_app(app, database_url):
    """The same database served by a second app with a higher time cost, as after an upgrade."""
    stronger = make_app(database_url, HEARTBEAT_ARGON2_TIME_COST=3)
    yield stronger
    with stronger.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_new_deployment_with_higher_costs_upgrades_the_hash_at_sign_in(stronger_app, world, rows):
    email = world.a.admin.email
    old_hash = rows.user(email).password_hash

    response = stronger_app.test_client().post(
        "/login", data={"email": email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert extract_parameters(rows.user(email).password_hash).time_cost == 3
    assert rows.user(email).password_hash != old_hash


def test_a_failed_sign_in_never_rewrites_the_hash(stronger_app, world, rows):
    stronger = stronger_app
    email = world.a.therapist.email
    old_hash = rows.user(email).password_hash

    response = stronger.test_client().post(
        "/login", data={"email": email, "password": "not the right password"}
    )

    assert response.status_code == 401
    assert rows.user(email).password_hash == old_hash


# --- the OWASP floor ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "too_weak",
    [
        {"HEARTBEAT_ARGON2_TIME_COST": 1},
        {"HEARTBEAT_ARGON2_MEMORY_KIB": 19 * 1024 - 1},
        {"HEARTBEAT_ARGON2_PARALLELISM": 0},
    ],
)
def test_the_app_refuses_to_start_with_argon2_costs_below_owasps_floor(
    database_url, tmp_path, monkeypatch, too_weak
):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))

    with pytest.raises(ValueError, match="below OWASP's minimum"):
        make_app(database_url, **too_weak)


def test_the_app_starts_with_argon2_costs_exactly_at_owasps_floor(
    database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))

    floor_app = make_app(database_url, **FAST_ARGON2)

    assert floor_app.config["HEARTBEAT_ARGON2_TIME_COST"] == 2
    assert floor_app.config["HEARTBEAT_ARGON2_MEMORY_KIB"] == 19456
    assert floor_app.config["HEARTBEAT_ARGON2_PARALLELISM"] == 1
    with floor_app.app_context():
        db.engine.dispose()
