"""Original device files in an S3-compatible bucket (``HEARTBEAT_FILES_S3_BUCKET``), against a
real S3 server on this machine (moto's ``ThreadedMotoServer``: HTTP, the S3 wire protocol, no
mocking inside the app): the same keys, compression, checks and transaction rules as the files
folder."""

from __future__ import annotations

import gzip
import hashlib

import boto3
import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer

from heartbeat.core import filestore
from heartbeat.core.s3store import Bucket
from heartbeat.extensions import db
from heartbeat.participants.models import Participant
from heartbeat.training import services, storage
from heartbeat.training.imports import import_activity
from heartbeat.training.models import ActivityFile, TrainingSession
from tests.helpers import signed_in
from tests.training.conftest import DATA

GPX = (DATA / "cerknicko-jezero.gpx").read_bytes()
FIT = (DATA / "garmin-fenix-5-run.fit").read_bytes()
BUCKET = "heartbeat-originals"
PREFIX = "test-run"


@pytest.fixture(scope="module")
def s3_endpoint():
    patch = pytest.MonkeyPatch()
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "heartbeat-test"),
        ("AWS_SECRET_ACCESS_KEY", "heartbeat-test-secret"),
        ("AWS_DEFAULT_REGION", "eu-west-2"),
    ):
        patch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield endpoint
    server.stop()
    patch.undo()


@pytest.fixture
def s3(s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for row in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=row["Key"])
    return client


@pytest.fixture
def app_config(s3_endpoint) -> dict:
    return {
        "HEARTBEAT_FILES_S3_BUCKET": BUCKET,
        "HEARTBEAT_FILES_S3_ENDPOINT": s3_endpoint,
        "HEARTBEAT_FILES_S3_REGION": "eu-west-2",
        "HEARTBEAT_FILES_S3_PREFIX": PREFIX,
    }


def _objects(s3) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        row["Key"]: s3.get_object(Bucket=BUCKET, Key=row["Key"])["Body"].read() for row in listed
    }


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


def test_the_setting_names_the_bucket(app):
    with app.app_context():
        root = filestore.folder()
    assert root == Bucket(BUCKET, app.config["HEARTBEAT_FILES_S3_ENDPOINT"], "eu-west-2", PREFIX)


def test_an_upload_is_kept_in_the_bucket_and_downloaded(app, training, s3):
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    digest = hashlib.sha256(GPX).hexdigest()
    centre_id = training.world.a.centre.id
    [(key, packed)] = _objects(s3).items()
    assert key == f"{PREFIX}/centre-{centre_id}/{digest[:2]}/{digest}.gz"
    assert gzip.decompress(packed) == GPX and len(packed) < len(GPX) / 2
    with app.app_context():
        file = db.session.scalars(
            sa.select(ActivityFile).where(ActivityFile.session_id == session_id)
        ).one()
        assert file.stored_key == key.removeprefix(f"{PREFIX}/")
        assert storage.original(file) == GPX
    staff = signed_in(app, training.world.a.therapist.email)
    response = staff.get(f"/sessions/{session_id}/file")
    assert response.status_code == 200 and response.data == GPX
    # The same bytes again are stored once.
    with app.app_context():
        again = filestore.put(filestore.folder(), storage.space(centre_id), GPX)
    assert again.key == key.removeprefix(f"{PREFIX}/") and len(_objects(s3)) == 1


def test_rolled_back_and_deleted_follow_the_transaction(app, training, s3):
    _import(app, training.pid, gzip.compress(FIT), "run.fit.gz", commit=False)
    assert _objects(s3) == {}  # the import rolled back: its object went with it
    session_id = _import(app, training.pid, GPX, "lake.gpx")
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        participant = db.session.get(Participant, training.pid)
        services.delete_session(session, participant, actor=None)
        assert len(_objects(s3)) == 1  # not before the commit
        db.session.rollback()
    assert len(_objects(s3)) == 1
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        participant = db.session.get(Participant, training.pid)
        services.delete_session(session, participant, actor=None)
        db.session.commit()
    assert _objects(s3) == {}


def test_a_damaged_or_missing_object_is_noticed(app, s3):
    with app.app_context():
        root = filestore.folder()
        stored = filestore.put(root, "centre-1", GPX)
        s3.put_object(
            Bucket=BUCKET,
            Key=f"{PREFIX}/{stored.key}",
            Body=gzip.compress(GPX + b"<!-- changed -->"),
        )
        with pytest.raises(filestore.StoredFileDamaged):
            filestore.read(root, stored.key)
        assert filestore.remove(root, stored.key) is True
        assert filestore.remove(root, stored.key) is False
        with pytest.raises(filestore.StoredFileMissing):
            filestore.read(root, stored.key)
        for key in ("../x/aa/" + "a" * 64 + ".gz", "/etc/passwd", "a/b/c.gz"):
            with pytest.raises(filestore.StoredFileMissing):
                filestore.read(root, key)
            assert filestore.remove(root, key) is False
    assert _objects(s3) == {}
