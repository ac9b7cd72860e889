"""A centre's certificate design: reading it, freezing it for a certificate, editing it.

The design lives in the database (``Branding``, one row per centre) so every app server sees the
same; each certificate points at an immutable ``BrandingSnapshot`` of the design it was issued
with, so a later change of logo or signatory never alters a certificate already issued.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from heartbeat.audit import services as audit
from heartbeat.auth.models import User
from heartbeat.centres.models import Centre, PaperSize
from heartbeat.certificates import images, render
from heartbeat.certificates.models import (
    DEFAULT_ACCENT,
    DEFAULT_PRIMARY,
    DEFAULT_PROGRAMME,
    Branding,
    BrandingSnapshot,
)
from heartbeat.core.edits import InputError, check_version
from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, _l, current_language
from heartbeat.db import utcnow
from heartbeat.extensions import db

TEXT_FIELDS = (
    "programme_name",
    "primary_colour",
    "accent_colour",
    "signatory_name",
    "signatory_title",
)
LABELS = {
    "programme_name": _l("Programme name"),
    "primary_colour": _l("Main colour"),
    "accent_colour": _l("Accent colour"),
    "signatory_name": _l("Signatory's name"),
    "signatory_title": _l("Signatory's title"),
    "paper_size": _l("Paper size"),
    "logo": _l("Logo"),
    "signature": _l("Signature image"),
}


class BrandingError(InputError):
    """A branding change that cannot be saved: ``field_errors`` say where."""


def branding_for(centre_id: int, *, with_images: bool = True) -> Branding | None:
    stmt = sa.select(Branding).where(Branding.centre_id == centre_id)
    if with_images:
        stmt = stmt.options(undefer(Branding.logo), undefer(Branding.signature))
    return db.session.scalars(stmt.execution_options(all_centres=True)).one_or_none()


def branding_data(centre: Centre, branding: Branding | None) -> render.BrandingData:
    """What a certificate of this centre would be printed with now."""
    if branding is None:
        return render.BrandingData(
            centre_name=centre.name,
            paper_size=centre.paper_size.value,
            programme_name=DEFAULT_PROGRAMME,
            primary_colour=DEFAULT_PRIMARY,
            accent_colour=DEFAULT_ACCENT,
            signatory_name="",
            signatory_title="",
        )
    return render.BrandingData(
        centre_name=centre.name,
        paper_size=centre.paper_size.value,
        programme_name=branding.programme_name,
        primary_colour=branding.primary_colour,
        accent_colour=branding.accent_colour,
        signatory_name=branding.signatory_name,
        signatory_title=branding.signatory_title,
        logo=branding.logo,
        logo_type=branding.logo_type,
        signature=branding.signature,
    )


PREVIEW_FIELDS = (*TEXT_FIELDS, "paper_size")
PREVIEW_MIN_CONTRAST = 4.5  # as the form requires (forms.MIN_CONTRAST)


def with_edits(data: render.BrandingData, edits: Mapping[str, str]) -> render.BrandingData:
    """The design with the values being edited (not saved) in place of the saved ones, for the
    preview. A value the form would refuse is left out: the saved one shows instead."""
    changes: dict[str, Any] = {}  # text values only: the images stay the saved ones
    for name in PREVIEW_FIELDS:
        value = (edits.get(name) or "").strip()
        if name.endswith("_colour"):
            if images.HEX_COLOUR.match(value) and (
                images.contrast_on_white(value) >= PREVIEW_MIN_CONTRAST
            ):
                changes[name] = value.lower()
        elif name == "paper_size":
            if value in {size.value for size in PaperSize}:
                changes[name] = value
        elif name in edits and len(value) <= 120 and value.isprintable():
            if value or name != "programme_name":  # the programme always has a name
                changes[name] = value
    return dataclasses.replace(data, **changes)


def snapshot_data(snapshot: BrandingSnapshot) -> render.BrandingData:
    return render.BrandingData(
        centre_name=snapshot.centre_name,
        paper_size=snapshot.paper_size,
        programme_name=snapshot.programme_name,
        primary_colour=snapshot.primary_colour,
        accent_colour=snapshot.accent_colour,
        signatory_name=snapshot.signatory_name,
        signatory_title=snapshot.signatory_title,
        logo=snapshot.logo,
        logo_type=snapshot.logo_type,
        signature=snapshot.signature,
    )


def for_print(data: render.BrandingData) -> render.BrandingData:
    """The design with its raster images as print renditions (JPEG, see images.print_rendition)."""
    logo, logo_type = data.logo, data.logo_type
    if logo is not None and logo_type == "image/png":
        logo, logo_type = images.print_rendition(logo), "image/jpeg"
    signature = images.print_rendition(data.signature) if data.signature else None
    return dataclasses.replace(data, logo=logo, logo_type=logo_type, signature=signature)


def freeze_branding(centre_id: int, data: render.BrandingData) -> BrandingSnapshot:
    """The immutable snapshot of ``data``, shared with earlier certificates of the same design."""
    digest = data.digest()
    existing = db.session.scalars(
        sa.select(BrandingSnapshot).where(
            BrandingSnapshot.centre_id == centre_id, BrandingSnapshot.digest == digest
        )
    ).one_or_none()
    if existing is not None:
        return existing
    printed = for_print(data)
    snapshot = BrandingSnapshot(
        centre_id=centre_id,
        digest=digest,
        centre_name=data.centre_name,
        paper_size=data.paper_size,
        programme_name=data.programme_name,
        primary_colour=data.primary_colour,
        accent_colour=data.accent_colour,
        signatory_name=data.signatory_name,
        signatory_title=data.signatory_title,
        logo=printed.logo,
        logo_type=printed.logo_type,
        signature=printed.signature,
    )
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


# --- editing -------------------------------------------------------------------------------------


def _audit_text(value: Any) -> str:
    """How the audit trail records a value (an image by its size, never its bytes)."""
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bytes):
        return f"an image ({len(value) // 1024 + 1} KB)"
    return str(value)


def update_branding(
    centre: Centre,
    *,
    actor: User,
    values: dict[str, str],
    paper_size: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
    signature: bytes | None = None,
    remove_signature: bool = False,
    expected_version: int | None,
    now: datetime | None = None,
) -> list[str]:
    """Save the centre's design; returns the names of the fields that changed.

    Uploads are checked by their content (``images.clean_logo``), never by their name. An edit
    made from an older version of the design raises ``core.edits.StaleEdit``.
    """
    now = now or utcnow()
    errors: dict[str, str] = {}
    new_logo = new_logo_type = new_signature = None
    if logo:
        try:
            new_logo, new_logo_type = images.clean_logo(logo)
        except images.ImageRejected as error:
            errors["logo"] = str(error)
    if signature:
        try:
            new_signature = images.clean_signature(signature)
        except images.ImageRejected as error:
            errors["signature"] = str(error)
    try:
        paper = PaperSize(paper_size)
    except ValueError:
        errors["paper_size"] = _("Choose A4 or US Letter.")
        paper = centre.paper_size
    for name in ("primary_colour", "accent_colour"):
        if not images.HEX_COLOUR.match(values.get(name, "")):
            errors[name] = _("Enter a colour as # and six hex digits, like #0b5563.")
    if errors:
        raise BrandingError(_("The design was not saved."), errors)

    branding = branding_for(centre.id)
    if branding is None:
        branding = Branding(
            centre_id=centre.id,
            programme_name=DEFAULT_PROGRAMME,
            primary_colour=DEFAULT_PRIMARY,
            accent_colour=DEFAULT_ACCENT,
            signatory_name="",
            signatory_title="",
        )
        db.session.add(branding)
        db.session.flush()
        current_version = None  # nobody has saved a design yet: any form is current
    else:
        current_version = branding.version

    before: dict[str, Any] = {name: getattr(branding, name) for name in TEXT_FIELDS}
    before["paper_size"] = centre.paper_size.value
    before["logo"] = branding.logo
    before["signature"] = branding.signature
    after: dict[str, Any] = {name: (values.get(name) or "").strip() for name in TEXT_FIELDS}
    after["primary_colour"] = after["primary_colour"].lower()
    after["accent_colour"] = after["accent_colour"].lower()
    after["paper_size"] = paper.value
    after["logo"] = None if remove_logo else (new_logo or branding.logo)
    after["signature"] = None if remove_signature else (new_signature or branding.signature)

    if current_version is not None:
        check_version(expected_version, current_version, "the certificate design")

    changed = [name for name in before if after[name] != before[name]]
    if not changed:
        return []
    for name in TEXT_FIELDS:
        setattr(branding, name, after[name])
    if "logo" in changed:
        branding.logo = after["logo"]
        branding.logo_type = new_logo_type if after["logo"] is not None else None
    if "signature" in changed:
        branding.signature = after["signature"]
    if "paper_size" in changed:
        centre.paper_size = paper
    branding.updated_by_id = actor.id
    branding.updated_at = now
    db.session.flush()
    audit.record(
        actor,
        centre.id,
        "branding.edit",
        "centre",
        centre.id,
        audit.diff(
            {
                name: _audit_text(before[name]) if name in ("logo", "signature") else before[name]
                for name in changed
            },
            {
                name: _audit_text(after[name]) if name in ("logo", "signature") else after[name]
                for name in changed
            },
        ),
        at=now,
    )
    return changed


def sample_printable(data: render.BrandingData, *, today: date, base_url: str) -> render.Printable:
    """A specimen certificate in the given design, for the preview."""
    # A specimen, not a record: its words are in the reader's language too.
    titles = [
        _("Chair fitted"),
        _("First push"),
        _("Steer and stop"),
        _("One lap"),
        _("One mile"),
        "5K",
        "10K",
        _("Half marathon"),
        _("Marathon"),
    ]
    return render.Printable(
        serial="HM-SAMPLE-0000-0000",
        participant_name="Alex Sample-Participant",
        title="10K",
        description=_("completed a continuous 10 km push"),
        achieved_on=today,
        issued_on=today,
        verify_url=f"{base_url}/verify/HM-SAMPLE-0000-0000",
        branding=data,
        journey=tuple(
            render.JourneyStep(title, index <= 6, index == 6) for index, title in enumerate(titles)
        ),
        # The reader's language: the page's own words as their participants may see them.
        language=current_language() or DEFAULT_LANGUAGE,
    )


def preview_pdf(
    centre: Centre, data: render.BrandingData, *, today: date, base_url: str, now: datetime
) -> bytes:
    page = sample_printable(for_print(data), today=today, base_url=base_url)
    return render.render_pdf(
        [page],
        title=_("Certificate preview: %(centre)s", centre=centre.name),
        subject=_("A sample certificate in the centre's current design (not a real certificate)"),
        author=centre.name,
        created=now,
        attach_credentials=False,
    ).pdf
