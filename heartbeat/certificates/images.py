"""Uploaded logos and signatures, checked by their content, and colour contrast.

A PNG is decoded and written out again by Pillow (which drops anything hidden in its chunks). An
SVG is rebuilt from what parsing it found (``svg.py``).
"""

from __future__ import annotations

import io
import re
import warnings

from PIL import Image, UnidentifiedImageError

from heartbeat.certificates.errors import ImageRejected
from heartbeat.certificates.svg import MAX_LOGO_BYTES, clean_svg
from heartbeat.core.i18n import _

MAX_SIGNATURE_BYTES = 256 * 1024
MAX_PIXELS = 4000 * 4000
# A logo is printed at most 60 x 20 mm, a signature 60 x 16 mm: 300 dpi needs no more.
PRINT_MAX_PX = (720, 240)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- PNG -----------------------------------------------------------------------------------------


def _print_ready(image: Image.Image) -> Image.Image:
    """Flattened onto white and no larger than print needs (300 dpi at its size on the page).

    The certificate is white where a logo or signature sits, so transparency buys nothing; and
    without it (and with fewer pixels) each PDF embeds one small image instead of an image and a
    mask, which is most of what an image costs to render.
    """
    rgba = image.convert("RGBA")
    clean = Image.new("RGB", rgba.size, (255, 255, 255))
    clean.paste(rgba, mask=rgba.getchannel("A"))
    if clean.width > PRINT_MAX_PX[0] or clean.height > PRINT_MAX_PX[1]:
        clean.thumbnail(PRINT_MAX_PX, Image.Resampling.LANCZOS)
    return clean


def _refusal(what: str, reason: str, **values: object) -> ImageRejected:
    """What is wrong with the logo or the signature image, in the reader's language."""
    logo = what == "logo"
    if reason == "size":
        text = (
            _("The logo is larger than %(kb)s KB. Choose a smaller file.", **values)
            if logo
            else _("The signature image is larger than %(kb)s KB. Choose a smaller file.", **values)
        )
    elif reason == "content":
        text = (
            _("The logo is not a PNG image (its content says otherwise).")
            if logo
            else _("The signature image is not a PNG image (its content says otherwise).")
        )
    elif reason == "format":
        text = (
            _("The logo is not a PNG image.")
            if logo
            else _("The signature image is not a PNG image.")
        )
    elif reason == "pixels":
        text = (
            _(
                "The logo is too large (%(width)s × %(height)s pixels); 4000 × 4000 at most.",
                **values,
            )
            if logo
            else _(
                "The signature image is too large (%(width)s × %(height)s pixels);"
                " 4000 × 4000 at most.",
                **values,
            )
        )
    else:
        text = (
            _("The logo could not be read as a PNG image. Is the file damaged?")
            if logo
            else _("The signature image could not be read as a PNG image. Is the file damaged?")
        )
    return ImageRejected(text)


def clean_png(data: bytes, *, what: str, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise _refusal(what, "size", kb=max_bytes // 1024)
    if not data.startswith(PNG_MAGIC):
        raise _refusal(what, "content")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != "PNG":
                    raise _refusal(what, "format")
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refusal(what, "pixels", width=probe.width, height=probe.height)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                clean = _print_ready(image)
    except ImageRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _refusal(what, "damaged") from None
    out = io.BytesIO()
    clean.save(out, format="PNG")
    return out.getvalue()


def print_rendition(png: bytes) -> bytes:
    """The JPEG a certificate embeds for a (flattened, print-sized) PNG.

    WeasyPrint decodes and re-encodes every PNG it embeds, each time it renders; a JPEG it embeds
    as it is. At quality 92 without chroma subsampling, flat logo colours and signature strokes
    print without visible artefacts, and a certificate renders several milliseconds faster.
    """
    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=92, subsampling=0, optimize=False)
        return out.getvalue()


def looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg", b"<!doctype svg"))


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """(bytes to store, MIME type) for an uploaded logo: PNG or SVG, judged by content."""
    if not data:
        raise ImageRejected(_("The logo file is empty."))
    if data.startswith(PNG_MAGIC):
        return clean_png(data, what="logo", max_bytes=MAX_LOGO_BYTES), "image/png"
    if looks_like_svg(data):
        return clean_svg(data), "image/svg+xml"
    raise ImageRejected(_("The logo must be a PNG or SVG image; this file is neither."))


def clean_signature(data: bytes) -> bytes:
    if not data:
        raise ImageRejected(_("The signature file is empty."))
    return clean_png(data, what="signature image", max_bytes=MAX_SIGNATURE_BYTES)


# --- colour --------------------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(hex_colour: str) -> float:
    """WCAG contrast ratio of a colour against white (1 to 21)."""
    return 1.05 / (relative_luminance(hex_colour) + 0.05)
