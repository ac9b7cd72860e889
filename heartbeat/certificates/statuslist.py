"""Revocation a wallet can see: one W3C Bitstring Status List (v1.0) per centre.

Each credential names a bit (``credentialStatus``, a ``BitstringStatusListEntry`` with purpose
``revocation``) in its centre's list; revoking the certificate sets the bit. The list is itself a
signed credential (``BitstringStatusListCredential``) served at a stable public URL, built
from the certificates' rows whenever it is asked for (and cached for a minute by clients).

The list never tells who is revoked: indexes are drawn at random from 131,072 bits (the
specification's minimum size, so a list reveals nothing about how many credentials a centre
issued), and a bit leads to no serial.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from heartbeat.certificates.linkeddata import VC_V2
from heartbeat.certificates.models import Certificate
from heartbeat.certificates.proofs import timestamp
from heartbeat.certificates.serials import status_list_url
from heartbeat.extensions import db

LIST_BITS = 131_072
PURPOSE = "revocation"
MAX_AGE = 60  # seconds: "revoking flips the bit within a minute"


def entry(base: str, centre_slug: str, index: int) -> dict[str, Any]:
    url = status_list_url(base, centre_slug)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def free_index(centre_id: int) -> int:
    """A random index no other certificate of the centre holds (one query per draw)."""
    for _ in range(32):
        index = secrets.randbelow(LIST_BITS)
        taken = db.session.scalar(
            sa.select(Certificate.id)
            .where(Certificate.centre_id == centre_id, Certificate.status_index == index)
            .execution_options(all_centres=True)
        )
        if taken is None:
            return index
    raise RuntimeError("the centre's status list is full")  # pragma: no cover - 2^17 bits


def revoked_indexes(centre_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Certificate.status_index)
            .where(
                Certificate.centre_id == centre_id,
                Certificate.status_index.is_not(None),
                Certificate.revoked_at.is_not(None),
            )
            .execution_options(all_centres=True)
        )
    )


def encode(indexes: list[int], size: int = LIST_BITS) -> str:
    """The bitstring, GZIP-compressed, as multibase base64url (``u…``); bit 0 is the first
    byte's highest bit, as the specification orders them."""
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url")
    text = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_is_set(encoded: str, index: int) -> bool:
    bits = decode(encoded)
    if not 0 <= index < len(bits) * 8:
        raise ValueError("status list index out of range")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_credential(
    *, base: str, centre_slug: str, issuer_id: str, indexes: list[int], now: datetime
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of a centre."""
    url = status_list_url(base, centre_slug)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(indexes),
        },
    }
