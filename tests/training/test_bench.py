"""The import benchmark still runs, and leaves the database as it found it."""

from __future__ import annotations

import sqlalchemy as sa

from bench.bench_session_import import run
from heartbeat.audit.models import AuditEvent
from heartbeat.centres.models import Centre
from heartbeat.extensions import db
from heartbeat.training.models import ActivityFile, TrainingSession


def test_the_benchmark_times_both_imports_and_cleans_up(app, world):
    figures = run(app, rows=600)
    assert figures["csv_rows"] == 600 and figures["csv_100k_extrapolated"] is True
    assert figures["csv_100k_sessions_s"] > figures["csv_s"] > 0
    assert figures["gpx_marathon_ms"] > 0
    assert abs(figures["gpx_marathon_distance_m"] - 42_195) < 100
    with app.app_context():
        for model in (TrainingSession, ActivityFile, AuditEvent):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Centre)) == 2
