"""The kinds of session: the one definition, for the models, the rules and the device files.

A plain enum with no database or Flask behind it, so the pure packages (``devicefiles``,
``progress.rules``) can name kinds without importing the models; ``training.models`` re-exports
it, so ``from heartbeat.training.models import SessionKind`` is the usual way in.
"""

from __future__ import annotations

import enum


class SessionKind(enum.StrEnum):
    TRACK = "track"
    ROAD = "road"
    ROLLER = "roller"
    HANDCYCLE = "handcycle"
    SKILLS = "skills"  # steering, cornering, braking, starts: a short push, technique first
    STRENGTH = "strength"
    RACE = "race"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SessionKind.TRACK: "Track",
    SessionKind.ROAD: "Road",
    SessionKind.ROLLER: "Rollers / trainer",
    SessionKind.HANDCYCLE: "Hand-cycle",
    SessionKind.SKILLS: "Skills",
    SessionKind.STRENGTH: "Strength / conditioning",
    SessionKind.RACE: "Race",
}
