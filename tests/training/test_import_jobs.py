"""Session CSV files too big for a request: a background job with a progress page, all or none."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.jobs import services as job_services
from heartbeat.jobs.models import Job, JobState
from heartbeat.training import jobs as training_jobs
from heartbeat.training.csv_import import import_sessions
from heartbeat.training.models import SessionSource, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import NOW

BIG = 5  # rows above which a file becomes a job, in these tests


@pytest.fixture
def app_config():
    return {"HEARTBEAT_IMPORT_JOB_ROWS": BIG}


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def csv_body(pids: list[int], rows: int, *, first: date = date(2020, 1, 1)) -> str:
    lines = ["participant_id,date,time,kind,distance,duration,rpe"]
    for i in range(rows):
        day = first + timedelta(days=i // 4)
        lines.append(
            f"{pids[i % len(pids)]},{day.isoformat()},{7 + i % 4}:30,track,"
            f"{0.1 + (i % 50) / 10:.1f},{10 + i % 40}:00,{i % 10}"
        )
    return "\n".join(lines) + "\n"


def post_csv(client, body: str, name: str = "sessions.csv"):
    return client.post(
        "/sessions/import",
        data={"file": (io.BytesIO(body.encode()), name)},
        content_type="multipart/form-data",
    )


def job_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    found = re.search(r"/jobs/(\d+)$", response.location)
    assert found, response.location
    return int(found.group(1))


def finished(app, job_id: int) -> Job:
    with app.app_context():
        return job_services.wait(job_id, timeout=60)


def session_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession))


def test_a_big_csv_is_imported_by_a_job_whose_page_reports_the_summary(app, staff, training):
    response = post_csv(staff, csv_body([training.pid, training.other_pid], 12), "spring.csv")
    job_id = job_id_of(response)
    page = text(staff.get(f"/jobs/{job_id}"))
    assert "<h1>Import sessions from a CSV file</h1>" in page
    assert "checked and imported in the background" in page  # the flash says why

    job = finished(app, job_id)
    assert job.state == JobState.DONE, job.error
    assert session_count(app) == 12
    assert {s.source for s in training.sessions()} == {SessionSource.CSV_IMPORT}
    assert "first-push" in training.award_codes()  # the milestone engine ran
    assert len(training.audit("session.import")) == 12
    with app.app_context():  # the file's copy is dropped with the import's commit
        params = db.session.scalar(sa.select(Job.params).where(Job.id == job_id))
    assert params == {"file_name": "spring.csv", "rows": 12}

    page = text(staff.get(f"/jobs/{job_id}"))
    assert "<dt>Sessions imported</dt><dd>12</dd>" in page
    assert "<dt>Participants</dt><dd>2</dd>" in page
    assert "<dt>File</dt><dd>spring.csv</dd>" in page
    data = staff.get(f"/jobs/{job_id}.json").get_json()
    assert data["state"] == "done" and data["percent"] == 100
    # Finished: how it ended, not the last thing it reported ("2 of 2 participants re-evaluated").
    assert data["progress_text"] == "File: spring.csv · Sessions imported: 12 · Participants: 2"
    assert {"label": "Sessions imported", "value": "12"} in data["summary"]


def test_a_big_csv_with_problems_fails_with_them_by_line_and_column_and_saves_nothing(
    app, staff, training
):
    body = csv_body([training.pid], 8).splitlines()
    body[3] = f"{training.pid},2020-01-02,07:30,track,-1,10:00,11"  # line 4: distance and rpe
    body[6] = f"{training.b_pid},2020-01-03,07:30,track,1,10:00,5"  # line 7: another centre's
    job_id = job_id_of(post_csv(staff, "\n".join(body) + "\n"))
    job = finished(app, job_id)
    assert job.state == JobState.FAILED
    assert session_count(app) == 0 and training.award_codes() == set()
    with app.app_context():  # kept for "Try again" until the job is purged
        assert "csv" in db.session.scalar(sa.select(Job.params).where(Job.id == job_id))

    page = text(staff.get(f"/jobs/{job_id}"))
    assert "Nothing was imported: 3 problems in the file. Correct the file" in page
    table = page[page.index("Problems by line and column") :]
    assert '<th scope="row" data-label="Line">4</th><td data-label="Column">distance</td>' in table
    assert '<th scope="row" data-label="Line">4</th><td data-label="Column">rpe</td>' in table
    assert f"No participant {training.b_pid} at this centre." in table
    details = staff.get(f"/jobs/{job_id}.json").get_json()["details"]
    assert details["columns"] == ["Line", "Column", "Problem"]
    assert ["7", "participant_id", f"No participant {training.b_pid} at this centre."] in (
        details["rows"]
    )


def test_a_big_csv_with_a_bad_header_is_refused_at_once_without_a_job(app, staff, training):
    body = csv_body([training.pid], 9).replace("participant_id,", "person,", 1)
    response = post_csv(staff, body)
    assert response.status_code == 422
    assert "Unknown column “person”." in text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_a_small_csv_is_still_imported_inside_the_request(app, staff, training):
    response = post_csv(staff, csv_body([training.pid], BIG))
    assert response.status_code == 302 and response.location.endswith("/sessions/import")
    assert session_count(app) == BIG
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_another_centre_cannot_see_the_import_job(app, staff, training):
    job_id = job_id_of(post_csv(staff, csv_body([training.pid], 7)))
    finished(app, job_id)
    other = signed_in(app, training.world.b.therapist.email)
    assert other.get(f"/jobs/{job_id}").status_code == 404
    assert other.get(f"/jobs/{job_id}.json").status_code == 404


def test_the_import_reports_rows_checked_rows_imported_and_participants_re_evaluated(app, training):
    seen: list[tuple[int, int, str]] = []
    body = csv_body([training.pid, training.other_pid], 2500)
    with app.app_context():
        centre = db.session.get(Centre, training.world.a.centre.id)
        result = import_sessions(
            body.encode(),
            centre=centre,
            actor=None,
            now=NOW,
            progress=lambda *report: seen.append(report),
        )
        db.session.rollback()
    assert result.sessions == 2500
    assert [r for r in seen if r[2] == "rows checked"][-1] == (2500, 2500, "rows checked")
    assert [r for r in seen if r[2] == "rows imported"] == [
        (1000, 2500, "rows imported"),
        (2000, 2500, "rows imported"),
        (2500, 2500, "rows imported"),
    ]
    assert seen[-2:] == [(1, 2, "participants re-evaluated"), (2, 2, "participants re-evaluated")]
    assert all(done <= total for done, total, _ in seen)


def test_by_default_a_file_of_more_than_2000_rows_becomes_a_job(app, training):
    app.config["HEARTBEAT_IMPORT_JOB_ROWS"] = 2000
    with app.test_request_context(), app.app_context():
        centre = db.session.get(Centre, training.world.a.centre.id)
        at_limit = csv_body([training.pid], 2000).encode()
        over = csv_body([training.pid], 2001).encode()
        assert (
            training_jobs.submit_import_if_large(
                at_limit, centre=centre, actor=None, file_name="a.csv"
            )
            is None
        )
        job_id = training_jobs.submit_import_if_large(
            over, centre=centre, actor=None, file_name="b.csv"
        )
        assert job_id is not None
        params = db.session.scalar(sa.select(Job.params).where(Job.id == job_id))
        assert params["rows"] == 2001 and params["file_name"] == "b.csv"
        db.session.rollback()


def test_rows_are_counted_as_csv_records_not_lines():
    body = 'participant_id,date,kind,notes\n1,2025-01-01,track,"two\nlines"\n\n2,2025-01-02,road,\n'
    assert training_jobs.count_rows(body) == 2


def test_the_import_page_says_when_a_file_goes_to_the_background(staff, training):
    page = text(staff.get("/sessions/import"))
    assert f"A file of more than {BIG} rows is checked and imported in the background" in page
