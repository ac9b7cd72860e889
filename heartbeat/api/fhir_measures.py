"""Completed outcome-measure responses as FHIR R4 ``QuestionnaireResponse`` resources.

Each one names its questionnaire by a canonical URL of this installation
(``{base}/fhir/Questionnaire/{measure id}``: a measure's id is unique across centres, its code
only within one), is ``completed`` and ``authored`` when it was submitted, and carries one item
per answered item: ``valueInteger`` for numeric scales (0-10, 0-4), ``valueCoding`` from this
installation's code system for a scale of words (pass / partial / fail, yes / no) and for an item
marked not done. Questions never answered are left out. The score (a corrected sum, or a
percentage of the possible points) is an extension, as FHIR R4 has no element for it.
Unfinished responses are not exported at all.
"""

from __future__ import annotations

import uuid
from typing import Any

from heartbeat.measures.models import Measure, MeasureAnswer, MeasureResponse
from heartbeat.measures.scoring import Scoring

NUMERIC_SCALES = frozenset({"0-10", "0-4"})
NOT_DONE = "not-done"


def _id(base: str, kind: str, number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/{kind}/{number}"))


def questionnaire_url(base: str, measure: Measure) -> str:
    return f"{base}/fhir/Questionnaire/{measure.id}"


def answer_system(base: str, measure: Measure) -> str:
    return f"{base}/fhir/CodeSystem/measure-scale-{measure.scale}"


def total_extension_url(base: str) -> str:
    return f"{base}/fhir/StructureDefinition/measure-total"


def _answer(answer: MeasureAnswer, measure: Measure, base: str) -> dict[str, Any]:
    system = answer_system(base, measure)
    if answer.not_done or answer.value is None:
        label = measure.not_done_label or "Not done"
        return {"valueCoding": {"system": system, "code": NOT_DONE, "display": label}}
    if measure.scale in NUMERIC_SCALES:
        return {"valueInteger": answer.value}
    coding: dict[str, Any] = {"system": system, "code": str(answer.value)}
    words = measure.scale_spec.words(answer.value)
    if words:
        coding["display"] = str(words)  # the scale's words are lazy text: FHIR takes strings
    return {"valueCoding": coding}


def _total(response: MeasureResponse, measure: Measure, base: str) -> dict[str, Any]:
    if measure.scoring == Scoring.PERCENT:
        quantity = {"unit": "%", "code": "%"}
    else:
        quantity = {"unit": "score", "code": "{score}"}
    return {
        "url": total_extension_url(base),
        "valueQuantity": {
            "value": response.total,
            "system": "http://unitsofmeasure.org",
            **quantity,
        },
    }


def _instant(moment: Any) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def questionnaire_response(
    response: MeasureResponse, *, base: str, patient_ref: str
) -> dict[str, Any] | None:
    """The resource, or None for a response not completed. ``response.measure`` (with its
    items) and ``response.answers`` must be loaded."""
    if response.completed_at is None:
        return None
    measure = response.measure
    answers = {answer.item_id: answer for answer in response.answers}
    items = []
    for item in measure.items:
        answer = answers.get(item.id)
        if answer is None:
            continue
        items.append(
            {
                "linkId": str(item.position),
                "text": item.label,
                "answer": [_answer(answer, measure, base)],
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _id(base, "measure-response", response.id),
        "identifier": {"system": f"{base}/measure-responses", "value": str(response.id)},
        "questionnaire": questionnaire_url(base, measure),
        "status": "completed",
        "subject": {"reference": patient_ref, "type": "Patient"},
        "authored": _instant(response.completed_at),
    }
    if measure.by_participant and not response.on_behalf:
        resource["source"] = {"reference": patient_ref, "type": "Patient"}
    if response.total is not None:
        resource["extension"] = [_total(response, measure, base)]
    if items:
        resource["item"] = items
    return resource
