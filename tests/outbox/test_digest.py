"""A therapist's weekly digest: their own caseload's needs-attention items, on their day and
hour, nothing from anyone else's caseload or centre, and nothing when nothing needs attention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import Role
from heartbeat.extensions import db
from heartbeat.outbox import sending
from heartbeat.outbox.services import set_preferences
from heartbeat.participants.digest import send_due_digests
from heartbeat.participants.models import ConsentKind
from tests.helpers import add_user
from tests.participants.conftest import Helpers

MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Europe/London is on UTC in December


@pytest.fixture
def app_config(mail_config):
    return mail_config


def _run(app, now: datetime) -> int:
    with app.app_context():
        queued = send_due_digests(now)
        db.session.commit()  # wakes the sender
    sending.wait_until_idle()
    return queued


@pytest.fixture
def caseloads(app, world):
    helpers = Helpers(app)
    helpers.enrol(world.a, given_name="Quinn", family_name="Quietly")  # no sessions: quiet
    helpers.enrol(world.a, given_name="Rosa", family_name="Reyes", condition="Secret condition")
    helpers.enrol(world.b, given_name="Bea", family_name="Bravo")  # the other centre's
    with app.app_context():
        centre = db.session.merge(world.a.centre)
        calm = add_user(centre, "calm@alpha.example", Role.THERAPIST)
        db.session.commit()
        calm_id = calm.id
    everyone_answered = {kind: True for kind in ConsentKind}
    helpers.enrol(
        world.a,
        given_name="Cal",
        family_name="Calm",
        therapist_id=calm_id,
        enrolled_on=MONDAY_9.date(),
        consents=everyone_answered,
    )
    return calm_id


def test_one_therapist_gets_their_own_caseload_and_nothing_of_another_centre(
    app, world, mailbox, caseloads
):
    assert _run(app, MONDAY_9) == 2  # the two therapists with something; not the calm one
    mine = mailbox.to(world.a.therapist.email)
    (message,) = mine
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Quietly, Quinn" in body and "Reyes, Rosa" in body
        assert "Bravo" not in body and "Calm" not in body
        assert "Secret condition" not in body and "T4" not in body  # no health details
    # Made outside any request (the worker's round), the link is still the public address's.
    assert "\nhttp://heartbeat.test/participants?scope=mine" in text.replace("\r", "")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        message["List-Unsubscribe"].startswith("<https://")
        or "/email/unsubscribe/" in (message["List-Unsubscribe"])
    )
    (theirs,) = mailbox.to(world.b.therapist.email)
    assert "Bravo, Bea" in theirs.get_body(("plain",)).get_content()
    assert "Quietly" not in theirs.get_body(("plain",)).get_content()
    assert mailbox.to("calm@alpha.example") == []  # nothing needs attention: no email
    # Once a week: the same day again sends nothing.
    assert _run(app, MONDAY_9 + timedelta(hours=3)) == 0


def test_the_day_and_hour_are_each_persons(app, world, mailbox, caseloads):
    with app.app_context():
        set_preferences(
            world.a.therapist.id,
            digest=True,
            milestones=True,
            certificates=True,
            digest_weekday=2,  # Wednesday
            digest_hour=14,
        )
        db.session.commit()
    assert _run(app, MONDAY_9) == 1  # only B's therapist, on the default Monday 08:00
    wednesday = datetime.combine(date(2026, 12, 9), datetime.min.time(), tzinfo=UTC)
    assert _run(app, wednesday + timedelta(hours=13, minutes=59)) == 0
    assert _run(app, wednesday + timedelta(hours=14, minutes=5)) == 1
    assert len(mailbox.to(world.a.therapist.email)) == 1


def test_turned_off_means_none(app, world, mailbox, caseloads):
    with app.app_context():
        set_preferences(
            world.a.therapist.id,
            digest=False,
            milestones=True,
            certificates=True,
            digest_weekday=0,
            digest_hour=8,
        )
        db.session.commit()
    _run(app, MONDAY_9)
    assert mailbox.to(world.a.therapist.email) == []


def test_the_command_makes_the_digests_and_sends(app, world, mailbox, caseloads, runner):
    today = datetime.now(ZoneInfo("Europe/London"))
    with app.app_context():
        set_preferences(
            world.a.therapist.id,
            digest=True,
            milestones=True,
            certificates=True,
            digest_weekday=today.weekday(),
            digest_hour=0,
        )
        db.session.commit()
    result = runner.invoke(args=["outbox-send"])
    assert result.exit_code == 0, result.output
    assert "participants.digest: 1 queued" in result.output
    (message,) = mailbox.wait_for(1)
    assert message["To"] == world.a.therapist.email


def test_an_open_red_flag_heads_the_digest_and_its_subject(app, world, mailbox, caseloads):
    """Safety's red flags reach the digest through the needs-attention registry (no import of
    safety here or in participants): first in the email, and named in the subject."""
    from heartbeat.participants.models import Participant
    from heartbeat.safety.services import raise_flag

    with app.app_context():
        rosa = db.session.scalars(
            sa.select(Participant).where(Participant.family_name == "Reyes")
        ).one()
        raise_flag(rosa, ["headache", "flushing"], actor=None, now=MONDAY_9 - timedelta(days=2))
        db.session.commit()
    _run(app, MONDAY_9)
    (message,) = mailbox.to(world.a.therapist.email)
    assert message["Subject"].startswith("Red flag: 1 person has symptoms to follow up.")
    text = message.get_body(("plain",)).get_content().replace("\r", "")
    html = message.get_body(("html",)).get_content()
    first = text.index("Red flags: symptoms reported")
    assert first < text.index("No session for 14 days")
    assert "Reyes, Rosa" in text[first : text.index("No session for 14 days")]
    assert "follow these up first" in text
    assert html.index("Red flags: symptoms reported") < html.index("No session for 14 days")
    # No symptoms, no health details in an email: the list names the person only.
    assert "headache" not in text.lower() and "headache" not in html.lower()
    # B's therapist has no red flag: a plain subject.
    (theirs,) = mailbox.to(world.b.therapist.email)
    assert theirs["Subject"].startswith("This week at ")
