"""Shoulder load against worked examples: pushes = cadence x moving time, the 7:28-day
acute:chronic ratio, and the flag only while pain or the WUSPI rises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from heartbeat.progress.rules.shoulder import PushSession, pushes, shoulder_load

TODAY = date(2026, 6, 28)


def push(
    days_ago: int, minutes: int, cadence: int | None = 100, pain: int | None = None, kind="track"
):
    started = datetime(2026, 6, 28, 9, 0, tzinfo=UTC) - timedelta(days=days_ago)
    return PushSession(started, kind, minutes * 60, cadence, pain)


def test_pushes_are_cadence_times_moving_minutes_with_a_default_cadence():
    assert pushes(push(0, 30, cadence=100)) == 3000
    assert pushes(push(0, 30, cadence=None)) == 2700  # 90 a minute by default
    assert pushes(push(0, 30, kind="strength")) == 0
    assert pushes(push(0, 30, kind="handcycle")) == 0


def test_a_steady_month_has_a_ratio_of_one():
    sessions = [push(d, 30) for d in range(0, 28, 2)]  # 14 sessions, every other day
    load = shoulder_load(sessions, TODAY, UTC)
    # last 7 days: days 0, 2, 4, 6 = 4 x 3000 = 12000; 28 days: 42000 -> 10500 a week
    assert (load.acute_pushes, load.chronic_weekly_pushes) == (12000, 10500)
    assert load.ratio == 1.14 and not load.flagged


def test_a_jump_over_1_5_is_flagged_only_while_pain_rises():
    quiet = [push(d, 20, pain=1) for d in range(8, 28, 3)]  # 7 sessions of 2000, pain 1
    busy = [push(d, 60, pain=4) for d in range(0, 7)]  # 7 sessions of 6000, pain 4
    load = shoulder_load(quiet + busy, TODAY, UTC)
    # acute 42000; chronic (42000 + 14000) / 4 = 14000 a week; ratio 3.0
    assert (load.acute_pushes, load.chronic_weekly_pushes, load.ratio) == (42000, 14000, 3.0)
    assert load.pain_rising and load.flagged
    calm = [push(d, 60, pain=1) for d in range(0, 7)]
    same_jump = shoulder_load(quiet + calm, TODAY, UTC)
    assert same_jump.ratio == 3.0 and not same_jump.pain_rising and not same_jump.flagged
    assert shoulder_load(quiet + calm, TODAY, UTC, wuspi_rising=True).flagged


def test_no_chronic_load_means_no_ratio_and_estimates_are_named():
    assert shoulder_load([], TODAY, UTC).ratio is None
    assert shoulder_load([push(1, 30, cadence=None)], TODAY, UTC).estimated


def test_a_jump_while_pain_rises_reaches_the_caseload_and_the_progress_page(app, world, populated):
    import html as html_lib

    from heartbeat.db import utcnow
    from tests.helpers import signed_in
    from tests.training.conftest import Training

    training = Training(app, world)
    now = utcnow()
    for d in range(9, 27, 3):  # quiet: 6 x 20 min at 90 a minute (no cadence), pain 1
        training.add(
            started_at=now - timedelta(days=d), moving_time_s=1200, pain=1, distance_m=3000
        )
    for d in range(0, 6):  # busy: 6 x 60 min at 100 a minute, pain 4
        training.add(
            started_at=now - timedelta(days=d, hours=1),
            moving_time_s=3600,
            cadence_ppm=100,
            pain=4,
            distance_m=9000,
        )
    staff = signed_in(app, world.a.therapist.email)
    caseload = html_lib.unescape(staff.get("/participants").get_data(as_text=True))
    assert "Shoulder load jumped" in caseload
    assert "36,000 pushes in 7 days" in caseload and "pain rising" in caseload
    page = html_lib.unescape(
        staff.get(f"/participants/{training.pid}/progress").get_data(as_text=True)
    )
    assert "Shoulder load" in page and "Acute:chronic ratio" in page
    assert "sessions without a cadence count 90 pushes a minute" in page
