"""Outcome measures and training plans through the API: a participant's completed responses with
totals and answers, and their current plan week by week with compliance; read only, with the
web pages' permissions; bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.measures.instruments import SKILLS_CODE, WUSPI_CODE
from heartbeat.plans.models import Plan, PlannedSession
from heartbeat.training.models import SessionKind, SessionSource, TrainingSession
from tests.api.conftest import bearer
from tests.api.test_fhir_measures import _complete
from tests.conftest import count_queries
from tests.security.world import PLAN_STARTS, UNAVAILABLE_DAY

WHEN = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)


def _get(app, tokens, url: str, role: str = "therapist"):
    return app.test_client().get("/api/v1" + url, headers=bearer(tokens.of(role)))


def test_completed_responses_with_totals_and_answers(app, world, tokens):
    p1 = world.a.records["p1"].participant_id
    # The world's open WUSPI is not listed until it is submitted.
    assert _get(app, tokens, f"/participants/{p1}/measures").get_json()["items"] == []
    wuspi_id = _complete(app, world, "p1", WUSPI_CODE, ["4", "none"] + ["1"] * 13, WHEN)
    skills_id = _complete(app, world, "p1", SKILLS_CODE, ["2"] * 16, WHEN + timedelta(days=2))
    for role in ("therapist", "admin_read", "participant"):
        body = _get(app, tokens, f"/participants/{p1}/measures", role).get_json()
        skills, wuspi = body["items"]  # latest first
        assert (skills["id"], wuspi["id"]) == (skills_id, wuspi_id)
    assert body["next_cursor"] is None
    assert wuspi["measure_code"] == WUSPI_CODE and wuspi["scoring"] == "sum"
    assert wuspi["total"] == round(17 * 15 / 14, 1)
    assert wuspi["on_behalf"] is True  # the therapist filled in the participant's own
    assert wuspi["answers"][0] == {
        "position": 1,
        "label": "Transfer from bed to wheelchair",
        "value": 4,
        "words": "",
        "not_done": False,
    }
    assert wuspi["answers"][1]["not_done"] is True and wuspi["answers"][1]["value"] is None
    assert skills["total"] == 100.0 and skills["answers"][0]["words"] == "Pass"

    only = _get(
        app, tokens, f"/participants/{p1}/measures?measure_id={skills['measure_id']}"
    ).get_json()
    assert [item["id"] for item in only["items"]] == [skills_id]
    first = _get(app, tokens, f"/participants/{p1}/measures?limit=1").get_json()
    assert [item["id"] for item in first["items"]] == [skills_id]
    rest = _get(
        app, tokens, f"/participants/{p1}/measures?limit=1&cursor={first['next_cursor']}"
    ).get_json()
    assert [item["id"] for item in rest["items"]] == [wuspi_id]
    assert rest["next_cursor"] is None


def test_measure_queries_do_not_grow_with_the_responses(app, world, tokens):
    url = f"/api/v1/participants/{world.a.records['p2'].participant_id}/measures?limit=100"
    client = app.test_client()

    def measured() -> tuple[int, int]:
        with count_queries(app) as statements:
            response = client.get(url, headers=bearer(tokens.admin))
        assert response.status_code == 200
        return len(statements), len(response.get_json()["items"])

    measured()
    _complete(app, world, "p2", WUSPI_CODE, ["1"] * 15, WHEN)
    few, count = measured()
    assert count == 1
    for week in range(1, 5):
        _complete(app, world, "p2", WUSPI_CODE, ["2"] * 15, WHEN + timedelta(weeks=week))
        _complete(app, world, "p2", SKILLS_CODE, ["0"] * 16, WHEN + timedelta(weeks=week))
    many, count = measured()
    assert count == 9
    assert many == few


def test_the_current_plan_week_by_week(app, world, tokens):
    record = world.a.records["p1"]
    with app.app_context():
        plan = db.session.get(Plan, record.plan_id)
        planned = db.session.scalars(
            sa.select(PlannedSession)
            .where(PlannedSession.plan_id == plan.id)
            .order_by(PlannedSession.on, PlannedSession.id)
        ).all()
        name, week_count = plan.name, plan.weeks
        first_planned = planned[0]
        first_id, first_on = first_planned.id, first_planned.on
    for role in ("therapist", "therapist_read", "participant"):
        response = _get(app, tokens, f"/participants/{record.participant_id}/plan", role)
        assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["id"], body["name"], body["week_count"]) == (record.plan_id, name, week_count)
    assert body["starts_on"] == PLAN_STARTS.isoformat()
    assert len(body["weeks"]) == week_count
    week1 = body["weeks"][0]
    assert week1["first"] == PLAN_STARTS.isoformat()
    assert UNAVAILABLE_DAY.isoformat() in week1["unavailable"]
    listed = [p["id"] for week in body["weeks"] for p in week["planned"]]
    assert listed == [p.id for p in planned]
    row = week1["planned"][0]
    assert (row["id"], row["on"]) == (first_id, first_on.isoformat())
    assert row["unavailable"] is (first_on == UNAVAILABLE_DAY)


def test_a_session_done_as_planned_counts_in_compliance(app, world, tokens):
    record = world.a.records["p2"]
    url = f"/api/v1/participants/{record.participant_id}/plan"
    client = app.test_client()

    def counted() -> int:
        with count_queries(app) as statements:
            assert client.get(url, headers=bearer(tokens.admin)).status_code == 200
        return len(statements)

    counted()  # the token's last use is recorded now, not inside the counts
    few = counted()
    with app.app_context():
        planned = db.session.scalar(
            sa.select(PlannedSession).where(PlannedSession.id == record.planned_id)
        )
        session = TrainingSession(
            centre_id=world.a.centre_id,
            participant_id=record.participant_id,
            started_at=datetime.combine(planned.on, datetime.min.time(), tzinfo=UTC)
            + timedelta(hours=10),
            kind=planned.kind,
            distance_m=(planned.target_distance_m or 5000.0) * 2,
            moving_time_s=(planned.target_duration_s or 1800) * 2,
            source=SessionSource.STAFF,
        )
        db.session.add(session)
        db.session.add_all(  # more sessions in the plan's weeks: the same queries
            TrainingSession(
                centre_id=world.a.centre_id,
                participant_id=record.participant_id,
                started_at=datetime.combine(PLAN_STARTS, datetime.min.time(), tzinfo=UTC)
                + timedelta(days=day, hours=18),
                kind=SessionKind.TRACK,
                distance_m=800.0,
                moving_time_s=300,
                source=SessionSource.STAFF,
            )
            for day in range(12)
        )
        db.session.commit()
        session_id, kind = session.id, planned.kind
    assert counted() == few
    body = _get(app, tokens, f"/participants/{record.participant_id}/plan").get_json()
    week1 = body["weeks"][0]
    [row] = [p for p in week1["planned"] if p["id"] == record.planned_id]
    assert row["done_session_id"] == session_id
    assert week1["compliance_percent"] is not None and week1["compliance_percent"] > 0
    assert week1["band"] in ("on-plan", "partly", "off-plan")
    assert SessionKind(row["kind"]) == kind


def test_no_plan_is_a_problem_404(app, world, tokens):
    newcomer = world.a.newcomer_id
    response = _get(app, tokens, f"/participants/{newcomer}/plan")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "no training plan" in response.get_json()["detail"]


def test_the_document_describes_them(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    measures = spec["paths"]["/api/v1/participants/{participant_id}/measures"]["get"]
    plan = spec["paths"]["/api/v1/participants/{participant_id}/plan"]["get"]
    assert measures["operationId"] == "listMeasureResponses"
    assert plan["operationId"] == "getParticipantPlan"
    schemas = spec["components"]["schemas"]
    assert {"MeasureResponse", "MeasureResponsePage", "Plan", "PlanWeek", "PlannedSession"} <= set(
        schemas
    )
