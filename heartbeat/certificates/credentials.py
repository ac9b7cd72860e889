"""Open Badges 3.0 credentials and the documents a verifier needs to check them.

Each centre is an issuer with a ``did:web`` identity (``serials.did_web``): its DID document,
served by the app at the path ``did:web`` prescribes for ``HEARTBEAT_PUBLIC_URL``, lists the
centre's Ed25519 keys as Multikeys, so a wallet resolves the key the proof names and confirms it
belongs to the issuer. Credentials are signed with an ``eddsa-rdfc-2022`` Data Integrity proof
(``proofs``) over the bundled JSON-LD contexts (``linkeddata``); the keys live in ``keys``.
Every document here is valid JSON-LD: each term is defined by a context it lists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from heartbeat.certificates import proofs
from heartbeat.certificates.encodings import (
    b58decode,
    b58encode,
    b64url,
    b64url_decode,
    canonical_json,
    jwk,
    jwk_thumbprint,
    multikey,
    public_key_from_multikey,
)
from heartbeat.certificates.keys import (
    CentreKey,
    CredentialError,
    centre_key,
    centre_keys,
    decrypt_private_key,
    encrypt_private_key,
    signing_key_row,
)
from heartbeat.certificates.linkeddata import DID_V1, MULTIKEY_V1, OB_V3, VC_V2
from heartbeat.certificates.models import SigningKey
from heartbeat.certificates.proofs import timestamp
from heartbeat.progress.sentences import milestone_sentence

__all__ = [
    "CentreKey",
    "CredentialError",
    "b58decode",
    "b58encode",
    "b64url",
    "b64url_decode",
    "canonical_json",
    "centre_key",
    "centre_keys",
    "decrypt_private_key",
    "encrypt_private_key",
    "jwk",
    "jwk_thumbprint",
    "multikey",
    "public_key_from_multikey",
    "signing_key_row",
]

VC_CONTEXT = VC_V2
OB_CONTEXT = OB_V3
CRYPTOSUITE = proofs.RDFC


# --- documents -----------------------------------------------------------------------------------


def did_document(did: str, keys: list[SigningKey]) -> dict[str, Any]:
    """The centre's DID document: every key it has signed with, current first.

    Retired keys stay in ``assertionMethod``: a credential they signed must keep verifying. What
    tells them apart is the key set (``jwks``), which marks when each one was retired.
    """
    methods = [
        {
            "id": f"{did}#{row.kid}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey(row.public_key),
        }
        for row in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def key_set(keys: list[SigningKey]) -> dict[str, Any]:
    """The keys as a JWK Set; a rotated-out key carries ``retired_at`` (RFC 7517 allows extra
    members): it still verifies what it signed but signs nothing new."""
    entries: list[dict[str, Any]] = []
    for row in keys:
        entry: dict[str, Any] = dict(jwk(row.public_key, row.kid))
        if row.retired_at is not None:
            entry["retired_at"] = timestamp(row.retired_at)
        entries.append(entry)
    return {"keys": entries}


def issuer_profile(*, issuer_id: str, centre_name: str, profile_url: str) -> dict[str, Any]:
    """The OB 3.0 issuer Profile (its keys are in the DID document ``issuer_id`` resolves to)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id,
        "type": ["Profile"],
        "name": centre_name,
        "url": profile_url,
    }


def achievement_document(achievement: dict[str, Any], issuer: dict[str, Any]) -> dict[str, Any]:
    """What ``achievement.id`` resolves to: the Achievement, with the centre as its creator."""
    return {"@context": [VC_CONTEXT, OB_CONTEXT], **achievement, "creator": issuer}


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
    status: dict[str, Any] | None = None,
    evidence: list[dict[str, Any]] | None = None,
    alignment: list[dict[str, Any]] | None = None,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one certificate."""
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title}: {programme}",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": centre_name},
        "validFrom": timestamp(issued_at),
        "awardedDate": timestamp(issued_at),
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
    if valid_until is not None:
        credential["validUntil"] = timestamp(valid_until)
    if status is not None:
        credential["credentialStatus"] = status
    if evidence:
        credential["evidence"] = evidence
    if alignment:
        credential["credentialSubject"]["achievement"]["alignment"] = alignment
    return credential


def sign(
    document: dict[str, Any], key: CentreKey, *, verification_method: str, created: datetime
) -> dict[str, Any]:
    """The document with an ``eddsa-rdfc-2022`` DataIntegrityProof added."""
    return proofs.sign(
        document, key.private_key, verification_method=verification_method, created=created
    )


def verify(secured: dict[str, Any], public_key: bytes) -> bool:
    """Check the credential's (rdfc or, for older ones, jcs) proof with ``public_key``."""
    return proofs.verify(secured, public_key)
