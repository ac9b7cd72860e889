"""JSON-LD for the credentials, fully offline: the contexts they use ship with the app.

``contexts/`` holds the published context files (W3C Verifiable Credentials 2.0, which also
defines Data Integrity proofs and Bitstring Status Lists; 1EdTech Open Badges 3.0.3; W3C DID 1.0;
Multikey; Data Integrity 2). ``document_loader`` answers only those URLs: any other context is
refused, never fetched, so neither signing nor checking a credential ever reaches the internet.

``canonical_nquads`` is RDF Dataset Canonicalization (URDNA2015, the algorithm RDFC-1.0
standardised) in *safe mode*, as the JavaScript verifiers run it: a property no context defines
would silently vanish from the signed statements, so it is refused instead.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"

CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.jsonld",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
}
_FOLDER = Path(__file__).with_name("contexts")


class LinkedDataError(ValueError):
    """A document the app will not canonicalise: an unknown context or an undefined term."""


@cache
def _context_text(url: str) -> str:
    return (_FOLDER / CONTEXT_FILES[url]).read_text(encoding="utf-8")


def bundled_context(url: str) -> dict[str, Any]:
    """A fresh copy of a bundled context document (``KeyError`` if it is not one)."""
    document: dict[str, Any] = json.loads(_context_text(url))
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's loader over the bundled contexts; everything else is refused."""
    if url not in CONTEXT_FILES:
        raise LinkedDataError(f"unknown JSON-LD context {url[:200]!r}: only bundled ones are used")
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url)}


def _refuse_dropped(expanded_property: Any) -> None:
    raise LinkedDataError(f"the term {str(expanded_property)[:80]!r} is defined by no context")


def _reason(error: BaseException) -> str:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, LinkedDataError):
            return str(seen)
        details = getattr(seen, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        seen = cause if isinstance(cause, BaseException) else seen.__cause__
    return f"not valid JSON-LD ({str(error)[:120]})"


def canonical_nquads(document: dict[str, Any]) -> str:
    """The document's canonical N-Quads (URDNA2015), refusing unknown contexts and terms."""
    processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped)
    try:
        result = processor.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except LinkedDataError:
        raise
    except Exception as error:  # pyld wraps whatever went wrong in JsonLdError
        raise LinkedDataError(_reason(error)) from None
    if not isinstance(result, str):
        raise LinkedDataError("canonicalisation gave no N-Quads")
    return result
