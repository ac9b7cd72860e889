"""Effort that fits the body: RPE bands for everyone, heart-rate zones only where heart rate
means something (below T6, with a measured maximum). Pure: no Flask, no database.

RPE bands on Borg CR10 follow the usual anchors; "moderate" sits at about 3-4 (Holmlund et al.
2019 found moderate at 10-13 on the 6-20 scale in paraplegia and 13-14 in tetraplegia).
Heart-rate zones are shares of the measured maximum; at or above T6 the heart-rate response is
blunted, so no zones are ever given there.
"""

from __future__ import annotations

from dataclasses import dataclass

RPE_BANDS: tuple[tuple[str, int, int, str], ...] = (
    ("Easy", 1, 2, "Could talk in full sentences; warm-ups and recovery."),
    ("Moderate", 3, 4, "Breathing harder, still able to talk; most aerobic work."),
    ("Hard", 5, 6, "Short phrases only; tempo and long intervals."),
    ("Very hard", 7, 8, "A few words at most; short intervals, race pace."),
    ("Maximal", 9, 10, "All-out; sprints and finishes."),
)
HR_ZONE_SHARES: tuple[tuple[str, int, int], ...] = (
    ("Zone 1", 50, 60),
    ("Zone 2", 60, 70),
    ("Zone 3", 70, 80),
    ("Zone 4", 80, 90),
    ("Zone 5", 90, 100),
)
MIN_PLAUSIBLE_MAX = 100  # a "maximum" below this was no maximal effort


@dataclass(frozen=True)
class HrZone:
    label: str
    low_bpm: int
    high_bpm: int
    low_share: int
    high_share: int


@dataclass(frozen=True)
class EffortGuide:
    rpe_bands: tuple[tuple[str, int, int, str], ...]
    hr_zones: tuple[HrZone, ...]  # empty: heart rate is not used for this person
    why_no_zones: str | None


def hr_zones(measured_max: int) -> tuple[HrZone, ...]:
    return tuple(
        HrZone(label, round(measured_max * low / 100), round(measured_max * high / 100), low, high)
        for label, low, high in HR_ZONE_SHARES
    )


def effort_guide(hr_unreliable: bool, measured_max: int | None) -> EffortGuide:
    """RPE always; zones only below T6 with a plausible measured maximum."""
    if hr_unreliable:
        return EffortGuide(
            RPE_BANDS,
            (),
            "Injury at or above T6 blunts the heart-rate response: effort is judged by RPE.",
        )
    if measured_max is None or measured_max < MIN_PLAUSIBLE_MAX:
        return EffortGuide(
            RPE_BANDS,
            (),
            "No maximum heart rate measured yet: effort is judged by RPE until one is.",
        )
    return EffortGuide(RPE_BANDS, hr_zones(measured_max), None)
