"""The files store in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), in place of the
files folder when ``HEARTBEAT_FILES_S3_BUCKET`` is set.

Same keys, same bytes (gzip, named by their SHA-256) and the same checks as on disk; an object
is written whole by one PUT or not at all, so there is no temporary name. Credentials come from
boto3's usual chain (``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``, a profile, an instance
role); the app's own settings name only the bucket, the endpoint, the region and a key prefix.
``core.filestore`` decides which store a call goes to; this module knows nothing of Flask.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


class S3Unavailable(RuntimeError):
    """boto3 is not installed, or the bucket did not answer."""


@dataclass(frozen=True, slots=True)
class Bucket:
    """Where files go: ``bucket``, under ``prefix``, at ``endpoint`` (empty: AWS itself)."""

    name: str
    endpoint: str = ""
    region: str = ""
    prefix: str = ""

    def object_key(self, key: str) -> str:
        prefix = self.prefix.strip("/")
        return f"{prefix}/{key}" if prefix else key

    def client(self) -> Any:
        with _lock:
            cached = _clients.get((self.endpoint, self.region))
            if cached is None:
                try:
                    import boto3
                    from botocore.config import Config
                except ImportError as exc:  # pragma: no cover - boto3 is a dependency
                    raise S3Unavailable("boto3 is not installed") from exc
                cached = boto3.client(
                    "s3",
                    endpoint_url=self.endpoint or None,
                    region_name=self.region or None,
                    config=Config(retries={"max_attempts": 3, "mode": "standard"}),
                )
                _clients[(self.endpoint, self.region)] = cached
            return cached


def _missing(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def size(bucket: Bucket, key: str) -> int | None:
    """The stored object's size in bytes; None when there is none."""
    from botocore.exceptions import ClientError

    try:
        head = bucket.client().head_object(Bucket=bucket.name, Key=bucket.object_key(key))
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return int(head["ContentLength"])


def put(bucket: Bucket, key: str, packed: bytes) -> None:
    bucket.client().put_object(
        Bucket=bucket.name,
        Key=bucket.object_key(key),
        Body=packed,
        ContentType="application/gzip",
    )


def get(bucket: Bucket, key: str) -> bytes | None:
    """The stored (compressed) bytes; None when there is no such object."""
    from botocore.exceptions import ClientError

    try:
        answer = bucket.client().get_object(Bucket=bucket.name, Key=bucket.object_key(key))
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return bytes(answer["Body"].read())


def delete(bucket: Bucket, key: str) -> bool:
    """Delete the object; False when there was none."""
    if size(bucket, key) is None:
        return False
    bucket.client().delete_object(Bucket=bucket.name, Key=bucket.object_key(key))
    return True
