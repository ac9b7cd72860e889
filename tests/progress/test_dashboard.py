"""The centre dashboard: this month's numbers and where participants are on the ladder."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant, ParticipantStatus
from heartbeat.progress.dashboard import month_bounds
from tests.helpers import signed_in
from tests.participants.conftest import Helpers


def _stat(page: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]*)<', page).group(1)


def _distribution(page: str) -> dict[str, int]:
    table = page[page.index('class="distribution-table"') :]
    table = table[: table.index("</table>")]
    return {
        label: int(count)
        for label, count in re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', table)
    }


def _this_month_days_ago() -> float:
    """Hours into this month, in days, so a session is surely this month (UTC centre time)."""
    now = utcnow()
    return min(
        0.5, (now - now.replace(day=1, hour=0, minute=0, second=0)).total_seconds() / 86400 / 2
    )


def test_the_dashboard_counts_this_months_sessions_distance_and_milestones(app, progress):
    recent = _this_month_days_ago()
    progress.session(distance_m=1700, days_ago=recent)
    progress.session(distance_m=300, days_ago=recent, kind="handcycle")
    progress.session(distance_m=9999, days_ago=recent, kind="strength")  # no distance
    progress.session(distance_m=5000, days_ago=recent, self_reported=True)  # not verified
    progress.session(distance_m=4000, days_ago=45)  # last month or earlier
    progress.session(progress.pid_b, distance_m=7000, days_ago=recent)  # another centre
    progress.evaluate()
    page = signed_in(app, progress.world.a.admin.email).get("/dashboard").get_data(as_text=True)
    assert _stat(page, "active") == "1"
    # What was logged this month counts, the self-report too, and the page says what waits
    # (issue 14 item 3: one definition, progress.rules' "activity").
    assert _stat(page, "sessions") == "4"
    assert _stat(page, "distance") == "7 km"
    assert _stat(page, "waiting") == "5 km of it waiting for verification"
    # The 45-day-old 4 km push reached First push, One lap and One mile first.
    assert _stat(page, "milestones") == "0"


def test_milestones_this_month_split_into_stages_and_clubs(app, progress):
    recent = _this_month_days_ago()
    progress.session(distance_m=17000, days_ago=recent)
    progress.evaluate()
    page = signed_in(app, progress.world.a.admin.email).get("/dashboard").get_data(as_text=True)
    # First push, One lap, One mile, 5K, 10K and the 10-mile club.
    assert _stat(page, "milestones") == "6"
    assert "5 ladder stages, 1 club" in page
    assert "reached <strong>10-mile club</strong>" in page


def test_stage_distribution_counts_active_participants_by_current_stage(app, progress):
    helpers = Helpers(app)
    second = helpers.enrol(progress.world.a, given_name="Cy")
    paused = helpers.enrol(progress.world.a, given_name="Di")
    with app.app_context():
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == paused)
            .values(status=ParticipantStatus.PAUSED)
        )
        db.session.commit()
    progress.session(second, distance_m=450)
    progress.evaluate(second)  # still at Chair fitted (a sign-off)
    page = signed_in(app, progress.world.a.admin.email).get("/dashboard").get_data(as_text=True)
    rows = _distribution(page)
    assert rows["Chair fitted"] == 2  # Ada (never evaluated) and Cy
    assert rows["Reached every stage"] == 0
    assert sum(rows.values()) == 2
    assert "Where participants are on the ladder" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page


def test_the_dashboard_query_count_does_not_grow_with_the_centre(app, progress, query_counter):
    client = signed_in(app, progress.world.a.admin.email)
    client.get("/dashboard")
    with query_counter() as few:
        client.get("/dashboard")
    helpers = Helpers(app)
    for n in range(8):
        pid = helpers.enrol(progress.world.a, given_name=f"P{n}")
        progress.session(pid, distance_m=500 * (n + 1), days_ago=_this_month_days_ago())
        progress.evaluate(pid)
    with query_counter() as many:
        client.get("/dashboard")
    assert len(many) == len(few)
    assert len(few) <= 12


def test_month_bounds_follow_the_centres_calendar():
    from datetime import date
    from zoneinfo import ZoneInfo

    start, end = month_bounds(date(2025, 12, 31), ZoneInfo("America/Los_Angeles"))
    assert (start.isoformat(), end.isoformat()) == (
        "2025-12-01T00:00:00-08:00",
        "2026-01-01T00:00:00-08:00",
    )
    assert end - start == timedelta(days=31)
