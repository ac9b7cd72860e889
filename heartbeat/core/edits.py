"""What every editing service shares: input refused field by field, and stale-edit conflicts.

A form is built from a record's ``version``; saving it after someone else saved the record is
refused and the person sees, field by field, what they typed against what is there now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class InputError(ValueError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""

    def __init__(self, message: str, field_errors: Mapping[str, str] | None = None):
        super().__init__(message)
        self.field_errors: dict[str, str] = dict(field_errors or {})


@dataclass(frozen=True)
class Conflict:
    """One field that differs between the stale form and the record as saved since."""

    field: str
    label: str
    yours: Any
    current: Any
