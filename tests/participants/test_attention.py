"""The caseload's "needs attention" panel: who is listed, why, capped, and in bounded queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Consent, ConsentKind, Participant
from heartbeat.progress.models import Award
from heartbeat.training.models import TrainingSession
from tests.helpers import signed_in
from tests.participants.conftest import add_session

TITLES = {
    "quiet": "No session for 14 days",
    "pain": "Pain 6/10 or more",
    "load": "Training load jumped",
    "awards": "Awards waiting",
    "consents": "Consents missing",
    "reviews": "Classification reviews due",
}


def _group(html: str, name: str) -> str:
    """The HTML of one attention group (its heading, list and "more" line), or ""."""
    match = re.search(
        rf'<section class="attention-group" aria-labelledby="attention-{name}">(.*?)</section>',
        html,
        re.S,
    )
    if match is None:  # nobody in it: then it is named among the lists with nothing to flag
        calm = re.search(r'<p class="attention-calm">(.*?)</p>', html, re.S)
        assert calm and (TITLES[name] in calm.group(1) or "Nobody in this list" in calm.group(1)), (
            f"attention group {name!r} is neither shown nor said to be empty"
        )
        return ""
    return match.group(1)


def _listed(html: str, name: str) -> list[str]:
    return re.findall(r'<li><a href="/participants/\d+">([^<]+)</a>', _group(html, name))


def _count(html: str, name: str) -> int:
    match = re.search(r'<span class="badge[^"]*">(\d+)<', _group(html, name))
    return int(match.group(1)) if match else 0


def _recent(**overrides) -> dict:
    """Enrolled today, so nobody is "quiet" unless a test makes them so."""
    return {"enrolled_on": date.today() - timedelta(days=1), **overrides}


@pytest.fixture
def admin(app, world):
    return signed_in(app, world.a.admin.email)


def test_no_session_for_14_days_lists_active_people_only(app, world, helpers, admin):
    lapsed = helpers.enrol(world.a, family_name="Lapsed", **_recent())
    add_session(app, lapsed, days_ago=20)
    fresh = helpers.enrol(world.a, family_name="Fresh", **_recent())
    add_session(app, fresh, days_ago=2)
    helpers.enrol(world.a, family_name="Newcomer", **_recent())  # enrolled yesterday: not yet
    never = helpers.enrol(world.a, family_name="Never", enrolled_on=date(2025, 1, 10))
    paused = helpers.enrol(world.a, family_name="Paused", **_recent())
    add_session(app, paused, days_ago=30)
    with app.app_context():
        db.session.execute(
            sa.update(Participant).where(Participant.id == paused).values(status="paused")
        )
        db.session.commit()

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "quiet") == ["Never, Ada", "Lapsed, Ada"]  # never trained first
    group = _group(html, "quiet")
    assert "no session since enrolling" in group and "last session 20 days ago" in group
    assert never  # listed above by name


def test_latest_pain_score_of_six_or_more_is_listed(app, world, helpers, admin):
    sore = helpers.enrol(world.a, family_name="Sore", **_recent())
    add_session(app, sore, days_ago=3, pain=2)
    add_session(app, sore, days_ago=1, pain=7)
    better = helpers.enrol(world.a, family_name="Better", **_recent())
    add_session(app, better, days_ago=3, pain=8)
    add_session(app, better, days_ago=1, pain=3)
    unscored = helpers.enrol(world.a, family_name="Unscored", **_recent())
    add_session(app, unscored, days_ago=3, pain=6)
    add_session(app, unscored, days_ago=1, kind="strength")  # no pain score: the 6 still stands

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "pain") == ["Sore, Ada", "Unscored, Ada"]
    assert "pain 7/10" in _group(html, "pain")


def test_load_jump_with_rising_pain_is_listed(app, world, helpers, admin):
    jumped = helpers.enrol(world.a, family_name="Jumped", **_recent())
    steady = helpers.enrol(world.a, family_name="Steady", **_recent())
    painless = helpers.enrol(world.a, family_name="Painless", **_recent())
    for pid in (jumped, steady, painless):
        for days_ago in (10, 17, 24, 31):  # the four weeks before the last seven days
            add_session(app, pid, days_ago=days_ago, distance_m=5000, pain=2)
    for days_ago in (1, 2, 3):
        add_session(app, jumped, days_ago=days_ago, distance_m=6000, pain=5)
        add_session(app, painless, days_ago=days_ago, distance_m=6000, pain=2)
    add_session(app, steady, days_ago=2, distance_m=5000, pain=6)

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "load") == ["Jumped, Ada"]
    assert "18.0 km in the last 7 days against 5.0 km" in _group(html, "load")


def test_awards_waiting_count_unverified_and_flagged_ones_and_link_to_the_queue(
    app, world, helpers, admin
):
    waiting = helpers.enrol(world.a, family_name="Waiting", **_recent())
    done = helpers.enrol(world.a, family_name="Done", **_recent())
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            [
                Award(
                    centre_id=world.a.centre.id,
                    participant_id=waiting,
                    key="club:miles-10",
                    club_code="miles-10",
                    achieved_at=now,
                ),
                Award(
                    centre_id=world.a.centre.id,
                    participant_id=waiting,
                    key="club:miles-50",
                    club_code="miles-50",
                    achieved_at=now,
                    verified_at=now,
                    needs_review=True,
                ),
                Award(
                    centre_id=world.a.centre.id,
                    participant_id=done,
                    key="club:miles-10",
                    club_code="miles-10",
                    achieved_at=now,
                    verified_at=now,
                ),
            ]
        )
        db.session.commit()

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "awards") == ["Waiting, Ada"]
    group = _group(html, "awards")
    assert "1 to verify, 1 to review" in group
    assert 'href="/awards/pending"' in group and "2 waiting" in group


def test_missing_consents_and_unanswered_ones_are_listed(app, world, helpers, admin):
    helpers.enrol(world.a, family_name="Consented", **_recent())
    refused = helpers.enrol(world.a, family_name="Refused", **_recent())
    unanswered = helpers.enrol(world.a, family_name="Unanswered", **_recent())
    with app.app_context():
        db.session.execute(
            sa.update(Consent)
            .where(Consent.participant_id == refused, Consent.kind == ConsentKind.DATA_PROCESSING)
            .values(given=False)
        )
        db.session.execute(
            sa.delete(Consent).where(
                Consent.participant_id == unanswered, Consent.kind == ConsentKind.MEDIA
            )
        )
        db.session.commit()

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "consents") == ["Refused, Ada", "Unanswered, Ada"]
    group = _group(html, "consents")
    assert "data processing not given" in group
    assert "no answer on photos and other media" in group


def test_classification_reviews_due_within_30_days_or_overdue(app, world, helpers, admin):
    today = date.today()
    for name, days in (("Overdue", -5), ("Soon", 10), ("Later", 60)):
        helpers.enrol(
            world.a,
            family_name=name,
            classification_status="R",
            classification_review_on=today + timedelta(days=days),
            **_recent(),
        )
    helpers.enrol(world.a, family_name="Confirmed", **_recent())

    html = admin.get("/participants").get_data(as_text=True)

    assert _listed(html, "reviews") == ["Overdue, Ada", "Soon, Ada"]
    assert "Overdue" in _group(html, "reviews")


def test_each_list_is_capped_with_and_n_more(app, world, helpers, admin):
    for n in range(11):
        helpers.enrol(world.a, family_name=f"Quiet{n:02d}", enrolled_on=date(2025, 1, 10))

    html = admin.get("/participants").get_data(as_text=True)

    assert len(_listed(html, "quiet")) == 8
    assert _count(html, "quiet") == 11
    assert "and 3 more." in _group(html, "quiet")


def test_the_panel_follows_the_caseload_filter_and_never_crosses_centres(app, world, helpers):
    mine = helpers.enrol(world.a, family_name="Mine", **_recent())
    not_mine = helpers.enrol(
        world.a, family_name="Notmine", therapist_id=world.a.admin.id, **_recent()
    )
    other_centre = helpers.enrol(world.b, family_name="Bravo", **_recent())
    for pid in (mine, not_mine, other_centre):
        add_session(app, pid, days_ago=1, pain=9)
    therapist = signed_in(app, world.a.therapist.email)

    assert _listed(therapist.get("/participants").get_data(as_text=True), "pain") == ["Mine, Ada"]
    everyone = therapist.get("/participants?scope=all").get_data(as_text=True)
    assert sorted(_listed(everyone, "pain")) == ["Mine, Ada", "Notmine, Ada"]
    withdrawn_only = therapist.get("/participants?scope=all&status=withdrawn").get_data(
        as_text=True
    )
    assert _count(withdrawn_only, "pain") == 0
    assert "Nobody in this list needs attention right now." in withdrawn_only


# --- bounded queries at the size of a big centre -------------------------------------------------


def _bulk_centre(app, centre_id: int, therapist_id: int, how_many: int, first: int) -> None:
    """Participants with sessions, awards and reviews, inserted in bulk for speed."""
    today = date.today()
    now = utcnow()
    people = [
        {
            "centre_id": centre_id,
            "given_name": f"Given{n:05d}",
            "family_name": f"Family{n:05d}",
            "date_of_birth": date(1980, 1, 1),
            "impairment": "sci",
            "sci_level": "T4" if n % 2 else "L1",
            "racing_class": "T54",
            "classification_status": "R" if n % 7 == 0 else "N",
            "classification_review_on": today + timedelta(days=n % 40) if n % 7 == 0 else None,
            "enrolled_on": date(2024, 1, 1),
            "therapist_id": therapist_id,
            "status": "active",
            "version": 1,
        }
        for n in range(first, first + how_many)
    ]
    with app.app_context():
        db.session.execute(sa.insert(Participant), people)
        ids = db.session.scalars(
            sa.select(Participant.id)
            .where(Participant.centre_id == centre_id)
            .order_by(Participant.id.desc())
            .limit(how_many)
        ).all()
        sessions = []
        for index, pid in enumerate(ids):
            for days_ago, distance, pain in (
                (30, 4000.0, 2),
                (20, 4000.0, 3),
                (index % 25, 9000.0, index % 10),
            ):
                sessions.append(
                    {
                        "centre_id": centre_id,
                        "participant_id": pid,
                        "started_at": now - timedelta(days=days_ago, hours=1),
                        "kind": "road",
                        "distance_m": distance,
                        "pain": pain,
                        "rpe": 5,
                        "moving_time_s": 3600,
                        "source": "staff",
                        "self_reported": False,
                        "symptom_reported": False,
                        "version": 1,
                    }
                )
        db.session.execute(sa.insert(TrainingSession), sessions)
        db.session.execute(
            sa.insert(Award),
            [
                {
                    "centre_id": centre_id,
                    "participant_id": pid,
                    "key": "club:miles-10",
                    "club_code": "miles-10",
                    "achieved_at": now,
                    "needs_review": False,
                    "version": 1,
                }
                for pid in ids[::3]
            ],
        )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # A live database keeps statistics (autovacuum); a table truncated and bulk-filled a
            # moment ago has none, and the planner then nests loops over thousands of rows.
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def test_caseload_with_its_panel_runs_a_bounded_number_of_queries(app, world, query_counter):
    client = signed_in(app, world.a.therapist.email)
    paths = ["/participants", "/participants?scope=all&q=family&sort=stage&page=2"]

    def counts() -> list[int]:
        result = []
        for path in paths:
            with query_counter() as statements:
                response = client.get(path)
            assert response.status_code == 200
            result.append(len(statements))
        return result

    _bulk_centre(app, world.a.centre.id, world.a.therapist.id, 30, first=0)
    small = counts()
    _bulk_centre(app, world.a.centre.id, world.a.therapist.id, 2_000, first=30)
    large = counts()

    assert small == large
    # SQLite counts its BEGIN too; plans adds one (nobody here has a running plan), safety's open
    # red flags one, certificates one (expiring certificates); measures (the rise; the scheduled
    # measures then who has one due) and shoulder load (candidates, their sessions, their WUSPI
    # results) theirs: each a fixed number whatever the caseload.
    assert max(large) <= 22
    html = client.get("/participants").get_data(as_text=True)
    assert "2030 in all" in html
    for name in ("quiet", "pain", "awards", "consents", "reviews", "load"):
        assert len(_listed(html, name)) <= 8
    assert _count(html, "consents") == 2030  # bulk rows carry no consent answers at all
    assert "and 2022 more." in _group(html, "consents")
    assert _count(html, "awards") == 677
    assert _count(html, "load") > 0
