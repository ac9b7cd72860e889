"""What training adds to the packages below it: its sections on the participant pages."""

from __future__ import annotations

from heartbeat.training import panels


def register() -> None:
    panels.register()
