"""The job pages: status (HTML and JSON), download, try again, the list, and who may see them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from flask_sqlalchemy.pagination import SelectPagination

from heartbeat.db import set_centre_scope, utcnow
from heartbeat.jobs import services
from heartbeat.jobs.models import JobState
from tests.helpers import signed_in
from tests.jobs.handlers import gate


def _running(jobs, world, **values):
    job_id = jobs.submit(world.a, n=500)
    jobs.update(
        job_id,
        **{
            "state": JobState.RUNNING,
            "attempts": 1,
            "started_at": utcnow(),
            "heartbeat_at": utcnow(),
            **values,
        },
    )
    return job_id


def test_status_page_of_a_running_job_shows_progress_and_refreshes_without_javascript(
    app, world, jobs
):
    job_id = _running(
        jobs, world, progress_done=212, progress_total=500, progress_message="pages rendered"
    )
    client = signed_in(app, world.a.therapist.email)
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Count things</h1>" in html
    assert '<progress id="job-progress-bar" max="500" value="212"' in html
    assert "212 of 500 pages rendered" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'aria-live="polite"' in html
    assert f'href="/jobs/{job_id}"' in html and ">Refresh<" in html  # a manual refresh too
    assert "js/jobs.js" in html and "css/jobs.css" in html
    # A strict CSP will forbid inline code: every script has a src, no on* attributes.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert f'data-status-url="/jobs/{job_id}.json"' in html


def test_status_json_reports_progress(app, world, jobs):
    job_id = _running(
        jobs, world, progress_done=212, progress_total=500, progress_message="pages rendered"
    )
    client = signed_in(app, world.a.therapist.email)
    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["state"] == "running" and data["finished"] is False
    assert (data["done"], data["total"], data["percent"]) == (212, 500, 42)
    assert data["progress_text"] == "212 of 500 pages rendered"
    assert data["download_url"] is None and data["error"] is None


def test_finished_job_offers_its_result_for_download(app, world, jobs):
    job_id = jobs.submit(world.a, n=3, dispatch=True)
    assert jobs.wait(job_id).state == JobState.DONE
    client = signed_in(app, world.a.therapist.email)

    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html  # nothing left to follow
    assert f'href="/jobs/{job_id}/result"' in html and "Download" in html
    assert "count.txt" in html
    assert "Things counted" in html  # the summary

    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["state"] == "done" and data["finished"] is True
    assert data["download_url"] == f"/jobs/{job_id}/result"
    assert data["outcome"] == "Finished. count.txt is ready to download."

    response = client.get(f"/jobs/{job_id}/result")
    assert response.status_code == 200
    assert response.data == b"counted 3 on attempt 1"
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == "attachment; filename=count.txt"


def test_the_attempt_is_counted_as_people_count_it(app, world, jobs):
    client = signed_in(app, world.a.therapist.email)

    def attempt(job_id):
        data = client.get(f"/jobs/{job_id}.json").get_json()
        html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert f"<dd>{data['attempt_text']}</dd>" in html
        return data["attempt_text"]

    waiting = jobs.submit(world.a, n=1)
    assert attempt(waiting) == ""  # nothing has been tried yet: no "0 of 3"
    assert attempt(_running(jobs, world)) == "Attempt 1 of 3"
    first = jobs.submit(world.a, n=2, dispatch=True)
    assert jobs.wait(first).state == JobState.DONE
    assert attempt(first) == "Done on the first attempt"
    jobs.update(first, attempts=2)
    assert attempt(first) == "Done on attempt 2 of 3"
    refused = jobs.submit(world.a, "testjobs.refuse", dispatch=True)
    assert jobs.wait(refused).state == JobState.FAILED
    assert attempt(refused) == "Failed on the first attempt"
    jobs.update(refused, attempts=3)
    assert attempt(refused) == "Failed after 3 attempts"


def test_a_finished_job_shows_how_it_ended_not_what_it_last_reported(app, world, jobs):
    done = jobs.submit(world.a, n=3, dispatch=True)
    failed = jobs.submit(world.a, "testjobs.explode", dispatch=True)
    assert jobs.wait(done).state == JobState.DONE and jobs.wait(failed).state == JobState.FAILED
    # What each reported last stays in its row: "3 of 3 things counted", "1 of 4 steps".
    assert jobs.get(failed).progress_total == 4
    client = signed_in(app, world.a.therapist.email)
    assert client.get(f"/jobs/{done}.json").get_json()["progress_text"] == (
        "Things counted: 3 · Attempt: 1"
    )
    failure = client.get(f"/jobs/{failed}.json").get_json()["progress_text"]
    assert failure.startswith("Something went wrong while running this job.")
    listing = client.get("/jobs").get_data(as_text=True)
    assert "Things counted: 3 · Attempt: 1" in listing
    assert "Something went wrong while running this job." in listing
    assert " of 3 things counted" not in listing and "of 4 steps" not in listing


def test_result_of_an_unfinished_job_is_not_found(app, world, jobs):
    job_id = _running(jobs, world)
    client = signed_in(app, world.a.therapist.email)
    assert client.get(f"/jobs/{job_id}/result").status_code == 404


def test_failed_job_shows_the_reason_and_can_be_tried_again(app, world, jobs):
    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=2, fail_at_end=True, dispatch=True)
    assert jobs.wait(job_id).state == JobState.FAILED
    client = signed_in(app, world.a.therapist.email)

    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Something went wrong while running this job" in html
    assert "secret" not in html and "Traceback" not in html
    assert f'action="/jobs/{job_id}/retry"' in html and "Try again" in html
    assert client.get(f"/jobs/{job_id}.json").get_json()["state"] == "failed"

    # Tried again, without the fault this time; it pauses so the queued state can be seen.
    jobs.update(job_id, params={"n": 2, "gate": name, "gate_attempts": [2]})
    response = client.post(f"/jobs/{job_id}/retry")
    assert response.status_code == 302 and response.location.endswith(f"/jobs/{job_id}")
    assert jobs.get(job_id).state in (JobState.QUEUED, JobState.RUNNING)
    gate(name).set()
    job = jobs.wait(job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_trying_again_a_job_that_did_not_fail_is_refused(app, world, jobs):
    job_id = _running(jobs, world)
    client = signed_in(app, world.a.therapist.email)
    response = client.post(f"/jobs/{job_id}/retry", follow_redirects=True)
    assert "Only a failed job can be tried again." in response.get_data(as_text=True)
    assert jobs.get(job_id).state == JobState.RUNNING


def test_polling_the_status_of_a_job_whose_worker_died_runs_it_again(app, world, jobs):
    job_id = _running(jobs, world)
    jobs.update(job_id, heartbeat_at=utcnow() - timedelta(seconds=600))
    client = signed_in(app, world.a.therapist.email)
    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["state"] in ("queued", "running", "done")
    job = jobs.wait(job_id)
    assert (job.state, job.attempts) == (JobState.DONE, 2)


def test_polling_a_job_whose_worker_died_on_its_last_attempt_shows_it_failed(app, world, jobs):
    job_id = _running(jobs, world, attempts=3)
    jobs.update(job_id, heartbeat_at=utcnow() - timedelta(seconds=600))
    client = signed_in(app, world.a.therapist.email)
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "stopped responding" in html and "Try again" in html
    assert jobs.get(job_id).state == JobState.FAILED


# --- who may see a job --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/jobs/{id}", "/jobs/{id}.json", "/jobs/{id}/result"])
def test_staff_of_another_centre_get_not_found(app, world, jobs, path):
    job_id = jobs.submit(world.a, n=1)
    jobs.update(
        job_id,
        state=JobState.DONE,
        result=b"x",
        result_filename="x.txt",
        result_mimetype="text/plain",
    )
    for email in (world.b.admin.email, world.b.therapist.email, world.operator.email):
        client = signed_in(app, email)
        assert client.get(path.format(id=job_id)).status_code == 404, email
    assert signed_in(app, world.a.admin.email).get(path.format(id=job_id)).status_code == 200


def test_another_centre_cannot_try_a_job_again(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.refuse", dispatch=True)
    jobs.wait(job_id)
    assert signed_in(app, world.b.admin.email).post(f"/jobs/{job_id}/retry").status_code == 404
    assert jobs.get(job_id).state == JobState.FAILED


@pytest.mark.parametrize("path", ["/jobs/{id}", "/jobs/{id}.json", "/jobs/{id}/result", "/jobs"])
def test_participants_are_forbidden(app, world, jobs, path):
    job_id = jobs.submit(world.a, n=1)
    client = signed_in(app, world.a.participant.email)
    assert client.get(path.format(id=job_id)).status_code == 403
    assert client.post(f"/jobs/{job_id}/retry").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(app, world, jobs):
    job_id = jobs.submit(world.a, n=1)
    response = app.test_client().get(f"/jobs/{job_id}")
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_job_is_not_found(app, world):
    assert signed_in(app, world.a.therapist.email).get("/jobs/999999").status_code == 404


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_centres_jobs_newest_first_and_not_the_other_centres(app, world, jobs):
    first = jobs.submit(world.a, n=1)
    second = jobs.submit(world.a, "testjobs.refuse")
    other = jobs.submit(world.b, n=1)
    html = signed_in(app, world.a.therapist.email).get("/jobs").get_data(as_text=True)
    assert f'href="/jobs/{second}"' in html and f'href="/jobs/{first}"' in html
    assert html.index(f'href="/jobs/{second}"') < html.index(f'href="/jobs/{first}"')
    assert f'href="/jobs/{other}"' not in html
    assert "<caption" in html and 'scope="col"' in html


def test_list_is_paginated_with_a_bounded_number_of_queries_and_no_results_loaded(
    app, world, jobs, query_counter
):
    client = signed_in(app, world.a.therapist.email)
    for _ in range(3):
        jobs.submit(world.a, n=1)
    with query_counter() as few:
        assert client.get("/jobs").status_code == 200
    for _ in range(30):
        jobs.submit(world.a, n=1)
    with query_counter() as many:
        response = client.get("/jobs")
    assert response.status_code == 200
    assert len(many) == len(few) <= 6, many
    html = response.get_data(as_text=True)
    assert "Page 1 of 2" in html and html.count('href="/jobs/') >= 25
    listing = " ".join(s for s in many if "FROM job" in s)
    assert not re.search(r"job\.(result|params)\b(?!_)", listing), listing
    assert signed_in(app, world.a.therapist.email).get("/jobs?page=2").status_code == 200


def test_the_list_counts_job_ids_of_this_centre_through_public_pagination(
    app, world, jobs, query_counter
):
    for _ in range(3):
        jobs.submit(world.a, n=1)
    jobs.submit(world.b, n=1)
    # No subclass overriding Flask-SQLAlchemy's private counting: the plain db.paginate page.
    with app.test_request_context("/jobs"), query_counter() as statements:
        set_centre_scope(world.a.centre.id)
        page = services.recent_jobs_page(2)
    assert type(page) is SelectPagination
    assert page.total == 3 and page.pages == 2 and len(page.items) == 2
    counts = [s for s in statements if "count(" in s.lower()]
    assert len(counts) == 1 and "count(job.id)" in counts[0].lower(), counts
    assert "(select" not in counts[0].lower()  # ids counted, no subquery of every column


def test_status_page_runs_a_bounded_number_of_queries(app, world, jobs, query_counter):
    job_id = _running(jobs, world, progress_done=1, progress_total=2)
    client = signed_in(app, world.a.therapist.email)
    with query_counter() as statements:
        assert client.get(f"/jobs/{job_id}.json").status_code == 200
    assert len(statements) <= 4, statements
