"""An admin deletes a measure nobody has answered: the measure and its items go, and the trail
still names it."""

from __future__ import annotations

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.measures.models import Measure, MeasureItem
from tests.helpers import signed_in

FORM = {
    "title": "Sleep check",
    "instructions": "",
    "completed_by": "participant",
    "scale": "0-4",
    "scoring": "sum",
    "items": "Slept through\nWoke rested\n",
    "due_after_days": "",
    "overdue_after_days": "",
    "smallest_real_change": "",
}


def test_an_unanswered_measure_is_deleted_with_its_items(app, world):
    admin = signed_in(app, world.a.admin.email)
    assert admin.post("/centre/measures/new", data=FORM).status_code == 302
    with app.app_context():
        measure_id = db.session.scalar(sa.select(Measure.id).where(Measure.title == "Sleep check"))
    deleted = admin.post(f"/centre/measures/{measure_id}/delete")
    assert deleted.status_code == 302, deleted.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Measure, measure_id) is None
        items = sa.select(sa.func.count()).select_from(MeasureItem)
        assert db.session.scalar(items.where(MeasureItem.measure_id == measure_id)) == 0
    trail = admin.get("/audit").get_data(as_text=True)
    assert "Outcome measure: Sleep check (deleted)" in trail
