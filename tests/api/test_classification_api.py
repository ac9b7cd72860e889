"""The API reads the classification statuses beyond N, R and C as their codes, and its schema
lists every one of them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.classification import ClassificationStatus
from heartbeat.participants.models import Participant
from tests.api.conftest import bearer


def test_a_fixed_review_reads_as_frd_with_its_date(app, world, tokens):
    record = world.a.records["p1"]
    with app.app_context():
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == record.participant_id)
            .values(classification_status="FRD", classification_review_on=date(2027, 3, 1))
        )
        db.session.commit()
    client = app.test_client()
    response = client.get(
        f"/api/v1/participants/{record.participant_id}", headers=bearer(tokens.therapist)
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["classification_status"] == "FRD"
    assert body["classification_review_on"] == "2027-03-01"


def test_the_schema_lists_every_status(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = [
        schema["properties"]["classification_status"]["enum"]
        for schema in spec["components"]["schemas"].values()
        if "classification_status" in schema.get("properties", {})
    ]
    assert found and all(
        values == [status.value for status in ClassificationStatus] for values in found
    )
