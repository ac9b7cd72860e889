"""The operator's centre list counts people who did something, not sign-ins (issue 14, item 16)."""

from __future__ import annotations

import re
from datetime import timedelta

from heartbeat.auth.models import User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training import services as training
from tests.helpers import signed_in
from tests.participants.conftest import Helpers
from tests.training.conftest import session_values


def _row(page: str, centre_name: str) -> dict[str, int]:
    row = re.search(
        rf'<th scope="row" data-label="Centre">{re.escape(centre_name)}</th>(.*?)</tr>', page, re.S
    )
    assert row, centre_name
    return {
        name: int(value) for name, value in re.findall(r'data-stat="(\w+)">(\d+)<', row.group(1))
    }


def test_active_counts_people_who_recorded_something_and_participants_who_trained(app, world):
    pid = Helpers(app).enrol(world.a)  # the therapist enrols (audited): one person acting
    with app.app_context():
        participant = db.session.get(Participant, pid)
        therapist = db.session.get(User, world.a.therapist.id)
        training.log_session(
            participant,
            actor=therapist,
            values=session_values(started_at=utcnow() - timedelta(days=3)),
        )
        db.session.commit()
    signed_in(app, world.b.therapist.email).get("/home")  # only signing in, at centre B
    operator = signed_in(app, world.operator.email)

    page = operator.get("/operator/centres").get_data(as_text=True)

    assert "People who recorded or changed something, last 30 days" in page
    assert "signing in alone does not count" in page
    a, b = _row(page, world.a.centre.name), _row(page, world.b.centre.name)
    assert a["acting"] == 1 and a["training"] == 1
    assert b["acting"] == 0 and b["training"] == 0
    assert a["accounts"] == b["accounts"] > 0


def test_the_list_asks_the_same_number_of_queries_however_many_centres(app, world, query_counter):
    from heartbeat.centres import services as centres

    operator = signed_in(app, world.operator.email)
    operator.get("/operator/centres")
    with query_counter() as two:
        assert operator.get("/operator/centres").status_code == 200
    with app.app_context():
        for number in range(6):
            centres.create_centre(name=f"Extra Centre {number}", slug="")
        db.session.commit()
    with query_counter() as eight:
        page = operator.get("/operator/centres").get_data(as_text=True)
    assert page.count('data-stat="acting"') == 8
    assert len(eight) == len(two)
