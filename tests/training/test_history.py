"""Dates before birth and history before enrolment, on every entry path (issue 14 item 2).

A session dated 1980 for someone born in 1990 was saved, and device files from 2010 uploaded for a
participant enrolled in 2025 dated milestones "5 Aug 2010". One rule (``values.date_problem``)
now holds the session form, the self-report, the CSV import, the upload page and the command
line: before birth is refused; before enrolment is saved only as history, when the person says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.progress.models import HISTORY_EVIDENCE, Award
from heartbeat.training.csv_format import CsvImportError
from heartbeat.training.dates import Timeline, date_problem
from tests.helpers import signed_in
from tests.training.conftest import DATA
from tests.training.test_csv_import import run_import
from tests.training.test_upload_entry_points import kept_token
from tests.training.test_uploads import text, upload
from tests.training.test_views import FORM, SELF

BORN = date(1990, 5, 1)  # tests.participants.conftest.DETAILS
ENROLLED = date(2025, 1, 10)
TIMELINE = Timeline(BORN, ENROLLED, UTC)
FILE_2010 = "cerknicko-jezero.gpx"  # recorded 5 Aug 2010


@pytest.fixture
def newcomer(training) -> int:
    """Nia, born 1 May 1990 and enrolled on 10 Jan 2025 (the fixture's others joined in 2009)."""
    return training.enrol(training.world.a, given_name="Nia", family_name="New")


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)


# --- the rule ------------------------------------------------------------------------------------


def test_a_day_before_birth_is_refused_whatever_is_said():
    for history in (False, True):
        problem = date_problem(_at(date(1980, 1, 1)), TIMELINE, history=history)
        assert problem.reason == "before_birth" and problem.column == "started_at"
        assert "1 Jan 1980 is before the participant was born (1 May 1990)" in problem.message


def test_a_day_before_enrolment_is_history_only_when_the_person_says_so():
    problem = date_problem(_at(date(2024, 6, 1)), TIMELINE, history=False)
    assert problem.reason == "before_enrolment"
    assert "1 Jun 2024 is before enrolment (10 Jan 2025)" in problem.message
    assert "tick “This is history from before enrolment”" in problem.message
    assert date_problem(_at(date(2024, 6, 1)), TIMELINE, history=True) is None
    assert date_problem(_at(ENROLLED), TIMELINE, history=False) is None


def test_history_on_or_after_enrolment_is_refused_so_the_mark_never_lies():
    problem = date_problem(_at(ENROLLED), TIMELINE, history=True)
    assert problem.reason == "not_history" and problem.column == "before_enrolment"


# --- the session form and the self-report ------------------------------------------------


def test_the_session_form_refuses_a_date_before_birth(staff, training, newcomer):
    response = staff.post(
        f"/participants/{newcomer}/sessions/new", data={**FORM, "date": "1980-01-01"}
    )
    assert response.status_code == 422
    assert "1 Jan 1980 is before the participant was born (1 May 1990)" in text(response)
    assert training.sessions(newcomer) == []


def test_the_session_form_saves_a_session_before_enrolment_only_as_history(
    staff, training, newcomer
):
    data = {**FORM, "date": "2024-06-01"}
    refused = staff.post(f"/participants/{newcomer}/sessions/new", data=data)
    assert refused.status_code == 422
    assert "If it is history from before they joined, tick" in text(refused)
    assert training.sessions(newcomer) == []

    saved = staff.post(
        f"/participants/{newcomer}/sessions/new", data={**data, "before_enrolment": "y"}
    )
    assert saved.status_code == 302, text(saved)
    [session] = training.sessions(newcomer)
    assert session.before_enrolment
    assert "History from before enrolment" in text(staff.get(saved.headers["Location"]))
    listing = text(staff.get(f"/participants/{newcomer}/sessions"))
    assert "History from before enrolment" in listing

    # Editing keeps the rule: the same session cannot lose its mark while it is before enrolment.
    edit = staff.post(
        f"/sessions/{session.id}/edit", data={**data, "version": str(session.version)}
    )
    assert edit.status_code == 422
    assert training.session(session.id).before_enrolment


def test_a_participant_cannot_self_report_a_session_before_they_were_born(app, training, newcomer):
    training.allow_self_report(training.world.a)
    training.link(newcomer, training.world.a.participant)
    pat = signed_in(app, training.world.a.participant.email)
    response = pat.post("/me/sessions/new", data={**SELF, "date": "1985-03-02"})
    assert response.status_code == 422
    assert "is before the participant was born" in text(response)
    assert training.sessions(newcomer) == []


# --- the CSV import ----------------------------------------------------------------------------


def test_the_csv_import_holds_each_row_to_its_participants_dates(app, training, newcomer):
    body = (
        "participant_id,date,time,kind,distance,duration\n"
        f"{newcomer},1980-01-01,09:00,track,1,6:00\n"
        f"{newcomer},2024-06-01,09:00,track,1,6:00\n"
    )
    with pytest.raises(CsvImportError) as caught:
        run_import(app, training, body)
    found = [(e.line, e.column, e.message) for e in caught.value.errors]
    assert found[0][:2] == (2, "date") and "before the participant was born" in found[0][2]
    assert found[1][:2] == (3, "date")
    assert "put yes in its before_enrolment column" in found[1][2]
    assert training.sessions(newcomer) == []


def test_the_csv_before_enrolment_column_saves_history(app, training, newcomer):
    body = (
        "participant_id,date,time,kind,distance,duration,before_enrolment\n"
        f"{newcomer},2024-06-01,09:00,track,1,6:00,yes\n"
        f"{newcomer},2025-05-01,09:00,track,1,6:00,\n"
    )
    result = run_import(app, training, body)
    assert result.sessions == 2
    first, second = training.sessions(newcomer)
    assert first.before_enrolment and not second.before_enrolment

    marked_wrongly = (
        "participant_id,date,time,kind,distance,before_enrolment\n"
        f"{newcomer},2025-05-02,09:00,track,1,yes\n"
    )
    with pytest.raises(CsvImportError) as caught:
        run_import(app, training, marked_wrongly)
    [problem] = caught.value.errors
    assert problem.column == "before_enrolment"
    assert "leave its before_enrolment cell empty" in problem.message


# --- device files: the upload page and the command line -----------------------------------------


def test_a_device_file_from_before_enrolment_is_kept_until_it_is_marked_as_history(
    app, staff, training, newcomer
):
    first = upload(staff, newcomer, (DATA / FILE_2010).read_bytes(), FILE_2010)
    assert first.status_code == 422
    page = text(first)
    # Both questions at once: the file says neither its kind nor that it is history.
    assert "does not say what kind of session it was" in page
    assert "5 Aug 2010 is before enrolment (10 Jan 2025)" in page
    assert "tick “This is history from before enrolment” and save again" in page
    assert "The file is kept: there is no need to choose it again." in page
    assert training.sessions(newcomer) == []

    second = staff.post(
        f"/participants/{newcomer}/sessions/upload",
        data={"kept": kept_token(page), "kind": "road", "before_enrolment": "y"},
        content_type="multipart/form-data",
    )
    assert second.status_code == 302, text(second)
    [session] = training.sessions(newcomer)
    assert session.before_enrolment

    # Its awards are only proposed: dated the enrolment day, waiting for a therapist, never
    # "Reached 5 Aug 2010".
    with app.app_context():
        awards = db.session.scalars(sa.select(Award).where(Award.participant_id == newcomer)).all()
        assert awards and all(award.stage_id is not None for award in awards)  # no club
        for award in awards:
            assert award.review_reason == HISTORY_EVIDENCE and award.needs_review
            assert not award.verified
            assert award.achieved_at.date() == ENROLLED
    profile = text(staff.get(f"/participants/{newcomer}/progress"))
    assert "From history: confirm the award and its date" in profile
    assert "Aug 2010" not in profile.split('id="ladder"')[1].split("</ol>")[0]


def test_a_device_file_from_before_birth_is_refused(staff, training):
    young = training.enrol(training.world.a, given_name="Kit", date_of_birth=date(2012, 3, 1))
    response = upload(staff, young, (DATA / FILE_2010).read_bytes(), FILE_2010)
    assert response.status_code == 422
    assert "5 Aug 2010 is before the participant was born (1 Mar 2012)" in text(response)
    assert training.sessions(young) == []


def test_the_command_line_asks_for_history_and_saves_it(runner, training, newcomer):
    path = DATA / FILE_2010
    args = ["import-activity", str(path), "--participant", str(newcomer), "--kind", "road"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1
    assert "5 Aug 2010 is before enrolment" in refused.output and "pass --history" in refused.output
    saved = runner.invoke(args=[*args, "--history"])
    assert saved.exit_code == 0, saved.output
    [session] = training.sessions(newcomer)
    assert session.before_enrolment
