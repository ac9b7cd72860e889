"""Progress on the staff participant page and on the participant's own portal."""

from __future__ import annotations

import re
import statistics
import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.training.models import SessionKind, TrainingSession
from tests.helpers import signed_in
from tests.participants.conftest import Helpers


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _climb(progress) -> None:
    """Chair fitted and First push to 5K reached, a 7.2 km push towards 10K."""
    progress.session(distance_m=5100, days_ago=20, moving_time_s=1500)
    progress.session(distance_m=7200, days_ago=1, moving_time_s=2400, rpe=6, pain=2)
    with progress.app.app_context():
        from heartbeat.auth.models import User
        from heartbeat.participants.models import Participant
        from heartbeat.progress import services
        from heartbeat.progress.models import LadderStage

        participant = db.session.get(Participant, progress.pid)
        therapist = db.session.get(User, progress.world.a.therapist.id)
        for code in ("chair-fitted", "steer-and-stop"):
            stage = db.session.get(LadderStage, progress.stages_a[code])
            services.sign_off(participant, stage, actor=therapist, achieved_at=utcnow())
        db.session.commit()
    progress.evaluate()


def test_the_profile_draws_the_ladder_with_states_in_words_and_progress_to_the_next(app, progress):
    _climb(progress)
    page = _text(
        signed_in(app, progress.world.a.therapist.email).get(
            f"/participants/{progress.pid}/progress"
        )
    )
    path = page[
        page.index('<ol class="ladder-path"') : page.index("</ol>", page.index("ladder-path"))
    ]
    assert path.count("stage-achieved") == 6
    assert path.count("stage-current") == 1
    assert path.count("stage-upcoming") == 2
    assert re.search(r'stage-current" aria-current="step">.*?<strong>10K</strong>', path, re.S)
    assert "Working on now" in path and "Still to come" in path and "Reached" in path
    assert "7.2 km of 10 km" in page
    assert '<progress id="staff-next-bar" max="10000.0" value="7200.0">72%</progress>' in page
    assert "2.8 km to go" in page


def test_the_profile_shows_bests_miles_streak_effort_and_charts(app, progress):
    _climb(progress)
    page = _text(
        signed_in(app, progress.world.a.therapist.email).get(
            f"/participants/{progress.pid}/progress"
        )
    )
    assert "Longest continuous push" in page and "7.2 km" in page
    assert "Fastest 5K" in page and "25:00" in page
    assert "Heartbeat Miles" in page and "7.6 mi" in page and "12.3 km" in page
    assert "No club reached yet." in page
    assert "2.4 mi to the 10-mile club" in page
    assert "Weekly streak" in page
    assert "Average effort (RPE, 0 to 10)" in page
    for title in ("Distance per week", "Longest push over time", "Pace trend", "Pain trend"):
        assert f'<h3 class="chart-title">{title}</h3>' in page
        assert f"{title}: the numbers as a table" in page
    svgs = re.findall(
        r"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart[ \"].*?</svg>", page
    )
    assert len(svgs) == 4
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
        assert root.find("{http://www.w3.org/2000/svg}desc") is not None


def test_the_profile_links_the_feature_stylesheet(app, progress):
    page = _text(
        signed_in(app, progress.world.a.therapist.email).get(
            f"/participants/{progress.pid}/progress"
        )
    )
    assert "/static/css/progress.css" in page
    assert "<script>" not in page and " onclick=" not in page


def test_the_portal_celebrates_a_recent_milestone_warmly(app, progress):
    progress.session(distance_m=450, days_ago=2)
    progress.evaluate()
    page = _text(signed_in(app, progress.world.a.participant.email).get("/me"))
    assert "Well done, Ada!" in page
    assert "You reached <strong>One lap</strong>" in page
    assert "You completed a continuous 400 m push." in page
    assert "Your therapist will confirm it soon." in page
    more = _text(signed_in(app, progress.world.a.participant.email).get("/me/progress"))
    assert "Your ladder" in more and "Your Heartbeat Miles" in more
    assert "Your personal bests" in more
    assert "Pain trend" not in more  # staff only


def test_the_portal_does_not_celebrate_old_news(app, progress):
    progress.session(distance_m=450, days_ago=40)
    progress.evaluate()
    page = _text(signed_in(app, progress.world.a.participant.email).get("/me"))
    assert "Well done" not in page
    assert "Next up: <strong>Chair fitted</strong>" in page or "Next up:" in page


def test_the_portal_leads_with_rpe_above_t6(app, progress):
    helpers = Helpers(app)
    pid = helpers.enrol(progress.world.a, given_name="Tess", sci_level="T4")
    helpers.link(pid, progress.world.a.other_participant)
    progress.session(pid, distance_m=3000, days_ago=1, rpe=7, avg_hr=112)
    page = _text(signed_in(app, progress.world.a.other_participant.email).get("/me/progress"))
    effort = page[page.index('id="my-effort-title"') :]
    assert "We go by how hard a session felt to you" in effort
    assert effort.index("Average effort (RPE, 0 to 10)") < effort.index(
        "Average heart rate (read with care)"
    )
    assert "112 bpm" in effort


def test_the_profile_of_a_participant_below_t6_shows_heart_rate_without_the_caveat(app, progress):
    progress.session(distance_m=3000, days_ago=1, rpe=7, avg_hr=150)
    page = _text(
        signed_in(app, progress.world.a.therapist.email).get(
            f"/participants/{progress.pid}/progress"
        )
    )
    assert "Average heart rate</dt><dd>150 bpm" in page
    assert "(read with care)" not in page


def test_a_load_warning_reaches_staff_when_distance_jumps_and_pain_rises(app, progress):
    for days in (10, 17, 24, 31):
        progress.session(distance_m=3000, days_ago=days, pain=1)
    for days in (1, 2, 3):
        progress.session(distance_m=6000, days_ago=days, pain=4)
    page = _text(
        signed_in(app, progress.world.a.therapist.email).get(f"/participants/{progress.pid}")
    )
    assert "Watch the load:" in page
    assert "the last 7 days came to 18 km against a weekly average of 3 km" in page


# --- speed ------------------------------------------------------------------------------------


def _bulk_sessions(app, participant_id: int, centre_id: int, count: int) -> None:
    now = utcnow()
    rows = [
        {
            "centre_id": centre_id,
            "participant_id": participant_id,
            "started_at": now - timedelta(hours=9 * n + 1),
            "kind": SessionKind.ROAD if n % 3 else SessionKind.TRACK,
            "distance_m": 2000.0 + (n * 37) % 9000,
            "moving_time_s": 600 + (n * 13) % 3000,
            "rpe": n % 10,
            "pain": n % 4,
            "avg_hr": 110 + n % 40,
            "self_reported": False,
            "version": 1,
            "symptom_reported": False,
            "source": "staff",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    with app.app_context():
        db.session.execute(sa.insert(TrainingSession), rows)
        db.session.commit()


@pytest.fixture
def crowd(app, progress):
    """Ada with 5 sessions, Cy with 2,000 (and their awards evaluated)."""
    helpers = Helpers(app)
    busy = helpers.enrol(progress.world.a, given_name="Cy", family_name="Cole", sci_level="T4")
    _bulk_sessions(app, progress.pid, progress.world.a.centre.id, 5)
    _bulk_sessions(app, busy, progress.world.a.centre.id, 2000)
    progress.evaluate()
    progress.evaluate(busy)
    return busy


@pytest.mark.slow  # 2,000 sessions
@pytest.mark.parametrize("section", ["", "/progress"])
def test_the_record_runs_the_same_queries_for_5_and_2000_sessions(
    app, progress, crowd, query_counter, section
):
    client = signed_in(app, progress.world.a.therapist.email)
    client.get("/account")
    # First visits read the sessions; later ones use the stored overview (the overview) or the
    # cached summary (the progress section): the same counts for few sessions or many either way.
    with query_counter() as few_cold:
        client.get(f"/participants/{progress.pid}{section}")
    with query_counter() as many_cold:
        client.get(f"/participants/{crowd}{section}")
    with query_counter() as few:
        small = client.get(f"/participants/{progress.pid}{section}")
    with query_counter() as many:
        big = client.get(f"/participants/{crowd}{section}")
    assert small.status_code == big.status_code == 200
    assert len(many_cold) == len(few_cold), "\n".join(many_cold)
    assert len(many) == len(few), "\n".join(many)
    assert len(few) < len(few_cold), "\n".join(few)
    assert "Half marathon" in big.get_data(as_text=True)


def test_a_new_session_changes_what_the_cached_page_shows(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    progress.session(distance_m=150, days_ago=3)
    progress.evaluate()
    before = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert "First push" in before
    progress.session(distance_m=450, days_ago=1)
    progress.evaluate()
    after = _text(client.get(f"/participants/{progress.pid}/progress"))
    assert after != before
    assert "450 m" in after


def test_the_portal_runs_the_same_queries_for_5_and_2000_sessions(
    app, progress, crowd, query_counter
):
    Helpers(app).link(crowd, progress.world.a.other_participant)
    small_client = signed_in(app, progress.world.a.participant.email)
    big_client = signed_in(app, progress.world.a.other_participant.email)
    small_client.get("/me")
    big_client.get("/me")
    with query_counter() as few:
        small_client.get("/me")
    with query_counter() as many:
        response = big_client.get("/me")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_profile_of_someone_with_2000_sessions_renders_quickly(app, progress, crowd, capsys):
    client = signed_in(app, progress.world.a.therapist.email)
    client.get(f"/participants/{crowd}")
    wall, cpu = [], []
    for _ in range(11):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(f"/participants/{crowd}")
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with capsys.disabled():
        print(
            f"\nprofile with 2,000 sessions: median {statistics.median(wall):.1f} ms wall,"
            f" {statistics.median(cpu):.1f} ms CPU over 11 requests"
        )
    # The target is 50 ms on SQLite. CPU time, not wall time, so other work on a shared machine
    # does not fail the test; the bound still catches a page that went back to ORM objects per
    # session (several times slower).
    assert statistics.median(cpu) < 150
