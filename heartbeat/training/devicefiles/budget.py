"""How much work one file may cause: a count of recorded points and a wall-clock allowance.

A crafted FIT file of 200,000 records once kept a request busy for most of a minute. The readers
call :meth:`ParseBudget.point` for every point they read and :meth:`ParseBudget.check` between
steps, so a file that holds too much, or is too slow to read, is refused part-way with a message
for the person who uploaded it, instead of running to the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from heartbeat.training.devicefiles.activity import ActivityFileError

#: A day at one point a second is 86,400 points; no session comes near this.
DEFAULT_MAX_RECORDS = 200_000
#: A two-hour session reads in well under a second.
DEFAULT_MAX_SECONDS = 10.0
#: Points between looks at the clock: reading the clock for every point would cost more.
_CLOCK_EVERY = 256

TOO_MANY_POINTS = (
    "This file holds more than {limit:,} recorded points, far more than one training session. "
    "Upload one session at a time; nothing was saved."
)
TOO_SLOW = (
    "Reading this file took longer than {limit:g} seconds, so it was stopped. It may be damaged "
    "or hold far more than one session; nothing was saved."
)


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """The most work one file may cause, as the installation sets it."""

    max_records: int = DEFAULT_MAX_RECORDS
    max_seconds: float = DEFAULT_MAX_SECONDS

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ParseLimits:
        """From the settings ``HEARTBEAT_DEVICE_MAX_RECORDS`` and ``HEARTBEAT_DEVICE_PARSE_SECONDS``
        (any mapping: the parser never sees Flask)."""
        return cls(
            max_records=int(config.get("HEARTBEAT_DEVICE_MAX_RECORDS", DEFAULT_MAX_RECORDS)),
            max_seconds=float(config.get("HEARTBEAT_DEVICE_PARSE_SECONDS", DEFAULT_MAX_SECONDS)),
        )


class BudgetExceeded(ActivityFileError):
    """The file needs more work than allowed; ``str(error)`` says which limit, for the uploader."""


@dataclass
class ParseBudget:
    """The limits for reading one file, and what has been spent of them so far."""

    limits: ParseLimits = field(default_factory=ParseLimits)
    clock: Callable[[], float] = time.monotonic
    points: int = field(default=0, init=False)
    steps: int = field(default=0, init=False)
    started: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def point(self) -> None:
        """Count one recorded point (a GPX or TCX track point, a FIT record)."""
        self.points += 1
        if self.points > self.limits.max_records:
            raise BudgetExceeded(TOO_MANY_POINTS, limit=self.limits.max_records)
        self.step()

    def step(self) -> None:
        """Count one piece of work of any kind (a FIT message, say); looks at the clock now
        and then, not every time."""
        self.steps += 1
        if self.steps % _CLOCK_EVERY == 0:
            self.check()

    def check(self) -> None:
        """Refuse the file once reading it has taken longer than allowed."""
        if self.clock() - self.started > self.limits.max_seconds:
            raise BudgetExceeded(TOO_SLOW, limit=self.limits.max_seconds)
