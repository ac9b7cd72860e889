"""Open Badges 3.0 credentials, signed with the centre's Ed25519 key.

The proof is a W3C Data Integrity proof with the ``eddsa-jcs-2022`` cryptosuite (VC Data
Integrity EdDSA Cryptosuites v1.0): the document and the proof options are canonicalised with the
JSON Canonicalization Scheme (RFC 8785), hashed with SHA-256, and the two hashes are signed with
Ed25519. It needs no JSON-LD processing, so nothing is ever fetched to sign or verify. The public
key is published twice: as a Multikey in the issuer profile (what ``verificationMethod`` points
at) and as a JWK in the centre's JWKS.

Each centre gets its key on first need. The private key is stored encrypted (AES-256-GCM) under a
key derived from ``SECRET_KEY`` with HKDF, bound to the centre and key id.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from heartbeat.certificates.models import SigningKey
from heartbeat.extensions import db
from heartbeat.progress.sentences import milestone_sentence

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CRYPTOSUITE = "eddsa-jcs-2022"
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class CredentialError(ValueError):
    """A credential cannot be signed (for instance the key no longer decrypts)."""


# --- encodings -----------------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) for the JSON this module makes: strings, integers, booleans, null.

    Python's sorted keys and compact separators match JCS for these; floats are refused because
    their ECMAScript formatting is not what ``json`` writes.
    """

    def check(item: Any) -> None:
        if isinstance(item, float):
            raise TypeError("canonical_json refuses floats")
        if isinstance(item, dict):
            for key, inner in item.items():
                if not isinstance(key, str):
                    raise TypeError("JSON object keys must be strings")
                check(inner)
        elif isinstance(item, list | tuple):
            for inner in item:
                check(inner)

    check(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    leading = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError("not base58btc")
        number = number * 58 + index
    leading = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading + body


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def multikey(public_key: bytes) -> str:
    """Ed25519 public key as a Multikey ``publicKeyMultibase`` (``z6Mk...``)."""
    return "z" + b58encode(_ED25519_MULTICODEC + public_key)


def public_key_from_multikey(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("publicKeyMultibase must be base58btc ('z')")
    raw = b58decode(value[1:])
    if not raw.startswith(_ED25519_MULTICODEC) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]


def jwk(public_key: bytes, kid: str) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(public_key),
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def jwk_thumbprint(public_key: bytes) -> str:
    """RFC 7638 thumbprint: the key id."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(public_key)}
    return b64url(hashlib.sha256(canonical_json(members)).digest())


# --- the centre's key ----------------------------------------------------------------------------


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
            "stored with. Set the original SECRET_KEY on every app server."
        ) from None


@dataclass(frozen=True)
class CentreKey:
    centre_id: int
    kid: str
    public_key: bytes
    private_key: Ed25519PrivateKey


def signing_key_row(centre_id: int) -> SigningKey | None:
    return db.session.scalars(
        sa.select(SigningKey)
        .where(SigningKey.centre_id == centre_id)
        .execution_options(all_centres=True)
    ).one_or_none()


def centre_key(centre_id: int, *, secret_key: str) -> CentreKey:
    """The centre's signing key, made (and flushed) on first need."""
    row = signing_key_row(centre_id)
    if row is None:
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        kid = jwk_thumbprint(public)
        row = SigningKey(
            centre_id=centre_id,
            kid=kid,
            public_key=public,
            private_key_encrypted=encrypt_private_key(
                raw, secret_key=secret_key, centre_id=centre_id, kid=kid
            ),
        )
        db.session.add(row)
        db.session.flush()
        return CentreKey(centre_id, kid, public, private)
    raw = decrypt_private_key(
        row.private_key_encrypted, secret_key=secret_key, centre_id=centre_id, kid=row.kid
    )
    return CentreKey(centre_id, row.kid, row.public_key, Ed25519PrivateKey.from_private_bytes(raw))


# --- documents -----------------------------------------------------------------------------------


def issuer_profile(
    *, issuer_id: str, centre_name: str, kid: str | None, public_key: bytes | None, jwks_url: str
) -> dict[str, Any]:
    """The OB 3.0 issuer Profile, which is also the controller document of the centre's key."""
    profile: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, "https://w3id.org/security/multikey/v1"],
        "id": issuer_id,
        "type": ["Profile"],
        "name": centre_name,
        "jwks_uri": jwks_url,
    }
    if kid is not None and public_key is not None:
        method = f"{issuer_id}#{kid}"
        profile["verificationMethod"] = [
            {
                "id": method,
                "type": "Multikey",
                "controller": issuer_id,
                "publicKeyMultibase": multikey(public_key),
            }
        ]
        profile["assertionMethod"] = [method]
    return profile


def name_identifier(name: str, salt: str) -> dict[str, Any]:
    """OB 3.0 IdentityObject: the name as a hash salted with a secret the credential leaves out.

    Published beside the hash, a salt would let anyone test a list of names against it (the
    attacker probe recovered a name from 41,000 in a fraction of a second). The salt is kept
    with the certificate and shown only to the participant, who can give it, with their name,
    to whoever they want to prove the credential is theirs.
    """
    digest = hashlib.sha256((name + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": True,
        "identityHash": f"sha256${digest}",
    }


def new_identity_salt() -> str:
    """128 random bits: far beyond guessing, whatever list of names one tries."""
    return secrets.token_hex(16)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(
    *,
    verify_url: str,
    issuer_id: str,
    centre_name: str,
    achievement_id: str,
    title: str,
    description: str,
    criteria: str,
    participant_name: str,
    identity_salt: str,
    issued_at: datetime,
    programme: str,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one certificate."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title}: {programme}",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": centre_name},
        "validFrom": _timestamp(issued_at),
        "awardedDate": _timestamp(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [name_identifier(participant_name, identity_salt)],
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Achievement",
                "name": title,
                "description": milestone_sentence("The holder", description),
                "criteria": {"narrative": criteria},
            },
        },
    }


def _hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonical_json(proof_options)).digest()
        + hashlib.sha256(canonical_json(document)).digest()
    )


def sign(
    document: dict[str, Any], key: CentreKey, *, verification_method: str, created: datetime
) -> dict[str, Any]:
    """The document with an ``eddsa-jcs-2022`` DataIntegrityProof added."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in unsecured:
        proof["@context"] = unsecured["@context"]
    signature = key.private_key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


def verify(secured: dict[str, Any], public_key: bytes) -> bool:
    """Check an ``eddsa-jcs-2022`` proof with ``public_key`` (raw Ed25519 bytes)."""
    proof = secured.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    if proof.get("type") != "DataIntegrityProof":
        return False
    options = copy.deepcopy(proof)
    value = options.pop("proofValue", None)
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    unsecured = {name: item for name, item in secured.items() if name != "proof"}
    context = options.get("@context")
    if context is not None:
        document_context = unsecured.get("@context") or []
        if list(document_context[: len(context)]) != list(context):
            return False
        unsecured["@context"] = context
    try:
        signature = b58decode(value[1:])
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, _hash_data(unsecured, options)
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
