"""Participant pages: the caseload, enrolment, the record in sections and its forms, imports
and exports, data rights (subject access, erasure), and the participant's own page.

Each module adds its routes to the one ``participants`` blueprint (``participants.blueprint``).
"""

from heartbeat.participants.blueprint import bp
from heartbeat.participants.views import (
    caseload,
    classification,
    own_data,
    portal,
    privacy,
    profile,
    records,
    transfer,
)

__all__ = [
    "bp",
    "caseload",
    "classification",
    "own_data",
    "portal",
    "privacy",
    "profile",
    "records",
    "transfer",
]
