"""One participant as a FHIR R4 ``Bundle`` (type ``collection``): a ``Patient`` and one
``Observation`` per training session.

Plain dictionaries in FHIR's JSON form; the tests validate them with the ``fhir.resources``
models. Codes are LOINC where LOINC has one, as the HL7 Physical Activity implementation guide
uses them: the session is an *Exercise activity* (73985-4) whose components are its duration
(55411-3), distance (55412-1), mean and maximum heart rate (55425-3, 55426-1) and pain
(72514-3, the 0-10 numeric rating). Borg CR10 effort (RPE) has no LOINC code for a single
session, so it carries this app's own code (``CODES_URL``) with its text. Units are UCUM.

What the Patient shows follows consent: with the data-processing consent given, their name,
birth date and contact details; without it, only the centre's number for them. Completed
outcome measures follow the sessions as ``QuestionnaireResponse`` resources
(``heartbeat.api.fhir_measures``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from heartbeat.api.fhir_measures import questionnaire_response
from heartbeat.measures.models import MeasureResponse
from heartbeat.participants.models import Consent, ConsentKind, Participant, ParticipantStatus
from heartbeat.training.models import TrainingSession

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

EXERCISE = ("73985-4", "Exercise activity")
DURATION = ("55411-3", "Exercise duration")
DISTANCE = ("55412-1", "Exercise distance unspecified time")
HR_MEAN = ("55425-3", "Heart rate unspecified time mean by Pedometer")
HR_MAX = ("55426-1", "Heart rate unspecified time maximum by Pedometer")
PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
RPE = ("rpe-cr10", "Rating of perceived exertion (Borg CR10), whole session")


def _id(base: str, kind: str, number: int) -> str:
    """A stable id for one of this installation's records (the same every export)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{kind}/{number}"))


def _coding(system: str, code_display: tuple[str, str]) -> dict[str, Any]:
    code, display = code_display
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def consented(consents: Iterable[Consent]) -> bool:
    """Has the data-processing consent been given (the latest record of it)?"""
    latest: Consent | None = None
    for consent in consents:
        if consent.kind == ConsentKind.DATA_PROCESSING and (
            latest is None or (consent.recorded_at, consent.id) > (latest.recorded_at, latest.id)
        ):
            latest = consent
    return latest is not None and latest.given


def patient(participant: Participant, *, base: str, identified: bool) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id(base, "participant", participant.id),
        "identifier": [{"system": f"{base}/participants", "value": str(participant.id)}],
        "active": participant.status == ParticipantStatus.ACTIVE,
    }
    if identified and participant.erased_at is None:
        name: dict[str, Any] = {
            "use": "official",
            "family": participant.family_name,
            "given": [participant.given_name],
        }
        resource["name"] = [name]
        if participant.preferred_name:
            resource["name"].append({"use": "usual", "given": [participant.preferred_name]})
        resource["birthDate"] = participant.date_of_birth.isoformat()
        telecom = []
        if participant.email:
            telecom.append({"system": "email", "value": participant.email})
        if participant.phone:
            telecom.append({"system": "phone", "value": participant.phone})
        if telecom:
            resource["telecom"] = telecom
    return resource


def _components(session: TrainingSession, codes_url: str) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    seconds = session.moving_time_s or session.elapsed_time_s
    if seconds:
        parts.append(
            {
                "code": _coding(LOINC, DURATION),
                "valueQuantity": _quantity(round(seconds / 60, 2), "min", "min"),
            }
        )
    if session.distance_m:
        parts.append(
            {
                "code": _coding(LOINC, DISTANCE),
                "valueQuantity": _quantity(round(session.distance_m, 1), "m", "m"),
            }
        )
    for value, code in ((session.avg_hr, HR_MEAN), (session.max_hr, HR_MAX)):
        if value is not None:
            parts.append(
                {
                    "code": _coding(LOINC, code),
                    "valueQuantity": _quantity(value, "beats/minute", "/min"),
                }
            )
    if session.rpe is not None:
        parts.append(
            {
                "code": _coding(codes_url, RPE),
                "valueQuantity": _quantity(session.rpe, "{score}", "{score}"),
            }
        )
    if session.pain is not None:
        parts.append(
            {
                "code": _coding(LOINC, PAIN),
                "valueQuantity": _quantity(session.pain, "{score}", "{score}"),
            }
        )
    return parts


def observation(session: TrainingSession, *, base: str, patient_ref: str) -> dict[str, Any]:
    confirmed = not session.self_reported or session.verified_at is not None
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id(base, "session", session.id),
        "identifier": [{"system": f"{base}/sessions", "value": str(session.id)}],
        # A self-reported session waits for a therapist: preliminary until verified.
        "status": "final" if confirmed else "preliminary",
        "category": [{"coding": [{"system": CATEGORY, "code": "activity", "display": "Activity"}]}],
        "code": _coding(LOINC, EXERCISE),
        "subject": {"reference": patient_ref},
        "valueCodeableConcept": {"text": session.kind.english_label},
    }
    start = session.started_at
    if session.elapsed_time_s:
        end = start + timedelta(seconds=session.elapsed_time_s)
        resource["effectivePeriod"] = {"start": _instant(start), "end": _instant(end)}
    else:
        resource["effectiveDateTime"] = _instant(start)
    components = _components(session, f"{base}/fhir/CodeSystem/session-measures")
    if components:
        resource["component"] = components
    notes = []
    if session.before_enrolment:
        notes.append({"text": "From before enrolment (history): counted in no total."})
    if session.event_name:
        notes.append({"text": f"Event: {session.event_name}"})
    if notes:
        resource["note"] = notes
    return resource


def bundle(
    participant: Participant,
    sessions: Iterable[TrainingSession],
    consents: Iterable[Consent],
    *,
    base: str,
    now: datetime,
    responses: Iterable[MeasureResponse] = (),
) -> dict[str, Any]:
    """The Bundle, with every resource addressed by a ``urn:uuid`` full URL."""
    person = patient(participant, base=base, identified=consented(consents))
    patient_ref = f"urn:uuid:{person['id']}"
    entries = [{"fullUrl": patient_ref, "resource": person}]
    for session in sessions:
        resource = observation(session, base=base, patient_ref=patient_ref)
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})
    for response in responses:
        answered = questionnaire_response(response, base=base, patient_ref=patient_ref)
        if answered is not None:
            entries.append({"fullUrl": f"urn:uuid:{answered['id']}", "resource": answered})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": entries,
    }
