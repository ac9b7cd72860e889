"""Progress rules: stages, clubs, award reconciliation, personal bests, weekly numbers, safety."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from heartbeat.core.units import km_to_metres, miles_to_metres
from heartbeat.progress.rules import (
    SESSION_KINDS,
    AwardChanges,
    ClubEvidence,
    Evidence,
    LoadWarning,
    SessionFact,
    SignOff,
    StageRule,
    apply_changes,
    club_awards,
    club_awards_by_code,
    current_stage,
    diff_awards,
    hr_unreliable,
    load_warning,
    personal_bests,
    progress_to_next,
    progress_towards,
    reached_stages,
    rules_from_ladder,
    session_load,
    streak_weeks,
    total_distance_m,
    waiting_distance_m,
    weekly_distance,
)

PACIFIC = ZoneInfo("America/Los_Angeles")
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning
STAGES = rules_from_ladder()
ID = {stage.code: stage.id for stage in STAGES}
CODE = {stage.id: stage.code for stage in STAGES}


def session(id, day, distance_m, kind="track", **kwargs) -> SessionFact:
    """A session ``day`` days after T0 (fractions allowed)."""
    return SessionFact(
        id=id, started_at=T0 + timedelta(days=day), kind=kind, distance_m=distance_m, **kwargs
    )


def at(day: date, hour: int = 12, tz=UTC) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


def on(id, day: date, distance_m, kind="track", hour=12, tz=UTC, **kwargs) -> SessionFact:
    return SessionFact(
        id=id, started_at=at(day, hour, tz), kind=kind, distance_m=distance_m, **kwargs
    )


def reached_codes(sessions, signoffs=(), stages=STAGES) -> set[str]:
    by_id = {stage.id: stage.code for stage in stages}
    return {by_id[stage_id] for stage_id in reached_stages(stages, sessions, signoffs)}


def retired(code: str) -> tuple[StageRule, ...]:
    return tuple(
        StageRule(
            id=s.id,
            code=s.code,
            position=s.position,
            kind=s.kind,
            threshold_m=s.threshold_m,
            max_duration_s=s.max_duration_s,
            retired=s.code == code,
        )
        for s in STAGES
    )


# --- inputs ----------------------------------------------------------------------------------


def test_session_facts_need_an_aware_start_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        SessionFact(id=1, started_at=datetime(2025, 3, 3, 9), kind="track", distance_m=400)


def test_session_facts_refuse_an_unknown_kind_rather_than_quietly_not_counting_it():
    assert SESSION_KINDS == ("track", "road", "roller", "handcycle", "skills", "strength", "race")
    with pytest.raises(ValueError, match="unknown session kind"):
        session(1, 0, 400, kind="rollers")


def test_sign_offs_need_an_aware_time():
    with pytest.raises(ValueError):
        SignOff(stage_id=1, signed_at=datetime(2025, 3, 3, 9))


def test_rules_from_ladder_numbers_the_default_ladder_from_one():
    assert [(s.id, s.position, s.code) for s in STAGES[:2]] == [
        (1, 1, "chair-fitted"),
        (2, 2, "first-push"),
    ]
    assert len(STAGES) == 9 and not any(s.retired for s in STAGES)


# --- distance stages -------------------------------------------------------------------------


def test_a_push_of_exactly_the_threshold_reaches_the_stage():
    assert reached_codes([session(1, 0, 5000)]) == {
        "first-push",
        "one-lap",
        "one-mile",
        "5k",
    }


def test_a_push_just_short_of_the_threshold_does_not_reach_it():
    assert "5k" not in reached_codes([session(1, 0, 4999.9)])
    assert "one-mile" not in reached_codes([session(1, 0, 1609.0)])


def test_a_marathon_entered_in_km_or_miles_reaches_the_marathon_despite_float_rounding():
    assert "marathon" in reached_codes([session(1, 0, km_to_metres(42.195), kind="road")])
    # 26.21875 mi comes out 1.2 cm short in floating point; that is noise, not a shortfall
    assert "marathon" in reached_codes([session(2, 0, miles_to_metres(26.21875), kind="road")])
    assert "marathon" not in reached_codes([session(3, 0, miles_to_metres(26.2), kind="road")])


def test_the_earliest_qualifying_session_is_the_evidence_whatever_the_input_order():
    later = session(10, 20, 10000)
    earlier = session(20, 5, 10500)
    too_short = session(30, 1, 9000)
    reached = reached_stages(STAGES, [later, too_short, earlier], [])
    assert reached[ID["10k"]] == Evidence(session_id=20, achieved_at=earlier.started_at)
    assert reached[ID["5k"]].session_id == 30


def test_sessions_starting_at_the_same_moment_tie_break_on_id():
    reached = reached_stages(STAGES, [session(9, 0, 5000), session(4, 0, 5000)], [])
    assert reached[ID["5k"]].session_id == 4


def test_unverified_sessions_never_reach_a_stage():
    assert reached_codes([session(1, 0, 42195, kind="road", counts=False)]) == set()


def test_hand_cycle_and_strength_sessions_never_reach_push_stages():
    assert reached_codes([session(1, 0, 50000, kind="handcycle")]) == set()
    assert reached_codes([session(2, 0, 5000, kind="strength")]) == set()
    assert reached_codes([session(3, 0, 50000, kind="handcycle", is_race=True)]) == set()


@pytest.mark.parametrize("kind", ["track", "road", "roller", "race"])
def test_every_push_kind_reaches_distance_stages(kind):
    assert "10k" in reached_codes([session(1, 0, 10000, kind=kind)])


def test_a_marathon_race_finish_reaches_the_marathon():
    race = session(1, 0, 42195, kind="road", is_race=True, official_time_s=7200)
    assert "marathon" in reached_codes([race])


def test_stages_are_reached_independently_of_pending_sign_offs():
    assert reached_codes([session(1, 0, 10000)]) >= {"first-push", "10k"}
    assert "chair-fitted" not in reached_codes([session(1, 0, 10000)])


def test_a_retired_stage_is_never_newly_reached():
    stages = retired("one-lap")
    codes = reached_codes([session(1, 0, 5000)], stages=stages)
    assert "one-lap" not in codes
    assert "one-mile" in codes


def test_a_race_stage_needs_a_race():
    stages = (StageRule(id=50, code="race-5k", position=1, kind="race", threshold_m=5000.0),)
    assert reached_stages(stages, [session(1, 0, 10000, kind="road")], []) == {}
    assert reached_stages(stages, [session(2, 0, 5000, kind="road", is_race=True)], []) == {
        50: Evidence(2, T0)
    }
    assert 50 in reached_stages(stages, [session(3, 1, 5000, kind="race")], [])


def test_a_race_stage_ignores_unverified_and_hand_cycle_races():
    stages = (StageRule(id=50, code="race-5k", position=1, kind="race", threshold_m=5000.0),)
    sessions = [
        session(1, 0, 5000, kind="race", counts=False),
        session(2, 0, 5000, kind="handcycle", is_race=True),
    ]
    assert reached_stages(stages, sessions, []) == {}


def test_a_stage_with_a_time_limit_needs_a_session_inside_it():
    sub_30 = (
        StageRule(
            id=60,
            code="5k-sub-30",
            position=1,
            kind="distance",
            threshold_m=5000,
            max_duration_s=1800,
        ),
    )
    assert reached_stages(sub_30, [session(1, 0, 5000, duration_s=1801)], []) == {}
    assert reached_stages(sub_30, [session(2, 0, 5000)], []) == {}  # no time, no proof
    assert reached_stages(sub_30, [session(3, 1, 5000, duration_s=1800)], [])[60].session_id == 3
    race = session(4, 0, 5000, kind="race", duration_s=1900, official_time_s=1790)
    assert reached_stages(sub_30, [race], [])[60].session_id == 4  # the official time decides


# --- sign-off stages -------------------------------------------------------------------------


def test_a_sign_off_stage_is_reached_by_its_sign_off_and_never_by_distance():
    signed = T0 + timedelta(days=2)
    reached = reached_stages(
        STAGES,
        [session(1, 0, 42195)],
        [SignOff(stage_id=ID["steer-and-stop"], signed_at=signed, session_id=1)],
    )
    assert reached[ID["steer-and-stop"]] == Evidence(session_id=1, achieved_at=signed)
    assert ID["chair-fitted"] not in reached


def test_the_earliest_sign_off_is_the_evidence():
    first = SignOff(stage_id=ID["chair-fitted"], signed_at=T0)
    again = SignOff(stage_id=ID["chair-fitted"], signed_at=T0 + timedelta(days=7), session_id=3)
    reached = reached_stages(STAGES, [], [again, first])
    assert reached == {ID["chair-fitted"]: Evidence(session_id=None, achieved_at=T0)}


def test_a_sign_off_on_a_distance_stage_does_not_reach_it():
    assert reached_stages(STAGES, [], [SignOff(stage_id=ID["5k"], signed_at=T0)]) == {}


def test_a_sign_off_on_a_retired_stage_does_not_reach_it():
    stages = retired("chair-fitted")
    assert reached_stages(stages, [], [SignOff(stage_id=ID["chair-fitted"], signed_at=T0)]) == {}


# --- monotonicity (property-style) -----------------------------------------------------------


def _random_sessions(rng: random.Random, count: int) -> list[SessionFact]:
    sessions = []
    for n in range(count):
        kind = rng.choice(SESSION_KINDS)
        distance = (
            0.0
            if kind == "strength"
            else rng.choice([0.0, 50.0, 400.0]) + rng.expovariate(1 / 8000)
        )
        duration = None if rng.random() < 0.2 else int(distance / rng.uniform(2.0, 8.0)) + 60
        sessions.append(
            SessionFact(
                id=n + 1,
                started_at=T0 + timedelta(hours=rng.randrange(0, 24 * 400)),
                kind=kind,
                distance_m=distance,
                duration_s=duration,
                is_race=rng.random() < 0.15,
                official_time_s=duration if rng.random() < 0.5 else None,
                counts=rng.random() < 0.8,
                pain=rng.choice([None, *range(11)]),
                rpe=rng.choice([None, *range(11)]),
            )
        )
    return sessions


STAGES_WITH_EXTRAS = (
    *retired("one-lap"),
    StageRule(id=50, code="race-10k", position=10, kind="race", threshold_m=10000.0),
    StageRule(
        id=60, code="5k-sub-25", position=11, kind="distance", threshold_m=5000, max_duration_s=1500
    ),
)


@pytest.mark.parametrize("seed", range(25))
def test_adding_sessions_never_removes_a_reached_stage_or_makes_its_evidence_later(seed):
    rng = random.Random(seed)
    sessions = _random_sessions(rng, 60)
    signoffs = [
        SignOff(stage_id=rng.choice([1, 3]), signed_at=T0 + timedelta(days=rng.randrange(400)))
        for _ in range(rng.randrange(3))
    ]
    previous: dict = {}
    previous_clubs: dict = {}
    for k in range(len(sessions) + 1):
        reached = reached_stages(STAGES_WITH_EXTRAS, sessions[:k], signoffs)
        assert set(previous) <= set(reached)
        assert all(reached[key].achieved_at <= previous[key].achieved_at for key in previous)
        clubs = club_awards_by_code(club_awards(sessions[:k]))
        assert set(previous_clubs) <= set(clubs)
        assert all(clubs[c].achieved_at <= previous_clubs[c].achieved_at for c in previous_clubs)
        previous, previous_clubs = reached, clubs
    shuffled = sessions[:]
    rng.shuffle(shuffled)
    assert reached_stages(STAGES_WITH_EXTRAS, shuffled, signoffs) == previous
    assert ID["one-lap"] not in previous


# --- current stage and progress --------------------------------------------------------------


def test_current_stage_is_the_lowest_active_stage_not_yet_reached():
    assert current_stage(STAGES, set()).code == "chair-fitted"
    reached = {ID["chair-fitted"], ID["first-push"], ID["one-lap"]}
    assert current_stage(STAGES, reached).code == "steer-and-stop"


def test_current_stage_skips_retired_stages():
    stages = retired("one-lap")
    reached = {ID[c] for c in ("chair-fitted", "first-push", "steer-and-stop")}
    assert current_stage(stages, reached).code == "one-mile"


def test_current_stage_is_none_at_the_top_of_the_ladder():
    assert current_stage(STAGES, {s.id for s in STAGES}) is None
    assert progress_to_next(STAGES, [], {s.id for s in STAGES}) is None


def test_progress_to_next_is_the_best_counting_push_towards_the_current_stage():
    reached = {ID[c] for c in ("chair-fitted", "first-push", "steer-and-stop", "one-lap")}
    reached |= {ID["one-mile"], ID["5k"]}
    sessions = [
        session(1, 0, 7200),
        session(2, 1, 6100, kind="roller"),
        session(3, 2, 15000, kind="handcycle"),
        session(4, 3, 9900, counts=False),
    ]
    assert progress_to_next(STAGES, sessions, reached) == (7200.0, 10000.0)


def test_progress_to_next_starts_from_nothing_and_is_none_while_a_sign_off_is_due():
    reached = {ID["chair-fitted"]}
    assert progress_to_next(STAGES, [], reached) == (0.0, 100.0)
    assert progress_to_next(STAGES, [session(1, 0, 5000)], set()) is None


def test_progress_towards_a_sign_off_stage_is_refused():
    with pytest.raises(ValueError):
        progress_towards(STAGES[0], [])


# --- clubs -----------------------------------------------------------------------------------


def test_a_distance_club_is_evidenced_by_the_session_whose_running_total_crosses_it():
    ten_miles = miles_to_metres(10)  # 16,093.44 m
    sessions = [session(n, n, 5000) for n in range(1, 5)]  # running totals 5, 10, 15, 20 km
    awards = club_awards(sessions)
    assert awards == [ClubEvidence("miles-10", sessions[3].started_at, 4)]
    assert sum(s.distance_m for s in sessions[:3]) < ten_miles


def test_a_running_total_of_exactly_ten_miles_joins_the_club():
    sessions = [session(1, 0, 10000), session(2, 1, miles_to_metres(10) - 10000)]
    assert [a.club_code for a in club_awards(sessions)] == ["miles-10"]
    assert club_awards(sessions)[0].session_id == 2


def test_clubs_follow_start_order_not_input_order():
    early, late = session(1, 0, 10000), session(2, 9, 10000)
    assert club_awards([late, early])[0].session_id == 2


def test_one_long_session_can_cross_several_clubs():
    sessions = [session(1, 0, miles_to_metres(49)), session(2, 1, miles_to_metres(60))]
    assert [(a.club_code, a.session_id) for a in club_awards(sessions)] == [
        ("miles-10", 1),
        ("miles-50", 2),
        ("miles-100", 2),
        ("marathons-1", 1),  # both were marathons too: distance clubs come first
    ]


def test_hand_cycling_counts_towards_distance_clubs_but_strength_and_unverified_do_not():
    sessions = [
        session(1, 0, miles_to_metres(6), kind="handcycle"),
        session(2, 1, miles_to_metres(6), kind="strength"),
        session(3, 2, miles_to_metres(6), counts=False),
        session(4, 3, miles_to_metres(4), kind="roller"),
    ]
    assert club_awards(sessions) == [ClubEvidence("miles-10", sessions[3].started_at, 4)]
    assert total_distance_m(sessions) == pytest.approx(miles_to_metres(10))


def test_marathon_finishes_count_races_and_long_sessions_but_not_hand_cycles_or_halves():
    sessions = [
        session(1, 0, 42195, kind="race", official_time_s=9000),
        session(2, 10, 21097.5, kind="race"),
        session(3, 20, 43000, kind="road"),
        session(4, 30, 42195, kind="handcycle", is_race=True),
        session(5, 40, 42195, kind="track", counts=False),
        session(6, 50, 42195, kind="road", is_race=True),
        session(7, 60, 42194, kind="road"),
        session(8, 70, 42195, kind="roller"),
        session(9, 80, 42195, kind="track"),
    ]
    marathon_clubs = [a for a in club_awards(sessions) if a.club_code.startswith("marathons")]
    assert [(a.club_code, a.session_id) for a in marathon_clubs] == [
        ("marathons-1", 1),
        ("marathons-5", 9),
    ]


def test_fifty_marathons_reach_every_marathon_club_at_the_right_finish():
    sessions = [session(n, n * 14, 42195, kind="road", is_race=True) for n in range(1, 51)]
    marathon_clubs = {
        a.club_code: a.session_id
        for a in club_awards(sessions)
        if a.club_code.startswith("marathons")
    }
    assert marathon_clubs == {
        "marathons-1": 1,
        "marathons-5": 5,
        "marathons-10": 10,
        "marathons-25": 25,
        "marathons-50": 50,
    }


def test_a_thousand_miles_fills_every_distance_club():
    sessions = [session(n, n, miles_to_metres(10)) for n in range(1, 101)]
    distance_clubs = [a for a in club_awards(sessions) if a.club_code.startswith("miles")]
    assert [(a.club_code, a.session_id) for a in distance_clubs] == [
        ("miles-10", 1),
        ("miles-50", 5),
        ("miles-100", 10),
        ("miles-250", 25),
        ("miles-500", 50),
        ("miles-1000", 100),
    ]


def test_no_sessions_no_clubs():
    assert club_awards([]) == []


# --- reconciling awards ----------------------------------------------------------------------


E1 = Evidence(1, T0)
E2 = Evidence(2, T0 + timedelta(days=1))
E3 = Evidence(3, T0 + timedelta(days=2))


def test_new_keys_are_added():
    changes = diff_awards({}, {1: E1, 2: E2}, verified_keys=set())
    assert changes.add == {1: E1, 2: E2}
    assert not (changes.update or changes.withdraw or changes.flag_for_review)


def test_diffing_what_is_already_stored_changes_nothing():
    assert diff_awards({1: E1}, {1: E1}, verified_keys={1}).is_empty
    assert diff_awards({1: E1}, {1: E1}, verified_keys=set()) == AwardChanges()


def test_applying_the_changes_then_diffing_again_gives_no_changes():
    current = {1: E1, 2: E2, 4: E1}
    reached = {1: E1, 2: E3, 5: E2}
    changes = diff_awards(current, reached, verified_keys=set())
    assert not changes.is_empty
    after = apply_changes(current, changes)
    assert after == reached
    assert diff_awards(after, reached, verified_keys=set()).is_empty


def test_an_unverified_award_whose_evidence_vanished_is_withdrawn():
    changes = diff_awards({1: E1, 2: E2}, {1: E1}, verified_keys=set())
    assert changes.withdraw == [2]
    assert changes.flag_for_review == []


def test_a_verified_award_whose_evidence_vanished_is_flagged_for_review_not_withdrawn():
    changes = diff_awards({1: E1, 2: E2}, {1: E1}, verified_keys={2})
    assert changes.withdraw == []
    [flag] = changes.flag_for_review
    assert (flag.key, flag.reason, flag.current, flag.reached) == (2, "evidence_vanished", E2, None)
    assert changes.is_empty  # nothing to write; the flag is for a person
    assert apply_changes({1: E1, 2: E2}, changes) == {1: E1, 2: E2}


def test_an_unverified_award_whose_evidence_moved_to_another_session_is_updated():
    changes = diff_awards({1: E2}, {1: E1}, verified_keys=set())
    assert changes.update == {1: E1}
    assert not (changes.add or changes.withdraw)


def test_a_verified_award_whose_evidence_moved_is_flagged_and_left_alone():
    changes = diff_awards({1: E2}, {1: E1}, verified_keys={1})
    assert changes.update == {}
    [flag] = changes.flag_for_review
    assert (flag.reason, flag.current, flag.reached) == ("evidence_changed", E2, E1)


def test_awards_of_retired_stages_are_kept_and_never_added():
    stages = retired("one-lap")
    retired_ids = {s.id for s in stages if s.retired}
    current = {ID["one-lap"]: E1}
    reached = reached_stages(stages, [session(1, 0, 5000)], [])
    changes = diff_awards(current, reached, verified_keys=set(), retired_keys=retired_ids)
    assert changes.withdraw == []
    assert ID["one-lap"] not in changes.add
    assert diff_awards({}, {ID["one-lap"]: E1}, set(), retired_keys=retired_ids).is_empty


def test_unverifying_a_session_withdraws_unverified_stages_and_flags_verified_ones():
    long_push = session(1, 0, 10000)
    stored = reached_stages(STAGES, [long_push], [])
    verified = {ID["first-push"]}
    later = session(2, 5, 1000)
    reached = reached_stages(STAGES, [replace(long_push, counts=False), later], [])
    changes = diff_awards(stored, reached, verified_keys=verified)
    assert sorted(CODE[k] for k in changes.withdraw) == ["10k", "5k", "one-mile"]
    assert {CODE[k] for k in changes.update} == {"one-lap"}
    assert [CODE[f.key] for f in changes.flag_for_review] == ["first-push"]


def test_club_awards_reconcile_by_club_code():
    sessions = [session(1, 0, miles_to_metres(10))]
    reached = club_awards_by_code(club_awards(sessions))
    changes = diff_awards({}, reached, verified_keys=set())
    assert list(changes.add) == ["miles-10"]
    assert diff_awards(apply_changes({}, changes), reached, set()).is_empty


# --- personal bests --------------------------------------------------------------------------


def test_longest_push_ignores_hand_cycles_and_unverified_sessions_and_prefers_the_earliest():
    pb = personal_bests(
        [
            session(1, 0, 8000),
            session(2, 1, 30000, kind="handcycle"),
            session(3, 2, 25000, counts=False),
            session(4, 3, 12000, kind="roller"),
            session(5, 4, 12000, kind="road"),
        ]
    )
    assert (pb.longest_push_m, pb.longest_push_session_id) == (12000, 4)


def test_fastest_times_come_from_races_official_time_and_sessions_within_two_percent():
    pb = personal_bests(
        [
            session(1, 0, 5000, duration_s=1500),
            session(2, 1, 5100, duration_s=1450),  # 2% over: counts, time as recorded
            session(3, 2, 5101, duration_s=1200),  # more than 2% over: no 5K time
            session(4, 3, 5000, kind="race", duration_s=1460, official_time_s=1440),
            session(5, 4, 4990, duration_s=1000),  # short of 5K
            session(6, 5, 10000, kind="road", is_race=True, duration_s=3100),  # no official time
        ]
    )
    assert pb.fastest == {"5K": (1440, 4), "10K": (3100, 6)}


def test_long_sessions_give_no_times_for_shorter_distances():
    pb = personal_bests([session(1, 0, 42195, kind="race", official_time_s=6000)])
    assert pb.fastest == {"Marathon": (6000, 1)}


def test_personal_bests_skip_sessions_without_a_time_and_those_that_do_not_count():
    pb = personal_bests(
        [
            session(1, 0, 21097.5),
            session(2, 1, 21097.5, duration_s=4000, counts=False),
            session(3, 2, 21097.5, kind="handcycle", duration_s=3000),
        ]
    )
    assert pb.fastest == {}
    assert pb.longest_push_session_id == 1


def test_equal_times_go_to_the_earlier_session():
    pb = personal_bests(
        [session(2, 5, 10000, duration_s=2700), session(1, 1, 10050, duration_s=2700)]
    )
    assert pb.fastest["10K"] == (2700, 1)


def test_no_sessions_no_personal_bests():
    pb = personal_bests([])
    assert (pb.longest_push_m, pb.longest_push_session_id, pb.fastest) == (None, None, {})


# --- weekly distance, streaks, totals ---------------------------------------------------------


def test_weekly_distance_zero_fills_the_last_n_iso_weeks_oldest_first():
    today = date(2025, 3, 26)  # a Wednesday
    sessions = [
        on(1, date(2025, 3, 24), 5000),
        on(2, date(2025, 3, 25), 3000, kind="handcycle"),
        on(3, date(2025, 3, 10), 4000),
        on(4, date(2025, 3, 11), 9000, kind="strength"),
        on(5, date(2025, 3, 12), 9000, counts=False),  # waiting: activity, so it counts here
        on(6, date(2025, 2, 20), 9000),  # before the window
        on(7, date(2025, 3, 17), 6000, history=True),  # history is no activity of the programme
    ]
    assert weekly_distance(sessions, 4, today, UTC) == [
        (date(2025, 3, 3), 0.0),
        (date(2025, 3, 10), 13000.0),
        (date(2025, 3, 17), 0.0),
        (date(2025, 3, 24), 8000.0),
    ]
    assert weekly_distance(sessions, 4, today, UTC, waiting_only=True) == [
        (date(2025, 3, 3), 0.0),
        (date(2025, 3, 10), 9000.0),
        (date(2025, 3, 17), 0.0),
        (date(2025, 3, 24), 0.0),
    ]


def test_a_sunday_night_push_in_pacific_time_stays_in_its_local_week():
    # 22:30 on Sunday 9 March in Los Angeles is 05:30 UTC on Monday 10 March
    sunday_night = SessionFact(
        id=1, started_at=datetime(2025, 3, 10, 5, 30, tzinfo=UTC), kind="road", distance_m=6000
    )
    today = date(2025, 3, 12)
    assert weekly_distance([sunday_night], 2, today, PACIFIC) == [
        (date(2025, 3, 3), 6000.0),
        (date(2025, 3, 10), 0.0),
    ]
    assert weekly_distance([sunday_night], 2, today, UTC) == [
        (date(2025, 3, 3), 0.0),
        (date(2025, 3, 10), 6000.0),
    ]


def test_weekly_distance_needs_at_least_one_week():
    with pytest.raises(ValueError):
        weekly_distance([], 0, date(2025, 3, 12), UTC)


def test_streak_counts_consecutive_weeks_up_to_this_one():
    today = date(2025, 3, 26)
    sessions = [
        on(1, date(2025, 3, 25), 5000),
        on(2, date(2025, 3, 18), 0, kind="strength"),  # turning up counts, strength included
        on(3, date(2025, 3, 12), 5000),
        on(4, date(2025, 2, 26), 5000),  # after a gap week
    ]
    assert streak_weeks(sessions, today, UTC) == 3


def test_an_empty_current_week_does_not_break_the_streak_yet():
    sessions = [on(1, date(2025, 3, 18), 5000), on(2, date(2025, 3, 12), 5000)]
    assert streak_weeks(sessions, date(2025, 3, 24), UTC) == 2
    assert streak_weeks(sessions, date(2025, 3, 31), UTC) == 0


def test_a_session_waiting_for_a_therapist_keeps_the_streak_but_history_does_not():
    # Issue 14 item 3: "Log a session this week to start a streak" after logging 12.4 km.
    assert streak_weeks([on(1, date(2025, 3, 25), 5000, counts=False)], date(2025, 3, 26), UTC) == 1
    assert streak_weeks([on(1, date(2025, 3, 25), 5000, history=True)], date(2025, 3, 26), UTC) == 0
    assert streak_weeks([], date(2025, 3, 26), UTC) == 0


def test_streak_weeks_respect_the_time_zone():
    # Sunday evening in Los Angeles, Monday in UTC: last week locally, this week in UTC
    sunday_night = on(1, date(2025, 3, 24), 5000, hour=5)
    next_monday = date(2025, 3, 31)
    assert streak_weeks([sunday_night], next_monday, UTC) == 1
    assert streak_weeks([sunday_night], next_monday, PACIFIC) == 0


def test_total_distance_adds_counting_sessions_of_every_kind_but_strength():
    sessions = [
        session(1, 0, 5000),
        session(2, 1, 20000, kind="handcycle"),
        session(3, 2, 1000, kind="strength"),
        session(4, 3, 7000, counts=False),
        session(5, 4, 9000, history=True),
    ]
    assert total_distance_m(sessions) == 25000.0
    assert waiting_distance_m(sessions) == 7000.0
    assert total_distance_m([]) == 0.0


# --- load warning ----------------------------------------------------------------------------

TODAY = date(2025, 6, 30)


def _baseline(km_per_week: float, pain: int | None, rpe: int | None = 4) -> list[SessionFact]:
    """Four weeks before the last 7 days: two sessions a week."""
    days_back = [7 + 7 * week + offset for week in range(4) for offset in (0, 3)]
    return [
        on(
            100 + n,
            TODAY - timedelta(days=back),
            km_per_week * 500,
            pain=pain,
            rpe=rpe,
            duration_s=1800,
        )
        for n, back in enumerate(days_back)
    ]


def _last_week(km: float, pain: int | None, counts: bool = True) -> list[SessionFact]:
    return [
        on(
            n,
            TODAY - timedelta(days=day),
            km * 500,
            pain=pain,
            rpe=6,
            duration_s=3600,
            counts=counts,
        )
        for n, day in ((1, 0), (2, 6))
    ]


def test_load_warning_fires_when_distance_jumps_and_pain_rises():
    warning = load_warning(_baseline(10, pain=2) + _last_week(20, pain=4), TODAY, UTC)
    assert warning == LoadWarning(
        last_7_days_m=20000.0,
        baseline_weekly_m=10000.0,
        last_7_days_pain=4.0,
        baseline_pain=2.0,
        last_7_days_load=720.0,
        baseline_weekly_load=240.0,
    )
    assert warning.ratio == 2.0


def test_load_warning_fires_at_exactly_the_thresholds():
    # 1.3x and 6 km more; pain up by exactly one point
    assert load_warning(_baseline(20, pain=2) + _last_week(26, pain=3), TODAY, UTC) is not None


def test_no_load_warning_when_distance_jumps_but_pain_does_not_rise():
    assert load_warning(_baseline(10, pain=2) + _last_week(20, pain=2), TODAY, UTC) is None


def test_no_load_warning_when_pain_rises_without_a_jump_in_distance():
    assert load_warning(_baseline(10, pain=2) + _last_week(12, pain=6), TODAY, UTC) is None


def test_no_load_warning_for_a_big_ratio_that_is_less_than_five_km_more():
    assert load_warning(_baseline(2, pain=1) + _last_week(6, pain=5), TODAY, UTC) is None


def test_no_load_warning_without_pain_scores_to_compare():
    assert load_warning(_baseline(10, pain=None) + _last_week(20, pain=6), TODAY, UTC) is None
    assert load_warning(_baseline(10, pain=2) + _last_week(20, pain=None), TODAY, UTC) is None


def test_load_warning_reads_unverified_sessions_because_it_is_about_safety():
    assert load_warning(_baseline(10, pain=2) + _last_week(20, pain=4, counts=False), TODAY, UTC)


def test_load_warning_uses_local_days_for_the_seven_day_window():
    # 05:00 UTC on 1 July is still 30 June in Los Angeles: inside the window there, not in UTC
    late = SessionFact(
        id=1,
        started_at=datetime(2025, 7, 1, 5, 0, tzinfo=UTC),
        kind="road",
        distance_m=20000,
        pain=5,
    )
    assert load_warning([*_baseline(10, pain=2), late], TODAY, PACIFIC) is not None
    assert load_warning([*_baseline(10, pain=2), late], TODAY, UTC) is None


def test_session_load_is_rpe_times_minutes():
    assert session_load(5, 3600) == 300.0
    assert session_load(7, 2700) == 315.0
    assert session_load(None, 3600) is None
    assert session_load(5, None) is None
    with pytest.raises(ValueError):
        session_load(11, 600)


# --- heart rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "unreliable"),
    [
        ("C6", True),
        ("C1", True),
        ("T1", True),
        ("T6", True),
        ("t 6", True),
        ("T7", False),
        ("T12", False),
        ("L2", False),
        ("S1", False),
        (None, False),
        ("", False),
        ("not a level", False),
    ],
)
def test_heart_rate_is_unreliable_at_or_above_t6(level, unreliable):
    assert hr_unreliable(level) is unreliable


# --- history from before enrolment (issue 14 item 2) ------------------------------------------


def test_history_reaches_a_stage_only_when_no_session_of_the_programme_does():
    old = session(1, -5000, 10_000, history=True)  # years before enrolment
    reached = reached_stages(STAGES, [old], [])
    assert reached[ID["10k"]] == Evidence(1, old.started_at)
    assert reached[ID["10k"]].history
    # A session of the programme reaching it too is the evidence, however much earlier history is.
    later = session(2, 10, 10_000)
    reached = reached_stages(STAGES, [old, later], [])
    assert reached[ID["10k"]].session_id == 2 and not reached[ID["10k"]].history
    # ...so adding history never moves a verified award's evidence (no review flag).
    current = {ID["10k"]: Evidence(2, later.started_at)}
    changes = diff_awards(current, {ID["10k"]: reached[ID["10k"]]}, {ID["10k"]})
    assert not changes.flag_for_review


def test_history_adds_to_no_club_total_best_streak_or_progress_bar():
    history = [session(i, -400 + i, 21_097.5, duration_s=5000, history=True) for i in range(1, 5)]
    assert club_awards(history) == []
    assert total_distance_m(history) == 0.0
    assert personal_bests(history).longest_push_m is None
    assert streak_weeks(history, (T0 + timedelta(days=-397)).date(), UTC) == 0
    assert progress_towards(STAGES[-1], history) == (0.0, 42195.0)
