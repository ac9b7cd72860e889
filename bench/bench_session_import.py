"""Time the two bulk ways sessions arrive: a 100,000-row CSV import and a marathon GPX upload.

    .venv/bin/python bench/bench_session_import.py           # 100,000 rows, fresh SQLite file
    .venv/bin/python bench/bench_session_import.py --rows 20000
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_session_import.py

The benchmark suite calls :func:`run` with its own app (an empty or seeded, migrated database):
it adds a throw-away centre with participants, times the import services exactly as the upload
pages call them (validation, one bulk insert, audit rows, awards once per participant, commit),
then deletes everything it added. Targets: CSV under 30 s for 100,000 rows on SQLite; the GPX
(42.195 km at one point a second, about 8,400 points) parsed and saved within 300 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

EARTH_RADIUS_M = 6_371_008.8
MARATHON_M = 42_195.0
SESSIONS_PER_PARTICIPANT = 500
FULL_ROWS, QUICK_ROWS = 100_000, 25_000
CSV_TARGET_S = 30.0
GPX_TARGET_MS = 300.0


def marathon_gpx(start: datetime, speed_m_s: float = 5.0) -> bytes:
    """42.195 km due north at ``speed_m_s``, one point a second, with elevation and heart rate."""
    step = math.degrees(speed_m_s / EARTH_RADIUS_M)
    count = math.ceil(MARATHON_M / speed_m_s) + 1
    out = io.StringIO()
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        "<trk><name>Marathon</name><type>wheelchair_road</type><trkseg>\n"
    )
    for i in range(count):
        when = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(
            f'<trkpt lat="{51.0 + i * step:.7f}" lon="-1.0000000">'
            f"<ele>{20 + 5 * math.sin(i / 300):.1f}</ele><time>{when}</time>"
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{140 + i % 20}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
        )
    out.write("</trkseg></trk></gpx>\n")
    return out.getvalue().encode()


def sessions_csv(participant_ids: list[int], rows: int, end: datetime) -> bytes:
    """``rows`` distinct sessions spread over the participants, all before ``end``."""
    kinds = ("track", "road", "roller", "track", "road")
    lines = ["participant_id,date,time,kind,distance,duration,rpe,pain,avg_hr,max_hr,notes"]
    per = math.ceil(rows / len(participant_ids))
    for i in range(rows):
        pid = participant_ids[i % len(participant_ids)]
        nth = i // len(participant_ids)
        # Each participant trains about every 17 hours going back from the end.
        when = end - timedelta(hours=17 * (per - nth) + 1)
        km = 0.4 + (i * 7919 % 2500) / 100  # 0.4 to 25.4 km
        minutes = max(2, round(km * 3.2))
        lines.append(
            f"{pid},{when:%Y-%m-%d},{when:%H:%M},{kinds[i % 5]},{km:.2f},{minutes}:00,"
            f"{i % 11},{i % 4},{120 + i % 40},{165 + i % 20},"
        )
    return ("\n".join(lines) + "\n").encode()


def _seed(centre_slug: str, participants: int):
    from heartbeat.centres.models import Centre
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.progress.services import seed_default_ladder

    centre = Centre(name=f"Bench import {centre_slug}", slug=centre_slug, timezone="Europe/London")
    db.session.add(centre)
    db.session.flush()
    seed_default_ladder(centre.id)
    table = Participant.__table__
    ids = (
        db.session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "centre_id": centre.id,
                    "given_name": f"Bench{n}",
                    "family_name": "Importer",
                    "date_of_birth": date(1990, 1, 1),
                    "impairment": "sci",
                    "sci_level": "T10",
                    "racing_class": "T54",
                    "classification_status": "C",
                    "enrolled_on": date(2020, 1, 1),
                    "status": "active",
                    "version": 1,
                    "created_at": datetime.now(UTC),
                    "updated_at": datetime.now(UTC),
                }
                for n in range(participants)
            ],
        )
        .scalars()
        .all()
    )
    db.session.commit()
    return centre.id, list(ids)


def _cleanup(centre_id: int) -> None:
    """Delete what the run added, children first (awards restrict their stages)."""
    from heartbeat.audit.models import AuditEvent
    from heartbeat.centres.models import Centre
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.progress.models import Award, LadderStage
    from heartbeat.training.models import ActivityFile, TrainingSession

    for model in (AuditEvent, Award, ActivityFile, TrainingSession, Participant, LadderStage):
        db.session.execute(
            sa.delete(model)
            .where(model.centre_id == centre_id)
            .execution_options(all_centres=True, synchronize_session=False)
        )
    db.session.execute(sa.delete(Centre).where(Centre.id == centre_id))
    db.session.commit()


def run(app, rows: int | None = None, *, quick: bool = False, keep: bool = False) -> dict:
    """Time the CSV import of ``rows`` sessions and a marathon GPX upload; returns the figures.

    ``rows`` defaults to 100,000 (25,000 with ``quick``). ``csv_100k_sessions_s`` is measured
    at 100,000 rows, or scaled linearly from a smaller run (``csv_100k_extrapolated`` says so).
    """
    rows = rows or (QUICK_ROWS if quick else FULL_ROWS)
    from heartbeat.centres.models import Centre
    from heartbeat.db import utcnow
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.training.csv_import import import_sessions
    from heartbeat.training.devicefiles import parse_activity
    from heartbeat.training.imports import import_activity

    participants = max(2, rows // SESSIONS_PER_PARTICIPANT)
    with app.app_context():
        centre_id, participant_ids = _seed(f"bench-import-{uuid.uuid4().hex[:8]}", participants)
        try:
            now = utcnow()
            data = sessions_csv(participant_ids, rows, now - timedelta(days=2))
            centre = db.session.get(Centre, centre_id)

            started, cpu = time.perf_counter(), time.process_time()
            result = import_sessions(data, centre=centre, actor=None, now=now, file_name="bench")
            db.session.commit()
            csv_s, csv_cpu_s = time.perf_counter() - started, time.process_time() - cpu

            gpx = marathon_gpx(now - timedelta(days=1))
            started = time.perf_counter()
            parse_activity(gpx, "marathon.gpx")
            parse_ms = (time.perf_counter() - started) * 1000

            runner = db.session.get(Participant, participant_ids[0])
            started = time.perf_counter()
            session = import_activity(
                runner, actor=None, data=gpx, filename="marathon.gpx", now=now
            )
            db.session.commit()
            gpx_ms = (time.perf_counter() - started) * 1000
            distance_m = session.distance_m
        finally:
            db.session.rollback()
            if not keep:
                _cleanup(centre_id)
    return {
        "csv_100k_sessions_s": round(csv_s * FULL_ROWS / result.sessions, 3),
        "csv_100k_extrapolated": result.sessions != FULL_ROWS,
        "csv_s": round(csv_s, 3),
        "csv_rows": result.sessions,
        "csv_participants": result.participants,
        "csv_bytes": len(data),
        "csv_rows_per_s": round(result.sessions / csv_s),
        # CPU time of this process (SQLite works in it): steadier than wall time on a busy box.
        "csv_cpu_s": round(csv_cpu_s, 3),
        "gpx_marathon_ms": round(gpx_ms, 1),
        "gpx_marathon_parse_ms": round(parse_ms, 1),
        "gpx_marathon_points": math.ceil(MARATHON_M / 5.0) + 1,
        "gpx_marathon_distance_m": round(distance_m, 1),
        "gpx_bytes": len(gpx),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    args = parser.parse_args(argv)

    from bench.run import standalone_app

    with standalone_app("imports") as app:
        figures = run(app, rows=args.rows)
        on_postgres = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgres")
    database = "PostgreSQL" if on_postgres else "SQLite"
    print(
        f"CSV import of {figures['csv_rows']:,} sessions for {figures['csv_participants']} "
        f"participants on {database}: {figures['csv_s']:.2f} s "
        f"({figures['csv_rows_per_s']:,} rows/s, {figures['csv_cpu_s']:.2f} s of CPU; "
        f"target {CSV_TARGET_S:.0f} s for 100,000)"
    )
    print(
        f"Marathon GPX ({figures['gpx_marathon_points']:,} points): parse + save "
        f"{figures['gpx_marathon_ms']:.0f} ms (parse alone {figures['gpx_marathon_parse_ms']:.0f}"
        f" ms; target {GPX_TARGET_MS:.0f} ms)"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    sys.exit(main())
