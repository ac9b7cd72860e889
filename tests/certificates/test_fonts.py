"""Names print in the scripts people write them in: Latin in the package's DejaVu, Greek, Cyrillic,
Arabic, Hebrew, Devanagari and Chinese in the Noto fonts ``scripts/system-deps.sh`` installs,
each with real glyphs (no .notdef) that read back as the name."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
from contextlib import contextmanager

import pypdfium2
import pytest
from fontTools.ttLib import TTFont

from heartbeat.certificates import pdfengine
from tests.certificates.conftest import pdf_reader
from tests.certificates.test_render import page, pdf_of

NOTO_FAMILIES = (
    "Noto Serif",
    "Noto Naskh Arabic",
    "Noto Serif Hebrew",
    "Noto Serif Devanagari",
    "Noto Serif CJK SC",
)


def _installed_families() -> set[str]:
    if not shutil.which("fc-list"):
        return set()
    listing = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False
    ).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


_missing = set(NOTO_FAMILIES) - _installed_families()
needs_noto = pytest.mark.skipif(
    bool(_missing) and not os.environ.get("CI"),
    reason=f"Noto fonts missing ({', '.join(sorted(_missing))}): run scripts/system-deps.sh",
)


@contextmanager
def notdef_warnings():
    """WeasyPrint's warnings that it drew .notdef for a character no font has."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if ".notdef" in record.getMessage():
                seen.append(record.getMessage())

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


def embedded_fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for pdf_page in pdf_reader(pdf).pages
        for font in pdf_page["/Resources"]["/Font"].values()
    }


def extracted_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        return document[0].get_textpage().get_text_range()
    finally:
        document.close()


@needs_noto
@pytest.mark.parametrize(
    ("script", "name", "font", "reads_back_whole"),
    [
        ("Chinese", "王小明", "Noto-Serif-CJK-SC-Bold", True),
        ("Arabic", "محمد الأحمد", "Noto-Naskh-Arabic-Bold", True),
        ("Hebrew", "שרה לוי", "Noto-Serif-Hebrew-Bold", True),
        # pdfium reads Devanagari's reordered vowel signs back out of order: compare letters.
        ("Devanagari", "अंकित शर्मा", "Noto-Serif-Devanagari-Bold", False),
        ("Greek", "Αλέξανδρος Παπαδόπουλος", "Noto-Serif-Bold", True),
        ("Cyrillic", "Ольга Иванова", "Noto-Serif-Bold", True),
    ],
)
def test_a_name_in_each_script_prints_in_a_noto_font_with_real_glyphs(
    app, script, name, font, reads_back_whole
):
    with notdef_warnings() as notdef:
        pdf = pdf_of(app, page(name=name))
    assert notdef == [], notdef
    fonts = embedded_fonts(pdf)
    assert font in fonts, fonts
    # The rest of the certificate (English) stays in the package's own fonts.
    assert {"HM-Sans", "HM-Sans-Bold", "HM-Serif-Bold"} <= fonts
    text = extracted_text(pdf)
    if reads_back_whole:
        assert "".join(name.split()) in "".join(text.split())
    else:
        assert set(name) - {" "} <= set(text)


def test_the_notdef_check_catches_a_character_no_font_has(app):
    with notdef_warnings() as notdef:
        pdf_of(app, page(name="Ana \ue000"))  # a private-use character: no font has it
    assert notdef and "U+E000" in notdef[0]


def test_the_bundled_dejavu_faces_claim_only_characters_they_have():
    # A face whose unicode-range claims a character it lacks would print .notdef for it
    # instead of letting a Noto font take it.
    css = (pdfengine.ASSETS_DIR / "certificate.css").read_text()
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    assert len(faces) == 3
    for face in faces:
        source = re.search(r'url\("\.\./fonts/([^"]+)"\)', face).group(1)
        ranges = re.search(r"unicode-range:\s*([^;]+);", face).group(1)
        cmap = TTFont(pdfengine.FONTS_DIR / source).getBestCmap()
        claimed = set()
        for part in ranges.split(","):
            start, _, end = part.strip().removeprefix("U+").partition("-")
            claimed.update(range(int(start, 16), int(end or start, 16) + 1))
        assert claimed - set(cmap) == set(), source
        assert set(range(0x20, 0x7F)) <= claimed and ord("ø") in claimed  # Latin stays DejaVu
        assert not any(0x370 <= c <= 0x52F for c in claimed)  # Greek and Cyrillic go to Noto
