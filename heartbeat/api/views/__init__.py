"""The API's routes, one module per resource; importing this package adds them to ``api``."""

from heartbeat.api.views import (
    certificates,
    docs,
    fhir,
    me,
    measures,
    participants,
    plans,
    progress,
    sessions,
)

__all__ = [
    "certificates",
    "docs",
    "fhir",
    "me",
    "measures",
    "participants",
    "plans",
    "progress",
    "sessions",
]
