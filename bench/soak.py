"""Concurrency soak: many clients logging sessions and editing participants at once.

    .venv/bin/python -m bench.soak [--clients 32] [--seconds 60] [--workers 4]

Serves the app with gunicorn (4 workers) on a fresh database (SQLite by default, PostgreSQL
with ``DATABASE_URL``), then runs the clients for a while through the real forms, CSRF and all.
Afterwards every acknowledged write must be in the database: the count and a checksum of the
logged sessions, and for each participant a version that went up exactly once per accepted
edit with the last accepted edit's value in place. Edits that raced another edit must have
been answered with the conflict page (409), never a 5xx. Prints requests/s and error counts;
exits 1 if anything was lost or any request failed with a 5xx.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import requests
import sqlalchemy as sa

from bench.run import RESULTS, VENV_BIN, _free_port, _wait_for, fresh_database, make_app, migrate

PASSWORD = "soak-password-2026"  # noqa: S105 - throwaway accounts
AGENT = "heartbeat-soak"


class FormReader(HTMLParser):
    """The fields of the first form whose action ends with ``action_suffix``."""

    def __init__(self, action_suffix: str):
        super().__init__()
        self.action_suffix = action_suffix
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or ""
            # A form without an action posts back to its own page.
            self.inside = not action or action.endswith(self.action_suffix)
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value", "y")
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attrs:
                self.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.fields.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_form(html: str, action_suffix: str = "") -> dict[str, str]:
    reader = FormReader(action_suffix)
    reader.feed(html)
    return reader.fields


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    requests: int = 0
    sessions: list[tuple[int, str]] = field(default_factory=list)  # (participant, distance)
    edits: dict[int, list[tuple[float, str]]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)

    def saw(self, response) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.errors.append(
                    f"{response.request.method} {response.url}: {response.status_code}"
                )


def client_loop(
    base: str,
    email: str,
    participants: list[int],
    seconds: float,
    tally: Tally,
    seed: int,
    ready: threading.Barrier,
) -> None:
    rng = random.Random(seed)  # noqa: S311 - load pattern, not secrets
    http = requests.Session()
    http.headers["User-Agent"] = AGENT
    login = http.get(f"{base}/login")
    tally.saw(login)
    fields = read_form(login.text)
    fields.update(email=email, password=PASSWORD)
    tally.saw(http.post(f"{base}/login", data=fields, allow_redirects=False))
    # Everyone signs in first (argon2 is slow on purpose); then the clock starts for all.
    ready.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid = rng.choice(participants)
        if rng.random() < 0.6:
            page = http.get(f"{base}/participants/{pid}/sessions/new")
            tally.saw(page)
            if page.status_code != 200:
                continue
            form = read_form(page.text, f"/participants/{pid}/sessions/new")
            distance = f"{rng.randint(100, 25000) / 1000:.3f}"
            yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
            form.update(
                kind="track",
                date=yesterday,
                time="09:30",
                distance=distance,
                duration="0:30:00",
                rpe="5",
                pain="1",
            )
            response = http.post(
                f"{base}/participants/{pid}/sessions/new", data=form, allow_redirects=False
            )
            tally.saw(response)
            if response.status_code == 302:
                with tally.lock:
                    tally.sessions.append((pid, distance))
        else:
            page = http.get(f"{base}/participants/{pid}/edit")
            tally.saw(page)
            if page.status_code != 200:
                continue
            form = read_form(page.text, f"/participants/{pid}/edit")
            phone = f"0{rng.randint(10**9, 10**10 - 1)}"
            form["phone"] = phone
            # A pause between reading and saving, as a person has: edits race each other.
            time.sleep(rng.uniform(0, 0.05))
            response = http.post(
                f"{base}/participants/{pid}/edit", data=form, allow_redirects=False
            )
            tally.saw(response)
            if response.status_code == 302:
                with tally.lock:
                    tally.edits[pid].append((time.monotonic(), phone))
            elif response.status_code == 409:
                with tally.lock:
                    tally.conflicts += 1


def seed(app, participants: int, clients: int) -> tuple[list[int], list[str]]:
    from datetime import date

    from heartbeat.auth.models import Role
    from heartbeat.auth.services import create_user
    from heartbeat.centres.services import create_centre
    from heartbeat.extensions import db
    from heartbeat.participants import services as participant_services
    from heartbeat.participants.models import ConsentKind

    with app.app_context():
        centre = create_centre(name="Soak Centre", slug="soak")
        staff = [
            create_user(
                email=f"coach{n}@soak.example",
                name=f"Coach {n}",
                role=Role.THERAPIST,
                centre=centre,
                password=PASSWORD,
            )
            for n in range(clients)
        ]
        ids = []
        for n in range(participants):
            participant = participant_services.enrol(
                centre_id=centre.id,
                actor=staff[0],
                details={
                    "given_name": f"Soak{n}",
                    "family_name": "Tester",
                    "date_of_birth": date(1990, 1, 1),
                    "impairment": "sci",
                    "sci_level": "T10",
                    "racing_class": "T54",
                    "classification_status": "C",
                    "enrolled_on": date(2026, 1, 5),
                    "therapist_id": staff[n % len(staff)].id,
                },
                consents={ConsentKind.DATA_PROCESSING: True},
                consent_recorded_on=date(2026, 1, 5),
                today=date.today(),
            )
            ids.append(participant.id)
        db.session.commit()
        return ids, [user.email for user in staff]


def verify(app, tally: Tally, participants: list[int]) -> list[str]:
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.training.models import TrainingSession

    problems = []
    with app.app_context():
        rows = db.session.execute(
            sa.select(TrainingSession.participant_id, TrainingSession.distance_m)
        ).all()
        stored = sorted((pid, round(distance, 1)) for pid, distance in rows)
        acked = sorted((pid, round(float(distance) * 1000, 1)) for pid, distance in tally.sessions)
        if len(stored) != len(acked):
            problems.append(f"sessions: {len(acked)} acknowledged, {len(stored)} stored")
        if (
            hashlib.sha256(repr(stored).encode()).digest()
            != hashlib.sha256(repr(acked).encode()).digest()
        ):
            problems.append("sessions: the stored distances differ from the acknowledged ones")
        people = {
            p.id: p
            for p in db.session.scalars(
                sa.select(Participant).where(Participant.id.in_(participants))
            )
        }
        for pid in participants:
            edits = tally.edits.get(pid, [])
            person = people[pid]
            if person.version != 1 + len(edits):
                problems.append(
                    f"participant {pid}: version {person.version} after {len(edits)} accepted edits"
                )
            if edits and person.phone != max(edits)[1]:
                problems.append(
                    f"participant {pid}: phone {person.phone!r} is not the last "
                    f"accepted edit {max(edits)[1]!r}"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--participants", type=int, default=40)
    args = parser.parse_args(argv)
    database = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    print(
        f"Soak: {args.clients} clients for {args.seconds:.0f} s against gunicorn "
        f"({args.workers} workers) on {database}",
        flush=True,
    )
    with fresh_database("soak") as url:
        app = make_app(url)
        migrate(app)
        participants, emails = seed(app, args.participants, args.clients)
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "soak-secret-for-benchmarks-only-000",
            "HEARTBEAT_INSTANCE_PATH": str(RESULTS / "instance"),
            "HEARTBEAT_LOGIN_RATE_LIMIT": "100000 per minute",
            "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute",
            "HEARTBEAT_MFA_REQUIRED_ROLES": "",
            "HEARTBEAT_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                str(args.workers),
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "heartbeat:create_app()",
            ],
            env=env,
        )
        try:
            _wait_for(port)
            tally = Tally()
            ready = threading.Barrier(args.clients + 1)
            threads = [
                threading.Thread(
                    target=client_loop,
                    args=(
                        f"http://127.0.0.1:{port}",
                        emails[n % len(emails)],
                        participants,
                        args.seconds,
                        tally,
                        n,
                        ready,
                    ),
                )
                for n in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            ready.wait()
            with tally.lock:
                tally.requests = 0
                tally.statuses.clear()
            started = time.monotonic()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        problems = verify(app, tally, participants)
        with app.app_context():
            from heartbeat.extensions import db

            db.engine.dispose()
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(
        f"  {tally.requests:,} requests in {elapsed:.1f} s: {tally.requests / elapsed:,.1f} "
        f"requests/s"
    )
    print(f"  statuses: {dict(sorted(tally.statuses.items()))}")
    print(
        f"  sessions logged: {len(tally.sessions):,}; edits accepted: "
        f"{sum(len(e) for e in tally.edits.values()):,}; stale edits refused (409): "
        f"{tally.conflicts:,}; server errors: {server_errors}"
    )
    for line in tally.errors[:10]:
        print(f"  5xx: {line}")
    for problem in problems:
        print(f"  LOST: {problem}")
    ok = not problems and server_errors == 0
    print("  result:", "every acknowledged write is present" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
