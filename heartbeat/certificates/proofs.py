"""W3C Data Integrity proofs with Ed25519 (VC Data Integrity EdDSA Cryptosuites v1.0).

New credentials carry one ``DataIntegrityProof`` with the ``eddsa-rdfc-2022`` cryptosuite: the
document and the proof options are canonicalised as RDF (``linkeddata.canonical_nquads``, over
the bundled contexts only), each hashed with SHA-256, and the two hashes (options first) signed
with Ed25519. That is the suite Open Badges 3.0 certification, the Learner Credential Wallet
and VerifierPlus accept. Credentials issued earlier carry ``eddsa-jcs-2022`` (JSON
Canonicalization Scheme instead of RDF); ``verify`` still checks those.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from heartbeat.certificates.encodings import b58decode, b58encode, canonical_json
from heartbeat.certificates.linkeddata import LinkedDataError, canonical_nquads

RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _jcs_hash(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonical_json(options)).digest()
        + hashlib.sha256(canonical_json(document)).digest()
    )


def _rdfc_hash(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    return (
        hashlib.sha256(canonical_nquads(options).encode()).digest()
        + hashlib.sha256(canonical_nquads(document).encode()).digest()
    )


_HASHES: dict[str, Callable[[dict[str, Any], dict[str, Any]], bytes]] = {
    RDFC: _rdfc_hash,
    JCS: _jcs_hash,
}


def sign(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime,
    cryptosuite: str = RDFC,
) -> dict[str, Any]:
    """The document with a DataIntegrityProof added (any proof it had is replaced)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": cryptosuite,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if cryptosuite == JCS:
        proof["@context"] = unsecured["@context"]
        data = _jcs_hash(unsecured, proof)
    else:
        data = _rdfc_hash(unsecured, {"@context": unsecured["@context"], **proof})
    signature = private_key.sign(data)
    return {**unsecured, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


def check(secured: dict[str, Any], public_key: bytes) -> str | None:
    """Why the proof fails with ``public_key`` (raw Ed25519), or None when it holds."""
    proof = secured.get("proof")
    if not isinstance(proof, dict):
        return "it carries no single proof"
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") not in _HASHES:
        return "its proof is not an EdDSA Data Integrity proof"
    if proof.get("proofPurpose") != "assertionMethod":
        return "its proof is not made for asserting a credential"
    options = copy.deepcopy(proof)
    value = options.pop("proofValue", None)
    if not isinstance(value, str) or not value.startswith("z"):
        return "its proof has no signature"
    unsecured = {name: item for name, item in secured.items() if name != "proof"}
    context = options.get("@context")
    if context is not None:
        document_context = unsecured.get("@context") or []
        if list(document_context[: len(context)]) != list(context):
            return "its proof was made for other JSON-LD contexts"
        unsecured["@context"] = context
    elif proof["cryptosuite"] == RDFC:
        options["@context"] = unsecured.get("@context")
    try:
        data = _HASHES[proof["cryptosuite"]](unsecured, options)
    except LinkedDataError as error:
        return f"it is not valid JSON-LD: {error}"
    except (TypeError, ValueError):
        return "it is not valid JSON"
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(b58decode(value[1:]), data)
    except (InvalidSignature, ValueError, TypeError):
        return "the signature does not match its content: it was changed after it was signed"
    return None


def verify(secured: dict[str, Any], public_key: bytes) -> bool:
    """Whether the ``eddsa-rdfc-2022`` or ``eddsa-jcs-2022`` proof holds with ``public_key``."""
    return check(secured, public_key) is None
