"""The FHIR export: one participant as a Bundle that the FHIR models accept (``fhir.resources``,
its R4B package: the R4 line's 4.3 release; Patient, Observation and Bundle as used here are the
same in 4.0.1), with LOINC codes, the Patient as consent allows, and the API's access rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fhir.resources.R4B import get_fhir_model_class

from heartbeat.api import fhir
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    ImpairmentCategory,
    Participant,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.training.models import SessionKind, TrainingSession
from tests.api.conftest import bearer

BASE = "https://miles.example.org"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def validated(document: dict) -> None:
    """The Bundle and each resource in it, through the FHIR models (errors raise)."""
    get_fhir_model_class("Bundle").model_validate(document)
    for entry in document["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def codes(resource: dict) -> dict[str, dict]:
    return {part["code"]["coding"][0]["code"]: part for part in resource.get("component", [])}


def test_a_participants_bundle_validates_with_loinc_coded_sessions(app, world, tokens):
    record = world.a.records["p1"]
    response = app.test_client().get(
        f"/api/v1/participants/{record.participant_id}/fhir", headers=bearer(tokens.therapist)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    document = response.get_json(force=True)
    validated(document)
    assert (document["resourceType"], document["type"]) == ("Bundle", "collection")
    patient, *observations = (entry["resource"] for entry in document["entry"])
    assert patient["resourceType"] == "Patient"
    assert patient["identifier"][0]["value"] == str(record.participant_id)
    # The data-processing consent was given: their name and birth date are in it.
    assert patient["name"][0]["family"] == record.name.split()[1]
    assert patient["birthDate"]
    [session] = observations
    assert session["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "73985-4",
        "display": "Exercise activity",
    }
    assert session["subject"]["reference"] == document["entry"][0]["fullUrl"]
    assert session["identifier"][0]["value"] == str(record.session_id)
    assert session["status"] == "final"
    parts = codes(session)
    assert parts["55412-1"]["valueQuantity"] == {
        "value": 10500.0,
        "unit": "m",
        "system": "http://unitsofmeasure.org",
        "code": "m",
    }
    assert parts["55411-3"]["valueQuantity"]["value"] == 60.0
    assert session["valueCodeableConcept"] == {"text": "Road"}


def test_the_same_export_twice_names_the_same_resources(app, world, tokens):
    url = f"/api/v1/participants/{world.a.records['p1'].participant_id}/fhir"
    client = app.test_client()
    first, second = (
        client.get(url, headers=bearer(tokens.admin)).get_json(force=True) for _ in range(2)
    )
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


@pytest.mark.parametrize(
    ("token", "whose", "status"),
    [
        ("participant", "p1", 200),  # their own
        ("participant", "p2", 404),  # someone else's: nothing to learn
        ("b_therapist", "p1", 404),  # another centre's
        ("operator", "p1", 404),
    ],
)
def test_who_may_read_it(app, world, tokens, token, whose, status):
    record = world.a.records[whose]
    response = app.test_client().get(
        f"/api/v1/participants/{record.participant_id}/fhir", headers=bearer(tokens.of(token))
    )
    assert response.status_code == status
    if status == 404:
        assert response.mimetype == "application/problem+json"


def test_the_document_describes_it(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/participants/{participant_id}/fhir"]["get"]
    assert operation["operationId"] == "getParticipantFhir"
    assert "application/fhir+json" in operation["responses"]["200"]["content"]


def _participant(**overrides) -> Participant:
    values = dict(
        id=7,
        centre_id=1,
        given_name="Ada",
        family_name="Quist",
        preferred_name="Addy",
        date_of_birth=date(1990, 3, 2),
        email="ada@example.org",
        phone="+44 20 7946 0000",
        impairment=ImpairmentCategory.SCI,
        racing_class=RacingClass.T54,
        status=ParticipantStatus.ACTIVE,
        enrolled_on=date(2024, 1, 5),
    )
    values.update(overrides)
    return Participant(**values)


def _consent(given: bool, at: datetime, id_: int) -> Consent:
    return Consent(
        id=id_, kind=ConsentKind.DATA_PROCESSING, given=given, recorded_at=at, recorded_on=at.date()
    )


def test_without_the_consent_the_patient_is_only_a_number():
    person = _participant()
    withdrawn = [
        _consent(True, datetime(2024, 1, 5, tzinfo=UTC), 1),
        _consent(False, datetime(2025, 2, 1, tzinfo=UTC), 2),  # the latest says no
    ]
    document = fhir.bundle(person, [], withdrawn, base=BASE, now=NOW)
    validated(document)
    patient = document["entry"][0]["resource"]
    assert set(patient) == {"resourceType", "id", "identifier", "active"}
    given = fhir.bundle(person, [], withdrawn[:1], base=BASE, now=NOW)["entry"][0]["resource"]
    assert given["name"][1] == {"use": "usual", "given": ["Addy"]}
    assert given["telecom"] == [
        {"system": "email", "value": "ada@example.org"},
        {"system": "phone", "value": "+44 20 7946 0000"},
    ]


def test_every_measure_of_a_session_and_a_self_report_waiting_for_review():
    session = TrainingSession(
        id=40,
        participant_id=7,
        started_at=datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        kind=SessionKind.TRACK,
        distance_m=5000.0,
        moving_time_s=1500,
        elapsed_time_s=1620,
        avg_hr=142,
        max_hr=171,
        rpe=6,
        pain=2,
        self_reported=True,
        before_enrolment=False,
    )
    document = fhir.bundle(_participant(), [session], [_consent(True, NOW, 1)], base=BASE, now=NOW)
    validated(document)
    observation = document["entry"][1]["resource"]
    assert observation["status"] == "preliminary"
    assert observation["effectivePeriod"] == {
        "start": "2026-04-01T09:00:00Z",
        "end": "2026-04-01T09:27:00Z",
    }
    parts = codes(observation)
    assert set(parts) == {"55411-3", "55412-1", "55425-3", "55426-1", "rpe-cr10", "72514-3"}
    assert parts["55411-3"]["valueQuantity"]["value"] == 25.0  # moving time, minutes
    assert parts["55425-3"]["valueQuantity"] == {
        "value": 142,
        "unit": "beats/minute",
        "system": "http://unitsofmeasure.org",
        "code": "/min",
    }
    assert parts["rpe-cr10"]["code"]["coding"][0]["system"] == (
        f"{BASE}/fhir/CodeSystem/session-measures"
    )
    assert parts["72514-3"]["valueQuantity"]["value"] == 2


def test_the_queries_do_not_grow_with_the_sessions(app, world, tokens):
    from datetime import timedelta

    from heartbeat.extensions import db
    from heartbeat.training.models import SessionSource
    from tests.conftest import count_queries

    record = world.a.records["p2"]
    url = f"/api/v1/participants/{record.participant_id}/fhir"
    client = app.test_client()

    def measured() -> tuple[int, int]:
        with count_queries(app) as statements:
            response = client.get(url, headers=bearer(tokens.admin))
        assert response.status_code == 200
        return len(statements), len(response.get_json(force=True)["entry"])

    measured()  # the token's last use is recorded now, not inside the counts below
    few, entries = measured()
    with app.app_context():
        db.session.add_all(
            TrainingSession(
                centre_id=world.a.centre_id,
                participant_id=record.participant_id,
                started_at=datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=i),
                kind=SessionKind.TRACK,
                distance_m=1000.0 + i,
                moving_time_s=300,
                avg_hr=130,
                rpe=5,
                source=SessionSource.STAFF,
            )
            for i in range(40)
        )
        db.session.commit()
    many, more_entries = measured()
    assert more_entries == entries + 40
    assert many == few
