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
from heartbeat.core.i18n import _, _l
from heartbeat.extensions import db

MAX_BYTES = 64 * 1024  # a credential is a few kilobytes

# ``proofs.check``'s reasons (plain English, as the library says them), as sentences for the page.
_PROBLEMS = {
    "it carries no single proof": _l("It carries no single proof."),
    "its proof is not an EdDSA Data Integrity proof": _l(
        "Its proof is not an EdDSA Data Integrity proof."
    ),
    "its proof is not made for asserting a credential": _l(
        "Its proof is not made for asserting a credential."
    ),
    "its proof has no signature": _l("Its proof has no signature."),
    "its proof was made for other JSON-LD contexts": _l(
        "Its proof was made for other JSON-LD contexts."
    ),
    "it is not valid JSON": _l("It is not valid JSON."),
    "the signature does not match its content: it was changed after it was signed": _l(
        "The signature does not match its content: it was changed after it was signed."
    ),
}
_NOT_JSON_LD = "it is not valid JSON-LD: "


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
        return _refused(_("The file is far larger than a credential: it is not one of ours."))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return _refused(_("It is not a JSON document, so it cannot be a credential."))
    if not isinstance(document, dict):
        return _refused(_("It is JSON, but not a credential (a credential is a JSON object)."))
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
        return _refused(_("It carries no signature (no proof), so nothing vouches for it."))
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str):
        return _refused(_("It names no issuer."))
    centre = _centre_for(issuer_id, serials.public_base_url())
    if centre is None:
        return _refused(_("It does not claim to come from a centre of this site."))
    proof = document["proof"]
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or not method.startswith(issuer_id + "#"):
        return _refused(_("Its signature does not name a key of %(centre)s.", centre=centre.name))
    key = next((k for k in keys.centre_keys(centre.id) if method == f"{issuer_id}#{k.kid}"), None)
    if key is None:
        return _refused(_("It is signed with a key %(centre)s has never had.", centre=centre.name))
    problem = proofs.check(document, key.public_key)
    if problem is not None:
        return Verdict(False, sentence_of(problem), centre=centre)
    return Verdict(True, "", certificate=_certificate_of(document, centre), centre=centre)


def sentence_of(problem: str) -> str:
    """``proofs.check``'s reason as a sentence in the reader's language."""
    known = _PROBLEMS.get(problem)
    if known is not None:
        return str(known)
    if problem.startswith(_NOT_JSON_LD):
        # The detail is the JSON-LD processor's own words.
        return _("It is not valid JSON-LD: %(detail)s.", detail=problem.removeprefix(_NOT_JSON_LD))
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
