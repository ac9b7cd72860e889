"""What training adds to the packages below it: its sections on the participant pages, and its
entries in the audit trail."""

from __future__ import annotations

from heartbeat.core.events import connect
from heartbeat.core.i18n import _l
from heartbeat.participants.erasure import participant_erasing
from heartbeat.participants.sections import Section, register_portal_section, register_section
from heartbeat.training import auditing, own_export, panels, storage


def register() -> None:
    own_export.register()
    auditing.register()
    panels.register()
    register_section(Section("sessions", _l("Sessions"), "training.sessions", 20))
    register_portal_section(Section("sessions", _l("My sessions"), "training.my_sessions", 30))
    connect(participant_erasing, storage.forget_for_erasure)
