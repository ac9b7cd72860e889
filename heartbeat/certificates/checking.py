"""Is this credential genuine? The check behind the public "check a credential file" form.

A credential someone posts or uploads is judged with the app's own keys only: its issuer must be
one of this site's centres (its ``did:web`` at the public address), the proof must name one of
that centre's keys, and the proof must hold over the credential as it is (``proofs.check``, RDF
canonicalisation over the bundled contexts: an unknown context is refused, not fetched). Each
refusal says why in plain words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from heartbeat.centres.models import Centre
from heartbeat.certificates import keys, proofs, serials
from heartbeat.certificates.models import Certificate
from heartbeat.extensions import db

MAX_BYTES = 64 * 1024  # a credential is a few kilobytes


@dataclass(frozen=True)
class Verdict:
    genuine: bool
    reason: str
    certificate: Certificate | None = None
    centre: Centre | None = None


def _refused(reason: str) -> Verdict:
    return Verdict(False, reason)


def parse(data: bytes) -> dict[str, Any] | Verdict:
    if len(data) > MAX_BYTES:
        return _refused("The file is far larger than a credential: it is not one of ours.")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return _refused("It is not a JSON document, so it cannot be a credential.")
    if not isinstance(document, dict):
        return _refused("It is JSON, but not a credential (a credential is a JSON object).")
    return document


def _centre_for(issuer_id: str, base: str) -> Centre | None:
    prefix = serials.did_web(base, "")
    if not issuer_id.startswith(prefix):
        return None
    slug = issuer_id.removeprefix(prefix)
    return db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()


def check(document: dict[str, Any]) -> Verdict:
    """Whether ``document`` is a credential a centre of this site signed, and if not, why."""
    if "proof" not in document:
        return _refused("It carries no signature (no proof), so nothing vouches for it.")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str):
        return _refused("It names no issuer.")
    centre = _centre_for(issuer_id, serials.public_base_url())
    if centre is None:
        return _refused("It does not claim to come from a centre of this site.")
    proof = document["proof"]
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or not method.startswith(issuer_id + "#"):
        return _refused(f"Its signature does not name a key of {centre.name}.")
    key = next((k for k in keys.centre_keys(centre.id) if method == f"{issuer_id}#{k.kid}"), None)
    if key is None:
        return _refused(f"It is signed with a key {centre.name} has never had.")
    problem = proofs.check(document, key.public_key)
    if problem is not None:
        return Verdict(False, sentence_of(problem), centre=centre)
    return Verdict(True, "", certificate=_certificate_of(document, centre), centre=centre)


def sentence_of(problem: str) -> str:
    return problem[0].upper() + problem[1:] + "."


def _certificate_of(document: dict[str, Any], centre: Centre) -> Certificate | None:
    url = document.get("id")
    if not isinstance(url, str):
        return None
    return db.session.scalars(
        sa.select(Certificate)
        .where(Certificate.centre_id == centre.id, Certificate.verify_url == url)
        .execution_options(all_centres=True)
    ).one_or_none()
