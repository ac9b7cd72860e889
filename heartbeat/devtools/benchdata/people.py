"""Bench centres with their staff, and participants with their consent, spread over the ladder."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.devtools.benchdata.writing import next_id
from heartbeat.extensions import db
from heartbeat.participants.classification import ClassificationStatus
from heartbeat.participants.models import (
    Consent,
    ConsentKind,
    ImpairmentCategory,
    Participant,
    ParticipantStatus,
    RacingClass,
)
from heartbeat.progress.services import seed_default_ladder

BENCH_STATUSES = (
    ClassificationStatus.NEW,
    ClassificationStatus.REVIEW,
    ClassificationStatus.CONFIRMED,
)

# How far up the ladder people are: index = stages reached (0..9), mostly early on.
LEVEL_WEIGHTS = (0.14, 0.18, 0.15, 0.12, 0.10, 0.09, 0.08, 0.06, 0.045, 0.035)
GIVEN = (
    "Ada",
    "Ben",
    "Chloé",
    "Dev",
    "Eilidh",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomasz",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zoë",
)
FAMILY = (
    "Okafor",
    "Smith",
    "Nowak",
    "Haddad",
    "García",
    "Kowalski",
    "Nguyen",
    "Brown",
    "Ødegård",
    "Fischer",
    "Rossi",
    "Tanaka",
    "Murphy",
    "Silva",
    "Khan",
    "Jones",
)
CLASSES = (
    RacingClass.T54,
    RacingClass.T53,
    RacingClass.T52,
    RacingClass.T51,
    RacingClass.T34,
    RacingClass.UNCLASSIFIED,
)


def add_centres(count: int, password_hash: str) -> tuple[list[Centre], dict[int, list[int]]]:
    """``count`` centres (slugs ``bench-<n>`` after the existing ones), each with its default
    ladder, an admin and three therapists; committed. Returns the centres and their staff ids,
    admin first."""
    existing = db.session.scalars(
        sa.select(sa.func.count()).select_from(Centre).where(Centre.slug.like("bench-%"))
    ).one()
    centre_rows: list[Centre] = []
    staff: dict[int, list[int]] = {}
    for n in range(existing + 1, existing + count + 1):
        centre = Centre(name=f"Bench Centre {n}", slug=f"bench-{n}", timezone="Europe/London")
        db.session.add(centre)
        db.session.flush()
        seed_default_ladder(centre.id)
        users = [
            User(email=f"admin@bench-{n}.example", name=f"Admin {n}", role=Role.ADMIN),
            *(
                User(
                    email=f"therapist{t}@bench-{n}.example",
                    name=f"Therapist {n}.{t}",
                    role=Role.THERAPIST,
                )
                for t in range(1, 4)
            ),
        ]
        for user in users:
            user.centre_id = centre.id
            user.password_hash = password_hash
        db.session.add_all(users)
        db.session.flush()
        staff[centre.id] = [user.id for user in users]
        centre_rows.append(centre)
    db.session.commit()
    return centre_rows, staff


@dataclass
class People:
    """Participant and consent rows, ready to insert, and what the sessions are generated from."""

    levels: list[int]  # stages each participant reaches, by position in ``rows``
    rows: list[dict] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    owners: list[tuple[int, int]] = field(default_factory=list)  # (participant id, centre id)


def make_participants(
    rng: random.Random,
    count: int,
    centre_rows: list[Centre],
    staff: dict[int, list[int]],
    *,
    today: date,
    now: datetime,
) -> People:
    """``count`` participants dealt round the centres, each with a therapist and data consent."""
    first_participant = next_id(Participant)
    levels = rng.choices(range(len(LEVEL_WEIGHTS)), weights=LEVEL_WEIGHTS, k=count)
    people = People(levels)
    first_consent = next_id(Consent)
    for index in range(count):
        pid = first_participant + index
        centre = centre_rows[index % len(centre_rows)]
        enrolled = today - timedelta(days=rng.randint(30, 3 * 365))
        impairment = rng.choice(list(ImpairmentCategory))
        people.rows.append(
            {
                "id": pid,
                "centre_id": centre.id,
                "given_name": rng.choice(GIVEN),
                "family_name": f"{rng.choice(FAMILY)}-{pid}",
                "preferred_name": None,
                "date_of_birth": date(rng.randint(1955, 2008), rng.randint(1, 12), 1),
                "email": None,
                "phone": None,
                "emergency_name": None,
                "emergency_phone": None,
                "impairment": impairment.value,
                "condition": None,
                "sci_level": rng.choice(("C6", "T4", "T10", "L1"))
                if impairment == ImpairmentCategory.SCI
                else None,
                "racing_class": rng.choice(CLASSES).value,
                # The first three statuses only, so the bench data stay as they were.
                "classification_status": rng.choice(BENCH_STATUSES).value,
                "classification_review_on": None,
                "enrolled_on": enrolled,
                "therapist_id": rng.choice(staff[centre.id][1:]),
                "goal": None,
                "goal_milestone": None,
                "goal_target_on": None,
                "status": ParticipantStatus.ACTIVE.value
                if rng.random() < 0.9
                else ParticipantStatus.PAUSED.value,
                "current_stage_id": None,
                "last_session_at": None,
                "last_pain": None,
                "summary_stamp": rng.getrandbits(62),
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "user_id": None,
            }
        )
        people.consents.append(
            {
                "id": first_consent + index,
                "centre_id": centre.id,
                "participant_id": pid,
                "kind": ConsentKind.DATA_PROCESSING.value,
                "given": True,
                "recorded_on": enrolled,
                "recorded_by_id": None,
                "recorded_at": now,
            }
        )
        people.owners.append((pid, centre.id))

    return people
