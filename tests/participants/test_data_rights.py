"""Subject access (a ZIP of everything held) and erasure (personal data gone, statistics kept)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from heartbeat.audit import services as audit
from heartbeat.auth.models import Invite, User
from heartbeat.db import utcnow
from heartbeat.extensions import db
from heartbeat.participants.models import (
    EquipmentFitting,
    Note,
    Participant,
    ParticipantStatus,
    StatusChange,
)
from heartbeat.progress.models import Award
from heartbeat.training.models import ActivityFile, TrainingSession
from tests.helpers import PASSWORD, signed_in
from tests.participants.conftest import add_session, seed_ladder

SECRET_NOTE = "Left shoulder twinges after hills"
ROUTE = [[51.5, -0.12], [51.51, -0.13]]


@pytest.fixture
def full_record(app, world, helpers):
    """A participant with something in every section, and a portal login."""
    stages = seed_ladder(app, world.a)
    pid = helpers.enrol(
        world.a,
        given_name="Ada",
        family_name="Lovelace",
        preferred_name="Addie",
        email="ada@example.org",
        phone="+44 1234",
        emergency_name="Byron",
        emergency_phone="0999",
        goal="Run Boston",
    )
    other = helpers.enrol(world.a, given_name="Grace", family_name="Hopper")
    admin = signed_in(app, world.a.admin.email)
    admin.post(f"/participants/{pid}/notes", data={"body": SECRET_NOTE})
    admin.post(f"/participants/{pid}/notes", data={"body": "Great first mile!", "shared": "y"})
    admin.post(
        f"/participants/{pid}/equipment",
        data={
            "chair_make": "Carbonbike",
            "fitted_on": "2025-02-01",
            "notes": "Lives near the park",
            "gloves": "",
        },
    )
    admin.post(
        f"/participants/{pid}/status",
        data={
            "to_status": "paused",
            "changed_on": date.today().isoformat(),
            "reason": "Surgery at St Thomas'",
            "version": str(helpers.participant(pid).version),
        },
    )
    session_id = add_session(
        app, pid, days_ago=3, distance_m=5000, pain=3, notes="Felt dizzy", moving_time_s=1800, rpe=6
    )
    add_session(app, other, days_ago=3, distance_m=1234, notes="Grace's own session")
    helpers.link(pid, world.a.participant)
    with app.app_context():
        db.session.add(
            ActivityFile(
                centre_id=world.a.centre.id,
                session_id=session_id,
                participant_id=pid,
                fingerprint="f" * 64,
                source_format="gpx",
                original_name="ada-lovelace-run.gpx",
                size_bytes=2048,
                summary={"distance_m": 5000, "has_gps": True},
                route=ROUTE,
            )
        )
        db.session.add(
            Award(
                centre_id=world.a.centre.id,
                participant_id=pid,
                key=f"stage:{stages['first-push']}",
                stage_id=stages["first-push"],
                achieved_at=utcnow(),
                evidence_session_id=session_id,
            )
        )
        db.session.add(
            Invite(
                centre_id=world.a.centre.id,
                email="ada@example.org",
                name="Addie Lovelace",
                role="participant",
                token_hash="t" * 64,
                participant_id=pid,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
        actor = db.session.get(User, world.a.therapist.id)
        # A session deleted since: its audit row still names the participant.
        audit.record(
            actor,
            world.a.centre.id,
            "session.delete",
            "training_session",
            99_999,
            audit.diff({"participant_id": pid, "distance_m": 42.0}, {}),
        )
        db.session.commit()
    return {"pid": pid, "other": other, "session": session_id}


# --- subject access -----------------------------------------------------------------------------


def _archive(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_subject_access_zip_holds_everything_about_them_and_nothing_else(
    app, world, helpers, full_record
):
    pid = full_record["pid"]
    response = signed_in(app, world.a.admin.email).post(f"/participants/{pid}/subject-access")

    archive = _archive(response)
    assert f"participant-{pid}" in response.headers["Content-Disposition"]
    names = set(archive.namelist())
    assert {
        "README.txt",
        "subject-access.json",
        "csv/details.csv",
        "csv/notes.csv",
        "csv/training_sessions.csv",
        "csv/audit_events.csv",
    } <= names
    document = json.loads(archive.read("subject-access.json"))
    sections = document["sections"]
    (details,) = sections["details"]
    assert details["given_name"] == "Ada" and details["emergency_name"] == "Byron"
    assert details["therapist"] == "Therapist"
    assert details["current_stage"] == "Chair fitted"
    assert details["portal_login"]["email"] == world.a.participant.email
    assert [c["kind"] for c in sections["consents"]] == [
        "data_processing",
        "media",
        "public_verification",
    ]
    assert [c["to_status"] for c in sections["status_history"]] == ["paused", "active"]
    assert sections["equipment"][0]["chair_make"] == "Carbonbike"
    assert {n["body"] for n in sections["notes"]} == {SECRET_NOTE, "Great first mile!"}
    (session,) = sections["training_sessions"]
    assert session["distance_m"] == 5000 and session["notes"] == "Felt dizzy"
    assert sections["activity_files"][0]["summary"] == {"distance_m": 5000, "has_gps": True}
    assert sections["awards"][0]["title"] == "First push"
    assert sections["invitations"][0]["email"] == "ada@example.org"
    assert "token_hash" not in sections["invitations"][0]
    actions = [event["action"] for event in sections["audit_events"]]
    assert {
        "participant.create",
        "consent.change",
        "note.create",
        "equipment.create",
        "participant.status",
        "session.delete",
    } <= set(actions)

    everything = json.dumps(document)
    assert "Grace" not in everything  # another participant's data stays out
    assert "password_hash" not in everything

    notes = list(csv.DictReader(io.StringIO(archive.read("csv/notes.csv").decode("utf-8-sig"))))
    assert {row["body"] for row in notes} == {SECRET_NOTE, "Great first mile!"}
    details_csv = archive.read("csv/details.csv").decode("utf-8-sig")
    assert "'+44 1234" in details_csv  # CSV cells are made safe for spreadsheets
    assert "csv/training_sessions.csv (1 row)" in archive.read("README.txt").decode()


def test_subject_access_is_audited_with_what_was_exported(app, world, helpers, full_record):
    pid = full_record["pid"]
    signed_in(app, world.a.admin.email).post(f"/participants/{pid}/subject-access")
    (event,) = helpers.audit("participant.subject_access")
    assert event.actor_id == world.a.admin.id
    assert event.entity_type == "participant" and event.entity_id == pid
    counts = event.changes["sections"]["after"]
    assert counts["notes"] == 2 and counts["training_sessions"] == 1 and counts["details"] == 1


def test_subject_access_runs_a_bounded_number_of_queries(
    app, world, helpers, full_record, query_counter
):
    pid = full_record["pid"]
    client = signed_in(app, world.a.admin.email)
    with query_counter() as few:
        client.post(f"/participants/{pid}/subject-access")
    for days_ago in range(40):
        add_session(app, pid, days_ago=days_ago, distance_m=100 + days_ago)
    with query_counter() as many:
        client.post(f"/participants/{pid}/subject-access")
    assert len(few) == len(many)


def test_subject_access_is_for_admins_of_the_same_centre(app, world, helpers, full_record):
    pid = full_record["pid"]
    assert (
        signed_in(app, world.a.therapist.email)
        .post(f"/participants/{pid}/subject-access")
        .status_code
        == 403
    )
    assert (
        signed_in(app, world.b.admin.email).post(f"/participants/{pid}/subject-access").status_code
        == 404
    )
    assert (
        signed_in(app, world.a.participant.email)
        .post(f"/participants/{pid}/subject-access")
        .status_code
        == 403
    )  # their own record, but the export is the centre's to make
    assert (
        signed_in(app, world.a.admin.email).get(f"/participants/{pid}/subject-access").status_code
        == 405
    )
    assert helpers.audit("participant.subject_access") == []


def test_the_profile_offers_data_rights_to_admins_only(app, world, helpers):
    pid = helpers.enrol(world.a)
    admin_html = (
        signed_in(app, world.a.admin.email)
        .get(f"/participants/{pid}/records")
        .get_data(as_text=True)
    )
    assert f'action="/participants/{pid}/subject-access"' in admin_html
    assert f'href="/participants/{pid}/erase"' in admin_html
    therapist_html = (
        signed_in(app, world.a.therapist.email)
        .get(f"/participants/{pid}/records")
        .get_data(as_text=True)
    )
    assert "subject-access" not in therapist_html and "/erase" not in therapist_html


# --- erasure ------------------------------------------------------------------------------------


def _erase(client, pid: int, name: str):
    return client.post(
        f"/participants/{pid}/erase", data={"confirm_name": name, "password": PASSWORD}
    )


def test_erasure_asks_for_the_full_name_and_a_wrong_one_changes_nothing(
    app, world, helpers, full_record
):
    pid = full_record["pid"]
    client = signed_in(app, world.a.admin.email)
    page = client.get(f"/participants/{pid}/erase")
    assert page.status_code == 200
    assert "Type their full name to confirm" in page.get_data(as_text=True)

    for wrong in ("Ada", "Ada Byron", "Addie Lovelace", ""):
        response = _erase(client, pid, wrong)
        assert response.status_code == 422, wrong
        assert 'aria-invalid="true"' in response.get_data(as_text=True)

    kept = helpers.participant(pid)
    assert kept.given_name == "Ada" and kept.erased_at is None
    assert helpers.audit("participant.erase") == []


def test_erasure_removes_personal_data_and_keeps_the_statistics(app, world, helpers, full_record):
    pid, session_id = full_record["pid"], full_record["session"]
    client = signed_in(app, world.a.admin.email)

    response = _erase(client, pid, "  ada   LOVELACE ")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/participants/{pid}")
    with app.app_context():
        p = db.session.get(Participant, pid)
        assert (p.given_name, p.family_name) == ("Erased participant", f"#{pid}")
        assert p.full_name == f"Erased participant #{pid}"
        assert p.preferred_name is None and p.email is None and p.phone is None
        assert p.emergency_name is None and p.emergency_phone is None
        assert p.condition is None and p.goal is None and p.sci_level is None
        assert p.date_of_birth == date(1900, 1, 1)
        assert p.status == ParticipantStatus.WITHDRAWN and p.erased_at is not None
        assert p.user_id is None
        # Statistics stay: the session's numbers, the award, the class and enrolment date.
        session = db.session.get(TrainingSession, session_id)
        assert (session.distance_m, session.moving_time_s, session.pain, session.rpe) == (
            5000,
            1800,
            3,
            6,
        )
        assert session.notes is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Award)) == 1
        assert p.racing_class.value == "T53" and p.enrolled_on == date(2025, 1, 10)
        # The words go everywhere they were written.
        assert {n.body for n in db.session.scalars(sa.select(Note))} == {"(erased)"}
        reasons = db.session.scalars(
            sa.select(StatusChange.reason).where(StatusChange.participant_id == pid)
        ).all()
        assert "Surgery at St Thomas'" not in reasons
        fitting = db.session.scalars(sa.select(EquipmentFitting)).one()
        assert fitting.notes is None and fitting.chair_make == "Carbonbike"
        upload = db.session.scalars(sa.select(ActivityFile)).one()
        assert upload.route == [] and upload.original_name == "erased.gpx"
        assert upload.summary == {"distance_m": 5000, "has_gps": True}
        invite = db.session.scalars(sa.select(Invite)).one()
        assert "ada" not in invite.email and invite.revoked_at is not None
        login_row = db.session.get(User, world.a.participant.id)
        assert login_row.active is False and login_row.password_hash is None
        assert world.a.participant.email != login_row.email
        # Someone else's record is untouched.
        other = db.session.get(Participant, full_record["other"])
        assert other.given_name == "Grace"
        assert (
            db.session.scalars(
                sa.select(TrainingSession.notes).where(TrainingSession.participant_id == other.id)
            ).one()
            == "Grace's own session"
        )


def test_the_erasure_audit_row_names_fields_but_holds_no_personal_value(
    app, world, helpers, full_record
):
    pid = full_record["pid"]
    _erase(signed_in(app, world.a.admin.email), pid, "Ada Lovelace")

    (event,) = helpers.audit("participant.erase")
    assert event.actor_id == world.a.admin.id and event.entity_id == pid
    erased = event.changes["erased_fields"]
    assert erased["before"] is None
    assert {
        "given_name",
        "family_name",
        "preferred_name",
        "date_of_birth",
        "email",
        "phone",
        "emergency_name",
        "emergency_phone",
        "condition",
        "sci_level",
        "goal",
    } <= set(erased["after"])
    assert event.changes["status"] == {"before": "paused", "after": "withdrawn"}
    assert event.changes["cleared"]["after"]["notes"] == 2
    assert event.changes["portal_login_closed"]["after"] is True
    text = json.dumps(event.changes)
    for personal in (
        "Ada",
        "Lovelace",
        "Addie",
        "ada@example.org",
        "1234",
        "Byron",
        "1990",
        "T4",
        "Boston",
        SECRET_NOTE,
        "dizzy",
        "St Thomas",
        world.a.participant.email,
    ):
        assert personal not in text, personal


def test_erasure_redacts_the_values_earlier_audit_rows_recorded_about_them(
    app, world, helpers, full_record
):
    pid = full_record["pid"]
    before = {event.id: event for event in helpers.audit()}
    assert any("Lovelace" in json.dumps(event.changes) for event in before.values())

    _erase(signed_in(app, world.a.admin.email), pid, "Ada Lovelace")

    after = {event.id: event for event in helpers.audit()}
    for personal in ("Ada", "Lovelace", "Addie", SECRET_NOTE, "St Thomas"):
        leaks = [e.action for e in after.values() if personal in json.dumps(e.changes)]
        assert leaks == [], (personal, leaks)
    # Who did what, to which record, and which fields changed, all stay.
    for event_id, event in before.items():
        kept = after[event_id]
        assert (kept.action, kept.actor_id, kept.entity_type, kept.entity_id, kept.at) == (
            event.action,
            event.actor_id,
            event.entity_type,
            event.entity_id,
            event.at,
        )
        assert set(kept.changes) == set(event.changes)
    (erase_event,) = helpers.audit("participant.erase")
    assert erase_event.changes["audit_rows_redacted"]["after"] > 0
    # Another participant's history is untouched.
    assert any("Grace" in json.dumps(e.changes) for e in after.values())


def test_an_erased_record_can_no_longer_be_changed_or_erased_again(
    app, world, helpers, full_record
):
    pid = full_record["pid"]
    client = signed_in(app, world.a.admin.email)
    _erase(client, pid, "Ada Lovelace")
    version = helpers.participant(pid).version

    for path in ("/edit", "/consents", "/equipment", "/invite", "/erase"):
        response = client.get(f"/participants/{pid}{path}")
        assert response.status_code == 302, path
    assert client.post(f"/participants/{pid}/notes", data={"body": "x"}).status_code == 302
    assert (
        client.post(
            f"/participants/{pid}/status",
            data={
                "to_status": "active",
                "changed_on": date.today().isoformat(),
                "reason": "back",
                "version": str(version),
            },
        ).status_code
        == 302
    )
    assert _erase(client, pid, f"Erased participant #{pid}").status_code == 302
    assert helpers.participant(pid).version == version
    assert len(helpers.audit("participant.erase")) == 1
    profile = client.get(f"/participants/{pid}").get_data(as_text=True)
    assert "personal data was erased" in profile
    assert "Edit details" not in profile


def test_the_erased_portal_login_can_no_longer_sign_in(app, world, helpers, full_record):
    participant_client = signed_in(app, world.a.participant.email)
    _erase(signed_in(app, world.a.admin.email), full_record["pid"], "Ada Lovelace")
    assert participant_client.get("/me").status_code == 302  # its session ended
    response = app.test_client().post(
        "/login", data={"email": world.a.participant.email, "password": "x" * 20}
    )
    assert response.status_code != 302


def test_erasure_is_for_admins_of_the_same_centre(app, world, helpers, full_record):
    pid = full_record["pid"]
    therapist = signed_in(app, world.a.therapist.email)
    assert therapist.get(f"/participants/{pid}/erase").status_code == 403
    assert _erase(therapist, pid, "Ada Lovelace").status_code == 403
    admin_b = signed_in(app, world.b.admin.email)
    assert admin_b.get(f"/participants/{pid}/erase").status_code == 404
    assert _erase(admin_b, pid, "Ada Lovelace").status_code == 404
    assert helpers.participant(pid).given_name == "Ada"


def test_the_erasure_page_explains_what_goes_and_what_stays(app, world, helpers):
    pid = helpers.enrol(world.a)
    html = (
        signed_in(app, world.a.admin.email).get(f"/participants/{pid}/erase").get_data(as_text=True)
    )
    assert re.search(r"<h1>Erase the personal data of Ada Lovelace</h1>", html)
    assert "cannot be undone" in html and "What stays" in html


# --- certificates -------------------------------------------------------------------------------


@pytest.fixture
def certified(app, world, helpers):
    """A participant with a verified "First push" and its issued certificate."""
    from heartbeat.certificates import services as certificates
    from heartbeat.progress import services as progress

    pid = helpers.enrol(world.a)
    seed_ladder(app, world.a)
    add_session(app, pid, days_ago=2, distance_m=150, moving_time_s=120)
    with app.app_context():
        participant = db.session.get(Participant, pid)
        therapist = db.session.get(User, world.a.therapist.id)
        progress.evaluate_awards(participant, actor=therapist)
        award = db.session.scalars(
            sa.select(Award).options(joinedload(Award.stage)).where(Award.key.like("stage:%"))
        ).first()
        progress.verify_awards([award], actor=therapist)
        centre = db.session.get(type(world.a.centre), world.a.centre.id)
        certificate = certificates.issue(
            award, participant=participant, centre=centre, actor=therapist
        )
        db.session.commit()
        return {"pid": pid, "certificate": certificate.id, "serial": certificate.serial}


def test_erasure_revokes_their_certificates_and_the_export_lists_them(
    app, world, helpers, certified
):
    from heartbeat.certificates.models import Certificate

    admin = signed_in(app, world.a.admin.email)
    before = json.loads(
        _archive(admin.post(f"/participants/{certified['pid']}/subject-access")).read(
            "subject-access.json"
        )
    )
    (listed,) = before["sections"]["certificates"]
    assert listed["serial"] == certified["serial"] and listed["revoked_at"] is None

    assert _erase(admin, certified["pid"], "Ada Lovelace").status_code == 302

    with app.app_context():
        certificate = db.session.get(Certificate, certified["certificate"])
        assert certificate.revoked_at is not None
        assert "Lovelace" not in certificate.participant_name
    (event,) = helpers.audit("participant.erase")
    assert event.changes["certificates_revoked"] == {"before": None, "after": 1}


def test_erasure_removes_job_outputs_that_carry_their_data_and_no_others(
    app, world, helpers, certified
):
    from heartbeat.jobs.models import Job, JobState

    def ended_job(kind: str, *, params=None, result=b"", mimetype="text/csv", details=None):
        job = Job(
            centre_id=world.a.centre.id,
            kind=kind,
            state=JobState.DONE,
            params=params or {},
            result=result,
            result_filename="out",
            result_mimetype=mimetype,
            result_size=len(result),
            details=details,
            summary={"pages": 1},
        )
        db.session.add(job)
        db.session.flush()
        return job.id

    with app.app_context():
        their_batch = ended_job(
            "certificates.print_batch",
            params={"certificate_ids": [certified["certificate"]]},
            result=b"%PDF-1.7 compressed pages",
            mimetype="application/pdf",
        )
        other_batch = ended_job(
            "certificates.print_batch",
            params={"certificate_ids": [certified["certificate"] + 1]},
            result=b"%PDF-1.7 someone else",
            mimetype="application/pdf",
        )
        their_report = ended_job(
            "progress.recompute_awards", result=b'participant,change\r\n"Lovelace, Ada",added\r\n'
        )
        their_table = ended_job(
            "progress.recompute_awards",
            result=b"participant\r\n",
            details={"columns": ["Participant"], "rows": [["ada  LOVELACE"]]},
        )
        other_report = ended_job(
            "progress.recompute_awards", result=b'participant\r\n"Hopper, Grace"\r\n'
        )
        db.session.commit()

    admin = signed_in(app, world.a.admin.email)
    assert _erase(admin, certified["pid"], "Ada Lovelace").status_code == 302

    with app.app_context():
        jobs = {
            job.id: job
            for job in db.session.scalars(
                sa.select(Job).options(sa.orm.undefer(Job.result), sa.orm.undefer(Job.details))
            )
        }
        for removed in (their_batch, their_report, their_table):
            job = jobs[removed]
            assert job.result is None and job.details is None and not job.has_result
            assert job.summary["result_removed"].startswith("Removed when a participant")
        for kept in (other_batch, other_report):
            assert jobs[kept].result and jobs[kept].has_result
            assert "result_removed" not in jobs[kept].summary
    (event,) = helpers.audit("participant.erase")
    assert event.changes["job_outputs_removed"] == {"before": None, "after": 3}
    page = admin.get(f"/jobs/{their_batch}")
    assert page.status_code == 200 and "Result removed" in page.get_data(as_text=True)
    assert admin.get(f"/jobs/{their_batch}/result").status_code == 404
    assert admin.get(f"/jobs/{other_batch}/result").status_code == 200
