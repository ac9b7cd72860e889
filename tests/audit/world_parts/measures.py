"""The outcome-measures part of the audit world: a centre's own measure defined, rescheduled,
answered and submitted, retired and restored; an unused one deleted."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.measures import services as measures
from heartbeat.measures.models import STAFF, MeasureItem
from heartbeat.measures.scoring import Scoring
from heartbeat.participants.models import Participant


def _definition(title: str) -> measures.Definition:
    return measures.Definition(
        title=title,
        instructions="Watch each skill once.",
        completed_by=STAFF,
        scale="ppf",
        scoring=Scoring.PERCENT,
        items=["Transfer into the racing chair", "Brake from full speed"],
        allow_not_done=True,
        higher_is_worse=False,
    )


def build_measures(world, pid: int) -> int:
    """Every measure action but deleting; returns the id of an unused measure to delete."""
    centre_id = world.a.centre.id
    admin = db.session.get(User, world.a.admin.id)
    therapist = db.session.get(User, world.a.therapist.id)
    ada = db.session.get(Participant, pid)
    measure = measures.define_measure(centre_id, _definition("Racing chair skills"), actor=admin)
    measures.update_schedule(
        measure,
        actor=admin,
        due_after_days=28,
        overdue_after_days=42,
        smallest_real_change=10.5,
        expected_version=measure.version,
    )
    items = db.session.scalars(
        sa.select(MeasureItem)
        .where(MeasureItem.measure_id == measure.id)
        .order_by(MeasureItem.position)
    ).all()
    response = measures.start_response(ada, measure, actor=therapist)
    measures.answer(response, items[0], "2", measure=measure, actor=therapist)
    measures.answer(response, items[1], "none", measure=measure, actor=therapist)
    measures.complete(
        response,
        measure=measure,
        items=items,
        actor=therapist,
        expected_version=response.version,
    )
    measures.retire_measure(measure, actor=admin)
    measures.retire_measure(measure, actor=admin, retire=False)
    unused = measures.define_measure(centre_id, _definition("Skills, draft"), actor=admin)
    db.session.commit()
    return unused.id


def delete_unused(admin_client, measure_id: int) -> None:
    """Deleted through the page, as an admin does."""
    deleted = admin_client.post(f"/centre/measures/{measure_id}/delete")
    assert deleted.status_code == 302, deleted.get_data(as_text=True)
