"""Reading an untrusted GPX or TCX document without expanding or fetching anything.

defusedxml reads the prolog, up to the root element's start tag, with DTDs forbidden: entities
and external references can only be declared in a DOCTYPE, so a DOCTYPE (and with it any entity
bomb or external entity) is refused before anything is expanded or fetched. Only a document
without one reaches the standard library's C parser, which reads a marathon-sized track several
times faster than defusedxml's Python-level parser.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as StdET
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser

from heartbeat.training.devicefiles.activity import (
    NOT_AN_ACTIVITY,
    XML_DAMAGED,
    XML_DOCTYPE,
    ActivityFileError,
)

#: Root elements of the documents we read, and the name each format goes by in messages.
ROOTS = {"gpx": "GPX", "TrainingCenterDatabase": "TCX"}

_XML_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE_NAME = re.compile(rb"<!DOCTYPE\s+([A-Za-z_][\w:.-]*)", re.IGNORECASE)


class _RootReached(Exception):
    """Raised by :class:`_StopAtRoot` once the prolog has been read."""


class _StopAtRoot:
    """An ElementTree parser target that stops at the root element's start tag."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached(tag)

    def end(self, tag: str) -> None:
        return None

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


def parse_xml(data: bytes) -> StdET.Element:
    """Parse an uploaded GPX or TCX document, refusing any DOCTYPE (and so any entity)."""
    xml = _xml_bytes_or_refuse(data)
    root_name = _root_name(xml, data)
    if root_name not in ROOTS:
        raise ActivityFileError(NOT_AN_ACTIVITY)
    try:
        # Safe: the prolog checked above has no DOCTYPE, so nothing can be expanded or fetched.
        return StdET.fromstring(xml)  # noqa: S314  # nosec B314  # no DOCTYPE: checked above
    except (StdET.ParseError, ValueError, LookupError) as exc:
        raise ActivityFileError(XML_DAMAGED, kind=ROOTS[root_name]) from exc


def _xml_bytes_or_refuse(data: bytes) -> bytes:
    try:
        return xml_bytes(data)
    except (ValueError, LookupError) as exc:  # UTF-16 that does not decode
        raise ActivityFileError(NOT_AN_ACTIVITY) from exc


def _root_name(xml: bytes, original: bytes) -> str:
    """The root element's local name, read by defusedxml with DTDs forbidden."""
    try:
        checker = DefusedXMLParser(target=_StopAtRoot(), forbid_dtd=True)
        checker.feed(xml)
        checker.close()
    except _RootReached as reached:
        return local(reached.args[0])
    except DTDForbidden as exc:
        # An HTML page saved under an activity name is not an attack, just the wrong file.
        match = _DOCTYPE_NAME.search(original[:4096])
        if match and match.group(1).lower() == b"html":
            raise ActivityFileError(NOT_AN_ACTIVITY) from exc
        raise ActivityFileError(XML_DOCTYPE) from exc
    except DefusedXmlException as exc:  # entities or external references
        raise ActivityFileError(XML_DOCTYPE) from exc
    except (StdET.ParseError, ValueError, LookupError) as exc:
        raise ActivityFileError(NOT_AN_ACTIVITY) from exc
    raise ActivityFileError(NOT_AN_ACTIVITY)  # no root element at all


def xml_bytes(data: bytes) -> bytes:
    """The document as UTF-8 bytes expat can read (BOMs, stray leading blank lines, UTF-16)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        return _XML_DECLARATION_TEXT.sub("", text, count=1).encode("utf-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data.lstrip(b" \t\r\n")


def local(tag: Any) -> str:
    """An element's name without its namespace (``""`` for comments and the like)."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace(element: StdET.Element) -> str:
    """The root's ``{namespace}`` prefix, to find its children by name."""
    tag = element.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""
