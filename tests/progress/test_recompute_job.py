"""Re-evaluating a centre from the ladder page: a background job with progress and a report."""

from __future__ import annotations

import csv
import html
import io
import re

import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.jobs import services as job_services
from heartbeat.jobs.models import Job, JobState
from heartbeat.progress import jobs as progress_jobs
from tests.helpers import signed_in
from tests.participants.conftest import Helpers


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def job_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    found = re.search(r"/jobs/(\d+)$", response.location)
    assert found, response.location
    return int(found.group(1))


def finished(app, job_id: int) -> Job:
    with app.app_context():
        return job_services.wait(job_id, timeout=30)


def test_the_ladder_button_queues_a_job_whose_page_lists_the_changes_and_offers_a_csv(
    app, progress
):
    other = Helpers(app).enrol(progress.world.a, given_name="Cy", family_name="Cole")
    progress.session(distance_m=450)
    progress.session(other, distance_m=150)
    progress.session(progress.pid_b, distance_m=5000)
    client = signed_in(app, progress.world.a.admin.email)

    job_id = job_id_of(client.post("/ladder/recompute"))
    job = finished(app, job_id)
    assert job.state == JobState.DONE, job.error
    assert job.kind == "progress.recompute_awards" and job.progress_total == 2

    page = text(client.get(f"/jobs/{job_id}"))
    assert "<h1>Re-evaluate awards</h1>" in page
    assert "<dt>Participants re-evaluated</dt><dd>2</dd>" in page
    assert "<dt>Awards added</dt><dd>3</dd>" in page
    assert "<dt>Awards flagged for review</dt><dd>0</dd>" in page
    assert "<caption>Participants whose awards changed</caption>" in page
    assert (
        '<th scope="row" data-label="Participant">Ada Lovelace</th>'
        f'<td data-label="Number">#{progress.pid}</td>'
        '<td data-label="What changed">added First push, One lap</td>'
    ) in page
    data = client.get(f"/jobs/{job_id}.json").get_json()
    # Finished: its summary, not the last count it reported ("2 of 2 participants re-evaluated").
    assert data["progress_text"].startswith("Participants re-evaluated: 2 · Awards added: 3")
    assert data["details"]["rows"][1] == ["Cy Cole", f"#{other}", "added First push"]

    download = client.get(data["download_url"])
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["participant_id", "name", "changes"],
        [str(progress.pid), "Ada Lovelace", "added First push, One lap"],
        [str(other), "Cy Cole", "added First push"],
    ]
    assert progress.awards(progress.pid_b) == {}  # another centre's people are left alone


def test_a_second_run_finds_nothing_to_change_and_offers_no_file(app, progress):
    progress.session(distance_m=450)
    client = signed_in(app, progress.world.a.admin.email)
    finished(app, job_id_of(client.post("/ladder/recompute")))
    job_id = job_id_of(client.post("/ladder/recompute"))
    assert finished(app, job_id).state == JobState.DONE
    page = text(client.get(f"/jobs/{job_id}"))
    assert "<dt>Participants with changes</dt><dd>0</dd>" in page
    assert client.get(f"/jobs/{job_id}.json").get_json()["download_url"] is None
    assert client.get(f"/jobs/{job_id}/result").status_code == 404


def test_pressing_the_button_while_a_run_is_unfinished_follows_that_run(app, progress):
    with app.test_request_context(), app.app_context():
        admin = db.session.get(User, progress.world.a.admin.id)
        queued = progress_jobs.submit_recompute(
            db.session.get(Centre, admin.centre_id), actor=admin
        )
        db.session.commit()  # queued, not dispatched: as if every worker were busy
    client = signed_in(app, progress.world.a.admin.email)
    response = client.post("/ladder/recompute")
    assert job_id_of(response) == queued
    assert "already being re-evaluated" in text(client.get(response.location))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_another_centres_unfinished_run_does_not_count(app, progress):
    with app.test_request_context(), app.app_context():
        admin_b = db.session.get(User, progress.world.b.admin.id)
        other = progress_jobs.submit_recompute(
            db.session.get(Centre, admin_b.centre_id), actor=admin_b
        )
        db.session.commit()
    client = signed_in(app, progress.world.a.admin.email)
    job_id = job_id_of(client.post("/ladder/recompute"))
    assert job_id != other
    finished(app, job_id)
    assert client.get(f"/jobs/{other}").status_code == 404


def test_the_command_line_still_re_evaluates_inline_without_a_job(app, progress):
    progress.session(distance_m=450)
    result = app.test_cli_runner().invoke(args=["recompute-awards", "--centre", "alpha"])
    assert result.exit_code == 0, result.output
    assert "Ada Lovelace" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
