"""The audit tests make participants the way the participant tests do."""

from tests.participants.conftest import helpers  # noqa: F401 - a fixture, re-exported
