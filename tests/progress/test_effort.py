"""Effort that fits the body: RPE bands always; heart-rate zones only below T6 with a measured
maximum, and never, on any page that shows effort, for a participant at T6 or above."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.progress.rules.effort import effort_guide, hr_zones
from tests.helpers import signed_in
from tests.training.conftest import Training


def test_zones_are_shares_of_the_measured_maximum():
    zones = hr_zones(180)
    assert [(z.low_bpm, z.high_bpm) for z in zones] == [
        (90, 108),
        (108, 126),
        (126, 144),
        (144, 162),
        (162, 180),
    ]


@pytest.mark.parametrize(
    ("unreliable", "measured", "zones"),
    [
        (True, 180, False),
        (True, None, False),
        (False, None, False),
        (False, 85, False),
        (False, 180, True),
    ],
)
def test_zones_only_below_t6_with_a_measured_maximum(unreliable, measured, zones):
    guide = effort_guide(unreliable, measured)
    assert len(guide.rpe_bands) == 5  # RPE bands always
    assert bool(guide.hr_zones) is zones
    assert (guide.why_no_zones is None) is zones


@pytest.fixture
def training(app, world, starts_from, populated) -> Training:
    if starts_from == "training":
        return Training(app, world, populated.value("training"))
    return Training(app, world)


ZONE_WORDS = re.compile(r"Heart-rate zones|Zone [1-5]|% of max|Share of maximum", re.IGNORECASE)


def _set_level(app, participant_id: int, level: str) -> None:
    with app.app_context():
        db.session.execute(
            sa.update(Participant).where(Participant.id == participant_id).values(sci_level=level)
        )
        db.session.commit()


def _effort_pages(training: Training, session_id: int) -> list[str]:
    pid = training.pid
    return [
        f"/participants/{pid}",
        f"/participants/{pid}/sessions",
        f"/participants/{pid}/sessions/new",
        f"/participants/{pid}/progress",
        f"/participants/{pid}/measures",
        f"/sessions/{session_id}",
        f"/sessions/{session_id}/edit",
    ]


def test_no_page_that_shows_effort_gives_zones_at_t6_or_above(app, training):
    # T4 (the default record), with heart rate recorded up to 175: still no zones anywhere.
    session_id = training.add(avg_hr=140, max_hr=175, rpe=6)
    staff = signed_in(app, training.world.a.therapist.email)
    for path in _effort_pages(training, session_id):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert not ZONE_WORDS.search(response.get_data(as_text=True)), path
    page = staff.get(f"/participants/{training.pid}/progress").get_data(as_text=True)
    assert "Effort guide" in page and "effort is judged by RPE" in page

    training.link(training.pid, training.world.a.participant)
    training.allow_self_report(training.world.a)
    own = signed_in(app, training.world.a.participant.email)
    for path in ("/me", "/me/progress", "/me/sessions", "/me/sessions/new", "/me/measures"):
        response = own.get(path)
        assert response.status_code == 200, path
        assert not ZONE_WORDS.search(response.get_data(as_text=True)), path

    # The same person at T10, with the same measured maximum: zones from it.
    _set_level(app, training.pid, "T10")
    page = staff.get(f"/participants/{training.pid}/progress").get_data(as_text=True)
    assert "Heart-rate zones from the measured maximum of 175 bpm" in page
    assert "158–175" in page  # zone 5: 90-100 % of 175
