"""The audit tests make participants and certificates the way those features' tests do."""

from tests.certificates.conftest import certs  # noqa: F401 - a fixture, re-exported
from tests.participants.conftest import helpers  # noqa: F401 - a fixture, re-exported
