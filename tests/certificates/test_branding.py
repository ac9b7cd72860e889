"""The certificate design page: admins only, checked uploads, readable colours, a live preview,
stale edits refused, and issued certificates keep the design they were issued with."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from heartbeat.centres.models import Centre
from heartbeat.certificates.models import Branding
from heartbeat.extensions import db
from tests.certificates.conftest import page_size_mm, pdf_reader, pdf_text
from tests.helpers import signed_in

SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b"<script>fetch('http://127.0.0.1/steal')</script><rect width='10' height='10'/></svg>"
)


def png(colour=(11, 85, 99)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 48), colour).save(out, format="PNG")
    return out.getvalue()


def form(**overrides):
    data = {
        "programme_name": "Riverside adaptive racing programme",
        "primary_colour": "#0b5563",
        "accent_colour": "#b3261e",
        "signatory_name": "Dr Ana Souza",
        "signatory_title": "Head of therapy",
        "paper_size": "A4",
        "version": "",
    }
    data.update(overrides)
    return data


def branding_row(app, centre_world) -> Branding | None:
    with app.app_context():
        row = db.session.scalars(
            sa.select(Branding)
            .options(sa.orm.undefer(Branding.logo), sa.orm.undefer(Branding.signature))
            .where(Branding.centre_id == centre_world.centre.id)
        ).one_or_none()
        db.session.expunge_all()
        return row


def test_only_admins_edit_the_design(app, world):
    assert signed_in(app, world.a.therapist.email).get("/centre/branding").status_code == 403
    assert signed_in(app, world.a.participant.email).get("/centre/branding").status_code == 403
    page = signed_in(app, world.a.admin.email).get("/centre/branding")
    assert page.status_code == 200
    assert "Certificate design" in page.get_data(as_text=True)


def test_saving_the_design_with_a_png_logo_and_signature(app, world):
    client = signed_in(app, world.a.admin.email)
    response = client.post(
        "/centre/branding",
        data=form(
            paper_size="Letter",
            logo=(io.BytesIO(png()), "logo.png"),
            signature=(io.BytesIO(png((0, 0, 0))), "sig.png"),
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    row = branding_row(app, world.a)
    assert row.logo_type == "image/png" and row.logo.startswith(b"\x89PNG")
    assert row.signature.startswith(b"\x89PNG")
    assert row.signatory_name == "Dr Ana Souza"
    with app.app_context():
        assert db.session.get(Centre, world.a.centre.id).paper_size.value == "Letter"


def test_a_renamed_executable_logo_is_refused_and_nothing_saved(app, world):
    client = signed_in(app, world.a.admin.email)
    response = client.post(
        "/centre/branding",
        data=form(logo=(io.BytesIO(b"\x7fELF\x02\x01\x01" + b"\0" * 64), "logo.png")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "must be a PNG or SVG image" in response.get_data(as_text=True)
    assert branding_row(app, world.a) is None


def test_an_svg_logo_with_script_is_refused_with_a_clear_message(app, world):
    client = signed_in(app, world.a.admin.email)
    response = client.post(
        "/centre/branding",
        data=form(logo=(io.BytesIO(SCRIPTED_SVG), "logo.svg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "The logo contains a script" in response.get_data(as_text=True)
    assert branding_row(app, world.a) is None


def test_a_text_colour_with_too_little_contrast_is_refused(app, world):
    client = signed_in(app, world.a.admin.email)
    response = client.post(
        "/centre/branding", data=form(accent_colour="#ffbf47", primary_colour="not a colour")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "contrast of 1.6:1 on white" in page
    assert "six hex digits" in page
    assert branding_row(app, world.a) is None


def test_the_preview_renders_a_sample_with_the_saved_design(app, world):
    client = signed_in(app, world.a.admin.email)
    client.post(
        "/centre/branding",
        data=form(paper_size="Letter", logo=(io.BytesIO(png()), "logo.png")),
        content_type="multipart/form-data",
    )
    page = client.get("/centre/branding").get_data(as_text=True)
    assert '<iframe class="preview-frame" src="/centre/branding/preview.pdf"' in page
    response = client.get("/centre/branding/preview.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    text = pdf_text(response.data)
    assert "Alex Sample-Participant" in text and "Dr Ana Souza" in text
    assert page_size_mm(response.data)[0] > page_size_mm(response.data)[1]  # landscape
    assert round(page_size_mm(response.data)[0]) == 279  # Letter
    resources = pdf_reader(response.data).pages[0]["/Resources"]
    assert len(resources["/XObject"]) >= 2  # the logo and the QR code


def test_a_stale_design_form_is_refused_with_the_differences(app, world):
    first = signed_in(app, world.a.admin.email)
    first.post("/centre/branding", data=form(signatory_name="First Person"))
    version = str(branding_row(app, world.a).version)
    first.post("/centre/branding", data=form(signatory_name="Second Person", version=version))
    response = first.post(
        "/centre/branding", data=form(signatory_name="Third Person", version=version)
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else changed the certificate design" in page
    assert "Second Person" in page and "Third Person" in page
    assert branding_row(app, world.a).signatory_name == "Second Person"


def test_issued_certificates_keep_their_design(app, world, certs):
    achiever = certs.achiever(world.a)
    client = signed_in(app, world.a.admin.email)
    client.post("/centre/branding", data=form(signatory_name="Dr Before"))
    first = certs.issue(world.a, achiever, "10k")
    version = str(branding_row(app, world.a).version)
    client.post("/centre/branding", data=form(signatory_name="Dr After", version=version))
    second = certs.issue(world.a, achiever, "5k")
    old = client.get(f"/certificates/{first}/certificate.pdf").data
    new = client.get(f"/certificates/{second}/certificate.pdf").data
    assert "Dr Before" in pdf_text(old) and "Dr After" not in pdf_text(old)
    assert "Dr After" in pdf_text(new)
    import hashlib

    assert hashlib.sha256(old).hexdigest() == certs.certificate(first).sha256


def test_another_centres_design_is_untouched(app, world):
    signed_in(app, world.a.admin.email).post("/centre/branding", data=form(signatory_name="Alpha"))
    assert branding_row(app, world.b) is None
