"""What training adds to the packages below it: its sections on the participant pages, and its
entries in the audit trail."""

from __future__ import annotations

from heartbeat.training import auditing, panels


def register() -> None:
    auditing.register()
    panels.register()
