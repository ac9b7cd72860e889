"""Pure rules about participants: no Flask, no database."""

from __future__ import annotations

import re

# Spinal-cord segments from the top down. An injury "at or above" a segment is one whose index
# here is lower or equal.
SCI_LEVELS: tuple[str, ...] = (
    *(f"C{n}" for n in range(1, 9)),
    *(f"T{n}" for n in range(1, 13)),
    *(f"L{n}" for n in range(1, 6)),
    *(f"S{n}" for n in range(1, 6)),
)
_SCI_INDEX = {level: index for index, level in enumerate(SCI_LEVELS)}
_SCI_PATTERN = re.compile(r"^\s*([CTLSctls])\s*-?\s*(\d{1,2})\s*$")

# Sympathetic supply to the heart leaves the cord at T1-T5: from T6 upwards, heart rate is blunted.
HR_UNRELIABLE_AT_OR_ABOVE = "T6"


def normalise_sci_level(raw: str | None) -> str | None:
    """``"t 6"`` -> ``"T6"``; None for empty input; ValueError for something that is no level."""
    if raw is None or not raw.strip():
        return None
    match = _SCI_PATTERN.match(raw)
    level = f"{match.group(1).upper()}{int(match.group(2))}" if match else None
    if level not in _SCI_INDEX:
        raise ValueError(
            "Enter a spinal-cord level such as C6, T4, L1 or S2 (C1-C8, T1-T12, L1-L5, S1-S5)."
        )
    return level


def heart_rate_unreliable(sci_level: str | None) -> bool:
    """True when an injury at this level blunts the heart-rate response (at or above T6)."""
    if not sci_level or sci_level not in _SCI_INDEX:
        return False
    return _SCI_INDEX[sci_level] <= _SCI_INDEX[HR_UNRELIABLE_AT_OR_ABOVE]
