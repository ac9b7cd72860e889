"""The device-file rules through the upload page and ``flask import-activity``: a file that
lacks only the kind is kept, gzipped files, the parse budget from the settings, and files that
cannot be a session (no movement, impossible speed)."""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from heartbeat.training import pending
from tests.helpers import signed_in
from tests.training.conftest import DATA
from tests.training.test_devicefile_limits import many_record_fit
from tests.training.test_devicefiles import (
    START,
    WHEELCHAIR_PUSH_RUN,
    fit_session,
    gpx_point,
    make_fit,
    make_gpx,
)
from tests.training.test_uploads import counts, text, upload

UNSAID = "garmin-fenix-5-run.fit"  # says "running": not a kind of session here


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def kept_token(page: str) -> str:
    match = re.search(r'<input id="kept" name="kept" type="hidden" value="([^"]+)">', page)
    assert match, "the page carries the kept file's token"
    return match.group(1)


def choose_kind(client, participant_id: int, token: str, kind: str):
    return client.post(
        f"/participants/{participant_id}/sessions/upload",
        data={"kept": token, "kind": kind},
        content_type="multipart/form-data",
    )


def kept_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "pending-uploads"
    return sorted(folder.glob("*")) if folder.exists() else []


# --- a file that does not say its kind ------------------------------------------------------------


def test_a_file_without_its_kind_is_kept_and_only_the_kind_is_asked(app, staff, training):
    first = upload(staff, training.pid, (DATA / UNSAID).read_bytes(), "run.fit")
    assert first.status_code == 422
    page = text(first)
    assert "does not say what kind of session it was" in page
    assert "Choose the kind. The file is kept: there is no need to choose it again." in page
    assert "File kept: run.fit." in page and 'href="#kind"' in page
    assert "Choose the kind, then upload the file again" not in page
    assert counts(app) == (0, 0)
    token = kept_token(page)

    second = choose_kind(staff, training.pid, token, "road")

    assert second.status_code == 302, text(second)
    [saved] = training.sessions()
    assert saved.kind.value == "road"
    page = text(staff.get(second.headers["Location"]))
    assert "run.fit (FIT" in page
    assert counts(app) == (1, 1)
    assert kept_files(app) == []  # saved, so no longer kept


def test_choosing_no_kind_again_keeps_the_same_file(app, staff, training):
    token = kept_token(text(upload(staff, training.pid, (DATA / UNSAID).read_bytes(), "run.fit")))
    again = choose_kind(staff, training.pid, token, "")
    assert again.status_code == 422
    assert kept_token(text(again)) == token
    assert len(kept_files(app)) == 2  # the bytes and their description, once


def test_a_different_file_replaces_the_kept_one(app, staff, training):
    token = kept_token(text(upload(staff, training.pid, (DATA / UNSAID).read_bytes(), "run.fit")))
    other = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)])
    response = staff.post(
        f"/participants/{training.pid}/sessions/upload",
        data={"kept": token, "kind": "", "file": (io.BytesIO(gzip.compress(other)), "push.fit.gz")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)
    [saved] = training.sessions()
    assert saved.distance_m == 5000
    assert kept_files(app) == []


def test_a_kept_file_opens_for_nobody_else_and_for_no_other_participant(app, staff, training):
    token = kept_token(text(upload(staff, training.pid, (DATA / UNSAID).read_bytes(), "run.fit")))

    elsewhere = choose_kind(staff, training.other_pid, token, "road")
    assert elsewhere.status_code == 422
    assert "The file from before is no longer kept" in text(elsewhere)

    admin = signed_in(app, training.world.a.admin.email)
    assert choose_kind(admin, training.pid, token, "road").status_code == 422
    assert counts(app) == (0, 0)
    # Nor can anyone else throw it away by sending another file with its token.
    other = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)])
    replaced = admin.post(
        f"/participants/{training.pid}/sessions/upload",
        data={"kept": token, "kind": "road", "file": (io.BytesIO(other), "other.fit")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 302
    assert len(kept_files(app)) == 2
    # The owner still can.
    assert choose_kind(staff, training.pid, token, "road").status_code == 302
    assert counts(app) == (2, 2) and kept_files(app) == []


def test_a_forged_or_stale_token_asks_for_the_file_again(app, staff, training):
    for token in ("../../config", "x" * 43, ""):
        response = choose_kind(staff, training.pid, token, "road")
        assert response.status_code == 422
        assert "Choose" in text(response)
    assert counts(app) == (0, 0)


def test_kept_files_expire_after_an_hour(tmp_path):
    folder = tmp_path / "pending"
    token = pending.keep(folder, b"data", file_name="a.fit", owner="1:2", now=START)
    assert (
        pending.take(folder, token, owner="1:2", now=START + timedelta(minutes=59)).data == b"data"
    )
    assert pending.take(folder, token, owner="1:3", now=START) is None
    assert pending.take(folder, token, owner="1:2", now=START + timedelta(minutes=61)) is None
    assert list(folder.iterdir()) == []

    old = pending.keep(folder, b"old", file_name="b.fit", owner="1:2", now=START)
    pending.keep(folder, b"new", file_name="c.fit", owner="1:2", now=START + timedelta(hours=2))
    assert pending.take(folder, old, owner="1:2", now=START) is None  # swept by the newer keep
    assert len(list(folder.iterdir())) == 2


# --- gzip -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [("garmin-fenix-5-run.fit", "road"), ("cerknicko-jezero.gpx", "road"), ("test.tcx", "track")],
)
def test_a_gzipped_device_file_uploads_like_the_file(app, staff, training, name, kind):
    data = (DATA / name).read_bytes()
    response = upload(staff, training.pid, gzip.compress(data), name + ".gz", kind=kind)
    assert response.status_code == 302, text(response)
    page = text(staff.get(response.headers["Location"]))
    assert f"{name}.gz (" in page
    # The same activity unpacked is the same file: refused as a duplicate.
    again = upload(staff, training.pid, data, name, kind=kind)
    assert again.status_code == 409
    assert counts(app) == (1, 1)


def test_the_upload_form_accepts_gz_files(staff, training):
    page = text(staff.get(f"/participants/{training.pid}/sessions/upload"))
    assert 'accept=".gpx,.tcx,.fit,.gz,' in page


def test_a_gzip_bomb_upload_is_a_clear_422(app, staff, training):
    megabyte = gzip.compress(b" " * (1024 * 1024), compresslevel=9)
    bomb = gzip.compress(b"<gpx>") + megabyte * 100
    response = upload(staff, training.pid, bomb, "bomb.gpx.gz", kind="road")
    assert response.status_code == 422
    assert "unpacks to more than 32 MB" in text(response)
    assert counts(app) == (0, 0)


def test_the_command_line_reads_and_saves_gzipped_files(runner, training, tmp_path):
    for name in ("garmin-fenix-5-run.fit", "cerknicko-jezero.gpx", "test.tcx"):
        path = tmp_path / f"{name}.gz"
        path.write_bytes(gzip.compress((DATA / name).read_bytes()))
        dry = runner.invoke(args=["import-activity", str(path)])
        assert dry.exit_code == 0, dry.output
        assert json.loads(dry.stdout)["source_format"] == name.rsplit(".", 1)[1]
    saved = runner.invoke(
        args=["import-activity", str(path), "--participant", str(training.pid), "--kind", "road"]
    )
    assert saved.exit_code == 0, saved.output
    [session] = training.sessions()
    assert json.loads(saved.stdout)["session_id"] == session.id


def test_the_command_line_refuses_a_gzip_bomb_in_one_line(runner, tmp_path):
    path = tmp_path / "bomb.fit.gz"
    path.write_bytes(gzip.compress(b"\x00") + gzip.compress(b"\x00" * (1024 * 1024)) * 40)
    result = runner.invoke(args=["import-activity", str(path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path}: This compressed (.gz) file unpacks to more than 32 MB, far more than "
        "one activity; nothing was saved."
    )


# --- the parse budget from the settings -----------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_DEVICE_MAX_RECORDS": 1_000}])
def test_the_upload_page_holds_files_to_the_point_budget(app, staff, training):
    response = upload(staff, training.pid, many_record_fit(1_001), "long.fit", kind="road")
    assert response.status_code == 422
    assert "This file holds more than 1,000 recorded points" in text(response)
    assert counts(app) == (0, 0)
    assert upload(
        staff, training.pid, many_record_fit(1_000), "ok.fit", kind="road"
    ).status_code == (302)


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_DEVICE_PARSE_SECONDS": 0}])
def test_the_upload_page_holds_files_to_the_time_budget(app, staff, training):
    response = upload(staff, training.pid, many_record_fit(2_000), "slow.fit", kind="road")
    assert response.status_code == 422
    assert "Reading this file took longer than 0 seconds, so it was stopped" in text(response)
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("app_config", [{"HEARTBEAT_DEVICE_MAX_RECORDS": 1_000}])
def test_the_command_line_holds_files_to_the_point_budget(app, runner, training, tmp_path):
    path = tmp_path / "long.fit"
    path.write_bytes(many_record_fit(1_001))
    for args in ([], ["--participant", str(training.pid), "--kind", "road"]):
        result = runner.invoke(args=["import-activity", str(path), *args])
        assert result.exit_code == 1
        assert "more than 1,000 recorded points" in result.stderr
    assert training.sessions() == []


# --- files that cannot be a session ---------------------------------------------------------------


def test_a_gpx_track_without_movement_gets_a_clear_422(app, staff, training):
    still = [gpx_point(51.0, -1.0, when=START), gpx_point(51.0, -1.0, when=START)]
    response = upload(staff, training.pid, make_gpx([[still]]), "still.gpx", kind="road")
    assert response.status_code == 422
    assert "This GPX file records no movement" in text(response)
    assert counts(app) == (0, 0)


def test_a_fit_claiming_a_marathon_in_a_millisecond_is_refused(app, staff, training):
    data = make_fit(
        sessions=[
            fit_session(
                sport=WHEELCHAIR_PUSH_RUN, distance_m=42_195, timer_s=0.001, elapsed_s=0.001
            )
        ]
    )
    response = upload(staff, training.pid, data, "marathon.fit", kind="road")
    assert response.status_code == 422
    assert "It records 42.2 km in under a second, faster than 60 km/h" in text(response)
    assert counts(app) == (0, 0)
