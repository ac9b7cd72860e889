"""Each centre's Ed25519 signing keys: made on first need, rotated on command, stored wrapped.

A centre has one *current* key (``retired_at`` NULL) that signs new credentials, and keeps every
key it used before: they stay published in its DID document so the credentials they signed go
on verifying. The private half is stored encrypted (AES-256-GCM) under a key derived from
``SECRET_KEY`` with HKDF, bound to the centre and key id; ``rewrap_all`` re-encrypts every key
when ``SECRET_KEY`` changes (``flask --app heartbeat rewrap-signing-keys``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from heartbeat.certificates.encodings import jwk_thumbprint
from heartbeat.certificates.models import SigningKey
from heartbeat.db import utcnow
from heartbeat.extensions import db


class CredentialError(ValueError):
    """A credential cannot be signed (for instance the key no longer decrypts)."""


def _wrapping_key(secret_key: str | bytes) -> bytes:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"heartbeat-miles/certificate-signing-key/v1",
        info=b"aes-256-gcm key wrap",
    ).derive(material)


def _aad(centre_id: int, kid: str) -> bytes:
    return f"centre:{centre_id}:kid:{kid}".encode()


def encrypt_private_key(raw: bytes, *, secret_key: str, centre_id: int, kid: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_wrapping_key(secret_key)).encrypt(nonce, raw, _aad(centre_id, kid))


def decrypt_private_key(blob: bytes, *, secret_key: str, centre_id: int, kid: str) -> bytes:
    try:
        return AESGCM(_wrapping_key(secret_key)).decrypt(blob[:12], blob[12:], _aad(centre_id, kid))
    except InvalidTag:
        raise CredentialError(
            "The centre's signing key cannot be decrypted: SECRET_KEY is not the one it was "
            "stored with. Set the original SECRET_KEY, or re-wrap the keys with "
            "'flask --app heartbeat rewrap-signing-keys' (docs/deploy.md)."
        ) from None


@dataclass(frozen=True)
class CentreKey:
    centre_id: int
    kid: str
    public_key: bytes
    private_key: Ed25519PrivateKey


def centre_keys(centre_id: int) -> list[SigningKey]:
    """All the centre's keys, the current one first, then the retired ones newest first."""
    return list(
        db.session.scalars(
            sa.select(SigningKey)
            .where(SigningKey.centre_id == centre_id)
            .order_by(SigningKey.retired_at.is_not(None), SigningKey.id.desc())
            .execution_options(all_centres=True)
        )
    )


def signing_key_row(centre_id: int) -> SigningKey | None:
    """The centre's current key, if it has one."""
    return db.session.scalars(
        sa.select(SigningKey)
        .where(SigningKey.centre_id == centre_id, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.id.desc())
        .limit(1)
        .execution_options(all_centres=True)
    ).first()


def _new_key(centre_id: int, *, secret_key: str) -> CentreKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    kid = jwk_thumbprint(public)
    db.session.add(
        SigningKey(
            centre_id=centre_id,
            kid=kid,
            public_key=public,
            private_key_encrypted=encrypt_private_key(
                raw, secret_key=secret_key, centre_id=centre_id, kid=kid
            ),
        )
    )
    db.session.flush()
    return CentreKey(centre_id, kid, public, private)


def centre_key(centre_id: int, *, secret_key: str) -> CentreKey:
    """The centre's current signing key, made (and flushed) on first need."""
    row = signing_key_row(centre_id)
    if row is None:
        return _new_key(centre_id, secret_key=secret_key)
    raw = decrypt_private_key(
        row.private_key_encrypted, secret_key=secret_key, centre_id=centre_id, kid=row.kid
    )
    return CentreKey(centre_id, row.kid, row.public_key, Ed25519PrivateKey.from_private_bytes(raw))


def rotate(centre_id: int, *, secret_key: str, now: datetime | None = None) -> CentreKey:
    """Retire the current key (it stays published) and make a new one for new credentials."""
    moment = now or utcnow()
    for row in centre_keys(centre_id):
        if row.retired_at is None:
            row.retired_at = moment
    db.session.flush()
    return _new_key(centre_id, secret_key=secret_key)


def rewrap_all(*, old_secret_key: str, new_secret_key: str) -> int:
    """Re-encrypt every stored private key from the old SECRET_KEY to the new; how many.

    All or nothing: a key that does not open with ``old_secret_key`` stops it before anything
    is changed (the caller rolls back).
    """
    rows = list(
        db.session.scalars(
            sa.select(SigningKey).order_by(SigningKey.id).execution_options(all_centres=True)
        )
    )
    opened = [
        (
            row,
            decrypt_private_key(
                row.private_key_encrypted,
                secret_key=old_secret_key,
                centre_id=row.centre_id,
                kid=row.kid,
            ),
        )
        for row in rows
    ]
    for row, raw in opened:
        row.private_key_encrypted = encrypt_private_key(
            raw, secret_key=new_secret_key, centre_id=row.centre_id, kid=row.kid
        )
    db.session.flush()
    return len(opened)
