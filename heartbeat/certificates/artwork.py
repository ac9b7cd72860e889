"""What a certificate's page draws besides text: the name's size, the QR code, the journey chart.

Plain functions of plain values, no Flask and no WeasyPrint.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import segno
from babel.dates import format_date

from heartbeat.core.i18n import DEFAULT_LANGUAGE, current_language, ngettext
from heartbeat.core.i18n import gettext as _

# Usable width of the name line (mm): landscape page less margins and padding.
_NAME_WIDTH_MM = {"A4": 237.0, "Letter": 219.0}
_NAME_MAX_PT = 40.0
_NAME_MIN_PT = 14.0
_NAME_TWO_LINES_BELOW_PT = 24.0
_NAME_TWO_LINES_MAX_PT = 30.0
# DejaVu Serif Bold's advance width is about 0.64 em for mixed-case Latin text.
_EM_PER_CHAR = 0.64
_MM_PER_PT = 25.4 / 72
_QR_MASK = 2


@dataclass(frozen=True)
class JourneyStep:
    title: str
    reached: bool
    this: bool = False  # the milestone this certificate records


def long_date(value: date) -> str:
    """ "5 March 2026", or the long date of the language being spoken ("5 de marzo de 2026")."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return f"{value.day} {value:%B %Y}"
    return format_date(value, "long", locale=language)


def name_font_pt(name: str, paper_size: str) -> float:
    """The name's font size: 40 pt, shrunk so a long name stays on one line, or on two lines
    for a very long one rather than going tiny; the name box clips anything beyond."""
    width_mm = _NAME_WIDTH_MM.get(paper_size, _NAME_WIDTH_MM["Letter"])
    needed_mm = max(len(name), 1) * _EM_PER_CHAR * _NAME_MAX_PT * _MM_PER_PT
    one_line = _NAME_MAX_PT * min(1.0, width_mm / needed_mm)
    if one_line >= _NAME_TWO_LINES_BELOW_PT:
        return round(one_line, 1)
    # Two lines never break exactly at the middle: leave a little slack.
    two_lines = min(_NAME_TWO_LINES_MAX_PT, _NAME_MAX_PT * 2 * width_mm / needed_mm * 0.9)
    return round(max(_NAME_MIN_PT, two_lines), 1)


def qr_png(url: str) -> bytes:
    """The verify URL as a QR code: an 8-bit grey PNG, one pixel per module, four modules of
    quiet zone. Drawn at print size without smoothing (``image-rendering: pixelated``) the
    modules stay sharp, and a raster this small costs WeasyPrint far less than a vector path.
    Written directly with zlib: segno's generic PNG writer costs more than the whole image.
    """
    # A fixed mask: segno's search for the best of eight costs more than the rest of the code
    # together, and any mask decodes (the tests decode the printed code).
    matrix = segno.make(url, error="m", micro=False, mask=_QR_MASK).matrix
    border = 4
    size = len(matrix) + 2 * border
    blank = b"\0" + b"\xff" * size
    rows = [blank] * border
    for row in matrix:
        line = bytes(0 if dark else 255 for dark in row)
        rows.append(b"\0" + b"\xff" * border + line + b"\xff" * border)
    rows += [blank] * border
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def journey_svg(steps: Sequence[JourneyStep], primary: str, accent: str) -> bytes:
    """A staircase, one step per ladder stage: reached ones in the main colour, this one in the
    accent, the rest pale. Each step is a thick vertical stroke, all of a kind in one path:
    four elements whatever the ladder, cheap to draw a few hundred times."""
    count = max(len(steps), 1)
    width, height = 300, 100
    pitch = width / count
    bar = pitch * 0.82
    paths: dict[str, list[str]] = {"reached": [], "this": [], "ahead": []}
    for index, step in enumerate(steps):
        x = index * pitch + bar / 2
        top = height - (14 + (height - 18) * (index + 1) / count)
        kind = "this" if step.this else "reached" if step.reached else "ahead"
        paths[kind].append(f"M{x:.1f} {top:.1f}V{height - 1}")
    strokes = {"reached": primary, "this": accent, "ahead": "#c9d1d9"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">']
    for kind, commands in paths.items():
        if commands:
            parts.append(
                f'<path d="{"".join(commands)}" stroke="{strokes[kind]}" '
                f'stroke-width="{bar:.1f}" fill="none"/>'
            )
    parts.append(f'<path d="M0 {height - 0.5}H{width}" stroke="#4a5560"/></svg>')
    return "".join(parts).encode()


def journey_text(steps: Sequence[JourneyStep]) -> str:
    reached = [step.title for step in steps if step.reached]
    if not steps:
        return _("Journey up the ladder: no ladder recorded.")
    upcoming = next((step.title for step in steps if not step.reached), None)
    values = {"reached": len(reached), "stages": ", ".join(reached), "next": upcoming}
    if reached and upcoming:
        return ngettext(
            "Journey up the ladder: %(reached)s of %(num)s stages reached (%(stages)s);"
            " next: %(next)s.",
            "Journey up the ladder: %(reached)s of %(num)s stages reached (%(stages)s);"
            " next: %(next)s.",
            len(steps),
            **values,
        )
    if reached:
        return ngettext(
            "Journey up the ladder: %(reached)s of %(num)s stages reached (%(stages)s).",
            "Journey up the ladder: %(reached)s of %(num)s stages reached (%(stages)s).",
            len(steps),
            **values,
        )
    return ngettext(
        "Journey up the ladder: %(reached)s of %(num)s stages reached; next: %(next)s.",
        "Journey up the ladder: %(reached)s of %(num)s stages reached; next: %(next)s.",
        len(steps),
        **values,
    )
