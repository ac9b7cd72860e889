"""Certificates as PDF/A-3a: one HTML document, one ``write_pdf``, however many pages.

Rendering is a pure function of ``Printable`` values (what a certificate says and the branding it
was issued with), so a reprint is byte-for-byte the issued file. WeasyPrint never touches the
network or the disk beyond this package: ``SandboxedFetcher`` (``pdfengine``, the one module that
knows WeasyPrint's internals) serves the package's fonts and stylesheet, and the per-render images
(logo, signature, QR code, chart) from memory; every other URL (``file:``, ``http:``, anything) is
refused and recorded.

One ``FontConfiguration`` and one parsed stylesheet are made per process and reused, so the
fonts are read once; HarfBuzz subsets them into each PDF.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from weasyprint import CSS, Attachment
from weasyprint.text.fonts import FontConfiguration

from heartbeat.certificates.artwork import (
    JourneyStep,
    journey_svg,
    journey_text,
    long_date,
    name_font_pt,
    qr_png,
)
from heartbeat.certificates.pdfengine import (
    ASSET_SCHEME,
    ASSETS_DIR,
    CertificateHTML,
    SandboxedFetcher,
    ensure_engine,
    finish_pdf,
    layout_progress,
    tagging_speedup,
)
from heartbeat.core.i18n import DEFAULT_LANGUAGE, HTML_LANG, speaking
from heartbeat.core.i18n import gettext as _
from heartbeat.progress.sentences import after_name

__all__ = [
    "BrandingData",
    "JourneyStep",
    "Printable",
    "RenderResult",
    "layout_progress",
    "render_html",
    "render_pdf",
]

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

# --- what a page shows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BrandingData:
    centre_name: str
    paper_size: str
    programme_name: str
    primary_colour: str
    accent_colour: str
    signatory_name: str
    signatory_title: str
    logo: bytes | None = None
    logo_type: str | None = None
    signature: bytes | None = None

    def digest(self) -> str:
        h = hashlib.sha256()
        for value in (
            self.centre_name,
            self.paper_size,
            self.programme_name,
            self.primary_colour,
            self.accent_colour,
            self.signatory_name,
            self.signatory_title,
            self.logo_type or "",
        ):
            h.update(value.encode())
            h.update(b"\0")
        for blob in (self.logo, self.signature):
            h.update(hashlib.sha256(blob or b"").digest())
        return h.hexdigest()


@dataclass(frozen=True)
class Printable:
    serial: str
    participant_name: str
    title: str
    description: str
    achieved_on: date
    issued_on: date
    verify_url: str
    branding: BrandingData
    journey: tuple[JourneyStep, ...] = ()
    revoked_on: date | None = None
    credential: dict[str, Any] | None = None
    # The language the page's own words are in (the participant's); what was recorded when the
    # certificate was issued (title, description, names) stays as it was written.
    language: str = DEFAULT_LANGUAGE


@dataclass
class RenderResult:
    pdf: bytes
    refused: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


# --- the document --------------------------------------------------------------------------------

_lock = threading.Lock()
_font_config: FontConfiguration | None = None
_stylesheet: CSS | None = None


def _shared_style() -> tuple[FontConfiguration, CSS]:
    global _font_config, _stylesheet
    if _stylesheet is None:
        fonts = FontConfiguration()
        css_path = ASSETS_DIR / "certificate.css"
        _stylesheet = CSS(
            string=css_path.read_text(),
            base_url=css_path.as_uri(),
            font_config=fonts,
            url_fetcher=SandboxedFetcher(),
        )
        _font_config = fonts
    assert _font_config is not None
    return _font_config, _stylesheet


def _page_words(page: Printable, b: BrandingData) -> dict[str, Any]:
    """The page's own words, in the language being spoken (``page.language``)."""
    achieved = long_date(page.achieved_on)
    issued = long_date(page.issued_on)
    revoked = long_date(page.revoked_on) if page.revoked_on else None
    signatory = b.signatory_name or b.centre_name
    return {
        "lang": HTML_LANG.get(page.language, page.language),
        "achieved": achieved,
        "issued": issued,
        "revoked": revoked,
        "words": {
            "logo": _("%(centre)s logo", centre=b.centre_name),
            "heading": _("Certificate of achievement"),
            "when": _(
                "Achieved %(date)s · %(programme)s", date=achieved, programme=b.programme_name
            ),
            "revoked_stamp": _("Revoked"),
            "revoked_note": (
                _("This certificate was revoked on %(date)s and is no longer valid.", date=revoked)
                if revoked
                else ""
            ),
            "signature": _("Signature of %(name)s", name=signatory),
            "issued": _("Issued %(date)s", date=issued),
            "qr": _("QR code that opens %(url)s", url=page.verify_url),
            "check": _("Check it is genuine at"),
        },
    }


def _page_context(page: Printable, assets: dict[str, tuple[bytes, str]]) -> dict[str, Any]:
    b = page.branding
    brand_key = b.digest()[:16]
    logo_url = signature_url = None
    if b.logo:
        logo_url = f"{ASSET_SCHEME}:logo/{brand_key}"
        assets[logo_url] = (b.logo, b.logo_type or "image/png")
    if b.signature:
        signature_url = f"{ASSET_SCHEME}:signature/{brand_key}"
        kind = "image/jpeg" if b.signature.startswith(b"\xff\xd8") else "image/png"
        assets[signature_url] = (b.signature, kind)
    qr_url = f"{ASSET_SCHEME}:qr/{page.serial}"
    assets[qr_url] = (qr_png(page.verify_url), "image/png")
    chart_url = f"{ASSET_SCHEME}:chart/{page.serial}"
    assets[chart_url] = (
        journey_svg(page.journey, b.primary_colour, b.accent_colour),
        "image/svg+xml",
    )
    with speaking(page.language):
        return _page_words(page, b) | {
            "page": page,
            "b": b,
            "brand": brand_key,
            "paper": "letter" if b.paper_size == "Letter" else "a4",
            "name_pt": name_font_pt(page.participant_name, b.paper_size),
            "logo_url": logo_url,
            "signature_url": signature_url,
            "qr_url": qr_url,
            "chart_url": chart_url,
            "journey_text": journey_text(page.journey),
            # The address on one line and the serial whole on the next: a serial must never be
            # broken at one of its hyphens.
            "verify_prefix": page.verify_url.removesuffix(page.serial),
            # The sentence goes on from the name above it: "Ada Lovelace / completed a 5 km push."
            "what": after_name(page.description),
        }


def _colour(value: str, fallback: str) -> str:
    return value if _HEX.match(value or "") else fallback


def _page_css(contexts: Sequence[dict[str, Any]]) -> str:
    """Rules for each design and name size the pages use, as classes in one style sheet.

    Per-page ``style`` attributes and custom properties look tidier, but WeasyPrint parses each
    attribute and resolves each ``var()`` for every element again: a quarter of a batch's time.
    A batch has one or two designs and a handful of name sizes, so this sheet stays small.
    """
    rules: dict[str, str] = {}
    for context in contexts:
        b, key = context["b"], context["brand"]
        primary = _colour(b.primary_colour, "#0b5563")
        accent = _colour(b.accent_colour, "#b3261e")
        rules[f"brand-{key}"] = (
            f".brand-{key} {{ border-color: {primary} }}\n"
            f".brand-{key} .centre, .brand-{key} h1 {{ color: {primary} }}\n"
            f".brand-{key} .milestone {{ color: {accent} }}"
        )
        size = context["name_pt"]
        context["name_class"] = f"name-{round(size * 10)}"
        rules[context["name_class"]] = f".{context['name_class']} {{ font-size: {size:.1f}pt }}"
    return "\n".join(rules.values())


def render_html(
    pages: Sequence[Printable],
    *,
    title: str,
    subject: str,
    author: str,
    created: datetime,
    assets: dict[str, tuple[bytes, str]],
) -> str:
    template = current_app.jinja_env.get_template("certificates/pdf/document.html")
    contexts = [_page_context(page, assets) for page in pages]
    return template.render(
        lang=contexts[0]["lang"] if contexts else HTML_LANG[DEFAULT_LANGUAGE],
        pages=contexts,
        page_css=_page_css(contexts),
        title=title,
        subject=subject,
        author=author,
        created=created.replace(microsecond=0).isoformat(),
    )


def credential_attachment(page: Printable, created: datetime) -> Attachment:
    body = json.dumps(page.credential, ensure_ascii=False, indent=2, sort_keys=True)
    naive = created.replace(tzinfo=None, microsecond=0)
    return Attachment(
        string=body,
        name=f"credential-{page.serial}.json",
        description="Open Badges 3.0 verifiable credential for this certificate",
        created=naive,
        modified=naive,
        relationship="Supplement",
        url_fetcher=SandboxedFetcher(),
    )


def render_pdf(
    pages: Sequence[Printable],
    *,
    title: str,
    subject: str,
    author: str,
    created: datetime,
    attach_credentials: bool = True,
    image_cache: dict | None = None,
) -> RenderResult:
    """One PDF/A-3a document with a page per ``Printable`` (their credentials attached)."""
    if not pages:
        raise ValueError("nothing to render")
    assets: dict[str, tuple[bytes, str]] = {}
    html = render_html(
        pages, title=title, subject=subject, author=author, created=created, assets=assets
    )
    fetcher = SandboxedFetcher(assets)
    attachments = (
        [credential_attachment(page, created) for page in pages if page.credential]
        if attach_credentials
        else []
    )
    ensure_engine()
    with _lock, tagging_speedup():
        fonts, stylesheet = _shared_style()
        document = CertificateHTML(
            string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=fetcher
        )
        pdf = document.write_pdf(
            stylesheets=[stylesheet],
            font_config=fonts,
            pdf_variant="pdf/a-3a",
            attachments=attachments,
            cache=image_cache if image_cache is not None else {},
            uncompressed_pdf=False,
            finisher=finish_pdf,
        )
    return RenderResult(pdf=pdf, refused=list(fetcher.refused))
