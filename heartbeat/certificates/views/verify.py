"""The public pages: anyone can check a certificate, no sign-in needed.

They read across centres on purpose (``all_centres=True``): a serial is global. Every route is
rate-limited per client address (``HEARTBEAT_VERIFY_RATE_LIMIT``, shared by all of them) so that
serials cannot be found by trying them. The participant's name is shown only when they consented
to it (``ConsentKind.PUBLIC_VERIFICATION``); the credential itself carries only a hash of it,
salted with a secret it leaves out (``credentials.name_identifier``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify, redirect, render_template, request, url_for

from heartbeat.centres.models import Centre
from heartbeat.certificates import credentials, queries, serials, services, statuslist
from heartbeat.certificates.blueprint import bp
from heartbeat.certificates.forms import CheckCredentialForm
from heartbeat.db import utcnow
from heartbeat.extensions import db, limiter

CREDENTIAL_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json")

verify_limit = limiter.shared_limit(
    lambda: current_app.config["HEARTBEAT_VERIFY_RATE_LIMIT"], scope="certificate-verify"
)
documents_limit = limiter.shared_limit(
    lambda: current_app.config["HEARTBEAT_ISSUER_DOCUMENTS_RATE_LIMIT"], scope="issuer-documents"
)


def steady(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer no sooner than HEARTBEAT_VERIFY_MIN_MS, whether the serial exists or not."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        response = view(*args, **kwargs)
        floor = current_app.config["HEARTBEAT_VERIFY_MIN_MS"] / 1000
        left = floor - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)
        return response

    return wrapper


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
    return _public(render_template("certificates/verify_form.html", form=CheckCredentialForm()))


def _wants_credential() -> bool:
    """Whether the client asked for the credential itself rather than the page."""
    best = request.accept_mimetypes.best_match([*CREDENTIAL_TYPES, "text/html"])
    return best in CREDENTIAL_TYPES


def _json_document(document: dict, *, media_type: str = "application/json", max_age: int = 0):
    response = _public(current_app.response_class(json.dumps(document, ensure_ascii=False)))
    response.mimetype = media_type
    if max_age:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/verify/<serial>")
@verify_limit
@steady
def verify(serial: str):
    normalised = serials.normalise_serial(serial)
    if normalised is None:
        return _not_found(serial[:40])
    if _wants_credential():
        return credential(normalised)
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
            expired=certificate.expired(utcnow()),
        )
    )


@bp.get("/verify/<serial>.json")
@verify_limit
@steady
def credential(serial: str):
    """The signed credential: ``application/vc+ld+json`` when asked for, else plain JSON."""
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
    best = request.accept_mimetypes.best_match([*CREDENTIAL_TYPES, "application/json"])
    media_type = best if best in CREDENTIAL_TYPES else "application/json"
    return _json_document(certificate.credential, media_type=media_type)


def _centre_by_slug(slug: str) -> Centre | None:
    return db.session.scalars(sa.select(Centre).where(Centre.slug == slug)).one_or_none()


@bp.get("/centres/<slug>/did.json")
@documents_limit
def did_document(slug: str):
    """The centre's DID document (``did:web``): the keys its credentials are signed with."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("centre")
    did = serials.did_web(serials.public_base_url(), centre.slug)
    document = credentials.did_document(did, credentials.centre_keys(centre.id))
    return _json_document(document, media_type="application/did+ld+json", max_age=300)


@bp.get("/verify/keys/<slug>.json")
@documents_limit
def jwks(slug: str):
    """The centre's public signing keys as a JWK Set (empty until it has signed anything)."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("centre")
    return _json_document(credentials.key_set(credentials.centre_keys(centre.id)))


@bp.get("/verify/issuers/<slug>.json")
@documents_limit
def issuer(slug: str):
    """The Open Badges issuer profile of the centre (its keys: the DID document)."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("centre")
    base = serials.public_base_url()
    profile = credentials.issuer_profile(
        issuer_id=serials.did_web(base, centre.slug),
        centre_name=centre.name,
        profile_url=serials.issuer_url(base, centre.slug),
    )
    return _json_document(profile, media_type="application/ld+json")


@bp.get("/verify/achievements/<slug>/<key>.json")
@documents_limit
def achievement(slug: str, key: str):
    """What a credential's ``achievement.id`` resolves to (as the centre last issued it)."""
    centre = _centre_by_slug(slug)
    if centre is None:
        return _json_not_found("achievement")
    base = serials.public_base_url()
    wanted = f"{base}/verify/achievements/{centre.slug}/{key}.json"
    found = queries.latest_achievement(centre.id, wanted)
    if found is None:
        return _json_not_found("achievement")
    issuer_ref = {
        "id": serials.did_web(base, centre.slug),
        "type": ["Profile"],
        "name": centre.name,
    }
    document = credentials.achievement_document(found, issuer_ref)
    return _json_document(document, media_type="application/ld+json", max_age=300)


@bp.get("/verify/status/<slug>.json")
@documents_limit
def status_list(slug: str):
    """The centre's signed revocation list (a BitstringStatusListCredential), cached a minute."""
    centre = _centre_by_slug(slug)
    if centre is None or credentials.signing_key_row(centre.id) is None:
        return _json_not_found("status list")  # no key yet: nothing issued, nothing to list
    key = credentials.centre_key(centre.id, secret_key=current_app.config["SECRET_KEY"])
    base = serials.public_base_url()
    issuer = serials.did_web(base, centre.slug)
    unsigned = statuslist.list_credential(
        base=base,
        centre_slug=centre.slug,
        issuer_id=issuer,
        indexes=statuslist.revoked_indexes(centre.id),
        now=utcnow(),
    )
    signed = credentials.sign(
        unsigned, key, verification_method=f"{issuer}#{key.kid}", created=utcnow()
    )
    return _json_document(signed, media_type="application/vc+ld+json", max_age=statuslist.MAX_AGE)
