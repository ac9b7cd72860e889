"""What certificates add to the packages below it: their sections on the participant pages."""

from __future__ import annotations

from heartbeat.certificates import panels


def register() -> None:
    panels.register()
