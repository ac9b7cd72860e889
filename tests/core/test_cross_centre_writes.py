"""One centre cannot stall another: a long upload for centre B, centre A's writes meanwhile.

The app is served for real (gunicorn, two processes), on this run's database: SQLite by
default, PostgreSQL when ``DATABASE_URL`` points at it. Centre B's therapist uploads a long,
valid FIT file that takes seconds to read; every note save and sign-in of centre A started
while it is in flight must succeed within a second. The same scenario is the benchmark figure
``reliability.cross_centre_write_p99_ms`` (bench/bench_cross_centre.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.bench_cross_centre import SERVER_ENV, hostile_upload_run, long_fit, seed_two_centres
from bench.served import served

# About 2 MB: a 33-hour push at one record a second, several seconds of parsing even on an
# idle machine (well under the default parse budget of 200,000 records).
RECORDS = 120_000
WITHIN_S = 1.0


def test_a_slow_upload_for_one_centre_never_stalls_another_centres_writes(app, database_url):
    with app.app_context():
        centres = seed_two_centres()
    fit = long_fit(RECORDS, datetime.now(UTC) - timedelta(days=1))
    with served(database_url, env=SERVER_ENV) as base:
        outcome = hostile_upload_run(base, centres, fit)

    # Saved, or refused by the parse budget: either way the server worked on it for a while.
    assert outcome.upload_status in (302, 422), outcome.upload_status
    during = outcome.during_upload()
    late = [
        (s.what, s.status, round(s.seconds, 2))
        for s in during
        if s.status != 302 or s.seconds > WITHIN_S
    ]
    assert late == [], f"centre A waited for centre B's upload ({outcome.upload_seconds:.1f} s)"
    assert outcome.upload_seconds > 2 * WITHIN_S, "the upload was too quick to prove anything"
    assert {s.what for s in during} == {"note", "sign-in"}
    assert len(during) >= 4
