"""A table a job leaves on its page: a file's problems by line, who changed; HTML and JSON."""

from __future__ import annotations

from heartbeat.jobs.context import MAX_TABLE_ROWS, JobTable
from heartbeat.jobs.models import JobState
from heartbeat.jobs.runner import GENERAL_FAILURE
from tests.helpers import signed_in


def test_a_finished_job_shows_its_table_with_row_headers_and_a_note(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.table", n=3, note="Three is plenty.", dispatch=True)
    assert jobs.wait(job_id).state == JobState.DONE
    client = signed_in(app, world.a.therapist.email)
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "<caption>Things by number</caption>" in html
    assert '<th scope="col">Number</th><th scope="col">Thing</th>' in html
    assert '<th scope="row" data-label="Number">2</th><td data-label="Thing">thing 2</td>' in html
    assert "Three is plenty." in html
    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["details"] == {
        "caption": "Things by number",
        "columns": ["Number", "Thing"],
        "rows": [["0", "thing 0"], ["1", "thing 1"], ["2", "thing 2"]],
        "note": "Three is plenty.",
    }
    assert {"label": "Things", "value": "3"} in data["summary"]


def test_a_job_refused_with_a_table_shows_it_and_trying_again_clears_it(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.table", n=2, refuse=True, dispatch=True)
    job = jobs.wait(job_id)
    assert (job.state, job.error) == (JobState.FAILED, "2 things were wrong.")
    client = signed_in(app, world.a.therapist.email)
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Failed: 2 things were wrong." in html and "<caption>Things by number</caption>" in html

    jobs.update(job_id, params={"n": 2})  # the file corrected
    assert client.post(f"/jobs/{job_id}/retry").status_code == 302
    job = jobs.wait(job_id)
    assert job.state == JobState.DONE and job.attempts == 2
    data = client.get(f"/jobs/{job_id}.json").get_json()
    assert data["details"]["rows"] == [["0", "thing 0"], ["1", "thing 1"]]


def test_an_unfinished_job_shows_no_table_yet(app, world, jobs):
    job_id = jobs.submit(world.a, "testjobs.table")
    jobs.update(job_id, details={"caption": "old", "columns": ["A"], "rows": [["1"]], "note": ""})
    client = signed_in(app, world.a.therapist.email)
    assert client.get(f"/jobs/{job_id}.json").get_json()["details"] is None
    assert "<caption>old</caption>" not in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_handler_leaving_something_else_as_details_fails_with_the_general_message(
    app, world, jobs
):
    job_id = jobs.submit(world.a, "testjobs.table", bad=True, dispatch=True)
    job = jobs.wait(job_id)
    assert job.state == JobState.FAILED
    assert job.error == GENERAL_FAILURE.format(job_id=job_id)


def test_a_table_is_stored_as_text_cells_cut_to_its_columns_and_row_limit():
    table = JobTable("Rows", ["A", "B"], [[1, None, "extra"], ["only"]] * MAX_TABLE_ROWS)
    stored = table.to_json()
    assert stored["rows"][:2] == [["1", ""], ["only", ""]]
    assert len(stored["rows"]) == MAX_TABLE_ROWS
