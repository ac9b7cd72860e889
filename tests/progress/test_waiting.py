"""What a self-reported session counts for, once, everywhere (issue 14 item 3).

After the participant logged 12.4 km their page said "This week 0 km" and "Log a session this
week to start a streak", while "sessions in the last 4 weeks" went up. The rule
(``progress.rules``, "What counts"): activity (this week, the weekly chart, the streak, recent
effort) counts every session logged in the programme, and says what is waiting; records
(Heartbeat Miles, clubs, bests, stages) count confirmed sessions only, and say what is waiting.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training.models import TrainingSession
from heartbeat.training.services import verify_sessions
from tests.helpers import signed_in


def _this_week() -> datetime:
    """A moment surely in this ISO week at the centre (London), and already past."""
    now = utcnow()
    local = now.astimezone(ZoneInfo("Europe/London"))
    monday = (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return now - (now - monday) / 2


def _page(client, url: str) -> str:
    return " ".join(html.unescape(client.get(url).get_data(as_text=True)).split())


def _self_report(progress, distance_m=12_400.0):
    return progress.session(
        distance_m=distance_m,
        at=_this_week(),
        moving_time_s=3600,
        self_reported=True,
        source="self_report",
    )


def test_the_participant_sees_their_own_session_counted_and_marked_as_waiting(app, progress):
    _self_report(progress)
    progress.evaluate()
    page = _page(signed_in(app, progress.world.a.participant.email), "/me/progress")
    assert "<dt>This week</dt><dd>12.4 km, waiting for your therapist to confirm</dd>" in page
    assert "1 week in a row with a session" in page
    assert "Log a session this week to start a streak" not in page
    assert "12.4 km more is waiting for your therapist to confirm" in page
    assert "0 mi" in page  # Heartbeat Miles: confirmed sessions only
    assert re.search(
        r"Sessions in the last 4 weeks</dt><dd>1, 1 of them waiting for a therapist to confirm",
        page,
    )
    assert "waiting for a therapist to confirm" in page  # the weekly chart says it too


def test_staff_see_the_same_numbers_with_what_waits_for_verification(app, progress):
    progress.session(distance_m=3000, at=_this_week())
    _self_report(progress)
    progress.evaluate()
    page = _page(
        signed_in(app, progress.world.a.therapist.email), f"/participants/{progress.pid}/progress"
    )
    assert '15.4 km</dd><dd class="muted">12.4 km of it waiting for verification' in page
    assert "plus 12.4 km waiting for verification" in page
    assert "1 waiting for verification" in page


def test_once_verified_the_session_joins_the_records(app, progress):
    session_id = _self_report(progress)
    progress.evaluate()
    with app.app_context():
        therapist = db.session.get(User, progress.world.a.therapist.id)
        session = db.session.get(TrainingSession, session_id)
        participant = db.session.get(Participant, progress.pid)
        verify_sessions([session], {participant.id: participant}, actor=therapist)
        db.session.commit()
    page = _page(signed_in(app, progress.world.a.participant.email), "/me/progress")
    assert "<dt>This week</dt><dd>12.4 km</dd>" in page
    assert "waiting for your therapist to confirm" not in page
    assert "7.7 mi" in page
