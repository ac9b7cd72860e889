"""``flask --app heartbeat import-activity FILE [--participant ID] [--dry-run]``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from heartbeat.training.cli import register
from tests.harness import make_app
from tests.training.test_devicefiles import (
    DEVICE_FILES,
    START,
    WHEELCHAIR_PUSH_RUN,
    device_file,
    fit_session,
    gpx_point,
    make_fit,
    make_gpx,
    outdoor_records,
)

SUMMARY_KEYS = {
    "sport",
    "started_at",
    "distance_m",
    "moving_time_s",
    "elapsed_time_s",
    "avg_hr",
    "max_hr",
}


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(f"sqlite:///{tmp_path}/t.db")
    if "import-activity" not in app.cli.commands:
        register(app)
    return app.test_cli_runner()


def run(runner, *args):
    return runner.invoke(args=["import-activity", *map(str, args)])


def test_prints_one_json_object_for_a_fit_file(runner, tmp_path):
    path = tmp_path / "push.fit"
    session = fit_session(sport=WHEELCHAIR_PUSH_RUN, distance_m=5000, timer_s=1500)
    path.write_bytes(make_fit(sessions=[session], records=outdoor_records()))

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 1
    summary = json.loads(result.stdout)
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["sport"] == "road"
    assert summary["distance_m"] == 5000
    assert summary["moving_time_s"] == 1500
    assert summary["started_at"] == START.isoformat()
    assert (summary["avg_hr"], summary["max_hr"]) == (150, 175)


def test_gpx_file_named_anything(runner, tmp_path):
    path = tmp_path / "upload.bin"
    points = [
        gpx_point(51.0 + i * 0.001, -1.0, when=START + timedelta(minutes=i)) for i in range(3)
    ]
    path.write_bytes(make_gpx([[points]]))

    result = run(runner, path, "--dry-run")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["elapsed_time_s"] == 120
    assert summary["distance_m"] == pytest.approx(222.4, rel=0.01)


def test_shared_tcx_file(runner):
    device_file("test.tcx")  # skips (or fails on CI) when shared/ is absent

    result = run(runner, DEVICE_FILES / "test.tcx", "--participant", 7, "--dry-run")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["max_hr"] == 189


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "This file is empty."),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "not a GPX, TCX or FIT"),
        (b"\x00" * 8 + b".FIT" + b"\x01" * 30, "damaged or cut short"),
    ],
    ids=["empty", "html", "broken-fit"],
)
def test_bad_file_prints_one_line_and_exits_1(runner, tmp_path, content, message):
    path = tmp_path / "bad.tcx"
    path.write_bytes(content)

    result = run(runner, path)

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0] and "bad.tcx" in lines[0]


def test_missing_file_exits_1(runner, tmp_path):
    result = run(runner, tmp_path / "nope.fit")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nope.fit" in result.stderr


def test_dry_run_with_participant_prints_summary_without_touching_the_database(runner, tmp_path):
    # This runner's database has no tables: a dry run must not look anything up.
    # Saving for a participant is tested in test_imports.py.
    path = tmp_path / "push.fit"
    path.write_bytes(make_fit(sessions=[fit_session(sport=WHEELCHAIR_PUSH_RUN)]))

    result = run(runner, path, "--participant", 3, "--dry-run")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sport"] == "road"
