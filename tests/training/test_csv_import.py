"""The CSV import service: every row checked first, all or nothing, fast in bulk."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.training.csv_format import CsvImportError, template_csv
from heartbeat.training.csv_import import import_sessions
from heartbeat.training.models import PainSite, SessionKind, SessionSource, TrainingSession
from tests.training.conftest import NOW


def run_import(app, training, body: str, centre_world=None, *, encoding="utf-8"):
    with app.app_context():
        centre = db.session.get(Centre, (centre_world or training.world.a).centre.id)
        actor = None
        result = import_sessions(
            body.encode(encoding), centre=centre, actor=actor, now=NOW, file_name="sessions.csv"
        )
        db.session.commit()
        return result


def problems(app, training, body: str, **kwargs) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(CsvImportError) as caught:
        run_import(app, training, body, **kwargs)
    return [(e.line, e.column, e.message) for e in caught.value.errors]


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession))


def test_rows_become_sessions_in_si_units_with_audit_and_awards(app, training):
    body = (
        "participant_id,date,time,kind,distance,duration,rpe,pain,pain_site,symptom_reported,"
        "avg_hr,max_hr,notes\n"
        f'{training.pid},2025-05-01,09:30,track,0.45,3:00,5,2,shoulder,yes,120,150,"a, b"\n'
        f"{training.pid},2025-05-02,00:00,Rollers / trainer,10,45:00,6,,,no,,,\n"
    )
    result = run_import(app, training, body)
    assert (result.sessions, result.participants) == (2, 1)
    first, second = training.sessions()
    assert first.started_at == datetime(2025, 5, 1, 8, 30, tzinfo=UTC)  # London summer time
    assert (first.kind, first.distance_m, first.moving_time_s) == (SessionKind.TRACK, 450, 180)
    assert (first.pain_site, first.symptom_reported, first.notes) == (
        PainSite.SHOULDER,
        True,
        "a, b",
    )
    assert first.source == SessionSource.CSV_IMPORT and first.version == 1
    assert second.kind is SessionKind.ROLLER and second.distance_m == 10_000
    assert second.started_at == datetime(2025, 5, 1, 23, 0, tzinfo=UTC)  # midnight in London
    events = training.audit("session.import")
    assert sorted(e.entity_id for e in events) == [first.id, second.id]
    assert events[0].changes["source"]["after"] == "csv_import"
    assert training.award_codes() == {"first-push", "one-lap", "one-mile", "5k", "10k"}


def test_alternative_columns_give_units_explicitly(app, training):
    body = (
        "participant_id,started_at,kind,distance_mi,duration_s\n"
        f"{training.pid},2025-05-01T09:30+00:00,road,1,600\n"
        f"{training.pid},2025-05-02T10:00,road,26.219,9000\n"
    )
    run_import(app, training, body)
    first, second = training.sessions()
    assert first.started_at == datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
    assert first.distance_m == pytest.approx(1609.344)
    assert first.moving_time_s == 600
    assert second.distance_m == pytest.approx(42195, abs=2)


def test_a_miles_centre_reads_distance_in_miles(app, training):
    training.set_units(training.world.a, "mi")
    run_import(
        app,
        training,
        f"participant_id,date,time,kind,distance\n{training.pid},2025-05-01,10:00,road,3.1\n",
    )
    [session] = training.sessions()
    assert session.distance_m == pytest.approx(3.1 * 1609.344)


def test_every_problem_is_reported_by_line_and_column_and_nothing_is_saved(app, training):
    body = (
        "participant_id,date,time,kind,distance,rpe,pain,avg_hr,max_hr,event_name\n"
        f"{training.pid},2025-05-01,9:00,track,0.45,5,,,,\n"
        f"{training.pid},2025-05-02,9:00,track,-1,11,,,,\n"
        f"abc,2025-05-03,9:00,track,1,5,,,,\n"
        f"{training.b_pid},2025-05-03,9:00,track,1,5,,,,\n"
        f"{training.pid},2099-01-01,9:00,swim,1,5,12,160,150,\n"
        f"{training.pid},2025-05-04,9:00,road,1,5,,,,City 10K\n"
        f"{training.pid},2025-05-05,9:00,road,1\n"
    )
    found = problems(app, training, body)
    assert (3, "distance", "The distance cannot be negative.") in found
    assert (3, "rpe", "RPE is on the Borg CR10 scale: 0 to 10.") in found
    assert (4, "participant_id", "Enter the participant's number.") in found
    assert (5, "participant_id", f"No participant {training.b_pid} at this centre.") in found
    assert (6, "date", "The session cannot be in the future.") in found
    assert any(e[:2] == (6, "kind") for e in found)
    assert any(e[:2] == (6, "pain") for e in found)
    assert (6, "max_hr", "The maximum heart rate cannot be below the average.") in found
    assert any(e[:2] == (7, "event_name") and "Only a race" in e[2] for e in found)
    assert (8, None, "This line has 5 values; the header has 10.") in found
    assert count(app) == 0
    assert training.audit("session.import") == []


def test_errors_name_the_column_the_file_used(app, training):
    body = (
        f"participant_id,started_at,kind,distance_km,duration_s\n{training.pid},yesterday,"
        "road,-2,abc\n"
    )
    found = {
        (column, message.split(".")[0]) for _, column, message in problems(app, training, body)
    }
    assert ("started_at", "Enter the start as YYYY-MM-DD hh:mm, such as 2025-05-01 08:30") in found
    assert ("distance_km", "The distance cannot be negative") in found
    assert ("duration_s", "Enter the time in whole seconds, such as 2700") in found


@pytest.mark.parametrize(
    ("header", "column", "words"),
    [
        ("participant_id,date,time,kind,distance,colour", "colour", "Unknown column"),
        ("participant_id,date,time,distance", "kind", "is required"),
        ("participant_id,kind,distance", "date", "\u201cstarted_at\u201d column is required"),
        ("participant_id,date,time,kind,distance,distance_km", "distance_km", "once only"),
        ("participant_id,date,kind,distance", "time", "\u201ctime\u201d column is required"),
    ],
)
def test_header_problems_are_reported_on_line_1(app, training, header, column, words):
    found = problems(app, training, f"{header}\n{training.pid},2025-05-01,track,1,1\n")
    assert any(line == 1 and col == column and words in message for line, col, message in found), (
        found
    )


def test_an_empty_file_or_a_header_alone_is_refused(app, training):
    assert problems(app, training, "") == [(None, None, "The file is empty.")]
    assert problems(app, training, "participant_id,date,time,kind,distance\n\n") == [
        (None, None, "The file has a header but no sessions.")
    ]


def test_a_re_import_adds_nothing(app, training):
    body = f"participant_id,date,time,kind,distance\n{training.pid},2025-05-01,09:30,track,1\n"
    run_import(app, training, body)
    found = problems(app, training, body)
    assert found == [
        (
            2,
            None,
            "This session is already saved (same participant, start, kind, distance and time).",
        )
    ]
    assert count(app) == 1


def test_the_same_row_twice_in_a_file_is_refused(app, training):
    row = f"{training.pid},2025-05-01,08:15,track,1\n"
    found = problems(app, training, "participant_id,date,time,kind,distance\n" + row + row)
    assert found == [
        (3, None, "This repeats line 2 (same participant, start, kind, distance and time).")
    ]


def test_semicolons_and_a_byte_order_mark_from_spreadsheets_are_read(app, training):
    body = (
        "\ufeffparticipant_id;date;time;kind;distance;notes\n"
        f'{training.pid};2025-05-01;07:45;track;0,45;"warm; then, fast"\n'
    )
    run_import(app, training, body)
    [session] = training.sessions()
    assert session.distance_m == 450 and session.notes == "warm; then, fast"


def test_a_tab_separated_file_is_read(app, training):
    body = (
        f"participant_id\tdate\ttime\tkind\tdistance\n{training.pid}\t2025-05-01\t07:45\ttrack\t2\n"
    )
    run_import(app, training, body)
    [session] = training.sessions()
    assert session.distance_m == 2000


def test_a_header_with_two_separators_is_refused_rather_than_guessed(app, training):
    body = f"participant_id,date;time,kind;distance\n{training.pid},2025-05-01;07:45,track;2\n"
    [(line, column, message)] = problems(app, training, body)
    assert (line, column) == (1, None)
    assert message.startswith("The header line has both commas and semicolons")
    assert count(app) == 0


def test_a_blank_time_is_refused_on_its_line_never_read_as_midnight(app, training):
    body = (
        "participant_id,date,time,kind,distance\n"
        f"{training.pid},2025-05-01,07:45,track,2\n"
        f"{training.pid},2025-05-02,,track,3\n"
    )
    assert problems(app, training, body) == [(3, "time", "Enter the start time, such as 09:30.")]
    assert count(app) == 0


def test_a_started_at_without_a_time_is_refused(app, training):
    body = f"participant_id,started_at,kind,distance\n{training.pid},2025-05-01,track,2\n"
    assert problems(app, training, body) == [
        (2, "started_at", "Give the start time too, such as 2025-05-01 08:30.")
    ]


def test_the_template_is_the_documented_header():
    assert template_csv().startswith("participant_id,date,time,kind,distance,duration,")


@pytest.mark.slow  # ten thousand rows
def test_ten_thousand_rows_import_quickly(app, training):
    # The benchmark (bench/bench_session_import.py) runs 100,000; this guards against disasters.
    lines = ["participant_id,date,time,kind,distance,duration,rpe"]
    pids = (training.pid, training.other_pid)
    for i in range(10_000):
        when = datetime(2024, 1, 1, 6, 0) + timedelta(minutes=53 * i)
        lines.append(
            f"{pids[i % 2]},{when:%Y-%m-%d},{when:%H:%M},track,{1 + i % 7}.5,"
            f"{20 + i % 30}:00,{i % 11}"
        )
    started = time.perf_counter()
    result = run_import(app, training, "\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert result.sessions == 10_000
    assert count(app) == 10_000
    assert elapsed < 15, f"10,000 rows took {elapsed:.1f} s"
