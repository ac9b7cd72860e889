"""Enrolling and changing participants: plain functions that flush, never commit.

Every function takes the acting user explicitly and writes the audit trail for what it changed.
Bad input raises ``ParticipantError`` (with per-field messages where a field is to blame); a form
built from an older version of the record raises ``core.edits.StaleEdit`` and changes nothing."""

from __future__ import annotations

from heartbeat.participants.services.cleaning import (
    DETAIL_FIELDS,
    EARLIEST_BIRTH,
    ParticipantError,
    clean_details,
    snapshot,
)
from heartbeat.participants.services.enrolment import (
    enrol,
    enrolment_consent_errors,
    update_details,
)
from heartbeat.participants.services.portal import find_for_invite, link_portal_user
from heartbeat.participants.services.records import (
    add_fitting,
    add_note,
    set_classification_checklist,
    set_consents,
)
from heartbeat.participants.services.status import TRANSITIONS, change_status

__all__ = [
    "DETAIL_FIELDS",
    "EARLIEST_BIRTH",
    "ParticipantError",
    "TRANSITIONS",
    "add_fitting",
    "add_note",
    "change_status",
    "clean_details",
    "enrol",
    "enrolment_consent_errors",
    "find_for_invite",
    "link_portal_user",
    "set_classification_checklist",
    "set_consents",
    "snapshot",
    "update_details",
]
