"""Time certificate rendering: one certificate, and a print batch of 500 in one document.

    .venv/bin/python bench/bench_certificates.py            # fresh SQLite file
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/bench_certificates.py

The benchmark suite calls :func:`run` with its own app. It adds a throw-away centre with the full
design (PNG logo, PNG signature, colours, signatory), issues one real certificate (signed
credential, rendered PDF), copies it into 500 certificates of different people, then measures:

- ``single_median_ms``: ``certificate_pdf`` of a certificate (the download path: PDF/A-3a,
  tagged, logo, signature, QR code, journey chart, credential attached), median over distinct
  certificates, after one warm-up render (fonts and stylesheet are loaded once per process);
- ``batch500_s`` and ``batch500_peak_rss_mb``: ``printing.render_batch`` of the 500 (loading
  them included), in a fresh Python process so its peak resident memory is the batch's own.

Targets on the 2-core reference machine: single <= 35 ms, batch of 500 <= 8 s and <= 350 MB.
Everything it added is deleted afterwards.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
SINGLE_TARGET_MS = 35.0
BATCH_TARGET_S = 8.0
BATCH_RSS_TARGET_MB = 350.0
BATCH_SIZE = 500
NAMES = (
    "Zoë Ødegård-Nakamura",
    "Łukasz Brzęczyszczykiewicz",
    "Aoife Ní Bhriain",
    "Sam Okafor",
    "Maximiliane Wilhelmina Theodora Fürstenberg-Śliwińska",
    "José María Peña",
    "Ana Souza",
    "Björn Þórsson",
    "Chloé Dubois-Lefèvre",
    "Priya Raghunathan",
)


def _png(size: tuple[int, int], colour: tuple[int, int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, size[0] - 4, size[1] - 4), radius=18, fill=colour)
    draw.ellipse(
        (size[1] // 4, size[1] // 4, size[1] * 3 // 4, size[1] * 3 // 4), fill=(255, 255, 255, 255)
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _seed(app) -> tuple[int, list[int]]:
    """A centre with a full design, one issued certificate and its 500 copies: (centre, ids)."""
    from heartbeat.auth.models import Role, User
    from heartbeat.centres.services import create_centre
    from heartbeat.certificates import branding, serials, services, statuslist
    from heartbeat.certificates.models import Certificate
    from heartbeat.db import utcnow
    from heartbeat.extensions import db
    from heartbeat.participants.models import Participant
    from heartbeat.progress import services as progress
    from heartbeat.progress.models import Award
    from heartbeat.training.models import SessionKind, TrainingSession

    slug = f"bench-cert-{uuid.uuid4().hex[:8]}"
    centre = create_centre(name="Riverside Rehabilitation Centre", slug=slug)
    admin = User(
        email=f"admin@{slug}.example", name="Bench Admin", role=Role.ADMIN, centre_id=centre.id
    )
    db.session.add(admin)
    db.session.flush()
    branding.update_branding(
        centre,
        actor=admin,
        values={
            "programme_name": "Riverside adaptive racing programme",
            "primary_colour": "#0b5563",
            "accent_colour": "#b3261e",
            "signatory_name": "Dr Ana Souza",
            "signatory_title": "Head of therapy",
        },
        paper_size="A4",
        logo=_png((480, 180), (11, 85, 99, 255)),
        signature=_png((360, 120), (27, 31, 36, 255)),
        expected_version=None,
    )
    now = utcnow()
    participant = Participant(
        centre_id=centre.id,
        given_name="Zoë",
        family_name="Ødegård-Nakamura",
        date_of_birth=datetime(1990, 5, 1).date(),
        impairment="sci",
        racing_class="T53",
        classification_status="C",
        enrolled_on=(now - timedelta(days=200)).date(),
    )
    db.session.add(participant)
    db.session.flush()
    db.session.add(
        TrainingSession(
            centre_id=centre.id,
            participant_id=participant.id,
            started_at=now - timedelta(days=3),
            kind=SessionKind.ROAD,
            distance_m=10_500,
            moving_time_s=3600,
        )
    )
    db.session.flush()
    progress.evaluate_awards(participant, now=now)
    awards = db.session.scalars(
        sa.select(Award)
        .options(sa.orm.joinedload(Award.stage))
        .where(Award.participant_id == participant.id)
    ).all()
    progress.verify_awards(awards, actor=admin, now=now)
    ten_k = next(a for a in awards if a.stage is not None and a.stage.code == "10k")
    issued = services.issue(
        ten_k,
        participant=participant,
        centre=centre,
        actor=admin,
        now=now,
        base_url="https://miles.example.org",
    )
    db.session.flush()
    columns = {
        column.key: getattr(issued, column.key)
        for column in sa.inspect(Certificate).column_attrs
        if column.key not in ("id", "serial", "standing_award_id", "award_id", "version")
    }
    rows = []
    for index in range(BATCH_SIZE):
        serial = serials.new_serial(now.year)
        rows.append(
            {
                **columns,
                "serial": serial,
                "participant_name": f"{NAMES[index % len(NAMES)]} {index}",
                "verify_url": f"https://miles.example.org/verify/{serial}",
                "issued_at": now - timedelta(minutes=BATCH_SIZE - index),
                # Each certificate has its own bit on the centre's status list.
                "status_index": (issued.status_index + 1 + index) % statuslist.LIST_BITS
                if issued.status_index is not None
                else None,
            }
        )
    db.session.execute(sa.insert(Certificate), rows)
    db.session.commit()
    ids = list(
        db.session.scalars(
            sa.select(Certificate.id)
            .where(Certificate.centre_id == centre.id, Certificate.id != issued.id)
            .order_by(Certificate.id)
        )
    )
    return centre.id, ids


def _cleanup(centre_id: int) -> None:
    from heartbeat.centres.models import Centre
    from heartbeat.extensions import db

    db.session.rollback()
    centre = db.session.get(Centre, centre_id)
    if centre is not None:
        from heartbeat.audit.models import AuditEvent
        from heartbeat.auth.models import User
        from heartbeat.certificates.models import (
            Branding,
            BrandingSnapshot,
            Certificate,
            SigningKey,
        )
        from heartbeat.participants.models import Participant
        from heartbeat.progress.models import Award, LadderStage
        from heartbeat.training.models import TrainingSession

        for model in (
            Certificate,
            BrandingSnapshot,
            Branding,
            SigningKey,
            AuditEvent,
            Award,
            TrainingSession,
            Participant,
            LadderStage,
            User,
        ):
            db.session.execute(sa.delete(model).where(model.centre_id == centre_id))
        db.session.delete(centre)
        db.session.commit()


def _single_median_ms(ids: list[int], iterations: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of one certificate's PDF."""
    from heartbeat.certificates import queries, services
    from heartbeat.extensions import db

    rows = [
        db.session.scalars(queries.certificate_query(certificate_id)).unique().one()
        for certificate_id in ids[: iterations + 1]
    ]
    services.certificate_pdf(rows[0])  # warm-up: fonts and the stylesheet load once
    timings, cpu = [], []
    for row in rows[1:]:
        started, started_cpu = time.perf_counter(), time.process_time()
        services.certificate_pdf(row)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(timings), statistics.median(cpu)


def _batch_child(database_url: str, centre_id: int, ids: list[int]) -> dict:
    """In a fresh process: render the batch and report its time and peak memory."""
    payload = json.dumps({"url": database_url, "centre": centre_id, "ids": ids})
    env = {**os.environ, "HEARTBEAT_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as folder:
        env["HEARTBEAT_INSTANCE_PATH"] = folder
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, str(Path(__file__).resolve()), "--child"],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"batch benchmark process failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program.

    Linux carries ``ru_maxrss`` over fork and exec, so a child of a big parent (bench.run after
    seeding a million sessions) would report the parent's peak; ``VmHWM`` belongs to the
    process's own address space, which exec makes anew.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_main() -> int:
    request = json.loads(sys.stdin.read())
    from heartbeat import create_app
    from heartbeat.centres.models import Centre
    from heartbeat.certificates import printing
    from heartbeat.extensions import db

    app = create_app(
        {
            "DATABASE_URL": request["url"],
            "SECRET_KEY": "bench-key-for-benchmarks-only-0000",
            "HEARTBEAT_LOG_LEVEL": "WARNING",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        centre = db.session.get(Centre, request["centre"])
        before_mb = _peak_rss_mb()
        started, started_cpu = time.perf_counter(), time.process_time()
        batch = printing.render_batch(centre, request["ids"], now=datetime.now(UTC))
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - started_cpu
        peak_mb = _peak_rss_mb()
        db.session.rollback()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "pages": batch.count,
                "bytes": len(batch.pdf),
                "peak_rss_mb": peak_mb,
                "rss_before_mb": before_mb,
            }
        )
    )
    return 0


def run(app, *, quick: bool = False, keep: bool = False) -> dict:
    """Measure one certificate and a batch of 500; returns the figures."""
    from heartbeat.extensions import db

    iterations = 15 if quick else 40
    with app.app_context():
        centre_id, ids = _seed(app)
        try:
            # The copies were not rendered when inserted, so their hashes are not theirs: quiet
            # the "re-rendered with a different hash" warning while timing them.
            quiet = logging.getLogger("heartbeat.certificates")
            level, quiet.level = quiet.level, logging.ERROR
            try:
                single_ms, single_cpu_ms = _single_median_ms(ids, iterations)
            finally:
                quiet.setLevel(level)
            db.session.rollback()  # SQLite: let the batch's own process take the database
            batch = _batch_child(app.config["SQLALCHEMY_DATABASE_URI"], centre_id, ids)
        finally:
            db.session.rollback()
            if not keep:
                _cleanup(centre_id)
    return {
        "single_median_ms": round(single_ms, 1),
        # CPU time too: on a machine shared with other work, wall-clock time includes waiting.
        "single_median_cpu_ms": round(single_cpu_ms, 1),
        "batch500_s": round(batch["seconds"], 2),
        "batch500_cpu_s": round(batch["cpu_seconds"], 2),
        "batch500_peak_rss_mb": round(batch["peak_rss_mb"], 1),
        "batch500_rss_before_mb": round(batch["rss_before_mb"], 1),
        "batch500_pages": batch["pages"],
        "batch500_pdf_mb": round(batch["bytes"] / 1024 / 1024, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer single renders")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child_main()

    from bench.run import standalone_app

    with standalone_app("certificates") as app:
        figures = run(app, quick=args.quick)
    print(
        f"one certificate: {figures['single_median_ms']} ms median "
        f"({figures['single_median_cpu_ms']} ms CPU; target {SINGLE_TARGET_MS:.0f} ms)"
    )
    print(
        f"batch of {figures['batch500_pages']}: {figures['batch500_s']} s "
        f"({figures['batch500_cpu_s']} s CPU) "
        f"(target {BATCH_TARGET_S:.0f} s), peak memory {figures['batch500_peak_rss_mb']} MB "
        f"(target {BATCH_RSS_TARGET_MB:.0f} MB; {figures['batch500_rss_before_mb']} MB before)"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
