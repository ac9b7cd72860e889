"""Uploading device files and CSV files through the pages: clear 4xx answers, nothing half-saved."""

from __future__ import annotations

import html
import io

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.training.models import ActivityFile, SessionKind, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import DATA
from tests.training.test_devicefiles import (
    BOMB,
    WHEELCHAIR_PUSH_RUN,
    fit_session,
    make_fit,
    outdoor_records,
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def upload(client, participant_id, data: bytes, name: str, kind: str = ""):
    return client.post(
        f"/participants/{participant_id}/sessions/upload",
        data={"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
    )


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ActivityFile)),
        )


# --- device files ---------------------------------------------------------------------------------


def test_the_upload_page_offers_the_kind_as_the_file_says(staff, training):
    page = text(staff.get(f"/participants/{training.pid}/sessions/upload"))
    assert 'enctype="multipart/form-data"' in page
    assert 'value="">As the file says</option>' in page


def test_a_real_gpx_upload_becomes_a_session_with_a_route_preview(app, staff, training):
    data = (DATA / "cerknicko-jezero.gpx").read_bytes()
    response = upload(staff, training.pid, data, "cerknicko-jezero.gpx", kind="road")
    assert response.status_code == 302, text(response)
    [saved] = training.sessions()
    assert response.headers["Location"] == f"/sessions/{saved.id}"
    assert saved.kind is SessionKind.ROAD
    page = text(staff.get(f"/sessions/{saved.id}"))
    assert '<svg viewBox="0 0 320 220"' in page and 'role="img"' in page
    assert '<path class="route-line" d="M' in page
    assert "Route map." in page and "north is up" in page
    assert "cerknicko-jezero.gpx (GPX" in page
    assert "style=" not in page[page.index("<svg") : page.index("</svg>")]


@pytest.mark.parametrize(
    ("name", "kind"), [("garmin-fenix-5-run.fit", "road"), ("test.tcx", "track")]
)
def test_real_fit_and_tcx_uploads_save(app, staff, training, name, kind):
    response = upload(staff, training.pid, (DATA / name).read_bytes(), name, kind=kind)
    assert response.status_code == 302, text(response)
    assert counts(app) == (1, 1)


def test_a_file_that_does_not_say_its_kind_asks_for_it(app, staff, training):
    data = (DATA / "garmin-fenix-5-run.fit").read_bytes()
    response = upload(staff, training.pid, data, "run.fit")
    assert response.status_code == 422
    page = text(response)
    assert "does not say what kind of session it was" in page
    assert 'href="#kind"' in page
    assert counts(app) == (0, 0)


def test_an_indoor_file_says_so_on_the_session_page(app, staff, training):
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, sub_sport=87)])
    response = upload(staff, training.pid, data, "rollers.fit")
    assert response.status_code == 302
    page = text(staff.get(response.headers["Location"]))
    assert "Rollers / trainer session" in page
    assert "No GPS track" in page and "<svg viewBox" not in page


def test_the_same_file_again_is_refused_naming_the_session(app, staff, training):
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)], records=outdoor_records())
    first = upload(staff, training.pid, data, "push.fit")
    [saved] = training.sessions()
    again = upload(staff, training.other_pid, data, "copy.fit")
    assert again.status_code == 409
    page = text(again)
    assert f"already session {saved.id} of Ada Lovelace" in page
    assert f'href="/sessions/{saved.id}"' in page
    assert first.status_code == 302 and counts(app) == (1, 1)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ((DATA / "Settings.fit").read_bytes(), "Settings.fit", "holds no activity"),
        (
            (DATA / "invalid_activity-unexpected-eof.fit").read_bytes(),
            "cut.fit",
            "damaged or cut short",
        ),
        ((DATA / "route.gpx").read_bytes(), "route.gpx", "no track points"),
        (b"", "empty.gpx", "This file is empty."),
        (
            b"<!DOCTYPE html><html><body>Sign in</body></html>",
            "activity.tcx",
            "not a GPX, TCX or FIT",
        ),
        (b"\x00" * 8 + b".FIT" + b"\x01" * 30, "fake.fit", "damaged or cut short"),
        (b"hello, this is not a FIT file at all", "notes.fit", "not a GPX, TCX or FIT"),
        (BOMB.encode(), "bomb.gpx", "DOCTYPE"),
    ],
    ids=["settings", "truncated", "route", "empty", "html", "fake-fit", "text", "bomb"],
)
def test_bad_files_get_a_clear_4xx_and_save_nothing(app, staff, training, data, name, message):
    response = upload(staff, training.pid, data, name, kind="road")
    assert 400 <= response.status_code < 500
    page = text(response)
    assert message in page
    assert "Traceback" not in page
    assert counts(app) == (0, 0)
    assert training.audit("session.import") == []


def test_no_file_chosen_is_a_field_error(staff, training):
    response = staff.post(
        f"/participants/{training.pid}/sessions/upload",
        data={"kind": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose a GPX, TCX or FIT file to upload." in text(response)


@pytest.mark.parametrize("app_config", [{"MAX_CONTENT_LENGTH": 64 * 1024}])
def test_an_upload_over_the_size_limit_gets_the_413_page(app, staff, training):
    data = (DATA / "test.tcx").read_bytes()  # 180 KB
    response = upload(staff, training.pid, data, "test.tcx", kind="road")
    assert response.status_code == 413
    assert "That file is too large" in text(response)
    assert counts(app) == (0, 0)


# --- CSV ------------------------------------------------------------------------------------------


def post_csv(client, body: str, name: str = "sessions.csv"):
    return client.post(
        "/sessions/import",
        data={"file": (io.BytesIO(body.encode()), name)},
        content_type="multipart/form-data",
    )


def test_the_csv_page_documents_the_columns_and_offers_a_template(staff, training):
    page = text(staff.get("/sessions/import"))
    for column in ("participant_id", "date", "kind", "distance", "distance_m", "duration_s"):
        assert f"<code>{column}</code>" in page
    # A blank time is refused, and the page says so where it describes the columns.
    assert "a line with a blank time is refused, never read as midnight" in page
    assert "A line with no time is refused, never read as midnight" in page
    assert "Empty means 00:00" not in page
    assert "commas, semicolons" in page and "or tabs" in page
    template = staff.get("/sessions/import/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert "attachment" in template.headers["Content-Disposition"]
    assert template.get_data(as_text=True).startswith("participant_id,date,time,kind,distance")


def test_a_csv_imports_every_row(app, staff, training):
    body = (
        "participant_id,date,time,kind,distance,duration,rpe\n"
        f"{training.pid},2025-05-01,09:30,track,0.45,3:00,5\n"
        f"{training.other_pid},2025-05-02,18:05,road,5,25:00,6\n"
    )
    response = post_csv(staff, body)
    assert response.status_code == 302
    assert "Imported 2 sessions for 2 participants." in text(staff.get("/sessions/import"))
    assert len(training.sessions()) == 1 and len(training.sessions(training.other_pid)) == 1
    assert training.award_codes() == {"first-push", "one-lap"}


def test_a_bad_csv_lists_problems_by_line_and_column_and_imports_nothing(app, staff, training):
    body = (
        "participant_id,date,time,kind,distance,rpe,avg_hr\n"
        f"{training.pid},2025-05-01,9:00,track,0.45,5,120\n"
        f"{training.pid},2025-05-02,9:00,track,-1,11,120\n"
        f"{training.b_pid},2025-05-03,9:00,track,1,5,120\n"
        f"{training.pid},2099-01-01,9:00,swim,1,5,400\n"
    )
    response = post_csv(staff, body)
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was imported" in page
    rows = page[page.index("csv-problems") :]
    assert '<th scope="row" data-label="Line">3</th><td data-label="Column">distance</td>' in rows
    assert '<th scope="row" data-label="Line">3</th><td data-label="Column">rpe</td>' in rows
    assert f"No participant {training.b_pid} at this centre." in rows
    assert '<th scope="row" data-label="Line">5</th><td data-label="Column">kind</td>' in rows
    assert counts(app) == (0, 0)


def test_a_csv_from_another_centre_user_is_refused(app, training):
    other = signed_in(app, training.world.b.therapist.email)
    body = f"participant_id,date,time,kind,distance\n{training.pid},2025-05-01,9:00,track,1\n"
    response = post_csv(other, body)
    assert response.status_code == 422
    assert f"No participant {training.pid} at this centre." in text(response)
    assert counts(app) == (0, 0)


def test_a_file_that_is_not_csv_text_is_refused(app, staff, training):
    response = staff.post(
        "/sessions/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00garbage\x9c"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not UTF-8 text" in text(response)
    assert counts(app) == (0, 0)
