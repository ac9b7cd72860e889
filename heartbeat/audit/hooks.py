"""What the audit trail knows of the packages below it (see ``audit.accounts``)."""

from __future__ import annotations

from heartbeat.audit import accounts


def register() -> None:
    accounts.register()
