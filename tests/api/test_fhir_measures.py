"""Outcome measures in the FHIR export: a QuestionnaireResponse per completed response, validated
with ``fhir.resources`` (R4B models), nothing for one still open, and queries that do not grow
with the number of responses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.extensions import db
from heartbeat.measures import queries as measure_queries
from heartbeat.measures import services as measure_services
from heartbeat.measures.instruments import SKILLS_CODE, WUSPI_CODE
from heartbeat.measures.models import Measure
from heartbeat.participants.models import Participant
from tests.api.conftest import bearer
from tests.api.test_fhir import validated
from tests.conftest import count_queries

WHEN = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)


def _complete(app, world, whose: str, code: str, raws: list[str], when: datetime) -> int:
    """A response to the centre's measure ``code``, answered with ``raws`` and submitted."""
    with app.app_context():
        actor = db.session.get(User, world.a.therapist_id)
        participant = db.session.get(Participant, world.a.records[whose].participant_id)
        measure = db.session.scalar(
            sa.select(Measure).where(Measure.centre_id == world.a.centre_id, Measure.code == code)
        )
        items = measure_queries.items_of(measure.id)
        response = measure_services.start_response(participant, measure, actor=actor, now=when)
        for item, raw in zip(items, raws, strict=True):
            measure_services.answer(response, item, raw, measure=measure, actor=actor, now=when)
        measure_services.complete(
            response,
            measure=measure,
            items=items,
            actor=actor,
            expected_version=response.version,
            now=when,
        )
        db.session.commit()
        return response.id


def _bundle(app, world, tokens, whose: str) -> dict:
    url = f"/api/v1/participants/{world.a.records[whose].participant_id}/fhir"
    response = app.test_client().get(url, headers=bearer(tokens.therapist))
    assert response.status_code == 200
    return response.get_json(force=True)


def _responses(document: dict) -> list[dict]:
    return [
        entry["resource"]
        for entry in document["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    ]


def test_an_open_response_is_not_exported(app, world, tokens):
    # The world started a WUSPI for every participant and submitted none.
    document = _bundle(app, world, tokens, "p1")
    validated(document)
    assert _responses(document) == []


def test_a_completed_wuspi_and_skills_checklist_validate(app, world, tokens):
    wuspi_raws = ["3", "none"] + ["2"] * 13  # one activity not done this week
    wuspi_id = _complete(app, world, "p1", WUSPI_CODE, wuspi_raws, WHEN)
    skills_raws = ["2", "1", "0", "none"] + ["2"] * 12
    skills_id = _complete(app, world, "p1", SKILLS_CODE, skills_raws, WHEN + timedelta(days=1))

    document = _bundle(app, world, tokens, "p1")
    validated(document)
    wuspi, skills = _responses(document)
    patient_url = document["entry"][0]["fullUrl"]
    with app.app_context():
        measure_ids = dict(
            db.session.execute(
                sa.select(Measure.code, Measure.id).where(Measure.centre_id == world.a.centre_id)
            ).all()
        )

    assert wuspi["status"] == "completed"
    assert wuspi["identifier"]["value"] == str(wuspi_id)
    assert wuspi["authored"] == "2026-04-20T10:00:00Z"
    assert wuspi["subject"]["reference"] == patient_url
    assert wuspi["questionnaire"].endswith(f"/fhir/Questionnaire/{measure_ids[WUSPI_CODE]}")
    assert wuspi["questionnaire"].startswith("http")
    assert len(wuspi["item"]) == 15
    first, second = wuspi["item"][:2]
    assert first["linkId"] == "1" and first["text"] == "Transfer from bed to wheelchair"
    assert first["answer"] == [{"valueInteger": 3}]
    assert second["answer"][0]["valueCoding"]["code"] == "not-done"
    assert second["answer"][0]["valueCoding"]["display"] == "Did not do this"
    # 3 + 13 x 2 = 29 over 14 answered, corrected to 15 items: 31.1
    [total] = wuspi["extension"]
    assert total["url"].endswith("/fhir/StructureDefinition/measure-total")
    assert total["valueQuantity"]["value"] == 31.1
    assert total["valueQuantity"]["code"] == "{score}"
    # Completed by a therapist on the participant's behalf: the patient is not its source.
    assert "source" not in wuspi

    assert skills["identifier"]["value"] == str(skills_id)
    assert skills["questionnaire"].endswith(f"/fhir/Questionnaire/{measure_ids[SKILLS_CODE]}")
    coded = [item["answer"][0]["valueCoding"] for item in skills["item"][:4]]
    assert [(c["code"], c.get("display")) for c in coded] == [
        ("2", "Pass"),
        ("1", "Partial"),
        ("0", "Fail"),
        ("not-done", "Not tested"),
    ]
    assert coded[0]["system"].endswith("/fhir/CodeSystem/measure-scale-ppf")
    # (2 + 1 + 0 + 12 x 2) / (15 x 2) = 90 %
    assert skills["extension"][0]["valueQuantity"] == {
        "value": 90.0,
        "unit": "%",
        "code": "%",
        "system": "http://unitsofmeasure.org",
    }


def test_the_queries_do_not_grow_with_the_responses(app, world, tokens):
    url = f"/api/v1/participants/{world.a.records['p2'].participant_id}/fhir"
    client = app.test_client()

    def measured() -> tuple[int, int]:
        with count_queries(app) as statements:
            response = client.get(url, headers=bearer(tokens.admin))
        assert response.status_code == 200
        return len(statements), len(_responses(response.get_json(force=True)))

    measured()  # the token's last use is recorded now, not inside the counts below
    _complete(app, world, "p2", WUSPI_CODE, ["1"] * 15, WHEN)
    few, responses = measured()
    assert responses == 1
    for week in range(1, 6):
        _complete(app, world, "p2", WUSPI_CODE, ["2"] * 15, WHEN + timedelta(weeks=week))
        _complete(app, world, "p2", SKILLS_CODE, ["1"] * 16, WHEN + timedelta(weeks=week))
    many, more = measured()
    assert more == 11
    assert many == few
