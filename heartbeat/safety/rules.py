"""Pure rules about autonomic dysreflexia: who is at risk, the symptoms, the default guidance.

No database, no request (the words are marked for translation and read lazily). The app
does not diagnose: it asks, shows the centre's guidance and makes sure a person on the team
reads the answer. Sources: docs/clinical.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, _l, speaking
from heartbeat.participants.rules import heart_rate_unreliable

# The short checklist offered on the session form (key: label). The order is the form's.
SYMPTOMS: dict[str, str] = {
    "headache": _l("Pounding headache"),
    "flushing": _l("Flushing or sweating above the injury level"),
    "vision": _l("Blurred vision or spots in front of the eyes"),
    "nose": _l("Stuffy (blocked) nose"),
    "slow_pulse": _l("Slow pulse"),
    "goosebumps": _l("Goosebumps"),
    "anxiety": _l("Feeling anxious or that something is wrong"),
}

# Written for Heartbeat Miles from the published first-aid steps (docs/clinical.md); each centre's
# clinical lead may replace it with their own. Read in the reader's language; the database and the
# audit trail hold it in English (``stored_guidance``), and a stored English default reads as the
# default in every language (``shown_guidance``).
DEFAULT_GUIDANCE = _l(
    """\
These can be signs of autonomic dysreflexia, a sudden rise in blood pressure that can be \
dangerous. Act now; do not carry on training.

1. Sit up straight (or help the person sit up) and lower their legs.
2. Loosen anything tight: strapping, abdominal binder, clothing, shoes, leg-bag straps.
3. Look for the cause: a full bladder or kinked catheter first, then the bowel, then pressure \
on the skin (the seat, straps, a sore, sunburn, an ingrown nail).
4. Measure blood pressure if you can, every few minutes.
5. If the symptoms do not settle quickly, or blood pressure stays high, call the emergency \
number and say "autonomic dysreflexia". Show the person's autonomic dysreflexia card if they \
carry one.
6. Tell the team; they will follow this up."""
)

GUIDANCE_MAX = 4000


class Injured(Protocol):
    @property
    def hr_unreliable(self) -> bool: ...


def level_at_risk(impairment_is_sci: bool, sci_level: str | None) -> bool:
    """Spinal-cord injury at or above T6: the people the checklist is for."""
    return impairment_is_sci and heart_rate_unreliable(sci_level)


def at_risk(participant: Injured) -> bool:
    """The participant record says spinal-cord injury at or above T6 (the same rule as heart
    rate's: ``Participant.hr_unreliable``)."""
    return bool(participant.hr_unreliable)


def clean_symptoms(keys: Iterable[str]) -> list[str]:
    """Known symptom keys, once each, in the checklist's order; ValueError for an unknown key."""
    chosen = set(keys)
    unknown = chosen - set(SYMPTOMS)
    if unknown:
        raise ValueError(_("Choose symptoms from the list."))
    return [key for key in SYMPTOMS if key in chosen]


def symptom_labels(keys: Iterable[str]) -> list[str]:
    """The symptoms' words in the reader's language (an unknown key as it is)."""
    return [str(SYMPTOMS[key]) if key in SYMPTOMS else key for key in keys]


def english_default_guidance() -> str:
    """The default wording as the database and the audit trail hold it."""
    with speaking(DEFAULT_LANGUAGE):
        return str(DEFAULT_GUIDANCE)


def shown_guidance(stored: str | None) -> str:
    """What a person reads: the centre's own wording, else the default in their language (a
    stored copy of the English default is the default too)."""
    if stored is None or stored == english_default_guidance():
        return str(DEFAULT_GUIDANCE)
    return stored


def stored_guidance(text: str) -> str:
    """What is saved for ``text`` from the form: empty, or the default as the reader read it, is
    the default in English."""
    if not text or text == str(DEFAULT_GUIDANCE):
        return english_default_guidance()
    return text
