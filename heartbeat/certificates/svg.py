"""SVG logos, rebuilt from what parsing them found.

The file is parsed with defusedxml (no DTDs, no entities) and a new document is built from an
allow-list: SVG elements, their allowed attributes, each value checked by its kind (numbers and
path data by their characters, CSS values and sheets by tokenizing them, ``svg_css.py``). Nothing
is copied as text that was not understood. Anything that could run script or fetch a file is
refused with a message that names it, so the admin knows what to fix; editor metadata and
unknown attributes are dropped quietly. The one reference a logo may make is to an element of
its own document (``href="#id"``, ``url(#id)``).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException

from heartbeat.certificates import svg_css
from heartbeat.certificates.errors import ImageRejected
from heartbeat.core.i18n import _, _l

MAX_LOGO_BYTES = 512 * 1024
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

ELEMENTS = frozenset(
    {
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
)
# Refused outright: they run script, embed other documents or fetch things.
DANGEROUS = {
    "script": _l("a script"),
    "foreignObject": _l("embedded HTML (foreignObject)"),
    "image": _l("an embedded or linked image"),
    "a": _l("a link"),
    "iframe": _l("an embedded page"),
    "embed": _l("an embedded object"),
    "object": _l("an embedded object"),
    "animate": _l("an animation"),
    "set": _l("an animation"),
    "animateTransform": _l("an animation"),
    "animateMotion": _l("an animation"),
    "feImage": _l("a filter that loads an image"),
    "handler": _l("an event handler"),
    "listener": _l("an event handler"),
}
_NUMBERS = re.compile(r"[A-Za-z0-9\s.,+%-]*")  # lengths, lists, path data ("M0 0L1e2 5z")
_TRANSFORM = re.compile(r"[A-Za-z0-9\s.,+()-]*")
_TRANSFORM_FUNCTIONS = frozenset({"matrix", "translate", "scale", "rotate", "skewx", "skewy"})
_KEYWORDS = re.compile(r"[A-Za-z0-9\s-]*")
_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*(\s+[A-Za-z_][A-Za-z0-9_.:-]*)*")
# Each allowed attribute with the check its value must pass.
_KIND_OF = {
    **dict.fromkeys(
        (
            "viewBox width height x y x1 y1 x2 y2 cx cy r rx ry d points offset fx fy version"
        ).split(),
        "numbers",
    ),
    **dict.fromkeys(("transform", "gradientTransform"), "transform"),
    **dict.fromkeys(
        (
            "gradientUnits spreadMethod clipPathUnits maskUnits preserveAspectRatio fill-rule "
            "clip-rule stroke-linecap stroke-linejoin text-anchor dominant-baseline display "
            "visibility font-style font-weight"
        ).split(),
        "keywords",
    ),
    **dict.fromkeys(("id", "class"), "names"),
    **dict.fromkeys(
        (
            "fill fill-opacity stroke stroke-width stroke-opacity stroke-miterlimit "
            "stroke-dasharray stroke-dashoffset opacity color stop-color stop-opacity "
            "font-family font-size letter-spacing clip-path mask"
        ).split(),
        "css",
    ),
    "style": "style",
}


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _href(value: str) -> str:
    value = value.strip()
    if not svg_css.FRAGMENT.fullmatch(value):
        raise ImageRejected(
            _(
                "The logo refers to an outside file (%(url)s); a logo must be self-contained.",
                url=value[:60],
            )
        )
    return value


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attribute(name: str, value: str) -> str | None:
    """The value to keep for an allowed attribute, None to drop it; refuses an outside URL."""
    kind = _KIND_OF[name]
    where = _("%(name)s attribute", name=name)
    if kind == "css":
        return svg_css.attribute_value(value, where)
    if kind == "style":
        return svg_css.style_attribute(value, where)
    if "url(" in value.lower():
        svg_css.attribute_value(value, where)  # refuses an outside URL with its message
        return None
    if kind == "numbers":
        return value if _NUMBERS.fullmatch(value) else None
    if kind == "keywords":
        return value if _KEYWORDS.fullmatch(value) else None
    if kind == "names":
        return value.strip() if _NAMES.fullmatch(value.strip()) else None
    functions = {found.lower() for found in re.findall(r"([A-Za-z]+)\s*\(", value)}
    if _TRANSFORM.fullmatch(value) and functions <= _TRANSFORM_FUNCTIONS:
        return value
    return None


def _attributes(source: Element) -> dict[str, str]:
    kept: dict[str, str] = {}
    for key, value in source.attrib.items():
        namespace, name = _local(key)
        if name.lower().startswith("on"):
            raise ImageRejected(
                _("The logo contains an event handler (%(name)s), which is not allowed.", name=name)
            )
        if name == "href" and namespace in ("", XLINK_NS):
            kept["href"] = _href(value)
            continue
        if namespace or name not in _KIND_OF:
            continue  # editor metadata (inkscape:*, sodipodi:*, data-*) and the like
        clean = _attribute(name, value)
        # A CSS escape ("\\1 ") can spell a character XML cannot hold: such a value is dropped,
        # so what is stored always reads back.
        if clean is not None and not _NOT_IN_XML.search(clean):
            kept[name] = clean
    return kept


def _refuse_if_dangerous(name: str) -> None:
    if name in DANGEROUS:
        raise ImageRejected(
            _(
                "The logo contains %(what)s (<%(name)s>), which is not allowed.",
                what=DANGEROUS[name],
                name=name,
            )
        )


def _copy(source: Element, parent: Element | None) -> Element:
    _, name = _local(source.tag)
    _refuse_if_dangerous(name)
    attributes = _attributes(source)
    if parent is None:
        # Serialised with plain names and the SVG namespace declared as an ordinary attribute.
        element = Element(name, {"xmlns": SVG_NS, **attributes})
    else:
        element = SubElement(parent, name, attributes)
    if name == "style":
        sheet = svg_css.style_sheet(source.text or "")
        element.text = "" if _NOT_IN_XML.search(sheet) else sheet
    elif name in ("text", "tspan", "title", "desc"):
        element.text = source.text
    for child in source:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        child_ns, child_name = _local(child.tag)
        _refuse_if_dangerous(child_name)
        if child_ns != SVG_NS or child_name not in ELEMENTS:
            continue  # metadata, sodipodi:namedview, ...
        copied = _copy(child, element)
        copied.tail = child.tail if name in ("text", "tspan") else None
    return element


def clean_svg(data: bytes, *, max_bytes: int = MAX_LOGO_BYTES) -> bytes:
    """A safe copy of an SVG logo, or ImageRejected saying what is wrong with it."""
    if len(data) > max_bytes:
        raise ImageRejected(
            _("The logo is larger than %(kb)s KB. Choose a smaller file.", kb=max_bytes // 1024)
        )
    try:
        root = DefusedET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise ImageRejected(
            _("The logo's SVG declares a DTD or entities, which are not allowed.")
        ) from None
    except Exception:
        raise ImageRejected(
            _("The logo could not be read as an SVG image. Is the file damaged?")
        ) from None
    namespace, name = _local(root.tag)
    if name != "svg" or namespace != SVG_NS:
        raise ImageRejected(_("The logo is not an SVG image (its root element is not <svg>)."))
    clean = _copy(root, None)
    if "viewBox" not in clean.attrib and not ("width" in clean.attrib and "height" in clean.attrib):
        raise ImageRejected(
            _("The logo's SVG has no size: give it a viewBox or a width and height.")
        )
    return tostring(clean, encoding="utf-8", xml_declaration=False)
