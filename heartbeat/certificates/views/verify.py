"""The public pages: anyone can check a certificate, no sign-in needed.

They read across centres on purpose (``all_centres=True``): a serial is global. Every route is
rate-limited per client address (``HEARTBEAT_VERIFY_RATE_LIMIT``, shared by all of them) so that
serials cannot be found by trying them. The participant's name is shown only when they consented
to it (``ConsentKind.PUBLIC_VERIFICATION``); the credential itself carries only a hash of it,
salted with a secret it leaves out (``credentials.name_identifier``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, request, url_for

from heartbeat.centres.models import Centre
from heartbeat.certificates import credentials, queries, serials, services
from heartbeat.certificates.blueprint import bp
from heartbeat.extensions import db, limiter

verify_limit = limiter.shared_limit(
    lambda: current_app.config["HEARTBEAT_VERIFY_RATE_LIMIT"], scope="certificate-verify"
)


def _public(response, status: int = 200):
    response = current_app.make_response((response, status))
    # A revocation must show at once: never serve a stored copy.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _not_found(serial: str | None):
    return _public(render_template("certificates/verify_not_found.html", serial=serial), 404)


def _json_not_found(what: str):
    return _public(jsonify({"error": f"{what} not found"}), 404)


@bp.get("/verify")
@verify_limit
def verify_form():
    typed = (request.args.get("serial") or "").strip()
    if typed:
        serial = serials.normalise_serial(typed)
        if serial is None:
            return _not_found(typed[:40])
        return redirect(url_for(".verify", serial=serial))
    return _public(render_template("certificates/verify_form.html"))


@bp.get("/verify/<serial>")
@verify_limit
def verify(serial: str):
    normalised = serials.normalise_serial(serial)
    if normalised is None:
        return _not_found(serial[:40])
    if normalised != serial:
        return redirect(url_for(".verify", serial=normalised))
    certificate = queries.certificate_by_serial(serial, all_centres=True)
    if certificate is None:
        return _not_found(serial)
    centre = db.session.get(Centre, certificate.centre_id)
    return _public(
        render_template(
            "certificates/verify.html",
            certificate=certificate,
            centre=centre,
            show_name=services.shows_name_publicly(certificate),
        )
    )


@bp.get("/verify/<serial>.json")
@verify_limit
def credential(serial: str):
    normalised = serials.normalise_serial(serial)
    certificate = (
        queries.certificate_by_serial(normalised, all_centres=True) if normalised else None
    )
    if certificate is None:
        return _json_not_found("certificate")
    if certificate.revoked_at is not None:
        return _public(
            jsonify(
                {
                    "error": "certificate revoked",
                    "serial": certificate.serial,
                    "revoked_at": certificate.revoked_at.isoformat(),
                }
            ),
            410,
        )
    return _public(jsonify(certificate.credential))


def _centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()


@bp.get("/verify/keys/<slug>.json")
@verify_limit
def jwks(slug: str):
    """The centre's public signing key as a JWK Set (empty until it has signed anything)."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("centre")
    row = credentials.signing_key_row(centre.id)
    keys = [credentials.jwk(row.public_key, row.kid)] if row is not None else []
    return _public(jsonify({"keys": keys}))


@bp.get("/verify/issuers/<slug>.json")
@verify_limit
def issuer(slug: str):
    """The Open Badges issuer profile, which also names the key ``verificationMethod`` points at."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("centre")
    row = credentials.signing_key_row(centre.id)
    base = serials.public_base_url()
    return _public(
        jsonify(
            credentials.issuer_profile(
                issuer_id=serials.issuer_url(base, centre.slug),
                centre_name=centre.name,
                kid=row.kid if row else None,
                public_key=row.public_key if row else None,
                jwks_url=serials.jwks_url(base, centre.slug),
            )
        )
    )
