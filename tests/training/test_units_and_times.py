"""A person's own units in a centre of the other units, and times in the centre's time zone.

Units: a therapist who chose miles in a kilometre centre reads miles on the session list, the
participant's overview and its chart, and types miles; a colleague without a choice still reads
kilometres, and neither makes the other's stored overview be computed again.

Times: a centre in Los Angeles reads sessions, the audit trail and jobs on its own clock, on both
sides of the spring daylight-saving change (8 March 2026, 02:00 local = 10:00 UTC).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.audit import services as audit
from heartbeat.auth import tokens
from heartbeat.auth.models import TokenScope, User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs import services as jobs
from heartbeat.jobs.models import Job
from heartbeat.training import jobs as training_jobs
from tests.helpers import signed_in
from tests.training.test_views import FORM

BEFORE_DST = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)  # 01:30 PST (UTC-8)
AFTER_DST = datetime(2026, 3, 8, 10, 30, tzinfo=UTC)  # 03:30 PDT (UTC-7)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def _prefer(app, user, units: str | None) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(units=units))
        db.session.commit()


def _zone(app, centre_world, timezone: str) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Centre).where(Centre.id == centre_world.centre.id).values(timezone=timezone)
        )
        db.session.commit()


# --- units -----------------------------------------------------------------------------------


def test_a_miles_person_in_a_kilometre_centre_reads_miles_on_the_session_list(app, training):
    _prefer(app, training.world.a.therapist, "mi")
    training.add(distance_m=5000.0, moving_time_s=1500)
    mine = _text(
        signed_in(app, training.world.a.therapist).get(f"/participants/{training.pid}/sessions")
    )
    assert "3.1 mi" in mine and "5.0 km" not in mine
    theirs = _text(
        signed_in(app, training.world.a.admin).get(f"/participants/{training.pid}/sessions")
    )
    assert "5.0 km" in theirs and "3.1 mi" not in theirs


def test_a_miles_person_reads_the_overview_and_its_chart_in_miles(app, training, query_counter):
    _prefer(app, training.world.a.therapist, "mi")
    training.add(distance_m=5000.0, moving_time_s=1500, started_at=utcnow() - timedelta(hours=3))
    miles = signed_in(app, training.world.a.therapist)
    kilometres = signed_in(app, training.world.a.admin)
    url = f"/participants/{training.pid}"
    page = _text(miles.get(url))
    assert "3.1 mi" in page
    assert " mi</text>" in page, "the chart's distance axis is in miles"
    assert " km</text>" not in page
    other = _text(kilometres.get(url))
    assert "5 km" in other and " km</text>" in other and " mi</text>" not in other
    # Both units are stored now: neither reader makes the figures be computed again.
    for client, unit in ((miles, " mi</text>"), (kilometres, " km</text>")):
        with query_counter() as statements:
            assert unit in _text(client.get(url))
        assert not any("ladder_stage" in s for s in statements), "computed again"


def test_a_miles_person_types_distances_in_miles(app, training):
    _prefer(app, training.world.a.therapist, "mi")
    staff = signed_in(app, training.world.a.therapist)
    assert "Distance (mi)" in _text(staff.get(f"/participants/{training.pid}/sessions/new"))
    response = staff.post(
        f"/participants/{training.pid}/sessions/new", data={**FORM, "distance": "3.1"}
    )
    assert response.status_code == 302
    [saved] = training.sessions()
    assert saved.distance_m == pytest.approx(3.1 * 1609.344)


def test_a_kilometre_person_in_a_miles_centre_reads_kilometres(app, training):
    training.set_units(training.world.a, "mi")
    _prefer(app, training.world.a.therapist, "km")
    training.add(distance_m=5000.0, moving_time_s=1500)
    page = _text(
        signed_in(app, training.world.a.therapist).get(f"/participants/{training.pid}/sessions")
    )
    assert "5.0 km" in page and "/km" in page


# --- times -----------------------------------------------------------------------------------


def test_sessions_read_on_the_centres_clock_across_daylight_saving(app, training):
    _zone(app, training.world.a, "America/Los_Angeles")
    training.add(started_at=BEFORE_DST)
    training.add(started_at=AFTER_DST)
    page = _text(
        signed_in(app, training.world.a.therapist).get(f"/participants/{training.pid}/sessions")
    )
    assert "08 Mar 2026, 01:30" in page  # UTC-8
    assert "08 Mar 2026, 03:30" in page  # UTC-7: one hour later by the clock, not two
    assert "09:30" not in page and "10:30" not in page


def test_the_audit_trail_reads_on_the_centres_clock_across_daylight_saving(app, training):
    _zone(app, training.world.a, "America/Los_Angeles")
    with app.app_context():
        admin = db.session.get(User, training.world.a.admin.id)
        for at in (BEFORE_DST, AFTER_DST):
            audit.record(
                admin,
                training.world.a.centre.id,
                "account.sign_out_everywhere",
                "user",
                admin.id,
                {},
                at=at,
            )
        db.session.commit()
    page = _text(signed_in(app, training.world.a.admin).get("/audit"))
    assert "America/Los_Angeles" in page
    assert "8 Mar 2026, 01:30" in page and "8 Mar 2026, 03:30" in page


def test_jobs_read_on_the_centres_clock_across_daylight_saving(app, training):
    _zone(app, training.world.a, "America/Los_Angeles")
    with app.app_context():
        admin = db.session.get(User, training.world.a.admin.id)
        ids = []
        for at in (BEFORE_DST, AFTER_DST):
            job = jobs.submit(
                training_jobs.IMPORT_JOB,
                centre_id=training.world.a.centre.id,
                actor=admin,
                params={"file_name": "week.csv", "rows": 1},
            )
            job.created_at = at
            ids.append(job.id)
        db.session.commit()
    client = signed_in(app, training.world.a.admin)
    listing = _text(client.get("/jobs"))
    assert "08 Mar 2026 01:30" in listing and "08 Mar 2026 03:30" in listing
    assert "08 Mar 2026 03:30" in _text(client.get(f"/jobs/{ids[1]}"))
    with app.app_context():
        assert db.session.get(Job, ids[0]).created_at == BEFORE_DST


def test_the_account_page_labels_a_tokens_last_use_with_the_zone(app, training):
    _zone(app, training.world.a, "America/Los_Angeles")
    with app.app_context():
        user = db.session.get(User, training.world.a.therapist.id)
        issued = tokens.issue_token(
            user, name="watch sync", scope=TokenScope.READ, days=30, now=utcnow()
        )
        issued.token.last_used_at = AFTER_DST
        db.session.commit()
    page = _text(signed_in(app, training.world.a.therapist).get("/account"))
    assert "08 Mar 2026, 03:30 PDT" in page
    assert "UTC" not in page.split('id="tokens-title"')[1].split("</table>")[0]


def test_a_participant_who_reads_miles_sees_their_own_pages_in_miles(app, training):
    training.link(training.pid, training.world.a.participant)
    _prefer(app, training.world.a.participant, "mi")
    training.add(distance_m=5000.0, moving_time_s=1500, started_at=utcnow() - timedelta(hours=3))
    page = _text(signed_in(app, training.world.a.participant).get("/me"))
    assert "3.1 mi" in page and "8:03 /mi" in page
    # Numbers are in miles; a stage's description is the centre's own words, printed as written.
    assert "5.0 km" not in page and "continuous 5 km push" in page
