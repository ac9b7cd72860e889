from __future__ import annotations

import pytest

from tests.auth.helpers import Rows


@pytest.fixture
def rows(app) -> Rows:
    return Rows(app)
