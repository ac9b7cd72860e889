"""The overview's figures are stored, and never stale: every kind of change shows at once.

The overview reads one stored row computed from the whole history (``progress/overview.py``).
Each test below makes one kind of change through the app's own services or pages, exactly as a
person would, and checks that the very next page shows it. ``rebuild-summaries`` recomputes
every row from scratch and must agree with what the pages stored along the way.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants import erasure
from heartbeat.participants.models import Participant
from heartbeat.progress import reviews, stages
from heartbeat.progress.models import Award, LadderStage, ParticipantSummary
from heartbeat.progress.services import verify_awards
from heartbeat.training import services as training
from heartbeat.training.csv_import import import_sessions
from heartbeat.training.models import TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import session_values


def _overview(client, pid: int) -> str:
    page = client.get(f"/participants/{pid}")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    match = re.search(
        r'<section class="card progress-panel" id="progress-overview".*?</section>', text, re.S
    )
    assert match, "the overview has its progress card"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def _people(app, progress):
    participant = db.session.get(Participant, progress.pid)
    therapist = db.session.get(User, progress.world.a.therapist.id)
    return participant, therapist


def _log(app, progress, **values) -> int:
    with app.app_context():
        participant, therapist = _people(app, progress)
        session = training.log_session(
            participant,
            actor=therapist,
            values=session_values(started_at=utcnow() - timedelta(hours=2), **values),
        )
        db.session.commit()
        return session.id


def test_the_overview_reads_one_stored_row_until_something_changes(app, progress, query_counter):
    client = signed_in(app, progress.world.a.therapist.email)
    _log(app, progress, distance_m=1200)
    first = _overview(client, progress.pid)
    with app.app_context():
        stored = db.session.get(ParticipantSummary, progress.pid)
        assert stored is not None and stored.payload["km"]["this_week_text"] in first
        computed_at = stored.computed_at
    with query_counter() as statements:
        again = _overview(client, progress.pid)
    assert again == first
    # The ladder and the whole history are read only to compute the row, not to show it.
    assert not any("ladder_stage" in s for s in statements), "the summary was computed again"
    with app.app_context():
        assert db.session.get(ParticipantSummary, progress.pid).computed_at == computed_at


def test_each_language_keeps_its_own_figures_in_the_row(app, progress):
    """The figures hold words (a chart's title, "2.8 km to go"): a reader of another language
    gets them computed in theirs, kept beside the English, never the English ones."""
    _log(app, progress, distance_m=1200)
    english = signed_in(app, progress.world.a.therapist.email)
    _overview(english, progress.pid)
    with app.app_context():
        db.session.get(User, progress.world.a.admin.id).language = "es"
        db.session.commit()
    spanish = signed_in(app, progress.world.a.admin.email)
    assert spanish.get(f"/participants/{progress.pid}").status_code == 200
    with app.app_context():
        payload = db.session.get(ParticipantSummary, progress.pid).payload
        assert set(payload) == {"km", "km|es"}
    assert _overview(english, progress.pid) == _overview(english, progress.pid)


def test_a_session_added_edited_or_deleted_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    session_id = _log(app, progress, distance_m=1200)
    assert "1.2 km" in _overview(client, progress.pid)

    with app.app_context():
        participant, therapist = _people(app, progress)
        session = db.session.get(TrainingSession, session_id)
        training.update_session(
            session,
            participant,
            actor=therapist,
            values={"distance_m": 3400.0},
            expected_version=session.version,
        )
        db.session.commit()
    assert "3.4 km" in _overview(client, progress.pid)

    with app.app_context():
        participant, therapist = _people(app, progress)
        session = db.session.get(TrainingSession, session_id)
        training.delete_session(session, participant, actor=therapist)
        db.session.commit()
    assert "3.4 km" not in _overview(client, progress.pid)


def test_a_session_logged_through_the_page_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    before = _overview(client, progress.pid)
    now = utcnow()
    response = client.post(
        f"/participants/{progress.pid}/sessions/new",
        data={
            "date": now.date().isoformat(),
            "time": "00:05",
            "kind": "track",
            "distance": "2.5",
            "duration": "15:00",
            "rpe": "5",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    after = _overview(client, progress.pid)
    assert after != before and "2.5 km" in after


def test_an_import_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    before = _overview(client, progress.pid)
    day = (utcnow() - timedelta(days=1)).date().isoformat()
    body = (
        "participant_id,date,time,kind,distance,duration\n"
        f"{progress.pid},{day},09:00,track,4.4,25:00\n"
    )
    with app.app_context():
        participant, therapist = _people(app, progress)
        centre = db.session.get(Centre, participant.centre_id)
        import_sessions(body.encode(), centre=centre, actor=therapist, file_name="week.csv")
        db.session.commit()
    after = _overview(client, progress.pid)
    assert after != before


def test_verifying_or_withdrawing_an_award_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    _log(app, progress, distance_m=500)
    waiting = _overview(client, progress.pid)
    assert "to verify, review or date" in waiting
    with app.app_context():
        participant, therapist = _people(app, progress)
        awards = db.session.scalars(
            sa.select(Award).where(Award.participant_id == progress.pid)
        ).all()
        verify_awards(awards, actor=therapist)
        db.session.commit()
    verified = _overview(client, progress.pid)
    assert "to verify, review or date" not in verified

    # The evidence goes: the verified award is flagged for a person to decide, then withdrawn.
    with app.app_context():
        participant, therapist = _people(app, progress)
        for session in db.session.scalars(
            sa.select(TrainingSession).where(TrainingSession.participant_id == progress.pid)
        ).all():
            training.delete_session(session, participant, actor=therapist)
        db.session.commit()
    flagged = _overview(client, progress.pid)
    assert "to verify, review or date" in flagged
    with app.app_context():
        participant, therapist = _people(app, progress)
        for award in db.session.scalars(
            sa.select(Award).where(Award.participant_id == progress.pid, Award.needs_review)
        ).all():
            reviews.withdraw_award(award, participant, actor=therapist, reason="Logged in error")
        db.session.commit()
    assert "to verify, review or date" not in _overview(client, progress.pid)


def test_a_ladder_stage_reworded_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.therapist.email)
    _log(app, progress, distance_m=500)
    before = _overview(client, progress.pid)
    with app.app_context():
        admin = db.session.get(User, progress.world.a.admin.id)
        current = db.session.scalars(
            sa.select(LadderStage)
            .where(LadderStage.centre_id == progress.world.a.centre.id)
            .order_by(LadderStage.position)
        ).all()
        working_on = next(stage for stage in current if f"Working on {stage.title}" in before)
        stages.update_stage(
            working_on,
            actor=admin,
            title="The renamed rung",
            description=working_on.description,
            expected_version=working_on.version,
        )
        db.session.commit()
    assert "The renamed rung" in _overview(client, progress.pid)


def test_erasure_shows_at_once(app, progress):
    client = signed_in(app, progress.world.a.admin.email)
    _log(app, progress, distance_m=500)
    assert "Ada" in client.get(f"/participants/{progress.pid}").get_data(as_text=True)
    with app.app_context():
        participant = db.session.get(Participant, progress.pid)
        admin = db.session.get(User, progress.world.a.admin.id)
        erasure.erase(
            participant, actor=admin, confirm_name=participant.full_name, today=utcnow().date()
        )
        db.session.commit()
    page = client.get(f"/participants/{progress.pid}").get_data(as_text=True)
    assert "Erased participant" in page and "Lovelace" not in page


def test_rebuild_summaries_agrees_with_what_the_pages_stored(app, progress, runner):
    client = signed_in(app, progress.world.a.therapist.email)
    for distance in (500, 1500, 5200):
        _log(app, progress, distance_m=distance)
    _overview(client, progress.pid)
    with app.app_context():
        incremental = db.session.get(ParticipantSummary, progress.pid).payload
    result = runner.invoke(args=["rebuild-summaries"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the overview of" in result.output
    with app.app_context():
        db.session.expire_all()
        rebuilt = db.session.get(ParticipantSummary, progress.pid).payload
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(ParticipantSummary))
        participants = db.session.scalar(sa.select(sa.func.count()).select_from(Participant))
    assert rebuilt == incremental
    assert rows == participants
