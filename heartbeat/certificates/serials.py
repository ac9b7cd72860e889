"""Certificate serials and the public addresses built from them."""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

from heartbeat.core import public_url

# No 0/O, 1/I/L or U/V pairs to misread when typed from paper.
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
SERIAL_GROUPS = 3  # 29^12: about 58 bits, and the verify page is rate-limited


def new_serial(year: int) -> str:
    groups = (
        "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(4)) for _ in range(SERIAL_GROUPS)
    )
    return f"HM-{year}-" + "-".join(groups)


def normalise_serial(text: str) -> str | None:
    """A serial as typed (any case, spaces) in its stored form, or None if it cannot be one."""
    cleaned = "".join(text.split()).upper()
    if not 10 <= len(cleaned) <= 32 or not cleaned.startswith("HM-"):
        return None
    if any(ch not in SERIAL_ALPHABET + "0123456789-" + "HM" for ch in cleaned):
        return None
    return cleaned


def public_base_url() -> str:
    """Where the public verify pages live: HEARTBEAT_PUBLIC_URL, never the request's Host."""
    return public_url.public_base_url()


def verify_url(base: str, serial: str) -> str:
    return f"{base}/verify/{serial}"


def issuer_url(base: str, centre_slug: str) -> str:
    return f"{base}/verify/issuers/{centre_slug}.json"


def jwks_url(base: str, centre_slug: str) -> str:
    return f"{base}/verify/keys/{centre_slug}.json"


def did_web(base: str, centre_slug: str) -> str:
    """The centre's ``did:web`` identifier at the public address.

    ``did:web`` puts the host (its port's colon percent-encoded) and the path segments after
    it, colon-separated: ``https://miles.example.org`` and ``north`` give
    ``did:web:miles.example.org:centres:north``, resolved at ``/centres/north/did.json``.
    """
    parts = urlsplit(base)
    segments = [quote(parts.netloc, safe="")]
    segments += [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return "did:web:" + ":".join([*segments, "centres", centre_slug])


def did_document_url(base: str, centre_slug: str) -> str:
    """Where ``did_web(base, slug)`` resolves to (did:web's rule turned back into a URL)."""
    return f"{base}/centres/{centre_slug}/did.json"


def achievement_url(base: str, centre_slug: str, award_key: str) -> str:
    """The stable id of a centre's achievement (one per ladder stage or club)."""
    return f"{base}/verify/achievements/{centre_slug}/{award_key.replace(':', '-')}.json"


def status_list_url(base: str, centre_slug: str) -> str:
    return f"{base}/verify/status/{centre_slug}.json"
