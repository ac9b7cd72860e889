"""Activity files compressed with gzip (``.fit.gz``, ``.gpx.gz``, ``.tcx.gz``), as bulk exports
from Strava and others ship them.

A small gzip file can unpack to gigabytes: the output is read only up to a limit, and a file
that unpacks to more is refused as soon as the limit is passed, never unpacked to the end.
"""

from __future__ import annotations

import gzip
import io
import zlib

from heartbeat.training.devicefiles.activity import EMPTY_FILE, ActivityFileError

_MAGIC = b"\x1f\x8b"

GZIP_DAMAGED = "This compressed (.gz) file is damaged or cut short."
GZIP_TOO_LARGE = (
    "This compressed (.gz) file unpacks to more than {limit_mb:g} MB, far more than one activity; "
    "nothing was saved."
)
GZIP_NESTED = "This .gz file holds another compressed file: unpack it first, then upload the file."


def is_gzip(data: bytes) -> bool:
    return data.startswith(_MAGIC)


def gunzip(data: bytes, limit: int) -> bytes:
    """The unpacked bytes of a gzip file of at most ``limit`` bytes unpacked, else refused."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
            # One byte past the limit tells "too large" from "exactly the limit".
            unpacked = packed.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise ActivityFileError(GZIP_DAMAGED) from exc
    if len(unpacked) > limit:
        raise ActivityFileError(GZIP_TOO_LARGE, limit_mb=limit / (1024 * 1024))
    if not unpacked:
        raise ActivityFileError(EMPTY_FILE)
    if is_gzip(unpacked):
        raise ActivityFileError(GZIP_NESTED)
    return unpacked
