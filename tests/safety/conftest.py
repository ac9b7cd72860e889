"""The safety tests build on the training helpers: two centres, a ladder, three participants
(the first two at T4, so the autonomic dysreflexia checklist applies)."""

from __future__ import annotations

import pytest

from tests.helpers import signed_in
from tests.training.conftest import Training


@pytest.fixture
def training(app, world, starts_from, populated) -> Training:
    if starts_from == "training":
        return Training(app, world, populated.value("training"))
    return Training(app, world)


@pytest.fixture
def staff(app, training: Training):  # noqa: F811  (the fixture imported above)
    return signed_in(app, training.world.a.therapist.email)


@pytest.fixture
def pat(app, training: Training):  # noqa: F811
    """Participant A's own login, linked to their record, with self-reporting allowed."""
    training.link(training.pid, training.world.a.participant)
    training.allow_self_report(training.world.a)
    return signed_in(app, training.world.a.participant.email)
