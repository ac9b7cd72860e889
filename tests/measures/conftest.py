"""Outcome-measure tests build on the safety/training helpers."""

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
def staff(app, training: Training):
    return signed_in(app, training.world.a.therapist.email)


@pytest.fixture
def pat(app, training: Training):
    training.link(training.pid, training.world.a.participant)
    return signed_in(app, training.world.a.participant.email)
