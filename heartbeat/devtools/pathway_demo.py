"""The demo centre's classification pathway and skills tied to the ladder: statuses beyond N, R
and C with review dates (one review due soon, one overdue) and Medical Diagnostics Form
checklists part done; a finished skills checklist for someone whose next stage, "Steer and
stop", requires turning and braking (two passed, braking partial). Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.devtools.clinical_demo import _items, _person
from heartbeat.extensions import db
from heartbeat.participants import services as participant_services
from heartbeat.participants.classification import MDF_ITEMS, ClassificationStatus

# (given, family): status, review date in days from today (None: none), checklist items done.
PATHWAYS = {
    ("Sami", "Virtanen"): (ClassificationStatus.FIXED_REVIEW, 21, len(MDF_ITEMS)),
    ("Kofi", "Mensah"): (ClassificationStatus.REVIEW, -6, 5),
    ("Inès", "Moreau"): (ClassificationStatus.NOT_COMPLETED, None, 3),
    ("Priya", "Sharma"): (ClassificationStatus.NOT_ELIGIBLE, None, 0),
}
# Hiro Tanaka's next stage is "Steer and stop": its skills scored 10 days ago (2 pass, 1
# partial); the other skills of the checklist were not tested that day.
SKILLS_FOR = ("Hiro", "Tanaka")
SKILL_SCORES = {
    "Turn in place (both ways)": 2,
    "Turn while moving forward": 2,
    "Stop and hold on a slope with the brakes": 1,
    "Roll forward 10 m": 2,
    "Roll forward 100 m": 2,
}


def seed_pathway(centre: Centre, *, therapist: User, today: date) -> None:
    _classification(centre, therapist=therapist, today=today)
    _skills(centre, therapist=therapist, today=today)


def _classification(centre: Centre, *, therapist: User, today: date) -> None:
    for (given, family), (status, review_in, done) in PATHWAYS.items():
        person = _person(centre, given, family)
        if person is None or person.classification_checklist is not None:
            continue
        person.classification_status = status
        person.classification_review_on = (
            today + timedelta(days=review_in) if review_in is not None else None
        )
        db.session.flush()
        participant_services.set_classification_checklist(
            person,
            actor=therapist,
            ticked=list(MDF_ITEMS)[:done],
            expected_version=person.version,
        )
        person.classification_checklist = person.classification_checklist or []
    db.session.flush()


def _skills(centre: Centre, *, therapist: User, today: date) -> None:
    from heartbeat.measures import services as measures
    from heartbeat.measures.instruments import SKILLS_CODE
    from heartbeat.measures.models import Measure, MeasureResponse

    person = _person(centre, *SKILLS_FOR)
    skills = db.session.scalar(
        sa.select(Measure)
        .where(Measure.centre_id == centre.id, Measure.code == SKILLS_CODE)
        .execution_options(all_centres=True)
    )
    if person is None or skills is None:
        return
    if db.session.scalar(
        sa.select(MeasureResponse.id)
        .where(MeasureResponse.participant_id == person.id, MeasureResponse.measure_id == skills.id)
        .limit(1)
        .execution_options(all_centres=True)
    ):
        return
    when = datetime.combine(
        today - timedelta(days=10), time(15, 0), tzinfo=ZoneInfo(centre.timezone)
    )
    items = _items(skills.id)
    response = measures.start_response(person, skills, actor=therapist, now=when)
    for item in items:
        score = SKILL_SCORES.get(item.label)
        raw = "none" if score is None else str(score)
        measures.answer(response, item, raw, measure=skills, actor=therapist, now=when)
    measures.complete(
        response,
        measure=skills,
        items=items,
        actor=therapist,
        expected_version=response.version,
        now=when + timedelta(minutes=20),
    )
