"""The demo's certificates at the address the app is served on.

A certificate carries its public address three times: the verify link printed under its QR
code, the QR code itself, and the signed credential (its id, its achievement and status list,
its issuer's did:web and key). A
demo database made by ``make run`` on one port and served later on another would hand out links
to the first. ``seed-demo`` therefore moves the demo centre's certificates to the configured
public address (HEARTBEAT_PUBLIC_URL) whenever they point elsewhere: new links, the credential
re-signed with the centre's key, the PDF drawn again (its fingerprint with it). Only the demo
centre is touched; a real centre's certificates keep the address they were issued at.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from heartbeat.centres.models import Centre
from heartbeat.core.public_url import public_base_url
from heartbeat.extensions import db


def _rebased(value: Any, moves: list[tuple[str, str]]) -> Any:
    """``value`` with every string that starts with an ``old`` of ``moves`` starting with its
    ``new`` instead (the first that fits)."""
    if isinstance(value, str):
        for old, new in moves:
            if value.startswith(old):
                return new + value[len(old) :]
        return value
    if isinstance(value, list):
        return [_rebased(item, moves) for item in value]
    if isinstance(value, dict):
        return {key: _rebased(item, moves) for key, item in value.items()}
    return value


def move_demo_certificates(centre: Centre, base_url: str | None = None) -> int:
    """Point ``centre``'s certificates at ``base_url`` (the configured public address when not
    given); returns how many were moved (0 when all are there already). Flushes."""
    from heartbeat.certificates import credentials, serials
    from heartbeat.certificates import services as certificate_services
    from heartbeat.certificates.models import Certificate

    base = (base_url or public_base_url()).rstrip("/")
    certificates = (
        db.session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.branding))
            .where(Certificate.centre_id == centre.id)
            .order_by(Certificate.id)
        )
        .unique()
        .all()
    )
    key = credentials.centre_key(centre.id, secret_key=current_app.config["SECRET_KEY"])
    issuer = serials.did_web(base, centre.slug)
    moved = 0
    for certificate in certificates:
        wanted = serials.verify_url(base, certificate.serial)
        if certificate.verify_url == wanted:
            continue
        old = certificate.verify_url.removesuffix(f"/verify/{certificate.serial}")
        certificate.verify_url = wanted
        # Its links (id, achievement, status list) and its issuer's did:web, which names the host.
        moves = [(serials.did_web(old, centre.slug), issuer), (old + "/", base + "/")]
        unsigned = _rebased(
            {name: value for name, value in certificate.credential.items() if name != "proof"},
            moves,
        )
        certificate.credential = credentials.sign(
            unsigned,
            key,
            verification_method=f"{issuer}#{key.kid}",
            created=certificate.issued_at,
        )
        certificate.sha256 = certificate_services.render_certificate(
            certificate, stamp_revoked=False
        ).sha256
        moved += 1
    db.session.flush()
    return moved
