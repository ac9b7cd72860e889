"""The demo centre's clinical picture: red flags (one waiting, one followed up), WUSPI results
over several months (one rise past the smallest real change) and a skills checklist in progress.
Idempotent: each part is added only once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.safety import services as safety
from heartbeat.safety.models import RedFlag
from heartbeat.training.models import TrainingSession

# Eilidh MacLeod (T4) reported symptoms last night: waiting. Sami Virtanen (T2): followed up.
WAITING = ("Eilidh", "MacLeod")
FOLLOWED_UP = ("Sami", "Virtanen")


def _person(centre: Centre, given: str, family: str) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant)
        .where(
            Participant.centre_id == centre.id,
            Participant.given_name == given,
            Participant.family_name == family,
        )
        .execution_options(all_centres=True)
    )


def _latest_session(participant: Participant) -> TrainingSession | None:
    return db.session.scalar(
        sa.select(TrainingSession)
        .where(TrainingSession.participant_id == participant.id)
        .order_by(TrainingSession.started_at.desc())
        .limit(1)
        .execution_options(all_centres=True)
    )


def seed_red_flags(centre: Centre, *, therapist: User, today: date) -> None:
    has_any = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RedFlag)
        .where(RedFlag.centre_id == centre.id)
        .execution_options(all_centres=True)
    )
    if has_any:
        return
    tz = ZoneInfo(centre.timezone)
    waiting = _person(centre, *WAITING)
    if waiting is not None:
        session = _latest_session(waiting)
        if session is not None:
            session.symptom_reported = True
        safety.raise_flag(
            waiting,
            ["headache", "flushing", "nose"],
            actor=therapist,
            session_id=session.id if session is not None else None,
            now=datetime.combine(today - timedelta(days=1), time(18, 40), tzinfo=tz),
        )
    followed = _person(centre, *FOLLOWED_UP)
    if followed is not None:
        raised_at = datetime.combine(today - timedelta(days=24), time(10, 5), tzinfo=tz)
        flag = safety.raise_flag(
            followed, ["headache", "goosebumps"], actor=therapist, now=raised_at
        )
        if flag is not None:
            safety.acknowledge(
                flag,
                actor=therapist,
                follow_up=(
                    "Sat Sami up and loosened the leg-bag strap (kinked tube). Headache eased in"
                    " ten minutes; BP back to his usual. Reminded him to empty before long pushes."
                ),
                expected_version=flag.version,
                now=raised_at + timedelta(minutes=14),
            )


# Eilidh's WUSPI every five weeks or so: settling, then one rise past the smallest real change
# (after her distance went up), the latest result. Each list is the 15 activities in order;
# None is "did not do this".
WUSPI_HISTORY: tuple[tuple[int, tuple[int | None, ...]], ...] = (
    (180, (3, 4, 2, 5, 4, 6, 3, 1, 1, 2, 3, 2, None, 2, 3)),  # 43.9
    (145, (3, 3, 2, 4, 3, 5, 3, 1, 1, 2, 2, 2, None, 2, 2)),  # 37.5
    (110, (2, 3, 2, 4, 3, 4, 2, 1, 0, 1, 2, 1, None, 2, 2)),  # 31.1
    (75, (2, 3, 2, 4, 3, 4, 2, 1, 1, 1, 2, 1, None, 2, 2)),  # 32.1
    (20, (3, 4, 3, 5, 5, 6, 3, 1, 1, 2, 3, 2, None, 3, 3)),  # 47.1: a real rise (+15.0)
)
# Skills scored so far in an unfinished checklist (item position: 2 pass, 1 partial, 0 fail).
SKILLS_SO_FAR = {1: 2, 2: 2, 3: 1, 4: 2, 5: 1, 6: 0, 7: 2}


def seed_measures(centre: Centre, *, therapist: User, today: date) -> None:
    from heartbeat.measures import services as measures
    from heartbeat.measures.instruments import SKILLS_CODE, WUSPI_CODE
    from heartbeat.measures.models import Measure, MeasureResponse

    measures.ensure_built_in(centre.id)
    person = _person(centre, *WAITING)
    if person is None:
        return
    has_any = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MeasureResponse)
        .where(MeasureResponse.participant_id == person.id)
        .execution_options(all_centres=True)
    )
    if has_any:
        return
    by_code = {
        measure.code: measure
        for measure in db.session.scalars(
            sa.select(Measure)
            .where(Measure.centre_id == centre.id)
            .execution_options(all_centres=True)
        )
    }
    tz = ZoneInfo(centre.timezone)
    wuspi = by_code[WUSPI_CODE]
    items = _items(wuspi.id)
    for days_ago, answers in WUSPI_HISTORY:
        when = datetime.combine(today - timedelta(days=days_ago), time(11, 0), tzinfo=tz)
        response = measures.start_response(person, wuspi, actor=therapist, now=when)
        for item, value in zip(items, answers, strict=True):
            raw = "none" if value is None else str(value)
            measures.answer(response, item, raw, measure=wuspi, actor=therapist, now=when)
        measures.complete(
            response,
            measure=wuspi,
            items=items,
            actor=therapist,
            expected_version=response.version,
            now=when + timedelta(minutes=4),
        )
    skills = by_code[SKILLS_CODE]
    skill_items = _items(skills.id)
    when = datetime.combine(today - timedelta(days=2), time(14, 30), tzinfo=tz)
    response = measures.start_response(person, skills, actor=therapist, now=when)
    for item in skill_items:
        if item.position in SKILLS_SO_FAR:
            raw = str(SKILLS_SO_FAR[item.position])
            measures.answer(response, item, raw, measure=skills, actor=therapist, now=when)


def _items(measure_id: int):
    from heartbeat.measures.models import MeasureItem

    return list(
        db.session.scalars(
            sa.select(MeasureItem)
            .where(MeasureItem.measure_id == measure_id)
            .order_by(MeasureItem.position)
            .execution_options(all_centres=True)
        )
    )
