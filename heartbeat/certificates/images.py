"""Uploaded logos and signatures, checked by their content, and colour contrast.

A PNG is decoded and written out again by Pillow (which drops anything hidden in its chunks). An
SVG is parsed with defusedxml (no DTDs, no entities) and rebuilt from an allow-list of elements
and attributes; anything that could run script or fetch a URL is refused with a message that
names it, so the admin knows what to fix in their file.
"""

from __future__ import annotations

import io
import re
import warnings
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 512 * 1024
MAX_SIGNATURE_BYTES = 256 * 1024
MAX_PIXELS = 4000 * 4000
# A logo is printed at most 60 x 20 mm, a signature 60 x 16 mm: 300 dpi needs no more.
PRINT_MAX_PX = (720, 240)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


class ImageRejected(ValueError):
    """An upload that cannot be used, with a message for the person who chose it."""


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


def clean_png(data: bytes, *, what: str, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The {what} is larger than {max_bytes // 1024} KB. Choose a smaller file."
        )
    if not data.startswith(PNG_MAGIC):
        raise ImageRejected(f"The {what} is not a PNG image (its content says otherwise).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != "PNG":
                    raise ImageRejected(f"The {what} is not a PNG image.")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageRejected(
                        f"The {what} is too large ({probe.width} × {probe.height} pixels); "
                        "4000 × 4000 at most."
                    )
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
        raise ImageRejected(
            f"The {what} could not be read as a PNG image. Is the file damaged?"
        ) from None
    out = io.BytesIO()
    clean.save(out, format="PNG")
    return out.getvalue()


# --- SVG -----------------------------------------------------------------------------------------

_ELEMENTS = {
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "use",
    "title",
    "desc",
    "symbol",
    "style",
}
# Refused outright: they run script, embed other documents or fetch things.
_DANGEROUS = {
    "script": "a script",
    "foreignObject": "embedded HTML (foreignObject)",
    "image": "an embedded or linked image",
    "a": "a link",
    "iframe": "an embedded page",
    "embed": "an embedded object",
    "object": "an embedded object",
    "animate": "an animation",
    "set": "an animation",
    "animateTransform": "an animation",
    "animateMotion": "an animation",
    "feImage": "a filter that loads an image",
    "handler": "an event handler",
    "listener": "an event handler",
}
_ATTRIBUTES = {
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "style",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "fx",
    "fy",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "mask",
    "maskUnits",
    "preserveAspectRatio",
    "href",
    "display",
    "visibility",
    "version",
}
_URL = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _check_css(text: str, where: str) -> None:
    lowered = text.lower()
    if "\\" in text or "@import" in lowered or "expression(" in lowered:
        raise ImageRejected(
            f"The logo's {where} uses CSS that is not allowed (imports or escapes)."
        )
    for match in _URL.finditer(text):
        if not match.group(2).strip().startswith("#"):
            raise ImageRejected(
                f"The logo's {where} refers to an outside file ({match.group(2)[:60]}); "
                "a logo must be self-contained."
            )


def _copy(source: Element, target_parent: Element | None) -> Element:
    namespace, name = _local(source.tag)
    if name in _DANGEROUS:
        raise ImageRejected(
            f"The logo contains {_DANGEROUS[name]} (<{name}>), which is not allowed."
        )
    attributes: dict[str, str] = {}
    for key, value in source.attrib.items():
        attr_ns, attr = _local(key)
        if attr.lower().startswith("on"):
            raise ImageRejected(
                f"The logo contains an event handler ({attr}), which is not allowed."
            )
        if attr == "href" and attr_ns in ("", XLINK_NS):
            if not value.strip().startswith("#"):
                raise ImageRejected(
                    f"The logo refers to an outside file ({value[:60]}); a logo must be "
                    "self-contained."
                )
            attributes["href"] = value.strip()
            continue
        if attr_ns or attr not in _ATTRIBUTES:
            continue  # editor metadata (inkscape:*, sodipodi:*, data-*) and the like
        if attr == "style" or "url(" in value.lower():
            _check_css(value, f"{attr} attribute")
        attributes[attr] = value
    if target_parent is None:
        # Serialised with plain names and the SVG namespace declared as an ordinary attribute.
        element = Element(name, {"xmlns": SVG_NS, **attributes})
    else:
        element = SubElement(target_parent, name, attributes)
    if name in ("text", "tspan", "title", "desc", "style"):
        if name == "style":
            _check_css(source.text or "", "style sheet")
        element.text = source.text
    for child in source:
        child_ns, child_name = _local(child.tag) if isinstance(child.tag, str) else ("", "")
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        if child_name in _DANGEROUS:
            _copy(child, element)  # raises with the message
        if child_ns != SVG_NS or child_name not in _ELEMENTS:
            continue  # metadata, sodipodi:namedview, ...
        copied = _copy(child, element)
        copied.tail = child.tail if name in ("text", "tspan") else None
    return element


def clean_svg(data: bytes, *, max_bytes: int = MAX_LOGO_BYTES) -> bytes:
    """A safe copy of an SVG logo, or ImageRejected saying what is wrong with it."""
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The logo is larger than {max_bytes // 1024} KB. Choose a smaller file."
        )
    try:
        root = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise ImageRejected(
            "The logo's SVG declares a DTD or entities, which are not allowed."
        ) from None
    except Exception:
        raise ImageRejected(
            "The logo could not be read as an SVG image. Is the file damaged?"
        ) from None
    namespace, name = _local(root.tag)
    if name != "svg" or namespace != SVG_NS:
        raise ImageRejected("The logo is not an SVG image (its root element is not <svg>).")
    clean = _copy(root, None)
    if "viewBox" not in clean.attrib and not ("width" in clean.attrib and "height" in clean.attrib):
        raise ImageRejected("The logo's SVG has no size: give it a viewBox or a width and height.")
    return tostring(clean, encoding="utf-8", xml_declaration=False)


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
        raise ImageRejected("The logo file is empty.")
    if data.startswith(PNG_MAGIC):
        return clean_png(data, what="logo", max_bytes=MAX_LOGO_BYTES), "image/png"
    if looks_like_svg(data):
        return clean_svg(data), "image/svg+xml"
    raise ImageRejected("The logo must be a PNG or SVG image; this file is neither.")


def clean_signature(data: bytes) -> bytes:
    if not data:
        raise ImageRejected("The signature file is empty.")
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
