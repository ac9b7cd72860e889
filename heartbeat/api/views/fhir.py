"""One participant's record as a FHIR R4 Bundle (``heartbeat.api.fhir``)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response
from sqlalchemy.orm import joinedload, selectinload

from heartbeat.api import fhir
from heartbeat.api.blueprint import bp
from heartbeat.api.schemas.fhir import FhirBundleSchema
from heartbeat.api.views.common import participant_or_404
from heartbeat.core.public_url import public_base_url
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.measures.models import Measure, MeasureResponse
from heartbeat.participants.models import Consent
from heartbeat.training.models import TrainingSession

TAG = ["FHIR"]
FHIR_JSON = "application/fhir+json"


@bp.route("/participants/<int:participant_id>/fhir", tags=TAG)
@bp.doc(operationId="getParticipantFhir")
@bp.response(
    200,
    FhirBundleSchema,
    content_type=FHIR_JSON,
    description=(
        "A FHIR R4 Bundle (type collection): a Patient, an Observation per session and a"
        " QuestionnaireResponse per completed outcome measure."
    ),
)
def get_participant_fhir(participant_id: int):
    """One participant as a FHIR R4 Bundle

    A Patient (name, birth date and contact details only with the data-processing consent
    given; otherwise only the centre's number) and one Observation per training session,
    coded with LOINC where LOINC has a code: exercise activity 73985-4 with components for
    duration 55411-3, distance 55412-1, mean and maximum heart rate 55425-3 and 55426-1, pain
    72514-3, and effort (Borg CR10) under this installation's own code system. Then one
    QuestionnaireResponse per completed outcome measure (status completed, authored when
    submitted, the questionnaire as this installation's canonical URL for the measure, an item
    per answered question, the score as an extension); unfinished ones are left out. Staff of
    their centre, or the participant themself. The same few queries, whatever the number of
    sessions and responses.
    """
    participant = participant_or_404(participant_id, "participant.view")
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .where(TrainingSession.participant_id == participant.id)
        .order_by(TrainingSession.started_at, TrainingSession.id)
    ).all()
    consents = db.session.scalars(
        sa.select(Consent).where(Consent.participant_id == participant.id)
    ).all()
    responses = db.session.scalars(
        sa.select(MeasureResponse)
        .options(
            joinedload(MeasureResponse.measure).selectinload(Measure.items),
            selectinload(MeasureResponse.answers),
        )
        .where(
            MeasureResponse.participant_id == participant.id,
            MeasureResponse.completed_at.is_not(None),
        )
        .order_by(MeasureResponse.completed_at, MeasureResponse.id)
    ).all()
    document = fhir.bundle(
        participant,
        sessions,
        consents,
        base=public_base_url(),
        now=utcnow(),
        responses=responses,
    )
    return Response(json.dumps(document, ensure_ascii=False), mimetype=FHIR_JSON)
