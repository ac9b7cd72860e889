"""Pure progress rules: which stages and clubs a participant's sessions reach, and the numbers
around them (personal bests, weekly distance, streaks, a load warning).

No request, no query: callers turn rows into the dataclasses of :mod:`.facts`, call these
functions and turn the answers back into awards. The kinds come from ``training.models``, the one
definition of the vocabulary, but nothing here touches the database. Distances are metres,
durations seconds, times aware. Import the package (``from heartbeat.progress import rules``);
the modules behind it are ``facts`` (inputs and the kinds that count), ``stages``, ``clubs``,
``awards`` (reconciling stored awards), ``numbers`` (bests, totals, weeks, streaks) and
``safety`` (the load warning).

What counts, in one place (every page, chart and the dashboard follow it):

* a *confirmed* session has ``counts=True``: every session but a self-report a therapist has not
  verified yet (``TrainingSession.counts``, in Python and SQL);
* *records* (``SessionFact.record``: confirmed, and not history) reach clubs, the Heartbeat Miles
  total, marathon finishes, personal bests, the longest-push chart and progress towards a stage.
  They become awards and certificates, so a therapist vouches for each session first;
* *activity* (``SessionFact.activity``: every session logged in the programme, confirmed or
  still waiting) makes this week's distance, the weekly chart, the streak, the pace trend and the
  last 4 weeks' effort: it is what the participant did. Pages name the part still waiting
  ("12.4 km, waiting for your therapist to confirm"; ``waiting_distance_m``);
* stages are reached by confirmed sessions; *history* from before enrolment reaches a stage only
  when no session of the programme does, and such an award is only proposed: a therapist
  confirms it and its date. History counts for nothing else but safety (below);
* stages and personal bests need a *push*: track, road, roller or race (not hand-cycle, not
  strength); a session with ``is_race=True`` is a race whatever its kind, but a hand-cycle race
  is still no push;
* distance totals, weekly distance and the distance clubs add every kind that covers ground
  (hand-cycle included, strength never), as DOMAIN.md says "across all sessions";
* marathon finishes are pushes of at least 42,195 m, races or not;
* the load warning and the pain trend are about safety, not awards: they read every session,
  waiting or history too.
"""

from __future__ import annotations

from heartbeat.progress.rules.awards import (
    AwardChanges,
    ReviewFlag,
    ReviewReason,
    apply_changes,
    diff_awards,
)
from heartbeat.progress.rules.clubs import ClubEvidence, club_awards, club_awards_by_code
from heartbeat.progress.rules.facts import (
    DISTANCE_KINDS,
    MARATHON_FINISH_KINDS,
    PUSH_KINDS,
    SESSION_KINDS,
    THRESHOLD_TOLERANCE_M,
    SessionFact,
    SessionId,
    SignOff,
    StageId,
    StageRule,
    rules_from_ladder,
)
from heartbeat.progress.rules.numbers import (
    PB_DISTANCES,
    PB_MAX_OVER,
    PersonalBests,
    personal_bests,
    streak_weeks,
    total_distance_m,
    waiting_distance_m,
    week_start,
    weekly_distance,
)
from heartbeat.progress.rules.safety import (
    LOAD_BASELINE_WEEKS,
    LOAD_MIN_INCREASE_M,
    LOAD_RATIO,
    PAIN_RISE,
    LoadWarning,
    hr_unreliable,
    load_warning,
    session_load,
)
from heartbeat.progress.rules.stages import (
    Evidence,
    current_stage,
    progress_to_next,
    progress_towards,
    qualifies,
    reached_stages,
)

__all__ = [
    "DISTANCE_KINDS",
    "LOAD_BASELINE_WEEKS",
    "LOAD_MIN_INCREASE_M",
    "LOAD_RATIO",
    "MARATHON_FINISH_KINDS",
    "PAIN_RISE",
    "PB_DISTANCES",
    "PB_MAX_OVER",
    "PUSH_KINDS",
    "SESSION_KINDS",
    "THRESHOLD_TOLERANCE_M",
    "AwardChanges",
    "ClubEvidence",
    "Evidence",
    "LoadWarning",
    "PersonalBests",
    "ReviewFlag",
    "ReviewReason",
    "SessionFact",
    "SessionId",
    "SignOff",
    "StageId",
    "StageRule",
    "apply_changes",
    "club_awards",
    "club_awards_by_code",
    "current_stage",
    "diff_awards",
    "hr_unreliable",
    "load_warning",
    "personal_bests",
    "progress_to_next",
    "progress_towards",
    "qualifies",
    "reached_stages",
    "rules_from_ladder",
    "session_load",
    "streak_weeks",
    "total_distance_m",
    "waiting_distance_m",
    "week_start",
    "weekly_distance",
]
