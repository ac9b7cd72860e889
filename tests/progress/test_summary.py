"""What a participant's progress page computes, from plain values (no database, no request)."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta

from heartbeat.progress.ladder import DEFAULT_LADDER
from heartbeat.progress.models import Award, CriterionKind, LadderStage
from heartbeat.progress.summary import build_summary, criterion_text, distance_text

NOW = datetime(2025, 6, 4, 12, tzinfo=UTC)
TODAY = NOW.date()

Row = namedtuple(
    "Row",
    "id started_at kind distance_m moving_time_s elapsed_time_s official_time_s counts pain rpe"
    " history avg_hr",
)


def _ladder() -> list[LadderStage]:
    return [
        LadderStage(
            id=position,
            position=position,
            code=spec.code,
            title=spec.title,
            description=spec.description,
            kind=CriterionKind(spec.kind),
            threshold_m=spec.threshold_m,
            max_duration_s=spec.max_duration_s,
            version=1,
        )
        for position, spec in enumerate(DEFAULT_LADDER, start=1)
    ]


def _row(session_id, days_ago, distance_m, *, time_s=None, rpe=None, hr=None, kind="track"):
    return Row(
        session_id,
        NOW - timedelta(days=days_ago),
        kind,
        distance_m,
        time_s,
        None,
        None,
        True,  # confirmed
        None,
        rpe,
        False,  # not history
        hr,
    )


def _award(award_id, stage, *, days_ago, session_id=None, verified=True, club=None):
    award = Award(
        id=award_id,
        key=f"club:{club}" if club else f"stage:{stage.id}",
        stage_id=None if club else stage.id,
        club_code=club,
        achieved_at=NOW - timedelta(days=days_ago),
        evidence_session_id=session_id,
        verified_at=NOW if verified else None,
        needs_review=False,
        version=1,
    )
    if not club:
        award.stage = stage
    return award


def _summary(stages, awards, rows, **kwargs):
    return build_summary(stages=stages, awards=awards, rows=rows, today=TODAY, tz=UTC, **kwargs)


def test_the_path_marks_reached_current_and_upcoming_stages():
    stages = _ladder()
    awards = [_award(1, stages[0], days_ago=40), _award(2, stages[1], days_ago=30, session_id=1)]
    summary = _summary(stages, awards, [_row(1, 30, 150)], units="km")
    assert [step.state for step in summary.path[:4]] == [
        "achieved",
        "achieved",
        "current",
        "upcoming",
    ]
    assert summary.current.title == "Steer and stop"
    assert summary.path[2].state_label == "Working on now"
    assert summary.next_progress is None  # a sign-off has nothing to measure
    assert summary.reached_count == 2


def test_progress_to_the_next_distance_stage_reads_like_7_2_of_10_km():
    stages = _ladder()
    awards = [_award(i + 1, stage, days_ago=40) for i, stage in enumerate(stages[:6])]
    rows = [_row(1, 3, 7200, time_s=2400), _row(2, 2, 12000, kind="handcycle")]
    summary = _summary(stages, awards, rows, units="km")
    assert summary.current.title == "10K"
    progress = summary.next_progress
    assert progress.text == "7.2 km of 10 km"
    assert progress.to_go == "2.8 km to go"
    assert progress.percent == 72


def test_a_stage_reached_out_of_order_still_shows_as_reached():
    stages = _ladder()
    awards = [_award(1, stages[6], days_ago=3, verified=False)]  # 10K before anything else
    summary = _summary(stages, awards, [], units="km")
    assert summary.path[6].state == "achieved"
    assert summary.current.title == "Chair fitted"
    assert [a.title for a in summary.pending] == ["10K"]


def test_every_stage_reached_is_the_top():
    stages = _ladder()
    awards = [_award(i + 1, stage, days_ago=40) for i, stage in enumerate(stages)]
    summary = _summary(stages, awards, [], units="km")
    assert summary.at_top and summary.current is None and summary.next_progress is None


def test_retired_stages_leave_the_path_but_their_awards_stay_listed():
    stages = _ladder()
    stages[3].retired_at = NOW
    awards = [_award(1, stages[3], days_ago=10)]
    summary = _summary(stages, awards, [], units="km")
    assert "One lap" not in [step.title for step in summary.path]
    assert [a.title for a in summary.retired_stage_awards] == ["One lap"]


def test_heartbeat_miles_in_miles_with_km_beside_them_and_the_next_club():
    rows = [_row(1, 3, 16093.44 * 2.5)]  # 25 miles
    summary = _summary(_ladder(), [], rows, units="km")
    assert summary.total_miles_text == "25.0 mi"
    assert summary.total_km_text == "40.2 km"
    assert summary.next_club_text == "25.0 mi to the 50-mile club"
    in_miles = _summary(_ladder(), [], rows, units="mi")
    assert in_miles.total_km_text is None


def test_personal_bests_name_the_longest_push_and_the_fastest_5k():
    rows = [_row(1, 20, 5050, time_s=1500), _row(2, 10, 5000, time_s=1380), _row(3, 5, 8000)]
    summary = _summary(_ladder(), [], rows, units="km")
    bests = {best.label: best for best in summary.bests}
    assert bests["Longest continuous push"].value == "8 km"
    assert bests["Fastest 5K"].value == "23:00"
    assert "4:36 /km" in bests["Fastest 5K"].detail


def test_effort_leads_with_rpe_and_caveats_heart_rate_above_t6():
    rows = [_row(1, 2, 5000, time_s=1800, rpe=6, hr=118), _row(2, 40, 3000, rpe=9, hr=150)]
    high = _summary(_ladder(), [], rows, units="km", hr_unreliable=True)
    low = _summary(_ladder(), [], rows, units="km", hr_unreliable=False)
    assert [label for label, _ in high.effort] == [
        "Sessions in the last 4 weeks",
        "Average effort (RPE, 0 to 10)",
        "Training load (RPE × minutes) per week",
        "Average heart rate (read with care)",
    ]
    assert dict(high.effort)["Average effort (RPE, 0 to 10)"] == "6.0"
    assert dict(high.effort)["Training load (RPE × minutes) per week"] == "45"
    assert dict(high.effort)["Average heart rate (read with care)"] == "118 bpm"
    assert high.lead_with_rpe and not low.lead_with_rpe
    assert low.effort[1][0] == "Average heart rate"


def test_a_milestone_in_the_last_two_weeks_is_celebrated_newest_first():
    stages = _ladder()
    awards = [
        _award(1, stages[0], days_ago=30),
        _award(2, stages[1], days_ago=10),
        _award(3, None, days_ago=2, club="miles-10"),
    ]
    summary = _summary(stages, awards, [], units="km")
    assert [a.title for a in summary.celebrate] == ["10-mile club", "First push"]


def test_the_charts_asked_for_are_built():
    summary = _summary(_ladder(), [], [_row(1, 1, 1000)], units="km", with_charts=("weekly",))
    assert list(summary.charts) == ["weekly"]
    assert summary.charts["weekly"].table.rows[-1][1] == "1 km"


def test_criteria_in_words():
    stages = _ladder()
    assert criterion_text(stages[0], "km") == "Signed off by a therapist"
    assert criterion_text(stages[4], "km") == "One continuous push of 1.6 km"
    assert criterion_text(stages[8], "mi") == "One continuous push of 26.2 mi"
    race = LadderStage(kind=CriterionKind.RACE, threshold_m=10000.0, max_duration_s=3600, title="x")
    assert criterion_text(race, "km") == "An official race finish of 10 km within 1:00:00"
    assert distance_text(10000, "km") == "10 km"


def test_while_a_sign_off_is_next_the_next_distance_stage_still_shows_progress():
    stages = _ladder()
    awards = [_award(1, stages[0], days_ago=40), _award(2, stages[1], days_ago=30)]
    summary = _summary(stages, awards, [_row(1, 3, 300)], units="km")
    assert summary.current.title == "Steer and stop"
    assert summary.next_progress is None
    assert summary.distance_progress.stage_title == "One lap"
    assert summary.distance_progress.text == "300 m of 400 m"
