"""Bulk archives: a ZIP of activity files becomes a job with a report of every file; archive
bombs and escaping paths are refused; each file is imported whole or not at all."""

from __future__ import annotations

import csv
import gzip
import io
import re
import stat
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.extensions import db
from heartbeat.jobs import services as job_services
from heartbeat.jobs.models import Job, JobState
from heartbeat.training.archive_import import ARCHIVE_SPACE
from heartbeat.training.devicefiles import EMPTY_FILE, archives
from heartbeat.training.devicefiles.archives import ArchiveLimits, ArchiveRefused
from heartbeat.training.models import ActivityFile, TrainingSession
from tests.helpers import signed_in

REAL = Path("/work/shared/data/device-files")
if not REAL.exists():  # the same files are copied beside the tests
    REAL = Path(__file__).parent / "data"

_DAY = re.compile(rb"(\d{4})-(\d{2})-(\d{2})T")


def shifted(data: bytes, days: int) -> bytes:
    """A real GPX or TCX file moved ``days`` days in time: every timestamp, nothing else."""

    def move(found: re.Match) -> bytes:
        day = date(*(int(part) for part in found.groups())) + timedelta(days=days)
        return day.isoformat().encode() + b"T"

    return _DAY.sub(move, data)


def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


IMPORTED, DUPLICATE, SKIPPED, REFUSED = "Imported", "Duplicate", "Skipped", "Refused"
NOT_ACTIVITY = archives.SKIP_NOT_ACTIVITY


def build_archive() -> tuple[bytes, list[tuple[str, str, str | None]]]:
    """200 files made from the real device files, with the outcome each must have: (name,
    result, detail or None when the detail names a session)."""
    buffer = io.BytesIO()
    expected: list[tuple[str, str, str | None]] = []
    gpx_sources = ["cerknicko-jezero.gpx", "korita-zbevnica.gpx", "track-with-empty-segment.gpx"]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:

        def add(name: str, data: bytes, result: str, detail: str | None = None) -> None:
            out.writestr(name, data)
            expected.append((name, result, detail))

        out.writestr("activities/", b"")  # a folder: not a file, not reported
        gpx: dict[int, bytes] = {}
        for i in range(1, 129):
            gpx[i] = shifted(real(gpx_sources[i % 3]), i)
            if i % 5 == 0:
                add(f"activities/{i:03d}.gpx.gz", gzip.compress(gpx[i], mtime=0), IMPORTED)
            else:
                add(f"activities/{i:03d}.gpx", gpx[i], IMPORTED)
        for i in range(1, 41):
            add(f"activities/t{i:03d}.tcx", shifted(real("test.tcx"), i), IMPORTED)
        for name in (
            "activity-small-fenix2-run.fit",
            "garmin-fenix-5-run.fit",
            "sample-activity.fit",
        ):
            add(f"activities/{name}", real(name), IMPORTED)
        # Duplicates: the same activity packed differently, and the same bytes again.
        add("again/sample-activity.fit.gz", gzip.compress(real("sample-activity.fit")), DUPLICATE)
        for i in range(1, 11):
            suffix = ".gpx.gz" if i % 5 == 0 else ".gpx"
            data = gzip.compress(gpx[i], mtime=0) if i % 5 == 0 else gpx[i]
            add(f"again/{i:03d}{suffix}", data, DUPLICATE)
        # Not activities, by content or by name.
        add(
            "Settings.fit",
            real("Settings.fit"),
            SKIPPED,
            "This FIT file holds no activity (it contains device settings).",
        )
        add(
            "broken/eof.fit",
            real("invalid_activity-unexpected-eof.fit"),
            SKIPPED,
            "The FIT file is damaged or cut short.",
        )
        add(
            "broken/header.fit",
            real("invalid_activity-settings-corruptheader.fit"),
            SKIPPED,
            "The FIT file is damaged or cut short.",
        )
        no_points = "This GPX file has no track points; it may be a route or a list of waypoints."
        add("routes/route.gpx", real("route.gpx"), SKIPPED, no_points)
        add("routes/unicode.gpx", real("unicode.gpx"), SKIPPED, no_points)
        add(
            "activities.csv",
            b"Activity ID,Activity Date\r\n1,2020-01-01\r\n",
            SKIPPED,
            NOT_ACTIVITY,
        )
        add("profile.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, SKIPPED, NOT_ACTIVITY)
        add("media/photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, SKIPPED, NOT_ACTIVITY)
        add("README.txt", b"exported", SKIPPED, NOT_ACTIVITY)
        add("activities/empty.gpx", b"", SKIPPED, EMPTY_FILE)
        add("inner.zip", b"PK\x05\x06" + b"\x00" * 18, SKIPPED, f"Skipped: {archives.NESTED_NOTE}")
        # Paths that escape, and a link: refused, never read.
        for name in ("../escape.gpx", "/etc/abs.gpx", "a/../../b.gpx", "C:/win.gpx"):
            add(name, gpx[1], REFUSED, archives.SKIP_PATH)
        link = zipfile.ZipInfo("activities/link.gpx")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        out.writestr(link, b"/etc/passwd")
        expected.append(("activities/link.gpx", REFUSED, archives.SKIP_LINK))
        out.writestr("activities/locked.gpx", gpx[2])  # marked encrypted below
        expected.append(("activities/locked.gpx", SKIPPED, archives.SKIP_ENCRYPTED))
        # From before the participant's enrolment (2009): a question the archive cannot answer.
        add("old/1990.gpx", shifted(real("cerknicko-jezero.gpx"), -7300), SKIPPED, "history")
    return encrypted_flag(buffer.getvalue(), b"activities/locked.gpx"), expected


def encrypted_flag(data: bytes, name: bytes) -> bytes:
    """Set the "encrypted" bit of ``name``'s central-directory record (zipfile cannot write one)."""
    out = bytearray(data)
    start = 0
    while True:
        at = out.index(b"PK\x01\x02", start)
        length = int.from_bytes(out[at + 28 : at + 30], "little")
        if out[at + 46 : at + 46 + length] == name:
            out[at + 8] |= 0x1
            return bytes(out)
        start = at + 4


@pytest.fixture
def staff(app, training):
    return signed_in(app, training.world.a.therapist.email)


def upload_zip(client, pid: int, data: bytes, name: str = "export.zip", kind: str = "road"):
    return client.post(
        f"/participants/{pid}/sessions/upload",
        data={"file": (io.BytesIO(data), name), "kind": kind},
        content_type="multipart/form-data",
    )


def finished(app, response) -> Job:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    job_id = int(re.search(r"/jobs/(\d+)$", response.location).group(1))
    with app.app_context():
        return job_services.wait(job_id, timeout=300)


def test_a_200_file_archive_imports_with_an_exact_report(app, staff, training):
    data, expected = build_archive()
    assert len(expected) == 200
    job = finished(app, upload_zip(staff, training.pid, data))
    assert job.state == JobState.DONE, job.error

    report = list(
        csv.reader(io.StringIO(staff.get(f"/jobs/{job.id}/result").data.decode("utf-8-sig")))
    )
    assert report[0] == ["file", "result", "detail", "session_id"]
    rows = report[1:]
    assert [(row[0], row[1]) for row in rows] == [(name, result) for name, result, _ in expected]

    with app.app_context():
        files = dict(
            db.session.execute(sa.select(ActivityFile.session_id, ActivityFile.original_name)).all()
        )
    session_of = {}
    for (name, result, detail), row in zip(expected, rows, strict=True):
        if result == IMPORTED:
            session_id = int(row[3])
            assert row[2] == f"Session {session_id}."
            assert files[session_id] == name.rsplit("/", 1)[-1]  # the file became that session
            session_of[name.rsplit("/", 1)[-1].removesuffix(".gz")] = session_id
        elif result == DUPLICATE:
            base = name.rsplit("/", 1)[-1].removesuffix(".gz")
            assert row[2] == f"Already session {session_of[base]}."
        elif detail == "history":
            assert "before their enrolment" in row[2] or "enrol" in row[2], row[2]
            assert row[2].endswith("Upload this file on its own to answer.")
        else:
            assert row[2] == detail, name

    imported = sum(result == IMPORTED for _, result, _ in expected)
    assert imported == 171
    assert training.count(TrainingSession) == imported
    assert training.count(ActivityFile) == imported
    assert len(training.audit("session.import")) == imported
    assert {"first-push", "5k", "10k"} <= training.award_codes()  # evaluated once, at the end
    summary = job.summary
    assert (summary["files"], summary["imported"], summary["duplicates"]) == (200, 171, 11)
    assert (summary["skipped"], summary["refused"]) == (13, 5)
    # Every imported file's original is kept; the archive itself is gone.
    root = Path(app.instance_path) / "files"
    assert len(list((root / f"centre-{training.world.a.centre.id}").rglob("*.gz"))) == imported
    assert not list((root / ARCHIVE_SPACE).rglob("*.gz"))
    page = staff.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Every file of the archive" in page and "activities/link.gpx" in page


def _bomb(entries: int = 1, size: int = 50 * 1024 * 1024) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for i in range(entries):
            out.writestr(f"{i}.gpx", b"\0" * size)
    return buffer.getvalue()


def test_archive_bombs_are_refused_on_the_form_and_nothing_is_queued(app, staff, training):
    bomb = _bomb()
    assert len(bomb) < 100_000  # 50 MB of zeros packs to ~50 KB
    response = upload_zip(staff, training.pid, bomb)
    assert response.status_code == 422
    assert "claims to unpack to" in response.get_data(as_text=True)
    assert training.count(Job) == 0


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (ArchiveLimits(max_entries=3), "holds 4 entries, more than the 3"),
        (ArchiveLimits(max_bytes=3 * 1024), "unpacks to"),
    ],
)
def test_limits_on_entries_and_total_size(limits, message):
    data = _bomb(entries=4, size=1024)
    with pytest.raises(ArchiveRefused, match=message):
        archives.open_archive(data, limits)


def test_a_directory_that_lies_about_sizes_is_caught_while_reading():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        out.writestr("a.gpx", b"<gpx>" + b" " * 5000 + b"</gpx>")
    data = bytearray(buffer.getvalue())
    # Claim 100 bytes in the central directory (and the local header): the read stops at 101.
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    data[22:26] = (100).to_bytes(4, "little")
    archive = archives.open_archive(bytes(data), ArchiveLimits())
    [entry] = list(archives.entries(archive, ArchiveLimits()))
    assert entry.data is None and entry.skipped in (archives.SKIP_SIZE_LIED, archives.SKIP_DAMAGED)


def test_not_a_zip_is_refused(app, staff, training):
    with pytest.raises(ArchiveRefused, match="not a ZIP"):
        archives.open_archive(b"PK\x03\x04 not really", ArchiveLimits())
    response = upload_zip(staff, training.pid, b"PK\x03\x04 not really")
    assert response.status_code == 422 and training.count(Job) == 0


def test_a_failing_file_leaves_nothing_half_imported(app, training):
    """A file whose save fails after its session row was written leaves neither row nor file."""
    from heartbeat.participants.models import Participant
    from heartbeat.training import archive_import, storage

    data, _ = build_archive()
    small = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(small, "w") as out:
        for name in ("activities/001.gpx", "activities/002.gpx"):
            out.writestr(name, source.read(name))
    calls = {"n": 0}
    real_keep = storage.keep_original

    def failing_second(centre_id, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_keep(centre_id, data)

    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        storage.keep_original = failing_second
        try:
            with pytest.raises(OSError):
                archive_import.import_archive(
                    small.getvalue(), participant, actor=None, kind="road"
                )
        finally:
            storage.keep_original = real_keep
        db.session.rollback()
    assert training.count(TrainingSession) == 0 and training.count(ActivityFile) == 0
    root = Path(app.instance_path) / "files"
    assert not list(root.rglob("*.gz")) if root.exists() else True


def test_erasure_removes_an_archive_still_waiting_for_its_job(app, training):
    from datetime import date

    from heartbeat.auth.models import User
    from heartbeat.participants import erasure
    from heartbeat.participants.models import Participant
    from heartbeat.training import archive_import

    data, _ = build_archive()
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        job_id = archive_import.submit_archive(
            data,
            participant,
            actor=None,
            file_name="export.zip",
            kind="road",
            before_enrolment=False,
        )
        db.session.commit()  # queued, never dispatched here
    archives = Path(app.instance_path) / "files" / ARCHIVE_SPACE
    assert len(list(archives.rglob("*.gz"))) == 1
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        admin = db.session.get(User, training.world.a.admin.id)
        erasure.erase(
            participant, actor=admin, confirm_name=participant.full_name, today=date(2025, 6, 2)
        )
        db.session.commit()
        params = db.session.scalar(sa.select(Job.params).where(Job.id == job_id))
    assert params["archive_key"] is None
    assert not list(archives.rglob("*.gz"))
