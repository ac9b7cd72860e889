"""Batch printing: one PDF of many pages made by a background job, printed marks stored with the
file, nothing marked when it fails, admins only, one centre only."""

from __future__ import annotations

import queue
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.certificates import printing, render
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db
from heartbeat.jobs import services as job_services
from heartbeat.jobs.context import ProgressReporter
from heartbeat.jobs.models import Job, JobState
from tests.certificates.conftest import NOW, decode_qr_codes, pdf_reader
from tests.helpers import signed_in


@pytest.fixture
def three(app, world, certs):
    """Three standing certificates in centre A (one participant, three milestones)."""
    achiever = certs.achiever(world.a)
    return [certs.issue(world.a, achiever, code) for code in ("one-mile", "5k", "10k")]


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _wait(app, job_id: int) -> Job:
    with app.app_context():
        job_services.wait(job_id, timeout=60)
        db.session.rollback()
        job = db.session.scalars(
            sa.select(Job).options(sa.orm.undefer(Job.result)).where(Job.id == job_id)
        ).one()
        db.session.expunge_all()
        return job


def _rows(app) -> list[Certificate]:
    with app.app_context():
        rows = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        db.session.expunge_all()
        return list(rows)


def test_printing_the_unprinted_makes_one_pdf_with_a_page_each_and_marks_them(app, world, three):
    client = signed_in(app, world.a.admin.email)
    form = client.get("/certificates/print").get_data(as_text=True)
    assert "Not printed yet" in form and "(3 certificates)" in form
    job_id = _job_id(client.post("/certificates/print", data={"mode": "unprinted"}))
    job = _wait(app, job_id)
    assert job.state == JobState.DONE, job.error
    assert job.result_mimetype == "application/pdf"
    reader = pdf_reader(job.result)
    assert len(reader.pages) == 3
    rows = _rows(app)
    for index, row in enumerate(rows):
        assert row.serial in reader.pages[index].extract_text()
        assert row.printed_at is not None and row.print_job_id == job_id
    assert decode_qr_codes(job.result, 2) == [rows[2].verify_url]
    # The status page offers the file, and the register shows them printed.
    status = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert f"/jobs/{job_id}/result" in status
    assert client.get("/certificates?printed=no").get_data(as_text=True).count("data-serial") == 0
    # Nothing left to print.
    again = client.post("/certificates/print", data={"mode": "unprinted"})
    assert again.status_code == 422
    assert "nothing to print" in again.get_data(as_text=True)


def test_printing_ticked_certificates_from_the_register(app, world, certs, three):
    other = certs.achiever(world.b)
    foreign = certs.issue(world.b, other)
    client = signed_in(app, world.a.admin.email)
    register = client.get("/certificates").get_data(as_text=True)
    assert register.count('name="certificate_ids"') == 3
    job_id = _job_id(
        client.post(
            "/certificates/print",
            data={
                "mode": "selected",
                "certificate_ids": [str(three[0]), str(three[2]), str(foreign)],
            },
        )
    )
    job = _wait(app, job_id)
    assert len(pdf_reader(job.result).pages) == 2
    printed = {row.id for row in _rows(app) if row.printed_at is not None}
    assert printed == {three[0], three[2]}


def test_ticking_nothing_explains_what_to_do(app, world, three):
    client = signed_in(app, world.a.admin.email)
    response = client.post("/certificates/print", data={"mode": "selected"}, follow_redirects=True)
    assert "Tick at least one" in response.get_data(as_text=True)


def test_revoked_certificates_are_never_printed(app, world, three):
    client = signed_in(app, world.a.admin.email)
    client.post(f"/certificates/{three[1]}/revoke", data={"reason": "Wrong", "version": "1"})
    job = _wait(app, _job_id(client.post("/certificates/print", data={"mode": "unprinted"})))
    assert len(pdf_reader(job.result).pages) == 2
    assert [row.printed_at is not None for row in _rows(app)] == [True, False, True]


def test_a_batch_that_fails_marks_nothing_and_can_be_run_again(app, world, three, monkeypatch):
    real = render.render_pdf

    def crash(*args, **kwargs):
        raise MemoryError("the renderer died half way")

    monkeypatch.setattr(render, "render_pdf", crash)
    client = signed_in(app, world.a.admin.email)
    job = _wait(app, _job_id(client.post("/certificates/print", data={"mode": "unprinted"})))
    assert job.state == JobState.FAILED
    assert all(row.printed_at is None for row in _rows(app))

    monkeypatch.setattr(render, "render_pdf", real)
    job = _wait(app, _job_id(client.post("/certificates/print", data={"mode": "unprinted"})))
    assert job.state == JobState.DONE
    assert all(row.printed_at is not None for row in _rows(app))


def test_the_render_counts_certificates_then_says_it_is_writing_the_file(app, world, three):
    reports = []
    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        batch = printing.render_batch(
            centre, three, now=NOW, progress_report=lambda *args: reports.append(args)
        )
    assert batch.count == 3
    # Counted in what the person asked for, three certificates: the file is a step, not a page.
    counted = [report for report in reports if report[1]]
    assert counted[0] == (0, 3, "certificates")
    assert (2, 3, "certificates") in counted and counted[-1] == (3, 3, "certificates")
    assert reports[-1] == (0, 0, "Writing the file")


@pytest.fixture
def held_reports(monkeypatch):
    """Each progress report of a job, held until the test has read the job's status page."""
    reached: queue.Queue = queue.Queue()
    release = threading.Semaphore(0)
    real = ProgressReporter.progress

    def progress(self, done, total, message=""):
        real(self, done, total, message)
        reached.put((done, total, message))
        assert release.acquire(timeout=30), "the test never read the status page"

    monkeypatch.setattr(ProgressReporter, "progress", progress)
    yield reached, release
    release.release(1000)  # a failed test leaves no job waiting


def test_a_print_job_shows_certificates_then_the_file_then_its_summary(
    app, world, three, held_reports
):
    reached, release = held_reports
    client = signed_in(app, world.a.admin.email)
    job_id = _job_id(client.post("/certificates/print", data={"mode": "unprinted"}))
    seen = []
    while True:
        try:
            reached.get(timeout=0.2)
        except queue.Empty:
            if client.get(f"/jobs/{job_id}.json").get_json()["finished"]:
                break
            continue
        data = client.get(f"/jobs/{job_id}.json").get_json()
        seen.append((data["progress_text"], data["attempt_text"]))
        release.release()
    texts = [text for text, _ in seen]
    assert texts[:2] == ["0 of 3 certificates", "1 of 3 certificates"]
    assert texts[-2:] == ["3 of 3 certificates", "Writing the file"]
    # The attempt in progress is the first of three, from the first report to the last.
    assert {attempt for _, attempt in seen} == {"Attempt 1 of 3"}

    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["state"] == "done"
    assert data["attempt_text"] == "Done on the first attempt"
    assert data["progress_text"] == "Certificates: 3 · Chosen: Not printed yet"
    assert {"label": "Certificates", "value": "3"} in data["summary"]
    status = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Done on the first attempt" in status and "0 of 3" not in status
    # The list shows how the job ended, never its last running message.
    listing = client.get("/jobs").get_data(as_text=True)
    assert "Certificates: 3 · Chosen: Not printed yet" in listing
    assert "Writing the file" not in listing and "of 3" not in listing


def test_only_admins_print(app, world, three):
    client = signed_in(app, world.a.therapist.email)
    assert client.get("/certificates/print").status_code == 403
    assert client.post("/certificates/print", data={"mode": "unprinted"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_this_month_means_the_centres_month(app, world, certs):
    achiever = certs.achiever(world.a)
    old = certs.issue(world.a, achiever, "5k", now=NOW - timedelta(days=40))
    new = certs.issue(world.a, achiever, "10k")
    with app.app_context():
        centre = db.session.get(Centre, world.a.centre.id)
        assert printing.batch_ids(centre, "month", now=NOW) == [new]
        assert printing.batch_ids(centre, "unprinted", now=NOW) == [old, new]
