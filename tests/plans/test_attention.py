"""Needs attention (missed two planned sessions in a row, two weeks under 50%) and the
dashboard's compliance."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from heartbeat.extensions import db
from heartbeat.participants import attention
from heartbeat.participants.models import Participant
from heartbeat.plans.services.caseload import centre_compliance
from heartbeat.training.models import SessionKind
from tests.helpers import signed_in

LONDON = ZoneInfo("Europe/London")


def _monday_weeks_ago(weeks: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks)


def test_missed_and_low_weeks_reach_the_caseload_panel(app, plans, world, query_counter):
    plans.assign(starts_on=_monday_weeks_ago(3))  # nothing done: both lists
    start = _monday_weeks_ago(3)
    plans.assign(plans.other_pid, starts_on=start)
    for planned in plans.planned(_plan_of(app, plans.other_pid)):
        if planned.on < date.today():
            plans.log(
                planned.on,
                planned.kind,
                participant_id=plans.other_pid,
                distance_m=planned.target_distance_m or 0,
                moving_time_s=planned.target_duration_s or 600,
            )
    with app.app_context():
        found = attention.needs_attention(
            [],
            centre_id=world.a.centre.id,
            now=_now(),
            today=date.today(),
            tz=LONDON,
        )
        missed = found["plan-missed"]
        low = found["plan-low"]
        assert [item.participant_id for item in missed.items] == [plans.pid]
        assert [item.participant_id for item in low.items] == [plans.pid]
        assert low.items[0].facts["percents"] == [0, 0]
        board = centre_compliance(world.a.centre.id, LONDON, date.today())
        assert board.people == 2 and board.on_plan == 1 and board.off_plan == 1
    therapist = signed_in(app, world.a.therapist)
    page = therapist.get("/participants")
    assert b"Missed two planned sessions in a row" in page.data
    assert b"Compliance under 50% for two weeks" in page.data
    admin = signed_in(app, world.a.admin)
    dashboard = admin.get("/dashboard")
    assert b"Training plans: last finished week" in dashboard.data
    assert b"1 on plan" in dashboard.data


def _plan_of(app, participant_id):
    import sqlalchemy as sa

    from heartbeat.plans.models import Plan

    with app.app_context():
        return db.session.scalar(sa.select(Plan.id).where(Plan.participant_id == participant_id))


def _now():
    from heartbeat.db import utcnow

    return utcnow()


def test_the_lists_stay_bounded_in_queries(app, plans, world, query_counter):
    for n in range(3):
        pid = plans.enrol(world.a, given_name=f"Q{n}", family_name="Quiet")
        plans.assign(pid, starts_on=_monday_weeks_ago(2))
    with app.app_context():
        db.session.get(Participant, plans.pid)
        with query_counter() as few:
            attention.needs_attention(
                [], centre_id=world.a.centre.id, now=_now(), today=date.today(), tz=LONDON
            )
    for n in range(5):
        pid = plans.enrol(world.a, given_name=f"R{n}", family_name="Quiet")
        plans.assign(pid, starts_on=_monday_weeks_ago(2))
        plans.log(_monday_weeks_ago(1), SessionKind.TRACK, participant_id=pid)
    with app.app_context():
        with query_counter() as more:
            attention.needs_attention(
                [], centre_id=world.a.centre.id, now=_now(), today=date.today(), tz=LONDON
            )

    def real(statements):
        return [s for s in statements if not s.startswith("BEGIN")]

    assert len(real(more)) == len(real(few)) <= 30
