"""The plan templates every centre starts with, written from the programme's domain notes
(docs/plans.md cites the sources): a first-push-to-5K block and a 10K-to-half block.

Both follow the same pattern: RPE on the Borg CR10 scale is the target of every session (it works
after spinal-cord injury, where heart rate may not); at least two aerobic sessions and two
strength sessions a week (the exercise guideline for adults with SCI); the long push grows about
a tenth a week with an easier week every fourth, because sudden jumps in weekly distance come
before shoulder overuse injuries. Heart-rate zones are given for the easy sessions only, and
assigning a plan leaves them out for anyone whose heart rate is blunted (injury at or above T6).

Names, summaries and session notes are marked for translation (lazy): a centre gets its templates
in its own language (``plans.hooks``), as text it then owns and edits like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from heartbeat.core.i18n import _l
from heartbeat.training.kinds import SessionKind


@dataclass(frozen=True)
class SessionSpec:
    week: int
    day: int
    kind: SessionKind
    distance_m: float | None = None
    duration_s: int | None = None
    rpe: int = 4
    hr_zone: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    summary: str
    weeks: int
    sessions: tuple[SessionSpec, ...]


STRENGTH_NOTE = _l(
    "Shoulder care: rotator cuff and scapular work, rows before pushes; stop if it hurts."
)


def _first_5k() -> TemplateSpec:
    # The long continuous push, in metres, week by week: from one mile to 5K, easier in week 4.
    long_push = [1_600, 2_000, 2_400, 2_000, 2_800, 3_400, 4_100, 5_000]
    sessions: list[SessionSpec] = []
    for week, long_m in enumerate(long_push, start=1):
        easy = week == 4
        sessions += [
            SessionSpec(
                week,
                0,
                SessionKind.SKILLS,
                duration_s=(20 if week < 5 else 25) * 60,
                rpe=3 if easy else 5,
                notes=_l(
                    "Skills: long smooth strokes, steering, cornering and braking; short"
                    " efforts with full rests."
                ),
            ),
            SessionSpec(
                week, 1, SessionKind.STRENGTH, duration_s=30 * 60, rpe=5, notes=STRENGTH_NOTE
            ),
            SessionSpec(
                week,
                3,
                SessionKind.ROLLER,
                duration_s=(20 + 2 * (week - 1)) * 60 if not easy else 20 * 60,
                rpe=4,
                hr_zone=2,
                notes=_l("Steady and conversational."),
            ),
            SessionSpec(
                week, 4, SessionKind.STRENGTH, duration_s=30 * 60, rpe=5, notes=STRENGTH_NOTE
            ),
            SessionSpec(
                week,
                5,
                SessionKind.TRACK,
                distance_m=float(long_m),
                rpe=4 if week < 8 else 6,
                hr_zone=2 if week < 8 else None,
                notes=_l("One continuous push: the 5K itself in the last week.")
                if week == 8
                else _l("One continuous push at an even effort; stop if the shoulders hurt."),
            ),
        ]
    return TemplateSpec(
        _l("First 5K in a racing chair, 8 weeks"),
        _l(
            "From a first continuous mile to a continuous 5K: a skills session, two endurance"
            " sessions and two strength sessions a week, the long push growing about a tenth a"
            " week with an easier fourth week. For people past 'Steer and stop' on the ladder."
        ),
        len(long_push),
        tuple(sessions),
    )


def _ten_k_to_half() -> TemplateSpec:
    long_push = [10_000, 11_000, 12_000, 10_000, 13_500, 15_000, 16_500, 13_000, 18_000, 21_100]
    sessions: list[SessionSpec] = []
    for week, long_m in enumerate(long_push, start=1):
        easy = week in (4, 8)
        sessions += [
            SessionSpec(
                week,
                0,
                SessionKind.TRACK,
                duration_s=40 * 60,
                rpe=4 if easy else 7,
                notes=_l("Intervals: for example 6 × 3 minutes hard, 2 minutes easy.")
                if not easy
                else _l("Easy technique session."),
            ),
            SessionSpec(
                week, 1, SessionKind.STRENGTH, duration_s=40 * 60, rpe=5, notes=STRENGTH_NOTE
            ),
            SessionSpec(
                week,
                2,
                SessionKind.ROLLER,
                duration_s=45 * 60,
                rpe=4,
                hr_zone=2,
                notes=_l("Steady aerobic push."),
            ),
            SessionSpec(
                week, 4, SessionKind.STRENGTH, duration_s=40 * 60, rpe=5, notes=STRENGTH_NOTE
            ),
            SessionSpec(
                week,
                6,
                SessionKind.ROAD,
                distance_m=float(long_m),
                rpe=5 if week < 10 else 7,
                hr_zone=2 if week < 10 else None,
                notes=_l("The half-marathon distance, continuous.")
                if week == 10
                else _l("The long push, on the road, at an even effort."),
            ),
        ]
    return TemplateSpec(
        _l("10K to half marathon, 10 weeks"),
        _l(
            "For people who push 10K continuously: the long road push grows from 10K to the half"
            " marathon (21.1 km) with easier weeks 4 and 8, one interval session, one steady"
            " session on rollers and two strength sessions a week."
        ),
        len(long_push),
        tuple(sessions),
    )


DEFAULT_TEMPLATES: tuple[TemplateSpec, ...] = (_first_5k(), _ten_k_to_half())
