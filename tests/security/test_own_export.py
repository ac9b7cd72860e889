"""A participant's own export: their sessions, device files and certificates as a ZIP from their
portal, at once or through a job they follow; audited; nobody else's, and nobody else's job."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from heartbeat.extensions import db
from heartbeat.jobs import services as job_services
from heartbeat.jobs.models import JobState
from tests.helpers import signed_in
from tests.security.world import device_file_bytes


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


def _audit(app, action):
    from heartbeat.audit.models import AuditEvent

    with app.app_context():
        rows = db.session.scalars(
            __import__("sqlalchemy").select(AuditEvent).where(AuditEvent.action == action)
        ).all()
        db.session.expunge_all()
        return list(rows)


def _check_archive(data: bytes, record) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(archive.namelist())
    stem = f"certificate-{record.serial}"
    device = f"device-files/session-{record.session_id}-{record.name.split()[0].lower()}-push.gpx"
    assert names == sorted(
        [
            "README.txt",
            "sessions.csv",
            device,
            f"certificates/{stem}.pdf",
            f"certificates/{stem}.json",
        ]
    )
    assert archive.read(device) == device_file_bytes(device.rsplit("-", 2)[-2] + "-push.gpx")
    assert archive.read(f"certificates/{stem}.pdf").startswith(b"%PDF-")
    credential = json.loads(archive.read(f"certificates/{stem}.json"))
    assert "OpenBadgeCredential" in credential["type"]
    rows = list(csv.DictReader(io.StringIO(archive.read("sessions.csv").decode("utf-8-sig"))))
    assert [row["session_id"] for row in rows] == [str(record.session_id)]
    assert rows[0]["distance_m"] == "10500.0" and rows[0]["kind"] == "road"
    assert rows[0]["device_file"].endswith("-push.gpx")
    readme = archive.read("README.txt").decode()
    assert record.name in readme and "sessions.csv" in readme


def test_a_participant_downloads_their_own_data_at_once(app, security_world):
    record = security_world.a.records["p1"]
    client = signed_in(app, record.user_email)
    page = client.get("/me/about").get_data(as_text=True)
    assert 'action="/me/export"' in page and "Download my data" in page

    response = client.post("/me/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"my-heartbeat-miles-{record.participant_id}-" in response.headers["Content-Disposition"]
    _check_archive(response.data, record)
    [event] = _audit(app, "participant.own_export")
    assert event.entity_id == record.participant_id and event.actor_id == record.user_id
    assert event.changes["files"]["after"] == {"sessions": 2, "certificates": 2}


def test_staff_do_not_use_the_participants_export(app, security_world):
    staff = signed_in(app, security_world.a.therapist_email)
    assert staff.post("/me/export").status_code == 403
    assert _audit(app, "participant.own_export") == []


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_OWN_EXPORT_JOB_FILES": 3}], indirect=True)
def test_a_large_export_is_a_job_only_they_and_staff_follow(app, security_world):
    record = security_world.a.records["p1"]
    client = signed_in(app, record.user_email)
    response = client.post("/me/export")
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)$", response.location).group(1))
    with app.app_context():
        job = job_services.wait(job_id, timeout=120)
    assert job.state == JobState.DONE, job.error

    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Your data, as a ZIP file" in page and "<progress" in page
    assert "Try again" not in page
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    download = client.get(f"/jobs/{job_id}/result")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    _check_archive(download.data, record)
    assert len(_audit(app, "participant.own_export")) == 1

    # Another participant of the centre: refused; staff of another centre: not found.
    other = signed_in(app, security_world.a.records["p2"].user_email)
    assert other.get(f"/jobs/{job_id}").status_code == 403
    assert other.get(f"/jobs/{job_id}/result").status_code == 403
    assert (
        signed_in(app, security_world.b.therapist_email).get(f"/jobs/{job_id}").status_code == 404
    )
    # Staff of the centre see it, as every job of the centre.
    assert (
        signed_in(app, security_world.a.therapist_email).get(f"/jobs/{job_id}").status_code == 200
    )
