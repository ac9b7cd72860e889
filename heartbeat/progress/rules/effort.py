"""Effort that fits the body: RPE bands for everyone, heart-rate zones only where heart rate
means something (below T6, with a measured maximum). Pure: no Flask, no database.

RPE bands on Borg CR10 follow the usual anchors; "moderate" sits at about 3-4 (Holmlund et al.
2019 found moderate at 10-13 on the 6-20 scale in paraplegia and 13-14 in tetraplegia).
Heart-rate zones are shares of the measured maximum; at or above T6 the heart-rate response is
blunted, so no zones are ever given there.
"""

from __future__ import annotations

from dataclasses import dataclass


def _l(text: str) -> str:
    """Marks text for translation and returns it unchanged: this module stays free of Flask; the
    page translates it when it prints it (``_(label)`` in ``progress/_effort.html``)."""
    return text


RPE_BANDS: tuple[tuple[str, int, int, str], ...] = (
    (_l("Easy"), 1, 2, _l("Could talk in full sentences; warm-ups and recovery.")),
    (_l("Moderate"), 3, 4, _l("Breathing harder, still able to talk; most aerobic work.")),
    (_l("Hard"), 5, 6, _l("Short phrases only; tempo and long intervals.")),
    (_l("Very hard"), 7, 8, _l("A few words at most; short intervals, race pace.")),
    (_l("Maximal"), 9, 10, _l("All-out; sprints and finishes.")),
)
HR_ZONE_SHARES: tuple[tuple[str, int, int], ...] = (
    (_l("Zone 1"), 50, 60),
    (_l("Zone 2"), 60, 70),
    (_l("Zone 3"), 70, 80),
    (_l("Zone 4"), 80, 90),
    (_l("Zone 5"), 90, 100),
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
            _l("Injury at or above T6 blunts the heart-rate response: effort is judged by RPE."),
        )
    if measured_max is None or measured_max < MIN_PLAUSIBLE_MAX:
        return EffortGuide(
            RPE_BANDS,
            (),
            _l("No maximum heart rate measured yet: effort is judged by RPE until one is."),
        )
    return EffortGuide(RPE_BANDS, hr_zones(measured_max), None)
