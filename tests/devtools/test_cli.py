"""The command line: creating centres and accounts, and the demo data."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre, PaperSize, Units
from heartbeat.devtools.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from heartbeat.extensions import db

STRONG_PASSWORD = "wheels-on-the-track-2025"


class Rows:
    def __init__(self, app):
        self.app = app

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    def centre(self, slug: str) -> Centre | None:
        with self.app.app_context():
            centre = db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()
            db.session.expunge_all()
            return centre

    def user(self, email: str) -> User | None:
        with self.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
            db.session.expunge_all()
            return user


def create_user(runner, *options: str, password: str = STRONG_PASSWORD):
    return runner.invoke(args=["create-user", *options], input=f"{password}\n")


# --- create-centre --------------------------------------------------------------------------------


def test_create_centre_makes_the_centre(app, runner):
    result = runner.invoke(
        args=[
            "create-centre", "Riverside Rehab", "--slug", "riverside",
            "--timezone", "Europe/Berlin", "--country", "de", "--units", "mi", "--paper", "Letter",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created centre Riverside Rehab (riverside)" in result.output
    centre = Rows(app).centre("riverside")
    assert centre.name == "Riverside Rehab"
    assert centre.timezone == "Europe/Berlin"
    assert centre.country == "DE"
    assert centre.units == Units.MI
    assert centre.paper_size == PaperSize.LETTER


def test_create_centre_refuses_a_slug_already_taken(app, runner):
    first = runner.invoke(args=["create-centre", "Riverside", "--slug", "riverside"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["create-centre", "Riverside Again", "--slug", "riverside"])
    assert second.exit_code != 0
    assert "A centre with the slug 'riverside' already exists." in second.output
    assert Rows(app).count(Centre) == 1


def test_create_centre_refuses_a_malformed_slug(app, runner):
    result = runner.invoke(args=["create-centre", "Bad", "--slug", "Bad Slug!"])
    assert result.exit_code != 0
    assert "lower-case letters, digits and hyphens" in result.output
    assert Rows(app).count(Centre) == 0


def test_create_centre_refuses_an_unknown_time_zone(app, runner):
    result = runner.invoke(args=["create-centre", "X", "--slug", "x", "--timezone", "Mars/Base"])
    assert result.exit_code != 0
    assert "Unknown time zone 'Mars/Base'" in result.output
    assert Rows(app).count(Centre) == 0


# --- create-user ----------------------------------------------------------------------------------


def test_create_user_reads_the_password_from_piped_input_and_hashes_it(app, runner, world):
    result = create_user(
        runner, "--email", "New.Coach@Alpha.example", "--role", "therapist", "--centre", "alpha",
        "--name", "New Coach",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Created therapist new.coach@alpha.example (centre alpha)." in result.output
    user = Rows(app).user("new.coach@alpha.example")
    assert user.role == Role.THERAPIST
    assert user.centre_id == world.a.centre.id
    assert user.name == "New Coach"
    assert not user.is_operator
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG_PASSWORD not in user.password_hash
    assert STRONG_PASSWORD not in result.output


def test_the_created_account_can_sign_in(app, runner, client, world):
    result = create_user(runner, "--email", "fresh@alpha.example", "--role", "admin",
                         "--centre", "alpha")  # fmt: skip
    assert result.exit_code == 0, result.output
    response = client.post(
        "/login", data={"email": "fresh@alpha.example", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302


def test_create_user_refuses_an_unknown_role(app, runner, world):
    before = Rows(app).count(User)
    result = create_user(runner, "--email", "x@alpha.example", "--role", "wizard",
                         "--centre", "alpha")  # fmt: skip
    assert result.exit_code != 0
    assert "wizard" in result.output
    assert Rows(app).count(User) == before


def test_create_user_names_an_unknown_centre_and_creates_nothing(app, runner, world):
    before = Rows(app).count(User)
    result = create_user(runner, "--email", "x@nowhere.example", "--role", "therapist",
                         "--centre", "atlantis")  # fmt: skip
    assert result.exit_code != 0
    assert "No centre has the slug 'atlantis'." in result.output
    assert Rows(app).count(User) == before
    assert Rows(app).user("x@nowhere.example") is None


def test_create_user_refuses_a_weak_password(app, runner, world):
    before = Rows(app).count(User)
    result = create_user(runner, "--email", "weak@alpha.example", "--role", "therapist",
                         "--centre", "alpha", password="short")  # fmt: skip
    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert Rows(app).count(User) == before


def test_create_user_refuses_a_common_password(app, runner, world):
    result = create_user(runner, "--email", "weak@alpha.example", "--role", "therapist",
                         "--centre", "alpha", password="a" * 14)  # fmt: skip
    assert result.exit_code != 0
    assert "too common" in result.output
    assert Rows(app).user("weak@alpha.example") is None


def test_create_user_refuses_an_email_already_in_use(app, runner, world):
    result = create_user(runner, "--email", world.b.admin.email, "--role", "therapist",
                         "--centre", "alpha")  # fmt: skip
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert Rows(app).user(world.b.admin.email).centre_id == world.b.centre.id


def test_create_user_without_any_piped_password_fails_cleanly(app, runner, world):
    result = runner.invoke(
        args=["create-user", "--email", "x@alpha.example", "--role", "admin", "--centre", "alpha"],
        input="",
    )
    assert result.exit_code != 0
    assert "No password given on standard input." in result.output
    assert Rows(app).user("x@alpha.example") is None


def test_an_operator_needs_no_centre(app, runner):
    result = create_user(runner, "--email", "ops@platform.example", "--role", "admin", "--operator")
    assert result.exit_code == 0, result.output
    assert "operator" in result.output
    user = Rows(app).user("ops@platform.example")
    assert user.is_operator
    assert user.centre_id is None


def test_anyone_else_needs_a_centre(app, runner):
    result = create_user(runner, "--email", "lost@example.org", "--role", "therapist")
    assert result.exit_code != 0
    assert "--centre is required" in result.output
    assert Rows(app).count(User) == 0


# --- seed-demo ------------------------------------------------------------------------------------


def test_seed_demo_prints_the_logins_and_can_run_again_without_duplicating(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    rows = Rows(app)
    counts = (rows.count(Centre), rows.count(User))
    assert counts == (1, len(DEMO_ACCOUNTS))
    assert DEMO_PASSWORD in first.output
    for email, *_ in DEMO_ACCOUNTS:
        assert email in first.output

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert (rows.count(Centre), rows.count(User)) == counts
    for email, *_ in DEMO_ACCOUNTS:
        assert email in second.output


def test_the_demo_accounts_sign_in_with_the_published_password(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    response = client.post(
        "/login", data={"email": "admin@riverside.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    operator = Rows(app).user("operator@heartbeat.example")
    assert operator.is_operator and operator.centre_id is None


def test_seed_demo_if_empty_leaves_an_existing_installation_alone(app, runner, world):
    rows = Rows(app)
    before = (rows.count(Centre), rows.count(User))
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already has centres" in result.output
    assert (rows.count(Centre), rows.count(User)) == before
