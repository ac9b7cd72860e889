"""Original device files are kept: compressed with their SHA-256, downloadable by staff and by
the participant, removed with a rolled-back import, a deleted session or an erasure, and carried
in the subject-access export."""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import User
from heartbeat.centres.models import Centre
from heartbeat.core import filestore
from heartbeat.extensions import db
from heartbeat.participants import erasure, queries, subject_access
from heartbeat.participants.models import Participant
from heartbeat.training import services
from heartbeat.training.imports import import_activity
from heartbeat.training.models import ActivityFile, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import DATA

GPX = (DATA / "cerknicko-jezero.gpx").read_bytes()
FIT = (DATA / "garmin-fenix-5-run.fit").read_bytes()


def _files_dir(app) -> Path:
    with app.app_context():
        return filestore.folder()


def _import(app, pid: int, data: bytes, name: str, *, commit: bool = True) -> int:
    with app.app_context():
        participant = db.session.get(Participant, pid)
        session = import_activity(participant, actor=None, data=data, filename=name, kind="road")
        session_id = session.id
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        return session_id


def _file(app, session_id: int) -> ActivityFile:
    with app.app_context():
        file = db.session.scalars(
            sa.select(ActivityFile).where(ActivityFile.session_id == session_id)
        ).one()
        db.session.expunge_all()
        return file


def _stored(app) -> list[Path]:
    root = _files_dir(app)
    return sorted(root.rglob("*.gz")) if root.exists() else []


def test_an_upload_is_kept_compressed_under_its_checksum(app, training):
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    file = _file(app, session_id)
    digest = hashlib.sha256(GPX).hexdigest()
    assert file.stored_sha256 == digest
    [path] = _stored(app)
    assert path.name == f"{digest}.gz"
    assert path.relative_to(_files_dir(app)).parts[0] == f"centre-{training.world.a.centre.id}"
    packed = path.read_bytes()
    assert len(packed) < len(GPX) / 2  # GPX is text: compression pays
    assert gzip.decompress(packed) == GPX


def test_a_gzipped_upload_is_kept_as_it_came(app, training):
    packed = gzip.compress(FIT)
    session_id = _import(app, training.pid, packed, "run.fit.gz")
    file = _file(app, session_id)
    assert file.stored_sha256 == hashlib.sha256(packed).hexdigest()
    assert file.fingerprint == hashlib.sha256(FIT).hexdigest()  # duplicates judged unpacked
    with app.app_context():
        from heartbeat.training import storage

        assert storage.original(db.session.get(ActivityFile, file.id)) == packed


def test_a_rolled_back_import_leaves_no_file(app, training):
    _import(app, training.pid, GPX, "lake.gpx", commit=False)
    assert _stored(app) == []
    assert training.count(ActivityFile) == 0


def test_a_deleted_session_takes_its_file_once_committed(app, training):
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        participant = db.session.get(Participant, training.pid)
        services.delete_session(session, participant, actor=None)
        assert len(_stored(app)) == 1  # not before the commit
        db.session.rollback()
    assert len(_stored(app)) == 1  # a rolled-back delete keeps it
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        participant = db.session.get(Participant, training.pid)
        services.delete_session(session, participant, actor=None)
        db.session.commit()
    assert _stored(app) == []


def test_a_damaged_store_is_noticed(app, training):
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    [path] = _stored(app)
    path.write_bytes(gzip.compress(GPX + b"<!-- changed -->"))
    with app.app_context():
        from heartbeat.training import storage

        with pytest.raises(filestore.StoredFileDamaged):
            storage.original(db.session.get(ActivityFile, _file(app, session_id).id))


@pytest.mark.parametrize("key", ["../x/aa/" + "a" * 64 + ".gz", "/etc/passwd", "a/b/c.gz"])
def test_keys_never_reach_outside_the_folder(tmp_path, key):
    with pytest.raises(filestore.StoredFileMissing):
        filestore.read(tmp_path, key)
    assert filestore.remove(tmp_path, key) is False


def test_staff_and_the_participant_download_the_original(app, training):
    session_id = _import(app, training.pid, gzip.compress(FIT), "run.fit.gz")
    packed = gzip.compress(FIT)
    world = training.world
    training.link(training.pid, world.a.participant)

    staff = signed_in(app, world.a.therapist.email)
    page = staff.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert f'href="/sessions/{session_id}/file"' in page
    response = staff.get(f"/sessions/{session_id}/file")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert "filename=run.fit.gz" in response.headers["Content-Disposition"]
    assert gzip.decompress(response.data) == FIT and len(response.data) == len(packed)

    own = signed_in(app, world.a.participant.email)
    assert own.get(f"/sessions/{session_id}/file").status_code == 200
    # Another participant of the centre, and staff of another centre, are told nothing.
    assert signed_in(app, world.a.other_participant.email).get(
        f"/sessions/{session_id}/file"
    ).status_code in (403, 404)
    assert (
        signed_in(app, world.b.therapist.email).get(f"/sessions/{session_id}/file").status_code
        == 404
    )


def test_a_session_without_a_kept_file_says_so(app, training):
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    with app.app_context():
        db.session.execute(sa.update(ActivityFile).values(stored_key=None, stored_sha256=None))
        db.session.commit()
    staff = signed_in(app, training.world.a.therapist.email)
    assert "The original file is not kept" in staff.get(f"/sessions/{session_id}").get_data(
        as_text=True
    )
    assert staff.get(f"/sessions/{session_id}/file").status_code == 404


def test_subject_access_carries_the_originals(app, training):
    first = _import(app, training.pid, GPX, "lake.gpx")
    second = _import(app, training.pid, gzip.compress(FIT), "run.fit.gz")
    _import(app, training.other_pid, (DATA / "korita-zbevnica.gpx").read_bytes(), "theirs.gpx")
    with app.app_context():
        participant = db.session.scalars(queries.participant_by_id(training.pid)).one()
        centre = db.session.get(Centre, participant.centre_id)
        actor = db.session.get(User, training.world.a.admin.id)
        data, counts = subject_access.build_archive(participant, centre=centre, actor=actor)
        db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = sorted(n for n in archive.namelist() if n.startswith("files/"))
    assert files == [
        f"files/activity_files/session-{first}-lake.gpx",
        f"files/activity_files/session-{second}-run.fit.gz",
    ]
    assert archive.read(files[0]) == GPX
    assert gzip.decompress(archive.read(files[1])) == FIT
    assert counts["files"] == 2
    assert "files/ (2 files)" in archive.read("README.txt").decode()


def test_erasure_removes_their_originals_and_keeps_others(app, training):
    _import(app, training.pid, GPX, "lake.gpx")
    _import(app, training.other_pid, (DATA / "korita-zbevnica.gpx").read_bytes(), "theirs.gpx")
    assert len(_stored(app)) == 2
    with app.app_context():
        participant = db.session.get(Participant, training.pid)
        actor = db.session.get(User, training.world.a.admin.id)
        erasure.erase(
            participant, actor=actor, confirm_name=participant.full_name, today=date(2025, 6, 2)
        )
        db.session.commit()
        keys = db.session.execute(
            sa.select(ActivityFile.participant_id, ActivityFile.stored_key).order_by(
                ActivityFile.participant_id
            )
        ).all()
    assert [(pid, key is None) for pid, key in keys] == [
        (training.pid, True),
        (training.other_pid, False),
    ]
    [left] = _stored(app)
    assert (
        left.name == f"{hashlib.sha256((DATA / 'korita-zbevnica.gpx').read_bytes()).hexdigest()}.gz"
    )
    [event] = training.audit("participant.erase")
    assert event.changes["device_files_removed"]["after"] == 1
