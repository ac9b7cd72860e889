"""Where participants stand on their centre's ladder, as the progress feature tells it.

The ladder belongs to ``progress``, a layer above this package, yet the caseload filters, sorts
and exports by each person's current stage, and a newcomer starts on the first one. Progress
provides a :class:`StageSource` when the app starts (``progress.hooks.register``); this package
asks it, and never imports progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol

import sqlalchemy as sa


@dataclass(frozen=True)
class Stage:
    id: int
    title: str
    position: int
    retired: bool


class StageSource(Protocol):
    def stages(self, centre_id: int) -> list[Stage]:
        """The centre's ladder in order, retired stages included (old awards point at them)."""
        ...

    def position(
        self, stage_id: sa.ColumnExpressionArgument[int | None]
    ) -> sa.ColumnElement[int | None]:
        """SQL for the position of the stage ``stage_id`` names (NULL for none)."""
        ...

    def first_stage_id(self, centre_id: int) -> int | None:
        """Where a newcomer stands: the lowest active stage (None without a ladder)."""
        ...

    def chair_signed_off(self, participant_id: int) -> datetime | None:
        """When a therapist signed off the stage that records a chair fitting ("Chair fitted")
        for them, or None: the chair panel and the ladder must tell the same story."""
        ...


_PROVIDED: list[StageSource] = []


def provide(source: StageSource) -> None:
    _PROVIDED[:] = [source]


def source() -> StageSource:
    if not _PROVIDED:
        raise RuntimeError("no ladder stages provided: create_app registers the progress feature")
    return _PROVIDED[0]


def chair_signed_off_on(participant_id: int, tz: tzinfo) -> date | None:
    """The day "Chair fitted" was signed off for them, in ``tz``, or None."""
    at = source().chair_signed_off(participant_id)
    return at.astimezone(tz).date() if at is not None else None


def titles(centre_id: int) -> dict[int | None, str]:
    """Each stage's title by its id (a participant with no current stage, None, finds none)."""
    return {stage.id: stage.title for stage in source().stages(centre_id)}
