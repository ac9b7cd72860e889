"""Device files become sessions: the import service and ``flask import-activity`` saving."""

from __future__ import annotations

import json
from datetime import timedelta

import fitdecode
import gpxpy
import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training.devicefiles import ActivityFileError
from heartbeat.training.imports import DuplicateActivity, import_activity
from heartbeat.training.models import ActivityFile, SessionKind, SessionSource, TrainingSession
from heartbeat.training.services import SessionError
from tests.training.conftest import DATA
from tests.training.test_devicefiles import (
    START,
    SUB_INDOOR_WHEELCHAIR_RUN,
    SUB_TRACK,
    WHEELCHAIR_PUSH_RUN,
    fit_record,
    fit_session,
    make_fit,
    outdoor_records,
)


def _import(app, participant_id, data, name="file.fit", kind=None):
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        session = import_activity(participant, actor=None, data=data, filename=name, kind=kind)
        db.session.commit()
        return session.id


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_wheelchair_fit_file_becomes_a_road_session_with_its_file(app, training):
    data = make_fit(
        sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=5000, timer_s=1500)],
        records=outdoor_records(),
    )
    session_id = _import(app, training.pid, data, "push.fit")
    saved = training.session(session_id)
    assert (saved.kind, saved.source, saved.distance_m) == (
        SessionKind.ROAD,
        SessionSource.DEVICE_FILE,
        5000,
    )
    assert (saved.moving_time_s, saved.elapsed_time_s) == (1500, 1600)
    assert (saved.avg_hr, saved.max_hr, saved.elevation_gain_m) == (150, 175, 12)
    assert saved.started_at == START
    with app.app_context():
        file = db.session.scalars(sa.select(ActivityFile)).one()
        assert (file.session_id, file.source_format, file.original_name) == (
            session_id,
            "fit",
            "push.fit",
        )
        assert file.summary["distance_m"] == 5000 and len(file.route) == 5
        assert len(file.fingerprint) == 64
    assert training.award_codes() >= {"first-push", "one-lap", "one-mile", "5k"}
    [event] = training.audit("session.import")
    assert event.changes["file_fingerprint"]["after"] == file.fingerprint


def test_a_track_sub_sport_maps_to_track(app, training):
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, sub_sport=SUB_TRACK)])
    assert training.session(_import(app, training.pid, data)).kind is SessionKind.TRACK


def test_an_indoor_file_without_gps_imports_from_its_summary(app, training):
    records = [fit_record(START + timedelta(seconds=i), distance_m=4.0 * i) for i in range(20)]
    session = fit_session(
        sport=WHEELCHAIR_PUSH_RUN,
        sub_sport=SUB_INDOOR_WHEELCHAIR_RUN,
        distance_m=8000,
        timer_s=1800,
        elapsed_s=1900,
    )
    session_id = _import(app, training.pid, make_fit(sessions=[session], records=records))
    saved = training.session(session_id)
    assert (saved.kind, saved.distance_m, saved.moving_time_s) == (SessionKind.ROLLER, 8000, 1800)
    with app.app_context():
        assert db.session.scalars(sa.select(ActivityFile.route)).one() == []


def test_a_file_that_does_not_say_its_kind_asks_for_one(app, training):
    data = (DATA / "garmin-fenix-5-run.fit").read_bytes()
    with pytest.raises(SessionError) as caught:
        _import(app, training.pid, data, "run.fit")
    assert "kind" in caught.value.field_errors
    assert "running" in str(caught.value)
    assert _count(app, TrainingSession) == 0

    session_id = _import(app, training.pid, data, "run.fit", kind="road")
    saved = training.session(session_id)
    assert saved.kind is SessionKind.ROAD
    with fitdecode.FitReader(str(DATA / "garmin-fenix-5-run.fit")) as reader:
        totals = [
            f for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "session"
        ]
    assert saved.distance_m == pytest.approx(totals[0].get_value("total_distance"), abs=0.01)


def test_the_same_file_twice_in_a_centre_is_refused_naming_the_session(app, training):
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)])
    first = _import(app, training.pid, data)
    with pytest.raises(DuplicateActivity) as caught:
        _import(app, training.other_pid, data)
    assert caught.value.session_id == first
    assert "Ada Lovelace" in str(caught.value)
    assert _count(app, TrainingSession) == 1


def test_another_centre_may_upload_the_same_file(app, training):
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)])
    _import(app, training.pid, data)
    _import(app, training.b_pid, data)
    assert _count(app, ActivityFile) == 2


def test_gpx_track_imports_with_gpxpy_figures(app, training):
    data = (DATA / "cerknicko-jezero.gpx").read_bytes()
    session_id = _import(app, training.pid, data, "lake.gpx", kind="road")
    gpx = gpxpy.parse(data.decode())
    saved = training.session(session_id)
    assert saved.distance_m == pytest.approx(gpx.length_2d(), rel=0.01)
    assert saved.started_at == gpx.get_time_bounds()[0]


@pytest.mark.parametrize(
    "name", ["Settings.fit", "invalid_activity-unexpected-eof.fit", "route.gpx"]
)
def test_real_files_without_an_activity_save_nothing(app, training, name):
    with pytest.raises(ActivityFileError):
        _import(app, training.pid, (DATA / name).read_bytes(), name, kind="road")
    assert _count(app, TrainingSession) == _count(app, ActivityFile) == 0


def test_a_file_dated_in_the_future_is_refused(app, training):
    future = START + timedelta(days=3650)
    data = make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN, start=future)])
    with pytest.raises(SessionError, match="future"):
        _import(app, training.pid, data)
    assert _count(app, TrainingSession) == 0


def test_an_absurd_distance_from_a_file_is_refused(app, training):
    data = make_fit(
        sessions=[
            fit_session(
                sport=WHEELCHAIR_PUSH_RUN,
                distance_m=900_000,
                timer_s=40 * 3600,
                elapsed_s=40 * 3600,
            )
        ]
    )
    with pytest.raises(SessionError, match="500 km"):
        _import(app, training.pid, data)
    assert _count(app, TrainingSession) == 0


# --- the command line -----------------------------------------------------------------------------


def _cli(runner, *args):
    return runner.invoke(args=["import-activity", *map(str, args)])


def test_cli_saves_for_the_participant_and_prints_json(app, runner, training, tmp_path):
    path = tmp_path / "push.fit"
    path.write_bytes(
        make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)], records=outdoor_records())
    )
    result = _cli(runner, path, "--participant", training.pid)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert {
        "sport",
        "started_at",
        "distance_m",
        "moving_time_s",
        "elapsed_time_s",
        "avg_hr",
        "max_hr",
    } <= summary.keys()
    [saved] = training.sessions()
    assert summary["session_id"] == saved.id and saved.distance_m == 5000
    [event] = training.audit("session.import")
    assert event.actor_id is None
    assert "5k" in training.award_codes()


def test_cli_dry_run_saves_nothing(app, runner, training, tmp_path):
    path = tmp_path / "push.fit"
    path.write_bytes(make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)]))
    result = _cli(runner, path, "--participant", training.pid, "--dry-run")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sport"] == "road"
    assert training.sessions() == []


def test_cli_needs_a_kind_for_a_file_that_does_not_say(runner, training):
    result = _cli(runner, DATA / "test.tcx", "--participant", training.pid)
    assert result.exit_code == 1
    assert "--kind" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = _cli(runner, DATA / "test.tcx", "--participant", training.pid, "--kind", "road")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["max_hr"] == 189


def test_cli_refuses_a_duplicate_and_an_unknown_participant(runner, training, tmp_path):
    path = tmp_path / "push.fit"
    path.write_bytes(make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)]))
    assert _cli(runner, path, "--participant", training.pid).exit_code == 0
    again = _cli(runner, path, "--participant", training.pid)
    assert again.exit_code == 1 and "uploaded before" in again.stderr
    unknown = _cli(runner, path, "--participant", 9999)
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "Error: No participant with id 9999; nothing was saved."
    assert len(training.sessions()) == 1


def test_cli_bad_file_saves_nothing(runner, training, tmp_path):
    path = tmp_path / "page.tcx"
    path.write_bytes(b"<!DOCTYPE html><html><body>Sign in</body></html>")
    result = _cli(runner, path, "--participant", training.pid)
    assert result.exit_code == 1 and "not a GPX, TCX or FIT" in result.stderr
    assert training.sessions() == []
