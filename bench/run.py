"""The benchmark suite: one command that sets up, seeds, measures and writes the figures.

    .venv/bin/python -m bench.run            # full data set (make bench)
    .venv/bin/python -m bench.run --quick    # smaller, under 3 minutes (make bench-quick)

Runs on a fresh SQLite file under ``bench/results/`` by default, or on a throw-away PostgreSQL
database when ``DATABASE_URL`` points at a server. Prints a table and writes
``bench/results/latest.json`` (``--output`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent

FULL = {
    "centres": 20,
    "participants": 5000,
    "sessions": 1_000_000,
    "iterations": 60,
    "growth_base_sessions": 10_000,
    "http_seconds": 10,
}
QUICK = {
    "centres": 4,
    "participants": 500,
    "sessions": 60_000,
    "iterations": 25,
    "growth_base_sessions": 2_000,
    "http_seconds": 4,
}


# --- the database ---------------------------------------------------------------------------------


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql"))


@contextmanager
def fresh_database(label: str):
    """A URL for an empty database: a SQLite file, or a PostgreSQL database dropped afterwards."""
    from heartbeat.db import scratch_postgres_database

    base = os.environ.get("DATABASE_URL")
    if _is_postgres(base):
        with scratch_postgres_database(base, f"hm_bench_{label}") as url:
            yield url
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"bench-{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def standalone_app(label: str):
    """An app on an empty database of its own, for running one benchmark part by itself."""
    import tempfile

    from heartbeat import create_app
    from heartbeat.extensions import db

    with tempfile.TemporaryDirectory() as folder, fresh_database(label) as url:
        os.environ["HEARTBEAT_INSTANCE_PATH"] = str(Path(folder) / "instance")
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-key-for-benchmarks-only-0000",
                "HEARTBEAT_LOG_LEVEL": "WARNING",
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


def make_app(database_url: str):
    from heartbeat import create_app

    instance = RESULTS / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["HEARTBEAT_INSTANCE_PATH"] = str(instance)
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-secret-for-benchmarks-only-00",
            "RATELIMIT_ENABLED": False,
            # The in-process client signs in without a form page; HTTP runs keep CSRF on.
            "WTF_CSRF_ENABLED": False,
            "HEARTBEAT_BENCH_ROUTES": True,
            # Benchmark accounts sign in with a password alone (no authenticator app here).
            "HEARTBEAT_MFA_REQUIRED_ROLES": "",
            "HEARTBEAT_LOG_LEVEL": "WARNING",
            "SERVER_NAME": "bench.local",
        }
    )


def migrate(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


# --- measuring pages in process -------------------------------------------------------------------


@dataclass
class PageFigures:
    median_ms: float
    p95_ms: float
    queries: int
    html_kb: float


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure_page(app, client, url: str, iterations: int) -> PageFigures:
    from heartbeat.extensions import db

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for _ in range(3):  # warm-up: caches, compiled statements, connection pool
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    queries = len(statements)
    html_kb = round(len(response.get_data()) / 1024, 1)
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return PageFigures(
        round(statistics.median(timings), 2), round(_percentile(timings, 0.95), 2), queries, html_kb
    )


def signed_in_client(app, email: str, password: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in as {email}: {response.status_code}")
    return client


@dataclass
class Seeded:
    summary: object
    portal_email: str
    portal_password: str


def seed(app, *, centres: int, participants: int, sessions: int, log) -> Seeded:
    from heartbeat.auth.models import Role
    from heartbeat.auth.services import create_user
    from heartbeat.centres.models import Centre
    from heartbeat.devtools.benchdata import BENCH_PASSWORD, seed_bench
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant

    with app.app_context():
        summary = seed_bench(centres=centres, participants=participants, sessions=sessions, log=log)
        # The busiest participant gets a portal login, for the portal page.
        centre = db.session.scalars(
            sa.select(Centre).where(Centre.slug == summary.first_centre_slug)
        ).one()
        email = f"participant@{centre.slug}.example"
        user = create_user(
            email=email,
            name="Busy Participant",
            role=Role.PARTICIPANT,
            centre=centre,
            password=BENCH_PASSWORD,
        )
        db.session.execute(
            sa.update(Participant)
            .where(Participant.id == summary.busiest_participant_id)
            .values(user_id=user.id)
        )
        db.session.commit()
        _plan_for_busiest(summary.busiest_participant_id)
    return Seeded(summary, email, BENCH_PASSWORD)


def _plan_for_busiest(participant_id: int) -> None:
    """The busiest participant on an 8-week plan, four weeks in, for the week view's figures."""
    try:
        from heartbeat.plans.services import assigning, templates
    except ImportError:
        return
    from datetime import date, timedelta

    from heartbeat.auth.models import User
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant

    participant = db.session.get(Participant, participant_id)
    template = templates.seed_default_templates(participant.centre_id)
    if not template:
        return
    actor = db.session.scalars(
        sa.select(User).where(User.centre_id == participant.centre_id).limit(1)
    ).one()
    today = date.today()
    start = max(today - timedelta(days=today.weekday(), weeks=4), participant.enrolled_on)
    chosen = template[0]
    assigning.assign_plan(participant, chosen, list(chosen.sessions), starts_on=start, actor=actor)
    db.session.commit()


def page_urls(app, seeded: Seeded) -> dict[str, tuple[str, str]]:
    """name -> (who signs in, url); pages whose endpoint does not exist yet are left out."""
    wanted = {
        "caseload": ("therapist", "participants.caseload", {"who": "all"}),
        "participant": (
            "therapist",
            "participants.profile",
            {"participant_id": seeded.summary.busiest_participant_id},
        ),
        # The busiest participant's sessions section: one page of their history.
        "participant_sessions": (
            "therapist",
            "training.sessions",
            {"participant_id": seeded.summary.busiest_participant_id},
        ),
        "portal": ("participant", "participants.portal", {}),
        # The busiest participant's plan: eight weeks matched against their history.
        "plan_week": (
            "therapist",
            "plans.participant_plan",
            {"participant_id": seeded.summary.busiest_participant_id},
        ),
        # The lightest signed-in page: what every signed-in request pays, and little more.
        "account": ("therapist", "auth.account", {}),
        "dashboard": ("admin", "progress.dashboard", {}),
        "register": ("admin", "certificates.register", {}),
    }
    urls = {}
    with app.test_request_context():
        from flask import url_for

        for name, (who, endpoint, values) in wanted.items():
            if endpoint in app.view_functions:
                urls[name] = (who, url_for(endpoint, **values, _external=False))
    return urls


def measure_pages(app, seeded: Seeded, iterations: int) -> dict[str, PageFigures]:
    logins = seeded.summary.logins
    clients = {
        "therapist": signed_in_client(app, logins["therapist"], logins["password"]),
        "admin": signed_in_client(app, logins["admin"], logins["password"]),
        "participant": signed_in_client(app, seeded.portal_email, seeded.portal_password),
    }
    return {
        name: measure_page(app, clients[who], url, iterations)
        for name, (who, url) in page_urls(app, seeded).items()
    }


# --- growth ---------------------------------------------------------------------------------------


def measure_growth(base_sessions: int, iterations: int, log) -> dict[str, float]:
    """Time two pages of one centre while every other centre's data grows 10x and 100x."""
    from heartbeat.devtools.benchdata import seed_bench

    with fresh_database("growth") as url:
        app = make_app(url)
        migrate(app)
        base_participants = max(20, base_sessions // 200)
        seeded = seed(
            app,
            centres=2,
            participants=base_participants,
            sessions=base_sessions,
            log=lambda message: None,
        )
        urls = page_urls(app, seeded)
        wanted = {name: urls[name] for name in ("participant", "caseload") if name in urls}
        timings: dict[str, dict[int, float]] = {name: {} for name in wanted}
        total = base_sessions
        for factor in (1, 10, 100):
            if factor > 1:
                extra = base_sessions * factor - total
                with app.app_context():
                    seed_bench(
                        centres=4, participants=max(20, extra // 200), sessions=extra, seed=factor
                    )
                total += extra
            clients = {
                "therapist": signed_in_client(
                    app, seeded.summary.logins["therapist"], seeded.summary.logins["password"]
                ),
            }
            for name, (who, page_url) in wanted.items():
                figures = measure_page(app, clients[who], page_url, iterations)
                timings[name][factor] = figures.median_ms
                log(f"  growth {factor:>3}x ({total:,} sessions): {name} {figures.median_ms} ms")
        with app.app_context():
            from heartbeat.extensions import db

            db.engine.dispose()
    result = {}
    for name, by_factor in timings.items():
        result[f"{name}_ms_1x"] = by_factor[1]
        result[f"{name}_ms_10x"] = by_factor[10]
        result[f"{name}_ms_100x"] = by_factor[100]
        result[f"{name}_ratio_100x"] = round(by_factor[100] / by_factor[1], 3)
    return result


# --- HTTP through gunicorn ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _wrk_rps(url: str, seconds: int, headers: dict[str, str]) -> float:
    args = ["wrk", "-t2", "-c8", f"-d{seconds}s"]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [*args, url], capture_output=True, text=True, check=True
    ).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split(":", 1)[1])
    raise RuntimeError(f"wrk printed no rate:\n{output}")


def measure_http(database_url: str, seeded: Seeded, seconds: int, log) -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (scripts/system-deps.sh --bench installs it)")
    import requests

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-for-benchmarks-only-00",
        "HEARTBEAT_INSTANCE_PATH": str(RESULTS / "instance"),
        "HEARTBEAT_BENCH_ROUTES": "1",
        "HEARTBEAT_MFA_REQUIRED_ROLES": "",
        "HEARTBEAT_LOGIN_RATE_LIMIT": "10000 per minute",
        "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
        "HEARTBEAT_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "heartbeat:create_app()",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for(port)
        base = f"http://127.0.0.1:{port}"
        agent = "heartbeat-bench"
        session = requests.Session()
        session.headers["User-Agent"] = agent
        login_page = session.get(f"{base}/login")
        token = _csrf_token(login_page.text)
        logins = seeded.summary.logins
        response = session.post(
            f"{base}/login",
            data={
                "email": logins["therapist"],
                "password": logins["password"],
                "csrf_token": token,
            },
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"HTTP sign-in failed: {response.status_code}")
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        headers = {"User-Agent": agent, "Cookie": cookie}
        participant_url = f"{base}/participants/{seeded.summary.busiest_participant_id}"
        check = session.get(participant_url, allow_redirects=False)
        if check.status_code != 200:
            raise RuntimeError(f"participant page over HTTP answered {check.status_code}")
        bare = _wrk_rps(f"{base}/_bench/bare", seconds, headers)
        participant = _wrk_rps(participant_url, seconds, headers)
        account = _wrk_rps(f"{base}/account", seconds, headers)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log(
        f"  http: bare {bare:,.0f} req/s, participant overview {participant:,.0f} req/s,"
        f" account {account:,.0f} req/s"
    )
    return {
        "bare_rps": round(bare, 1),
        "participant_rps": round(participant, 1),
        "ratio": round(participant / bare, 3),
        "account_rps": round(account, 1),
        "account_ratio": round(account / bare, 3),
    }


def _csrf_token(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.find(marker)
    if start < 0:
        marker = 'name="csrf_token" value="'
        start = html.find(marker)
    if start < 0:
        raise RuntimeError("no CSRF token on the sign-in page")
    start += len(marker)
    return html[start : html.index('"', start)]


# --- optional parts written beside their features -------------------------------------------------


def optional_part(module: str, log) -> Callable | None:
    try:
        imported = __import__(f"bench.{module}", fromlist=["run"])
    except ImportError as error:
        log(f"  ({module} not available: {error})")
        return None
    return getattr(imported, "run", None)


# --- the whole run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data set, < 3 minutes")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-growth", action="store_true")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    started = time.perf_counter()

    def log(message: str) -> None:
        print(message, flush=True)

    database = "postgresql" if _is_postgres(os.environ.get("DATABASE_URL")) else "sqlite"
    results: dict = {
        "database": database,
        "mode": "quick" if args.quick else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    log(f"Heartbeat Miles benchmarks ({results['mode']}, {database})")
    with fresh_database("main") as url:
        app = make_app(url)
        migrate(app)
        log(f"seeding {size['participants']:,} participants and {size['sessions']:,} sessions")
        seeded = seed(
            app,
            centres=size["centres"],
            participants=size["participants"],
            sessions=size["sessions"],
            log=lambda message: log(f"  {message}"),
        )
        results["dataset"] = {
            "centres": seeded.summary.centres,
            "participants": seeded.summary.participants,
            "sessions": seeded.summary.sessions,
            "awards": seeded.summary.awards,
            "seed_s": round(seeded.summary.seconds, 1),
            "busiest_participant_sessions": seeded.summary.busiest_sessions,
        }
        log("pages (in-process test client)")
        pages = measure_pages(app, seeded, size["iterations"])
        results["pages"] = {name: vars(figures) for name, figures in pages.items()}
        for name, figures in pages.items():
            log(
                f"  {name:<20} median {figures.median_ms:>7} ms  p95 {figures.p95_ms:>7} ms  "
                f"{figures.queries} queries  {figures.html_kb} KB"
            )
        if not args.skip_http:
            log("http (gunicorn, 2 workers; wrk)")
            results["http"] = measure_http(url, seeded, size["http_seconds"], log)
        for module, key in (
            ("bench_certificates", "certificates"),
            ("bench_session_import", "imports"),
            ("bench_jobs", "jobs"),
            ("bench_cross_centre", "reliability"),
        ):
            run = optional_part(module, log)
            if run is not None:
                log(f"{key}")
                results[key] = run(app, quick=args.quick)
                for name, value in results[key].items():
                    log(f"  {name}: {value}")
        with app.app_context():
            from heartbeat.extensions import db

            db.engine.dispose()
    if not args.skip_growth:
        log("growth (other centres' data 1x, 10x, 100x)")
        results["growth"] = measure_growth(size["growth_base_sessions"], size["iterations"], log)
    results["total_s"] = round(time.perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    args.output.write_text(text)
    written = [args.output]
    if args.output == RESULTS / "latest.json" and not args.quick:
        # The last full run on each database stays beside latest.json, for README's table.
        per_database = RESULTS / f"latest-{database}.json"
        per_database.write_text(text)
        written.append(per_database)
    log(f"wrote {', '.join(str(path) for path in written)} in {results['total_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
