"""Centre B's hostile upload against centre A's writes: ``reliability.cross_centre_write_p99_ms``.

    .venv/bin/python bench/bench_cross_centre.py [--quick] [--records N] [--uploads N]
    # a fresh SQLite file, or a throw-away database on DATABASE_URL's PostgreSQL server

The app is served for real (gunicorn, two worker processes of four threads each). A therapist
of centre B uploads a long, valid FIT file: tens of thousands of one-second records, the most
parsing work per uploaded byte, which takes seconds to read. While it is in flight, centre A's
therapist saves notes and centre A's staff sign in, each write timed on its own. The figure is
the 99th percentile of those writes' latencies in milliseconds: every one of them should answer
within a second, whatever centre B is doing (issue 21). ``tests/core/test_cross_centre_writes.py``
runs the same scenario and asserts that.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.served import REQUEST_TIMEOUT_S, Browser, served  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# One-second records: 40,000 is an 11-hour push, about 0.7 MB; it parses in several seconds.
RECORDS_FULL = 40_000
RECORDS_QUICK = 20_000
# Uploads one after another in a full run, for more of centre A's writes to go on.
UPLOADS_FULL = 3
PASSWORD = "cross centre bench password 1"  # noqa: S105 - throw-away bench accounts
# Centre A starts once the upload has surely reached the server (its body is sent by then).
HEAD_START_S = 0.3
# A note every quarter second and a sign-in every half second (sooner only if one is late):
# busy staff, not a load test, so centre A's own requests do not crowd the two cores.
NOTE_EVERY_S = 0.25
SIGN_IN_EVERY_S = 0.5
# Passwords are hashed at OWASP's floor (the tests' cost): the figure is about waiting for
# another centre, not about the hashing cost an installation chooses.
ARGON2_FLOOR = {
    "HEARTBEAT_ARGON2_TIME_COST": 2,
    "HEARTBEAT_ARGON2_MEMORY_KIB": 19 * 1024,
    "HEARTBEAT_ARGON2_PARALLELISM": 1,
}
SERVER_ENV = {
    **{name: str(value) for name, value in ARGON2_FLOOR.items()},
    "HEARTBEAT_MFA_REQUIRED_ROLES": "",
    # The scenario signs in often from one address; rate limits are not what it measures.
    "HEARTBEAT_LOGIN_RATE_LIMIT": "100000 per minute",
    "HEARTBEAT_LOGIN_ACCOUNT_RATE_LIMIT": "100000 per minute",
    "REDIS_URL": "",
}


# --- the hostile file -----------------------------------------------------------------------------

_FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
_SEMICIRCLES = 2**31 / 180


def _definition(local: int, global_number: int, fields: list[tuple[int, int, int]]) -> bytes:
    head = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_number, len(fields))
    return head + b"".join(struct.pack("<BBB", *f) for f in fields)


def long_fit(records: int, start: datetime, *, speed_m_s: float = 3.0) -> bytes:
    """A valid FIT activity of ``records`` one-second GPS records and a session summary.

    Each record is one data message under one definition, as a watch writes them: the smallest
    file per record, so the most parsing work per byte uploaded.
    """
    from fitdecode.utils import compute_crc

    t0 = int((start - _FIT_EPOCH).total_seconds())
    body = bytearray()
    # file_id: type activity, manufacturer, time created.
    body += _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)])
    body += b"\x00" + struct.pack("<BHI", 4, 1, t0)
    # record: timestamp, position_lat, position_long, distance (cm), heart_rate.
    body += _definition(
        1, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (3, 1, 0x02)]
    )
    pack = struct.Struct("<BIiiIB").pack
    lon = round(-1.0 * _SEMICIRCLES)
    step = speed_m_s / 111_195.0  # degrees of latitude per second
    for i in range(records):
        lat = round((51.0 + i * step) * _SEMICIRCLES)
        body += pack(1, t0 + i, lat, lon, round(i * speed_m_s * 100), 140 + i % 20)
    # session: end, start, elapsed and timer time (ms), distance (cm), sport, sub-sport.
    body += _definition(
        2,
        18,
        [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86)]
        + [(5, 1, 0x00), (6, 1, 0x00)],
    )
    seconds = max(records - 1, 1)
    distance_cm = round(seconds * speed_m_s * 100)
    body += b"\x02" + struct.pack(
        "<IIIIIBB", t0 + seconds, t0, seconds * 1000, seconds * 1000, distance_cm, 2, 0
    )
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", compute_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", compute_crc(data))


# --- the two centres ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One centre's therapist and one of its participants."""

    email: str
    participant_id: int


@dataclass(frozen=True)
class TwoCentres:
    a: Side
    b: Side
    # Centre A's other staff, who sign in while B's upload runs.
    a_sign_ins: tuple[str, ...]
    password: str


def seed_two_centres(sign_ins: int = 3, password: str = PASSWORD) -> TwoCentres:
    """Two new centres with a therapist and a participant each (call in an app context)."""
    from heartbeat.auth.models import Role
    from heartbeat.auth.services import create_user
    from heartbeat.centres.models import Centre
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant

    tag = uuid.uuid4().hex[:8]
    sides = []
    extra: list[str] = []
    for letter in ("a", "b"):
        centre = Centre(name=f"Cross {letter.upper()} {tag}", slug=f"x{letter}-{tag}")
        db.session.add(centre)
        db.session.flush()
        therapist = create_user(
            email=f"therapist-{letter}-{tag}@cross.example",
            name=f"Therapist {letter.upper()}",
            role=Role.THERAPIST,
            centre=centre,
            password=password,
        )
        if letter == "a":
            extra = [
                create_user(
                    email=f"coach{n}-{tag}@cross.example",
                    name=f"Coach {n}",
                    role=Role.THERAPIST,
                    centre=centre,
                    password=password,
                ).email
                for n in range(sign_ins)
            ]
        participant = Participant(
            centre_id=centre.id,
            given_name="Robin",
            family_name=f"Pusher {letter.upper()}",
            date_of_birth=date(1990, 1, 1),
            impairment="sci",
            racing_class="T54",
            classification_status="C",
            enrolled_on=date(2024, 1, 1),
            therapist_id=therapist.id,
        )
        db.session.add(participant)
        db.session.flush()
        sides.append(Side(therapist.email, participant.id))
    db.session.commit()
    return TwoCentres(a=sides[0], b=sides[1], a_sign_ins=tuple(extra), password=password)


# --- the scenario ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    what: str  # "note" or "sign-in"
    started: float  # time.monotonic()
    seconds: float
    status: int | str


@dataclass
class Outcome:
    upload_status: int | str
    upload_started: float
    upload_seconds: float
    upload_bytes: int
    samples: list[Sample] = field(default_factory=list)

    @property
    def upload_ended(self) -> float:
        return self.upload_started + self.upload_seconds

    def during_upload(self) -> list[Sample]:
        """Centre A's writes that started while the upload was in flight."""
        return [s for s in self.samples if self.upload_started <= s.started < self.upload_ended]


def percentile_ms(samples: list[Sample], fraction: float, what: str | None = None) -> float:
    values = sorted(s.seconds * 1000 for s in samples if what in (None, s.what))
    if not values:
        return float("nan")
    return round(values[min(len(values) - 1, round(fraction * (len(values) - 1)))], 1)


def hostile_upload_run(base: str, centres: TwoCentres, fit: bytes) -> Outcome:
    """Upload ``fit`` for centre B; meanwhile time centre A's note saves and sign-ins."""
    uploader = Browser(base)
    _expect(uploader.sign_in(centres.b.email, centres.password), 302, "B's sign-in")
    upload_path = f"/participants/{centres.b.participant_id}/sessions/upload"
    upload_token = uploader.token(upload_path)
    writer = Browser(base)
    _expect(writer.sign_in(centres.a.email, centres.password), 302, "A's sign-in")
    profile = f"/participants/{centres.a.participant_id}"
    note_token = writer.token(profile)
    # Fresh sign-in pages made ready beforehand: only the sign-in itself is timed.
    people = list(centres.a_sign_ins)

    outcome = Outcome("not sent", 0.0, 0.0, len(fit))
    upload_done = threading.Event()
    lock = threading.Lock()

    def upload() -> None:
        started = time.monotonic()
        outcome.upload_started = started
        try:
            response = uploader.post(
                upload_path,
                {"csrf_token": upload_token, "kind": "road"},
                files={"file": ("long-push.fit", fit, "application/octet-stream")},
            )
            outcome.upload_status = response.status_code
        except Exception as error:  # a timeout says as much as a status here
            outcome.upload_status = type(error).__name__
        finally:
            outcome.upload_seconds = time.monotonic() - started
            upload_done.set()

    def timed(what: str, send) -> None:
        started = time.monotonic()
        try:
            status: int | str = send().status_code
        except Exception as error:
            status = type(error).__name__
        with lock:
            outcome.samples.append(Sample(what, started, time.monotonic() - started, status))

    def paced(every_s: float, step) -> None:
        n = 0
        while not upload_done.is_set():
            started = time.monotonic()
            step(n)
            n += 1
            upload_done.wait(max(0.0, every_s - (time.monotonic() - started)))

    def note(n: int) -> None:
        body = {"csrf_token": note_token, "body": f"Pushed well today ({n})."}
        timed("note", lambda: writer.post(f"{profile}/notes", body))

    def sign_in(n: int) -> None:
        browser = Browser(base)
        token = browser.token("/login")  # a read, not timed: the sign-in is the write
        form = {"email": people[n % len(people)], "password": centres.password, "csrf_token": token}
        timed("sign-in", lambda: browser.post("/login", form))

    hostile = threading.Thread(target=upload, name="centre-b-upload")
    hostile.start()
    time.sleep(HEAD_START_S)
    centre_a = [
        threading.Thread(target=paced, args=(NOTE_EVERY_S, note), name="centre-a-notes"),
        threading.Thread(target=paced, args=(SIGN_IN_EVERY_S, sign_in), name="centre-a-sign-ins"),
    ]
    for thread in centre_a:
        thread.start()
    hostile.join(timeout=REQUEST_TIMEOUT_S + 10)
    upload_done.set()
    for thread in centre_a:
        thread.join(timeout=REQUEST_TIMEOUT_S + 10)
    return outcome


def _expect(response, status: int, what: str) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{what} answered {response.status_code}, not {status}")


# --- the benchmark part ---------------------------------------------------------------------------


def measure(database_url: str, *, records: int, uploads: int = 1) -> dict:
    """Seed two centres on ``database_url`` (in the current app context), serve, and time
    centre A's writes during ``uploads`` hostile uploads one after another."""
    from flask import current_app

    current_app.config.update(ARGON2_FLOOR)
    centres = seed_two_centres()
    start = datetime.now(UTC) - timedelta(days=1)
    with served(database_url, env=SERVER_ENV) as base:
        # Each file starts a day earlier: a different file, not a refused duplicate.
        outcomes = [
            hostile_upload_run(base, centres, long_fit(records, start - timedelta(days=n)))
            for n in range(uploads)
        ]
    during = [sample for outcome in outcomes for sample in outcome.during_upload()]
    return {
        "cross_centre_write_p99_ms": percentile_ms(during, 0.99),
        "cross_centre_write_max_ms": round(max((s.seconds for s in during), default=0) * 1000, 1),
        "cross_centre_writes": len(during),
        "cross_centre_writes_failed": sum(1 for s in during if s.status != 302),
        "cross_centre_writes_over_1s": sum(1 for s in during if s.seconds > 1.0),
        "cross_centre_note_p50_ms": percentile_ms(during, 0.5, "note"),
        "cross_centre_note_p99_ms": percentile_ms(during, 0.99, "note"),
        "cross_centre_sign_in_p50_ms": percentile_ms(during, 0.5, "sign-in"),
        "cross_centre_sign_in_p99_ms": percentile_ms(during, 0.99, "sign-in"),
        "hostile_uploads": uploads,
        "hostile_upload_s": [round(outcome.upload_seconds, 2) for outcome in outcomes],
        "hostile_upload_status": [outcome.upload_status for outcome in outcomes],
        "hostile_upload_records": records,
        "hostile_upload_bytes": outcomes[0].upload_bytes,
        "argon2": "t=2, m=19 MiB, p=1",
    }


def run(app=None, *, quick: bool = False) -> dict:
    """The benchmark suite's part (``reliability.*``), on a fresh database of its own: ``app``'s
    data set is not what this measures, and the part leaves nothing behind in it."""
    from bench.run import standalone_app

    records, uploads = (RECORDS_QUICK, 1) if quick else (RECORDS_FULL, UPLOADS_FULL)
    with standalone_app("cross_centre") as own, own.app_context():
        return measure(own.config["SQLALCHEMY_DATABASE_URI"], records=records, uploads=uploads)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"one upload of {RECORDS_QUICK:,}")
    parser.add_argument("--records", type=int, help="records per uploaded file")
    parser.add_argument("--uploads", type=int, help="uploads one after another")
    args = parser.parse_args(argv)
    from bench.run import standalone_app

    records = args.records or (RECORDS_QUICK if args.quick else RECORDS_FULL)
    uploads = args.uploads or (1 if args.quick else UPLOADS_FULL)
    with standalone_app("cross_centre") as own, own.app_context():
        url = own.config["SQLALCHEMY_DATABASE_URI"]
        figures = measure(url, records=records, uploads=uploads)
    print(json.dumps({"database": url.split(":", 1)[0], **figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
