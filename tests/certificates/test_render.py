"""The PDF itself: what it says, its size, one page, PDF/A-3a, the QR code, the credential inside,
and a renderer that fetches nothing but its own files."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from heartbeat.certificates import artwork, pdfengine, render
from tests.certificates.conftest import decode_qr_codes, page_size_mm, pdf_reader, pdf_text

CREATED = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
LADDER = (
    "Chair fitted",
    "First push",
    "Steer and stop",
    "One lap",
    "One mile",
    "5K",
    "10K",
    "Half marathon",
    "Marathon",
)


def branding(**overrides) -> render.BrandingData:
    values = {
        "centre_name": "Riverside Rehab",
        "paper_size": "A4",
        "programme_name": "Riverside adaptive racing programme",
        "primary_colour": "#0b5563",
        "accent_colour": "#b3261e",
        "signatory_name": "Dr Ana Souza",
        "signatory_title": "Head of therapy",
    }
    values.update(overrides)
    return render.BrandingData(**values)


def page(name="Zoë Ødegård-Nakamura", serial="HM-2026-7Q4K-92XD-M3TR", **overrides):
    values = {
        "serial": serial,
        "participant_name": name,
        "title": "10K",
        "description": "completed a continuous 10 km push",
        "achieved_on": date(2026, 5, 30),
        "issued_on": date(2026, 6, 2),
        "verify_url": f"https://miles.example.org/verify/{serial}",
        "branding": branding(),
        "journey": tuple(render.JourneyStep(t, i <= 6, i == 6) for i, t in enumerate(LADDER)),
        "credential": {"id": f"https://miles.example.org/verify/{serial}", "type": ["X"]},
    }
    values.update(overrides)
    return render.Printable(**values)


def pdf_of(app, *pages, **kwargs) -> bytes:
    with app.app_context():
        return render.render_pdf(
            list(pages),
            title="Certificate",
            subject="A test",
            author="Riverside Rehab",
            created=CREATED,
            **kwargs,
        ).pdf


def test_the_certificate_names_the_person_the_milestone_and_the_serial_on_one_page(app):
    pdf = pdf_of(app, page())
    text = pdf_text(pdf)
    assert len(pdf_reader(pdf).pages) == 1
    for expected in (
        "Zoë Ødegård-Nakamura",
        "10K",
        "completed a continuous 10 km push",
        "HM-2026-7Q4K-92XD-M3TR",
        "30 May 2026",
        "RIVERSIDE REHAB",  # set in capitals by the style sheet
        "Dr Ana Souza",
        "Head of therapy",
        "Riverside adaptive racing programme",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("paper", "width", "height"), [("A4", 297.0, 210.0), ("Letter", 279.4, 215.9)]
)
def test_the_page_is_the_centres_paper_size_in_landscape(app, paper, width, height):
    pdf = pdf_of(app, page(branding=branding(paper_size=paper)))
    w, h = page_size_mm(pdf)
    assert w == pytest.approx(width, abs=0.5)
    assert h == pytest.approx(height, abs=0.5)
    assert len(pdf_reader(pdf).pages) == 1


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize(
    "name",
    [
        "Łukasz Brzęczyszczykiewicz",
        "Maximiliane Wilhelmina Theodora Fürstenberg-Śliwińska-Ødegård de la Cruz-Nakamura",
        "Ana " + "Wolfeschlegelsteinhausenbergerdorff" * 4,
        " ".join(["Bartholomew-Jonathan"] * 8),
    ],
)
def test_very_long_and_non_latin1_names_still_fit_on_one_page(app, name, paper):
    pdf = pdf_of(app, page(name=name, branding=branding(paper_size=paper)))
    assert len(pdf_reader(pdf).pages) == 1
    text = "".join(pdf_text(pdf).split())
    # The name is all there (line breaks aside), in the shipped font.
    assert "".join(name.split()) in text


def test_long_names_get_a_smaller_font():
    assert artwork.name_font_pt("Ann Lee", "A4") == 40.0
    long = artwork.name_font_pt("Maximiliane Wilhelmina Fürstenberg-Śliwińska", "A4")
    assert 24 <= long < 40
    longer = artwork.name_font_pt(
        "Maximiliane Wilhelmina Theodora Fürstenberg-Śliwińska-Ødegård de la Cruz-Nakamura", "A4"
    )
    assert 14 < longer <= 30
    assert artwork.name_font_pt("x" * 300, "Letter") == 14.0


def test_the_fonts_are_the_packaged_ones_embedded(app):
    pdf = pdf_of(app, page())
    fonts = {}
    for pdf_page in pdf_reader(pdf).pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            fonts[str(font["/BaseFont"]).split("+")[-1]] = descendant["/FontDescriptor"]
    # "HM Sans" and "HM Serif" exist only in the package's own @font-face rules.
    assert set(fonts) == {"HM-Sans", "HM-Sans-Bold", "HM-Serif-Bold"}
    assert all("/FontFile2" in descriptor for descriptor in fonts.values())


def test_the_qr_code_decodes_to_the_verify_url(app):
    serial = "HM-2026-ABCD-EFGH-JKMN"
    pdf = pdf_of(app, page(serial=serial))
    assert decode_qr_codes(pdf) == [f"https://miles.example.org/verify/{serial}"]


def test_the_pdf_is_pdf_a_3a_tagged_with_metadata_and_language(app):
    pdf = pdf_of(app, page())
    reader = pdf_reader(pdf)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp or "<pdfaid:part>3</pdfaid:part>" in xmp
    assert 'pdfaid:conformance="A"' in xmp or "<pdfaid:conformance>A</pdfaid:conformance>" in xmp
    assert "Certificate" in xmp and "Riverside Rehab" in xmp and "A test" in xmp
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en-GB"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    info = reader.metadata
    assert info.title == "Certificate" and info.author == "Riverside Rehab"
    assert info.subject == "A test"


def test_the_images_carry_alternative_text_in_the_structure_tree(app):
    pdf = pdf_of(app, page())
    # Tagged figures with /Alt: the QR code, the journey chart.
    reader = pdf_reader(pdf)
    alts = []

    def walk(node):
        node = node.get_object()
        if "/Alt" in node:
            alts.append(str(node["/Alt"]))
        kids = node.get("/K")
        if isinstance(kids, list):
            for kid in kids:
                if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
                    walk(kid)
        elif (
            kids is not None and hasattr(kids, "get_object") and isinstance(kids.get_object(), dict)
        ):
            walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert any("QR code that opens https://miles.example.org/verify/" in alt for alt in alts)
    assert any("Journey up the ladder: 7 of 9 stages reached" in alt for alt in alts)


def test_the_credential_is_attached_to_the_pdf(app):
    pdf = pdf_of(app, page())
    attachments = pdf_reader(pdf).attachments
    assert list(attachments) == ["credential-HM-2026-7Q4K-92XD-M3TR.json"]
    body = json.loads(attachments["credential-HM-2026-7Q4K-92XD-M3TR.json"][0])
    assert body["id"] == "https://miles.example.org/verify/HM-2026-7Q4K-92XD-M3TR"
    root = pdf_reader(pdf).trailer["/Root"]
    assert len(root["/AF"]) == 1  # PDF/A-3 associated file


def test_a_reprint_is_byte_for_byte_the_same(app):
    assert pdf_of(app, page()) == pdf_of(app, page())


def test_a_batch_is_one_document_with_a_page_per_certificate(app):
    serials = [f"HM-2026-AAAA-BBBB-{c * 4}" for c in "CDEFGH"]
    pages = [page(name=f"Person {i}", serial=s) for i, s in enumerate(serials)]
    pdf = pdf_of(app, *pages, attach_credentials=False)
    reader = pdf_reader(pdf)
    assert len(reader.pages) == len(serials)
    for index, serial in enumerate(serials):
        assert serial in reader.pages[index].extract_text()
        assert decode_qr_codes(pdf, index) == [f"https://miles.example.org/verify/{serial}"]
    # One document: one font program per face, shared by every page.
    assert pdf.count(b"/FontFile2") <= 3


def test_a_revoked_certificate_is_stamped(app):
    pdf = pdf_of(app, page(revoked_on=date(2026, 6, 5)))
    text = pdf_text(pdf)
    assert "revoked on 5 June 2026" in text
    assert "no longer valid" in text


# --- nothing is fetched ---------------------------------------------------------------------


class _Counting(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = HTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counting.hits = 0
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_fetcher_refuses_files_and_network_addresses(local_server):
    fetcher = pdfengine.SandboxedFetcher({})
    for url in (
        "file:///etc/passwd",
        f"file://{pdfengine.FONTS_DIR}/../../../../etc/passwd",
        f"{local_server}/logo.png",
        "https://example.org/x.png",
        "ftp://example.org/x",
        "data:text/plain,hello",
    ):
        with pytest.raises(pdfengine.FetchRefused):
            fetcher.fetch(url)
    assert _Counting.hits == 0
    assert len(fetcher.refused) == 6
    font = fetcher.fetch((pdfengine.FONTS_DIR / "DejaVuSans.ttf").as_uri())
    assert font.read()[:4] == b"\x00\x01\x00\x00"


def test_a_logo_that_points_elsewhere_fetches_nothing_and_still_renders(app, local_server):
    # Sanitising refuses such a logo at upload; the renderer refuses it again if one got through.
    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 10 10"><image href="file:///etc/passwd" width="10" height="10"/>'
        f'<image xlink:href="{local_server}/x.png" width="10" height="10"/>'
        '<style>@import url("http://127.0.0.1:9/evil.css");</style></svg>'
    ).encode()
    with app.app_context():
        result = render.render_pdf(
            [page(branding=branding(logo=hostile, logo_type="image/svg+xml"))],
            title="t",
            subject="s",
            author="a",
            created=CREATED,
        )
    assert _Counting.hits == 0
    assert "file:///etc/passwd" in result.refused
    assert f"{local_server}/x.png" in result.refused
    assert len(pdf_reader(result.pdf).pages) == 1


def test_a_name_that_looks_like_markup_is_printed_as_text(app, local_server):
    name = f'<img src="file:///etc/passwd"><img src="{local_server}/p.png">'
    with app.app_context():
        result = render.render_pdf(
            [page(name=name)], title="t", subject="s", author="a", created=CREATED
        )
    assert _Counting.hits == 0
    assert result.refused == []
    assert "file:///etc/passwd" in pdf_text(result.pdf).replace("\n", "")
