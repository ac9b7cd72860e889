"""A centre where every audited thing has happened once, through the real services and routes.

Used to check that every field any action records has a human name and reads without codes; the
test also checks this world covers every registered action, so a new action must come here.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from heartbeat.auth import services as accounts
from heartbeat.auth.models import Invite, Role, User
from heartbeat.centres.models import Centre
from heartbeat.certificates import branding, printing
from heartbeat.certificates import services as certificates
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.jobs import services as jobs
from heartbeat.participants import services as participants
from heartbeat.participants.models import ConsentKind, Participant
from heartbeat.progress import reviews, stages
from heartbeat.progress import services as progress
from heartbeat.progress.models import (
    EVIDENCE_VANISHED,
    HISTORY_EVIDENCE,
    Award,
    CriterionKind,
    LadderStage,
)
from heartbeat.progress.skills import required_items, skill_items
from heartbeat.training import services as training
from heartbeat.training.csv_import import import_sessions
from heartbeat.training.imports import import_activity
from tests.audit.plans_world import build_plans
from tests.audit.world_parts.accounts import build_accounts
from tests.audit.world_parts.certificates import build_certificates
from tests.audit.world_parts.measures import build_measures, delete_unused
from tests.audit.world_parts.safety import build_safety
from tests.helpers import PASSWORD, signed_in
from tests.participants.conftest import DETAILS, TODAY, Helpers
from tests.training.conftest import START, session_values
from tests.training.test_devicefiles import WHEELCHAIR_PUSH_RUN, fit_session, make_fit

PORTAL_PASSWORD = "correct horse battery staple 42"


def _people(world):
    return (
        db.session.get(Centre, world.a.centre.id),
        db.session.get(User, world.a.admin.id),
        db.session.get(User, world.a.therapist.id),
    )


def _records(world, pid: int, other: int) -> None:
    centre, admin, therapist = _people(world)
    ada = db.session.get(Participant, pid)
    participants.update_details(
        ada,
        actor=therapist,
        details={**DETAILS, "therapist_id": therapist.id, "goal": "Push a 10K"},
        expected_version=ada.version,
        today=TODAY,
    )
    participants.set_consents(
        ada,
        actor=therapist,
        answers={ConsentKind.DATA_PROCESSING: True, ConsentKind.MEDIA: True},
        recorded_on=TODAY,
        expected_version=ada.version,
        today=TODAY,
    )
    participants.add_fitting(
        ada,
        actor=therapist,
        chair_make="Carbonbike",
        chair_model="Sprint",
        fitted_on=TODAY,
        wheel_size="700c",
        push_rim_mm=350,
        gloves="hard",
        notes="Seat lowered",
        today=TODAY,
    )
    participants.add_note(ada, actor=therapist, body="Good first week", shared=True)
    participants.set_classification_checklist(
        ada, actor=therapist, ticked=["diagnosis", "signed"], expected_version=ada.version
    )
    bea = db.session.get(Participant, other)
    participants.change_status(
        bea,
        actor=therapist,
        to_status="paused",
        on=TODAY,
        reason="Shoulder rest",
        expected_version=bea.version,
        today=TODAY,
    )
    # A portal invitation accepted (and the login linked), a staff invitation withdrawn.
    portal = accounts.create_invite(
        centre=centre,
        inviter=therapist,
        email="ada.portal@example.org",
        name="Ada Lovelace",
        role=Role.PARTICIPANT,
        now=START,
        participant_id=pid,
    )
    # A second invitation to the same address, made before one-per-address was the rule: closed
    # when the first is accepted.
    duplicate = Invite(
        centre_id=centre.id,
        email="ada.portal@example.org",
        name="Ada Lovelace",
        role=Role.PARTICIPANT,
        token_hash="0" * 64,
        expires_at=START + timedelta(days=3),
        created_by_id=therapist.id,
        participant_id=pid,
    )
    db.session.add(duplicate)
    db.session.flush()
    accounts.accept_invite(portal.invite, PORTAL_PASSWORD, START + timedelta(hours=1))
    staff = accounts.create_invite(
        centre=centre,
        inviter=admin,
        email="new.coach@example.org",
        name="New Coach",
        role=Role.THERAPIST,
        now=START,
    )
    accounts.renew_invite(staff.invite, START + timedelta(hours=1), actor=admin)
    accounts.revoke_invite(staff.invite, START + timedelta(hours=2), actor=admin)
    accounts.sign_out_everywhere(therapist, START + timedelta(hours=3))
    db.session.commit()


def _sessions(world, pid: int) -> None:
    centre, admin, therapist = _people(world)
    ada = db.session.get(Participant, pid)
    progress.seed_default_ladder(centre.id)
    long_push = training.log_session(
        ada, actor=therapist, values=session_values(distance_m=10_500, moving_time_s=3600)
    )
    progress.verify_awards(
        db.session.scalars(sa.select(Award).where(Award.participant_id == pid)).all(),
        actor=therapist,
    )
    # The distance was a typo: verified awards lose their evidence and are flagged.
    training.update_session(
        long_push,
        ada,
        actor=therapist,
        values={"distance_m": 300.0, "rpe": 6, "pain": 3, "pain_site": "shoulder"},
        expected_version=long_push.version,
    )
    flagged = db.session.scalars(
        sa.select(Award)
        .where(Award.participant_id == pid, Award.needs_review)
        .where(Award.review_reason == EVIDENCE_VANISHED)
        .order_by(Award.id)
    ).all()
    reviews.confirm_review(flagged[0], ada, actor=therapist)
    reviews.withdraw_award(flagged[1], ada, actor=therapist, reason="The distance was a typo")
    login_user = db.session.get(User, ada.user_id)
    own = training.self_report(
        ada, actor=login_user, values=session_values(started_at=START + timedelta(days=1))
    )
    training.verify_sessions([own], {ada.id: ada}, actor=therapist)
    doomed = training.log_session(
        ada, actor=therapist, values=session_values(started_at=START + timedelta(days=2))
    )
    training.delete_session(doomed, ada, actor=therapist)
    import_activity(
        ada,
        actor=therapist,
        data=make_fit(
            sessions=[
                fit_session(
                    sport=WHEELCHAIR_PUSH_RUN,
                    distance_m=5000,
                    start=datetime(2025, 5, 19, 9, tzinfo=UTC),  # after enrolment
                )
            ]
        ),
        filename="push.fit",
    )
    body = (
        "participant_id,date,time,kind,distance,duration,rpe\n"
        f"{pid},2025-05-20,09:30,track,0.8,4:00,5\n"
    )
    import_sessions(body.encode(), centre=centre, actor=therapist, file_name="week.csv")
    # A half marathon pushed before she joined: history, so a therapist confirms its award.
    training.log_session(
        ada,
        actor=therapist,
        values=session_values(
            started_at=datetime(2024, 6, 1, 9, tzinfo=UTC),
            distance_m=21_100,
            moving_time_s=2 * 3600,
            before_enrolment=True,
        ),
    )
    from_history = db.session.scalars(
        sa.select(Award).where(Award.participant_id == pid, Award.review_reason == HISTORY_EVIDENCE)
    ).first()
    reviews.confirm_history(from_history, ada, actor=therapist, achieved_on=ada.enrolled_on)
    db.session.commit()


def _ladder_and_certificates(world, pid: int, tmp_path, runner) -> None:
    centre, admin, therapist = _people(world)
    ada = db.session.get(Participant, pid)
    stage = stages.add_stage(
        centre.id,
        actor=admin,
        title="Ultra push",
        description="completed a 50 km push",
        kind="distance",
        threshold_m=50_000.0,
        max_duration_s=8 * 3600,
    )
    stages.update_stage(
        stage,
        actor=admin,
        title="Ultra distance push",
        description="pushed 50 km without stopping",
        expected_version=stage.version,
    )
    stages.move_stage(stage, "up", actor=admin, expected_version=stage.version)
    stages.retire_stage(stage, actor=admin, expected_version=stage.version)
    stages.restore_stage(stage, actor=admin, expected_version=stage.version)
    skill = db.session.scalars(
        sa.select(LadderStage)
        .where(LadderStage.centre_id == centre.id, LadderStage.kind == CriterionKind.SIGNOFF)
        .order_by(LadderStage.position)
    ).first()
    # The stage asks for one more skill of the checklist; Ada has passed none (the sign-off
    # records the unmet ones).
    checklist = skill_items(centre.id)
    required = [item.id for item in required_items([skill.id])[skill.id]]
    stages.update_stage(
        skill,
        actor=admin,
        title=skill.title,
        description=skill.description,
        expected_version=skill.version,
        skill_ids=[*required, checklist[0].id],
    )
    award = progress.sign_off(ada, skill, actor=therapist)
    branding.update_branding(
        centre,
        actor=admin,
        values={
            "programme_name": "Push Club",
            "primary_colour": "#123456",
            "accent_colour": "#abcdef",
            "signatory_name": "Dr Grace Hopper",
            "signatory_title": "Lead physiotherapist",
        },
        paper_size="Letter",
        expected_version=None,
    )
    db.session.commit()
    award = db.session.scalars(
        sa.select(Award).options(sa.orm.joinedload(Award.stage)).where(Award.id == award.id)
    ).one()
    certificate = certificates.issue(award, participant=ada, centre=centre, actor=therapist)
    job = printing.submit_batch(centre, [certificate.id], selection="Chosen", actor=admin)
    db.session.commit()
    jobs.run_inline(job.id)
    result = runner.invoke(
        args=[
            "print-batch",
            "--centre",
            "alpha",
            "--since",
            "2000-01-01",
            "-o",
            str(tmp_path / "b"),
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()  # printing marked it, bumping its version
    certificate = db.session.get(Certificate, certificate.id)
    certificates.revoke(certificate, actor=admin, reason="Printed with the wrong design")
    db.session.commit()


def build(app, world, tmp_path) -> dict[str, int]:
    """Every audited action at centre A; returns the participants' ids."""
    helpers = Helpers(app)
    pid = helpers.enrol(world.a)
    other = helpers.enrol(world.a, given_name="Bea", family_name="Other")
    runner = app.test_cli_runner()
    with app.app_context():
        db.session().expire_on_commit = False
        _records(world, pid, other)
        _sessions(world, pid)
        _ladder_and_certificates(world, pid, tmp_path, runner)
        build_plans(world, pid)
        build_safety(world, pid)
        build_certificates(world, pid, runner)
        build_accounts(world, pid)
        unused_measure = build_measures(world, pid)
    admin = signed_in(app, world.a.admin.email)
    delete_unused(admin, unused_measure)
    header = "given_name,family_name,date_of_birth,impairment,racing_class,classification_status,"
    header += "enrolled_on,consent_data_processing,consent_recorded_on\r\n"
    row = "Cy,Newcomer,1991-02-03,amputation,T54,N,2025-01-10,yes,2025-01-10\r\n"
    imported = admin.post(
        "/participants/import",
        data={"file": (io.BytesIO((header + row).encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302, imported.get_data(as_text=True)
    assert admin.post("/participants/export.csv", data={"scope": "all"}).status_code == 200
    assert admin.post(f"/participants/{pid}/subject-access").status_code == 200
    erased = admin.post(
        f"/participants/{other}/erase", data={"confirm_name": "Bea Other", "password": PASSWORD}
    )
    assert erased.status_code == 302
    return {"ada": pid, "bea": other}
