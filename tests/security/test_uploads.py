"""Uploads: size limits hold, content decides the type (not the name), nothing lands on disk under
the uploaded name, and SVGs that could run script or fetch anything are refused.

Every form with a file input must be in ``UPLOADS`` (checked against the forms the pages show),
so a new upload gets these tests too.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

import heartbeat
from heartbeat.certificates.models import Branding
from heartbeat.extensions import db
from tests.helpers import signed_in
from tests.security.forms import crawl
from tests.security.urls import Browsers, build_url, fill
from tests.security.world import changed_tables, table_digests

DATA = Path(__file__).parent.parent / "training" / "data"
LIMIT = 256 * 1024
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00" + bytes(range(256)) * 4


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 24), (11, 85, 99)).save(out, format="PNG")
    return out.getvalue()


def branding_form() -> dict[str, str]:
    return {
        "programme_name": "Adaptive racing",
        "primary_colour": "#0b5563",
        "accent_colour": "#b3261e",
        "signatory_name": "Dr Ana Souza",
        "signatory_title": "Head of therapy",
        "paper_size": "A4",
        "version": "",
    }


@dataclass(frozen=True)
class Upload:
    role: str
    field: str
    form: dict[str, str]
    good: bytes  # a file the endpoint accepts
    names: tuple[str, ...]  # names an executable might pretend to have


UPLOADS = {
    "certificates.branding_settings": Upload(
        "admin", "logo", branding_form(), png(), ("logo.png", "logo.svg", "logo.PNG")
    ),
    "training.upload": Upload(
        "therapist",
        "file",
        # Recorded in 2017, before the participant's enrolment: saved as history.
        {"kind": "road", "before_enrolment": "y"},
        (DATA / "garmin-fenix-5-run.fit").read_bytes(),
        ("ride.gpx", "ride.tcx", "ride.fit"),
    ),
    "training.csv_upload": Upload("therapist", "file", {}, b"", ("sessions.csv", "s.txt")),
    "participants.import_csv": Upload("therapist", "file", {}, b"", ("people.csv", "p.txt")),
    # Public (anyone may check a credential they were given); a signed-in admin sends it here.
    "certificates.check_credential": Upload(
        "admin", "credential_file", {}, b"{}", ("credential.json", "badge.jsonld", "c.txt")
    ),
}


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": LIMIT}


class Uploader:
    """A browser signed in as the role that may upload to ``endpoint``, and its address."""

    def __init__(self, app, world, endpoint: str):
        self.upload = UPLOADS[endpoint]
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        values = {a: fill(world, a, self.upload.role, "own", "own") for a in rule.arguments}
        self.url = build_url(app, endpoint, values)
        email = {"admin": world.a.admin_email, "therapist": world.a.therapist_email}
        self.client = signed_in(app, email[self.upload.role])

    def post(self, filename: str, content: bytes):
        data = {**self.upload.form, self.upload.field: (io.BytesIO(content), filename)}
        return self.client.post(self.url, data=data, content_type="multipart/form-data")


@pytest.mark.slow  # crawls every page
def test_every_form_with_a_file_input_is_in_the_upload_table(shared_app, shared_world):
    found = crawl(shared_app, shared_world, Browsers(shared_app, shared_world), fill, build_url)
    uploads = {
        endpoint
        for endpoint, forms in found.items()
        for item in forms
        if any(f.kind == "file" for f in item.form.fields.values())
    }
    assert uploads == set(UPLOADS)
    for endpoint in uploads:
        form = next(i.form for i in found[endpoint] if i.form.multipart)
        assert form.multipart, f"{endpoint}'s form does not send files"


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_a_request_over_the_size_limit_answers_413_and_saves_nothing(app, security_world, endpoint):
    uploader = Uploader(app, security_world, endpoint)
    before = table_digests(app)
    response = uploader.post(UPLOADS[endpoint].names[0], b"0" * (LIMIT + 1))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert changed_tables(before, table_digests(app)) == []


@pytest.mark.parametrize("executable", [ELF, PE], ids=["elf", "pe"])
@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_an_executable_under_an_innocent_name_is_refused(app, security_world, endpoint, executable):
    uploader = Uploader(app, security_world, endpoint)
    for name in UPLOADS[endpoint].names:
        before = table_digests(app)
        response = uploader.post(name, executable)
        assert response.status_code in (400, 422), (name, response.status_code)
        assert changed_tables(before, table_digests(app)) == [], name


def _files_under(*roots: Path) -> set[str]:
    return {str(p) for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("endpoint", ["certificates.branding_settings", "training.upload"])
def test_an_accepted_file_is_never_stored_under_its_uploaded_name(app, security_world, endpoint):
    package = Path(heartbeat.__file__).parent
    roots = (package / "static", Path(app.instance_path), package / "certificates" / "assets")
    before = _files_under(*roots)
    name = "../../static/evil-upload.html"

    response = Uploader(app, security_world, endpoint).post(name, UPLOADS[endpoint].good)

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    # The one file written is a device file's original, under a name made from its SHA-256.
    files = Path(app.instance_path) / "files"
    for added in _files_under(*roots) - before:
        path = Path(added)
        assert path.is_relative_to(files) and re.fullmatch(r"[0-9a-f]{64}\.gz", path.name), added
    assert not list(Path(app.root_path).parent.rglob("evil-upload*"))


def test_a_device_file_keeps_only_the_base_of_its_name(app, security_world):
    from heartbeat.training.models import ActivityFile

    Uploader(app, security_world, "training.upload").post(
        "../../../var/www/ride.fit", UPLOADS["training.upload"].good
    )
    with app.app_context():
        names = db.session.scalars(
            sa.select(ActivityFile.original_name).order_by(ActivityFile.id.desc()).limit(1)
        ).all()
    assert names == ["ride.fit"]


UNSAFE_SVGS = {
    "script": b"<script>alert(1)</script>",
    "event handler": b'<rect width="5" height="5" onload="alert(1)"/>',
    "javascript link": b'<a href="javascript:alert(1)"><rect width="5" height="5"/></a>',
    "external image": b'<image href="http://127.0.0.1/x.png" width="5" height="5"/>',
    "xlink to a file": b'<use xlink:href="file:///etc/passwd#x"/>',
    "foreign html": b"<foreignObject><p>hi</p></foreignObject>",
    "css import": b'<style>@import url("http://127.0.0.1/evil.css");</style>',
    "animation": b'<set attributeName="href" to="javascript:alert(1)"/>',
}


def _svg(inner: bytes) -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'viewBox="0 0 10 10">' + inner + b"</svg>"
    )


@pytest.mark.parametrize("what", sorted(UNSAFE_SVGS))
def test_an_svg_logo_that_could_run_or_fetch_anything_is_refused(app, security_world, what):
    uploader = Uploader(app, security_world, "certificates.branding_settings")
    before = table_digests(app)
    response = uploader.post("logo.svg", _svg(UNSAFE_SVGS[what]))
    assert response.status_code == 422, what
    assert changed_tables(before, table_digests(app)) == [], what


def test_a_safe_svg_logo_is_kept_rebuilt_from_the_allow_list(app, security_world):
    response = Uploader(app, security_world, "certificates.branding_settings").post(
        "logo.svg", _svg(b'<!-- made in an editor --><rect width="10" height="5" fill="#0b5563"/>')
    )
    assert response.status_code == 302
    with app.app_context():
        logo = db.session.scalars(
            sa.select(Branding.logo).where(Branding.centre_id == security_world.a.centre_id)
        ).one()
    assert b"<rect" in logo
    assert b"editor" not in logo and b"script" not in logo.lower()
