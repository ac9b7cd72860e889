"""A populated two-centre world for the security tests (``build_world``; once per module as the
``shared_world`` fixture, or afresh for tests that change it).

Each centre has an admin, a therapist and two participants with portal logins (``pat`` linked to
participant record ``p1``, ``sam`` to ``p2``), a ladder with one retired stage, sessions,
verified awards, notes, a certificate per participant, a pending staff invitation, a finished job,
a deactivated and locked colleague, and a newcomer without a login whose self-reported session and
awards wait for staff (one verified and flagged for review, one from history to date), so every
kind of form appears on some page. The operator belongs to no centre. Records are made through
the services, as the app would.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth import resets
from heartbeat.auth import services as account_services
from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.certificates import services as certificate_services
from heartbeat.core import filestore
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.jobs.models import Job, JobState
from heartbeat.measures import services as measure_services
from heartbeat.measures.instruments import WUSPI_CODE
from heartbeat.measures.models import Measure
from heartbeat.outbox.models import EmailKind, EmailState, OutboxEmail
from heartbeat.outbox.services import unsubscribe_token
from heartbeat.participants import services as participant_services
from heartbeat.participants.models import ConsentKind, Participant
from heartbeat.plans.models import PlannedSession, Unavailability
from heartbeat.plans.services import assigning, squads
from heartbeat.plans.services import templates as plan_templates
from heartbeat.progress import services as progress
from heartbeat.progress.models import EVIDENCE_CHANGED, HISTORY_EVIDENCE, Award
from heartbeat.safety import services as safety_services
from heartbeat.training import storage
from heartbeat.training.models import ActivityFile, SessionKind, SessionSource, TrainingSession
from tests.helpers import add_user, centre_world
from tests.participants.conftest import DETAILS, TODAY

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@dataclass
class Record:
    """One participant record and what hangs off it."""

    participant_id: int
    user_id: int  # their portal login
    user_email: str
    session_id: int
    award_id: int
    certificate_id: int
    serial: str
    achievement_key: str  # the last part of its achievement's URL, like stage-12
    note_id: int
    flag_id: int  # an open red flag (symptoms reported with their session)
    response_id: int  # a WUSPI started for them, not yet submitted
    name: str  # full name, for log greps
    plan_id: int = 0  # a training plan, with its planned sessions
    planned_id: int = 0


@dataclass
class CentreSide:
    centre_id: int
    slug: str
    admin_id: int
    admin_email: str
    therapist_id: int
    therapist_email: str
    stage_id: int
    stage_ids: list[int]
    invite_id: int
    invite_token: str
    job_id: int
    newcomer_id: int  # a participant without a portal login, with things waiting for staff
    measure_id: int  # the centre's WUSPI
    email_id: int  # a failed email in the centre's outbox
    reset_secret: str  # a password reset link for p2's login (never signed in by the tests)
    unsubscribe_ticket: str  # p1's one-click unsubscribe from milestone emails
    records: dict[str, Record] = field(default_factory=dict)  # "p1", "p2"
    template_id: int = 0  # a plan template, one of its sessions, a saved squad
    template_session_id: int = 0
    squad_id: int = 0
    planned_squad_id: int = 0  # a one-off session of the squad, planned ahead


@dataclass
class SecurityWorld:
    a: CentreSide
    b: CentreSide
    operator_id: int
    operator_email: str

    def side(self, key: str) -> CentreSide:
        return self.a if key == "a" else self.b


def _side(app, slug: str, names: tuple[tuple[str, str], tuple[str, str]]) -> CentreSide:
    people = centre_world(slug)
    centre = people.centre
    # Centre A lets participants log their own sessions, so that page has an allowed case too.
    centre.allow_self_report = slug == "alpha"
    stages = progress.seed_default_ladder(centre.id)
    db.session.flush()
    therapist = people.therapist
    admin = people.admin
    records: dict[str, Record] = {}
    for key, login, (given, family) in (
        ("p1", people.participant, names[0]),
        ("p2", people.other_participant, names[1]),
    ):
        participant = participant_services.enrol(
            centre_id=centre.id,
            actor=therapist,
            details={
                **DETAILS,
                "given_name": given,
                "family_name": family,
                "email": f"{given.lower()}@{slug}.example",
                "therapist_id": therapist.id,
                "condition": f"Condition-of-{given} incomplete SCI",
            },
            consents={ConsentKind.DATA_PROCESSING: True},
            consent_recorded_on=TODAY,
            today=TODAY,
        )
        participant_services.link_portal_user(participant, login)
        session = TrainingSession(
            centre_id=centre.id,
            participant_id=participant.id,
            started_at=NOW - timedelta(days=3),
            kind=SessionKind.ROAD,
            distance_m=10_500,
            moving_time_s=3600,
        )
        db.session.add(session)
        db.session.flush()
        _add_device_file(session, f"{given.lower()}-push.gpx")
        progress.evaluate_awards(participant)
        awards = db.session.scalars(
            sa.select(Award)
            .options(sa.orm.joinedload(Award.stage))
            .where(Award.participant_id == participant.id)
            .order_by(Award.id)
        ).all()
        progress.verify_awards(awards, actor=therapist, now=NOW - timedelta(days=1))
        award = next(a for a in awards if a.stage is not None and a.stage.code == "10k")
        certificate = certificate_services.issue(
            award, participant=participant, centre=centre, actor=therapist, now=NOW
        )
        note = participant_services.add_note(
            participant, actor=therapist, body=f"Private note about {given}", shared=False
        )
        records[key] = Record(
            participant_id=participant.id,
            user_id=login.id,
            user_email=login.email,
            session_id=session.id,
            award_id=award.id,
            certificate_id=certificate.id,
            serial=certificate.serial,
            achievement_key=certificate.award_key.replace(":", "-", 1),
            note_id=note.id,
            flag_id=0,  # below, once the rest of the world is made
            response_id=0,
            name=f"{given} {family}",
        )
    # A third participant, not yet invited to the portal: a self-reported session waiting for
    # verification, unverified awards and one flagged for review.
    newcomer = participant_services.enrol(
        centre_id=centre.id,
        actor=therapist,
        details={
            **DETAILS,
            "given_name": f"Newcomer{slug}",
            "family_name": "Unlinked",
            "email": None,
            "therapist_id": therapist.id,
        },
        consents={ConsentKind.DATA_PROCESSING: True},
        consent_recorded_on=TODAY,
        today=TODAY,
    )
    db.session.add_all(
        [
            TrainingSession(
                centre_id=centre.id,
                participant_id=newcomer.id,
                started_at=NOW - timedelta(days=2),
                kind=SessionKind.TRACK,
                distance_m=1_700,
                moving_time_s=900,
            ),
            TrainingSession(
                centre_id=centre.id,
                participant_id=newcomer.id,
                started_at=NOW - timedelta(days=1),
                kind=SessionKind.TRACK,
                distance_m=800,
                moving_time_s=500,
                source=SessionSource.SELF_REPORT,
                self_reported=True,
            ),
        ]
    )
    db.session.flush()
    progress.evaluate_awards(newcomer)
    newcomer_awards = db.session.scalars(
        sa.select(Award).where(Award.participant_id == newcomer.id).order_by(Award.id)
    ).all()
    # A verified award flagged for review, and one only history reaches (to confirm and date).
    flagged, from_history = newcomer_awards[0], newcomer_awards[1]
    flagged.verified_at = NOW - timedelta(days=1)
    flagged.verified_by_id = therapist.id
    flagged.needs_review = True
    flagged.review_reason = EVIDENCE_CHANGED
    from_history.needs_review = True
    from_history.review_reason = HISTORY_EVIDENCE
    # A retired stage (to restore) and a deactivated, locked colleague (to reactivate, unlock).
    retired = stages[-1]
    retired.retired_at = NOW
    colleague = add_user(centre, f"coach@{slug}.example", Role.THERAPIST)
    colleague.active = False
    colleague.locked_until = NOW + timedelta(days=3650)
    db.session.flush()
    issued = account_services.create_invite(
        centre=centre,
        inviter=admin,
        email=f"newcoach@{slug}.example",
        name="New Coach",
        role=Role.THERAPIST,
        now=utcnow(),
    )
    job = Job(
        centre_id=centre.id,
        kind="certificates.print_batch",
        state=JobState.DONE,
        progress_done=1,
        progress_total=1,
        params={},
        result=b"%PDF-1.4 a finished batch",
        result_filename="certificates.pdf",
        result_mimetype="application/pdf",
        result_size=25,
        created_by_id=admin.id,
        finished_at=utcnow(),
        attempts=1,
    )
    db.session.add(job)
    email = OutboxEmail(
        centre_id=centre.id,
        kind=EmailKind.INVITATION,
        to_address=f"nobody@{slug}.example",
        subject="Your invitation",
        body_text="Hello",
        headers={},
        state=EmailState.FAILED,
        attempts=6,
        max_attempts=6,
        last_error="The mail server could not be reached (ConnectionRefusedError).",
    )
    db.session.add(email)
    db.session.flush()
    # An open red flag on each linked record (symptoms reported with their session).
    for record in records.values():
        flag = safety_services.raise_flag(
            db.session.get(Participant, record.participant_id),
            ["headache"],
            actor=therapist,
            session_id=record.session_id,
            now=NOW - timedelta(days=3),
        )
        assert flag is not None
        record.flag_id = flag.id
    measure_services.ensure_built_in(centre.id)
    wuspi = db.session.scalar(
        sa.select(Measure).where(Measure.centre_id == centre.id, Measure.code == WUSPI_CODE)
    )
    for record in records.values():
        response = measure_services.start_response(
            db.session.get(Participant, record.participant_id), wuspi, actor=therapist
        )
        record.response_id = response.id
    template_id, template_session_id, squad_id, planned_squad_id = _plans(
        centre.id, therapist, records
    )
    p2_login = db.session.get(User, records["p2"].user_id)
    reset = resets.issue(p2_login, utcnow())
    return CentreSide(
        centre_id=centre.id,
        slug=slug,
        admin_id=admin.id,
        admin_email=admin.email,
        therapist_id=therapist.id,
        therapist_email=therapist.email,
        stage_id=stages[2].id,
        stage_ids=[stage.id for stage in stages],
        invite_id=issued.invite.id,
        invite_token=issued.token,
        job_id=job.id,
        newcomer_id=newcomer.id,
        measure_id=wuspi.id,
        email_id=email.id,
        reset_secret=reset.secret,
        unsubscribe_ticket=unsubscribe_token(records["p1"].user_id, EmailKind.MILESTONE),
        records=records,
        template_id=template_id,
        template_session_id=template_session_id,
        squad_id=squad_id,
        planned_squad_id=planned_squad_id,
    )


PLAN_STARTS = date(2026, 4, 27)  # the Monday before NOW
UNAVAILABLE_DAY = date(2026, 4, 28)


def _plans(
    centre_id: int, therapist: User, records: dict[str, Record]
) -> tuple[int, int, int, int]:
    """The default templates, a plan for each linked record (p1 with a day marked unavailable),
    a saved squad of the two and a session of it planned ahead."""
    templates = plan_templates.seed_default_templates(centre_id)
    template = templates[0]
    rows = sorted(template.sessions, key=lambda row: (row.week, row.day))
    people = []
    for key, record in records.items():
        participant = db.session.get(Participant, record.participant_id)
        people.append(participant)
        plan = assigning.assign_plan(
            participant, template, rows, starts_on=PLAN_STARTS, actor=therapist
        )
        record.plan_id = plan.id
        record.planned_id = db.session.scalar(
            sa.select(PlannedSession.id)
            .where(PlannedSession.plan_id == plan.id)
            .order_by(PlannedSession.on, PlannedSession.id)
            .limit(1)
        )
        if key == "p1":
            assigning.mark_unavailable(
                participant,
                UNAVAILABLE_DAY,
                UNAVAILABLE_DAY,
                Unavailability.ILLNESS,
                actor=therapist,
            )
    squad = squads.save_squad(
        centre_id,
        actor=therapist,
        values={"name": "Track squad", "place": "Track", "kind": SessionKind.TRACK},
        members=people,
    )
    planned = squads.plan_squad_session(
        squad,
        actor=therapist,
        starts_at=NOW + timedelta(days=5),
        kind=SessionKind.SKILLS,
        place="Car park",
        now=NOW,
    )
    return template.id, rows[0].id, squad.id, planned.id


def device_file_bytes(original_name: str) -> bytes:
    """The world's stand-in device file of that name (never parsed: only stored and served)."""
    return f'<?xml version="1.0"?><gpx version="1.1" creator="{original_name}"/>'.encode()


def _add_device_file(session: TrainingSession, name: str) -> None:
    data = device_file_bytes(name)
    stored = storage.keep_original(session.centre_id, data)
    db.session.add(
        ActivityFile(
            centre_id=session.centre_id,
            session_id=session.id,
            participant_id=session.participant_id,
            fingerprint=hashlib.sha256(data).hexdigest(),
            source_format="gpx",
            original_name=name,
            size_bytes=len(data),
            summary={},
            route=[],
            uploaded_at=NOW,
            stored_key=stored.key,
            stored_sha256=stored.sha256,
        )
    )


def store_device_files(app) -> None:
    """Put the world's device files in ``app``'s files folder (a world copied from a template
    has its rows, not the files its builder stored)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(ActivityFile.centre_id, ActivityFile.original_name)
            .where(ActivityFile.stored_key.is_not(None))
            .execution_options(all_centres=True)
        ).all()
        for centre_id, name in rows:
            filestore.put(filestore.folder(), storage.space(centre_id), device_file_bytes(name))
        db.session.rollback()


def build_world(app) -> SecurityWorld:
    with app.app_context():
        db.session().expire_on_commit = False
        a = _side(app, "alpha", (("Adelina", "Quist"), ("Bartholomew", "Ravel")))
        b = _side(app, "bravo", (("Cordelia", "Stroud"), ("Dashiell", "Tamsin")))
        operator = add_user(None, "operator@platform.example", Role.ADMIN, operator=True)
        db.session.commit()
        world = SecurityWorld(a=a, b=b, operator_id=operator.id, operator_email=operator.email)
        db.session.expunge_all()
        return world


# --- reading the database as a whole ------------------------------------------------------------


def table_digests(app) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its whole content."""
    digests: dict[str, tuple[int, str]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(sa.select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
            digests[table.name] = (len(rows), digest)
        db.session.rollback()
    return digests


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def ids_of(app, model) -> dict[int, int | None]:
    """Every row id of ``model`` with its centre (None for rows of no centre)."""
    with app.app_context():
        column = getattr(model, "centre_id", None)
        if model is Centre:
            rows = db.session.execute(sa.select(Centre.id, Centre.id)).all()
        elif column is None:
            rows = db.session.execute(sa.select(model.id, sa.null())).all()
        else:
            rows = db.session.execute(
                sa.select(model.id, column).execution_options(all_centres=True)
            ).all()
        db.session.rollback()
        return dict(rows)
