"""Skills a sign-off stage requires, checked against a participant's wheelchair skills checklist.

Pure: no Flask, no database. The rule (docs/clinical.md, "Skills tied to the ladder"):

* a required skill is **met** when its latest recorded score is *Pass*. "Latest" is the most
  recent answer that scored it, in a finished checklist or one still in progress (a skill scored
  as staff watched it is an observation either way); "Not tested" answers are skipped, so they
  never hide an earlier score;
* *Partial*, *Fail* or never scored is **not met**;
* unmet skills **warn, they do not block**: the sign-off page lists them and says so, and the
  sign-off records which were unmet in the audit trail. The therapist signing off is the
  evidence (they may have watched the skill that day without filling in the checklist).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

PASS = 2  # the "ppf" scale: 0 fail, 1 partial, 2 pass


def _l(text: str) -> str:
    """Marks text for translation and returns it unchanged: this module stays free of Flask; the
    sign-off page translates it when it prints it (``_(check.result)``)."""
    return text


RESULT_WORDS = {0: _l("Fail"), 1: _l("Partial"), 2: _l("Pass")}


@dataclass(frozen=True)
class Scored:
    """A skill's latest score: the value on the pass / partial / fail scale, and when."""

    value: int
    at: datetime


@dataclass(frozen=True)
class SkillCheck:
    item_id: int
    label: str
    latest: Scored | None

    @property
    def met(self) -> bool:
        return self.latest is not None and self.latest.value >= PASS

    @property
    def result(self) -> str:
        """ "Pass", "Partial", "Fail" or "Not scored yet"."""
        if self.latest is None:
            return _l("Not scored yet")
        return RESULT_WORDS.get(self.latest.value, str(self.latest.value))


def check_skills(
    required: Sequence[tuple[int, str]], latest: Mapping[int, Scored]
) -> list[SkillCheck]:
    """Each required skill (item id, label), in the order given, with its latest score."""
    return [SkillCheck(item_id, label, latest.get(item_id)) for item_id, label in required]


def unmet(checks: Sequence[SkillCheck]) -> list[SkillCheck]:
    return [check for check in checks if not check.met]


def skills_sentence(labels: Sequence[str]) -> str:
    """ "Skills required (wheelchair skills checklist): a; b." or "" when there are none."""
    if not labels:
        return ""
    return f"Skills required (wheelchair skills checklist): {'; '.join(labels)}."
