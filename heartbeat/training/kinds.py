"""The kinds of session: the one definition, for the models, the rules and the device files.

A plain enum with no database or Flask behind it, so the pure packages (``devicefiles``,
``progress.rules``) can name kinds without importing the models; ``training.models`` re-exports
it, so ``from heartbeat.training.models import SessionKind`` is the usual way in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable


def _l(text: str) -> str:
    """Marks a label for the catalogues (``make i18n-extract`` reads ``_l``); :data:`translate`
    reads it in the reader's language."""
    return text


#: Reads a label in the reader's language. The enum stands alone (no Flask), so the app sets it
#: (``training.models``: the app's gettext); on its own, as in the pure packages, a label is
#: English.
translate: Callable[[str], str] = _l


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
        return translate(_KIND_LABELS[self])

    @property
    def english_label(self) -> str:
        """The label in English, whatever the reader's language: the words a CSV file or a
        command may use for the kind."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SessionKind.TRACK: _l("Track"),
    SessionKind.ROAD: _l("Road"),
    SessionKind.ROLLER: _l("Rollers / trainer"),
    SessionKind.HANDCYCLE: _l("Hand-cycle"),
    SessionKind.SKILLS: _l("Skills"),
    SessionKind.STRENGTH: _l("Strength / conditioning"),
    SessionKind.RACE: _l("Race"),
}
