"""Reconciling stored awards with what the rules reach now, for stages and clubs alike."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

K = TypeVar("K", bound=Hashable)
E = TypeVar("E")

ReviewReason = Literal["evidence_vanished", "evidence_changed"]


@dataclass(frozen=True)
class ReviewFlag(Generic[K, E]):
    """A verified award the rules no longer agree with; a person decides, the code never does."""

    key: K
    reason: ReviewReason
    current: E
    reached: E | None  # None when nothing reaches the award any more


@dataclass(frozen=True)
class AwardChanges(Generic[K, E]):
    """What to do to the stored awards so they match what the rules reach.

    ``add``: new awards with their evidence. ``update``: unverified awards whose evidence moved
    (another session, or a corrected time) - rewrite the evidence, keep the award. ``withdraw``:
    unverified awards nothing reaches any more. ``flag_for_review``: verified awards the rules
    disagree with; they are never changed automatically, and stay flagged while the
    disagreement lasts (store the flag and notify once, rather than on every run).
    """

    add: dict[K, E] = field(default_factory=dict)
    update: dict[K, E] = field(default_factory=dict)
    withdraw: list[K] = field(default_factory=list)
    flag_for_review: list[ReviewFlag[K, E]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """True when the stored awards need no change (flags are a state, not a change)."""
        return not (self.add or self.update or self.withdraw)


def diff_awards(
    current: Mapping[K, E],
    reached: Mapping[K, E],
    verified_keys: Collection[K],
    retired_keys: Collection[K] = frozenset(),
) -> AwardChanges[K, E]:
    """Reconcile stored awards (``current``) with what the rules reach now.

    Idempotent: applying the changes (``apply_changes``) and diffing again gives an empty
    result. Awards under ``retired_keys`` (retired stages) stand untouched and are never added.
    """
    changes: AwardChanges[K, E] = AwardChanges()
    for key, evidence in reached.items():
        if key in retired_keys:
            continue
        if key not in current:
            changes.add[key] = evidence
        elif current[key] != evidence:
            if key in verified_keys:
                changes.flag_for_review.append(
                    ReviewFlag(key, "evidence_changed", current[key], evidence)
                )
            else:
                changes.update[key] = evidence
    for key, evidence in current.items():
        if key in reached or key in retired_keys:
            continue
        if key in verified_keys:
            changes.flag_for_review.append(ReviewFlag(key, "evidence_vanished", evidence, None))
        else:
            changes.withdraw.append(key)
    return changes


def apply_changes(current: Mapping[K, E], changes: AwardChanges[K, E]) -> dict[K, E]:
    """The awards after applying ``changes`` (flags change nothing)."""
    result = dict(current)
    result.update(changes.add)
    result.update(changes.update)
    for key in changes.withdraw:
        result.pop(key, None)
    return result
