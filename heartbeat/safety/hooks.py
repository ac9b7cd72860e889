"""What safety adds to the packages below it: the red-flag list at the top of needs attention,
the alerts on the participant pages, and its entries in the audit trail."""

from __future__ import annotations

from heartbeat.safety import attention, auditing, panels


def register() -> None:
    auditing.register()
    attention.register()
    panels.register()
