"""The design page's preview shows the design being edited, and the colours are colour pickers
(issue 14, item 16)."""

from __future__ import annotations

import html
import re

from tests.certificates.conftest import page_size_mm, pdf_text
from tests.certificates.test_branding import branding_row, form
from tests.helpers import signed_in


def _frame_src(page: str) -> str:
    return html.unescape(re.search(r'<iframe class="preview-frame" src="([^"]+)"', page).group(1))


def test_preview_shows_the_edited_design_without_saving_it(app, world):
    client = signed_in(app, world.a.admin.email)

    response = client.post(
        "/centre/branding",
        data=form(
            preview="1",
            programme_name="Harbour Wheelers",
            signatory_name="Dr Kofi Mensah",
            paper_size="Letter",
        ),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "not saved yet" in page
    assert 'value="Harbour Wheelers"' in page  # the form keeps what is being edited
    assert branding_row(app, world.a) is None  # nothing saved
    pdf = client.get(_frame_src(page))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Harbour Wheelers" in text and "Dr Kofi Mensah" in text
    assert round(page_size_mm(pdf.data)[0]) == 279  # Letter, as edited
    # The page without a preview asked for shows the saved (here: default) design.
    saved = client.get("/centre/branding").get_data(as_text=True)
    assert _frame_src(saved) == "/centre/branding/preview.pdf"


def test_a_preview_of_refused_values_shows_the_errors_not_a_preview(app, world):
    client = signed_in(app, world.a.admin.email)

    response = client.post("/centre/branding", data=form(preview="1", accent_colour="#ffbf47"))

    assert response.status_code == 422
    assert "not saved yet" not in response.get_data(as_text=True)


def test_values_the_form_would_refuse_never_reach_the_preview(app, world):
    client = signed_in(app, world.a.admin.email)

    pdf = client.get(
        "/centre/branding/preview.pdf",
        query_string={"primary_colour": "#ffff00", "programme_name": "x" * 500, "paper_size": "A0"},
    )

    assert pdf.status_code == 200
    assert "x" * 200 not in pdf_text(pdf.data)
    assert round(page_size_mm(pdf.data)[0]) == 297  # the centre's A4, not "A0"


def test_the_colours_are_colour_pickers_with_valid_values(app, world):
    page = signed_in(app, world.a.admin.email).get("/centre/branding").get_data(as_text=True)

    for name in ("primary_colour", "accent_colour"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="color"' in tag
        assert re.search(r'value="#[0-9a-f]{6}"', tag), tag
    assert '<button type="submit" name="preview" value="1"' in page
