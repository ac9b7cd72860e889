"""Pages and panels run a fixed number of queries, however many sessions a participant has."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training.models import SessionSource
from heartbeat.training.panels import portal_panel
from tests.helpers import signed_in


def _page_queries(app, query_counter, client, url: str) -> int:
    # Once first: the overview stores what it computes from the history, then reads it back.
    assert client.get(url).status_code == 200, url
    with query_counter() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize(
    "url",
    [
        "/participants/{pid}/sessions",
        "/participants/{pid}",
        "/participants/{pid}/progress",
        "/participants/{pid}/records",
        "/participants/{pid}/certificates",
    ],
)
def test_list_and_profile_queries_do_not_grow_with_sessions(app, training, query_counter, url):
    staff = signed_in(app, training.world.a.therapist.email)
    training.add_many(3)
    training.add_many(2, source=SessionSource.SELF_REPORT, self_reported=True)
    few = _page_queries(app, query_counter, staff, url.format(pid=training.pid))
    training.add_many(300)
    training.add_many(40, source=SessionSource.SELF_REPORT, self_reported=True)
    many = _page_queries(app, query_counter, staff, url.format(pid=training.pid))
    assert many == few


def test_the_waiting_list_queries_do_not_grow(app, training, query_counter):
    staff = signed_in(app, training.world.a.therapist.email)
    training.add_many(3, source=SessionSource.SELF_REPORT, self_reported=True)
    few = _page_queries(app, query_counter, staff, "/sessions/waiting")
    training.add_many(120, training.other_pid, source=SessionSource.SELF_REPORT, self_reported=True)
    many = _page_queries(app, query_counter, staff, "/sessions/waiting")
    assert many == few


def _panel_queries(app, query_counter, build, participant_id: int, viewer_id: int) -> int:
    with app.test_request_context("/"):
        participant = db.session.get(Participant, participant_id)
        viewer = db.session.scalars(
            sa.select(User).options(sa.orm.joinedload(User.centre)).where(User.id == viewer_id)
        ).one()
        with query_counter() as statements:
            context = build(participant=participant, viewer=viewer)
        db.session.remove()
    assert context is not None
    return len(statements)


def test_the_portal_panel_runs_one_query(app, training, query_counter):
    training.link(training.pid, training.world.a.participant)
    training.add_many(300)
    viewer = training.world.a.participant.id
    assert _panel_queries(app, query_counter, portal_panel, training.pid, viewer) == 1
