"""Steps the journey tests share: signing in, invitations, files made on the spot, downloads.

The journeys build on each other (the admin invites the therapist who enrols the participant who
receives the certificate the stranger checks). ``Story`` keeps what one journey hands the next, and
each test asks for what it needs: run alone, a test first plays the journeys before it.
"""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Person

DATA = Path(__file__).resolve().parents[1] / "training" / "data"
GPX_FILE = DATA / "cerknicko-jezero.gpx"  # a real 4.58 km track from August 2010
# Another real one (14.9 km, October 2010): the same file twice is refused as a duplicate.
OTHER_GPX_FILE = DATA / "korita-zbevnica.gpx"
PASSWORD = "long steady pushes on a windy track"


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def open_section(page: Page, section: str) -> None:
    """Follows the sub-navigation of a participant's record to one of its sections (Overview,
    Sessions, Progress, Certificates, Records), as a person would."""
    nav = page.get_by_role("navigation", name=re.compile(r"^Sections of .+ record$"))
    nav.get_by_role("link", name=section, exact=True).click()
    expect(nav.get_by_role("link", name=section, exact=True)).to_have_attribute(
        "aria-current", "page"
    )


def open_my_page(page: Page, name: str) -> None:
    """Follows the sub-navigation of a participant's own pages (Today, My progress, ...)."""
    nav = page.get_by_role("navigation", name="Your pages")
    nav.get_by_role("link", name=name, exact=True).click()
    expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute("aria-current", "page")


def sign_in(page: Page, shot, person: Person) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    shot(page, "sign-in page")
    page.get_by_label("Email", exact=True).fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login(\?|#|$)"))


def invitation_link(page: Page, base_url: str) -> str:
    expect(page.get_by_role("heading", name="Invitation ready", level=1)).to_be_visible()
    link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(re.escape(base_url) + r"/invite/[^/?#\s]+", link), link
    return link


def png_logo() -> bytes:
    """A small, real PNG: a teal disc with a white heartbeat line, drawn here."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 152, 152), fill=(11, 85, 99, 255))
    draw.line(
        [(28, 84), (58, 84), (72, 52), (92, 116), (106, 76), (132, 76)],
        fill=(255, 255, 255, 255),
        width=9,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def assert_pdf(download) -> bytes:
    path = download.path()
    assert path is not None, f"the download {download.suggested_filename!r} was not saved"
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-"), f"{download.suggested_filename!r} is not a PDF"
    assert data.rstrip().endswith(b"%%EOF")
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    return data


def unique(word: str) -> str:
    return f"{word}{uuid.uuid4().hex[:6]}"


@dataclass
class Story:
    """What each journey hands on to the next (one per test run)."""

    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    therapist: Person | None = None
    therapist_invite: str | None = None
    participant: Person | None = None
    participant_name: str | None = None  # as the participant likes to be called
    participant_full_name: str | None = None
    participant_invite: str | None = None
    participant_url: str | None = None
    certificate_url: str | None = None
    certificate_serial: str | None = None
    certificate_title: str | None = None
    verify_url: str | None = None
    notes: dict = field(default_factory=dict)

    @property
    def yesterday(self) -> date:
        """A day safely in the past whatever the hour (sessions cannot be in the future)."""
        return date.today() - timedelta(days=1)

    @property
    def enrolled(self) -> date:
        """The participant joined last week: yesterday's session is in the programme (one before
        enrolment would be history, saved only when the person says so)."""
        return date.today() - timedelta(days=7)
