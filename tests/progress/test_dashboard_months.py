"""The dashboard shows any month, not only this one (issue 14, item 16)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from heartbeat.db import utcnow
from heartbeat.progress.dashboard import EARLIEST_MONTH, parse_month
from tests.helpers import signed_in


def _stat(page: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]*)<', page).group(1)


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def test_last_months_sessions_are_on_last_months_dashboard(app, progress):
    progress.session(distance_m=4000, days_ago=40)
    progress.evaluate()
    then = (utcnow() - timedelta(days=40)).date()
    admin = signed_in(app, progress.world.a.admin.email)

    page = admin.get(f"/dashboard?month={_month(then)}").get_data(as_text=True)

    assert f"in {then:%B %Y}." in page
    assert f"Sessions in {then:%B %Y}" in page
    assert _stat(page, "sessions") == "1"
    assert _stat(page, "distance") == "4 km"
    # The way to the months around it, and back to this one.
    after = then.replace(day=28) + timedelta(days=4)
    before = then.replace(day=1) - timedelta(days=1)
    assert f'href="/dashboard?month={_month(before)}" rel="prev"' in page
    assert f'href="/dashboard?month={_month(after)}" rel="next"' in page
    assert 'href="/dashboard">This month</a>' in page


def test_this_month_has_no_next_month_and_a_month_field(app, progress):
    page = signed_in(app, progress.world.a.admin.email).get("/dashboard").get_data(as_text=True)

    assert 'rel="next"' not in page
    assert 'rel="prev"' in page
    assert '<input type="month" id="dashboard-month" name="month"' in page
    assert "Sessions this month" in page


@pytest.mark.parametrize("asked", ["2025-13", "2025-1", "1999-12", "3000-01", "june", "2025-06-01"])
def test_a_month_that_is_not_one_to_show_is_refused_clearly(app, progress, asked):
    admin = signed_in(app, progress.world.a.admin.email)

    response = admin.get(f"/dashboard?month={asked}")

    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert "choose a month from January 2000 up to this month" in admin.get("/dashboard").get_data(
        as_text=True
    )


def test_parse_month_takes_real_months_up_to_this_one():
    today = date(2026, 3, 15)
    assert parse_month("2026-03", today) == date(2026, 3, 1)
    assert parse_month("2000-01", today) == EARLIEST_MONTH
    assert parse_month("2026-04", today) is None
    assert parse_month("٢٠٢٥-٠١", today) is None  # digits of another script
    assert parse_month("", today) is None
