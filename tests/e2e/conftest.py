"""End-to-end fixtures: a live server on its own database, and Chromium driven by Playwright.

The live server lives for the whole session, so its database is separate from the one the
function-scoped ``app`` fixture empties between tests: a SQLite file in a temporary folder, or,
when ``DATABASE_URL`` is PostgreSQL, a throwaway database created (and dropped) here.

Every test screenshots each page it visits at two widths (see ``Screenshots``); the files land in
``tests/artifacts/screenshots/`` (git-ignored). Each shot also checks the page: an axe-core scan
(WCAG 2.0-2.2 A/AA, serious and critical fail), no sideways scrolling at 360 and 320 px, one
``h1``, a ``<title>`` that no different page shares, and in-page links that lead somewhere.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import Role, User
from heartbeat.centres.models import Centre
from heartbeat.db import scratch_postgres_database
from heartbeat.extensions import db
from heartbeat.participants.models import ConsentKind
from heartbeat.participants.services import enrol
from heartbeat.progress.services import seed_default_ladder
from tests.browser import NARROW, REFLOW, SCREENSHOT_DIR, WIDE
from tests.e2e import a11y
from tests.harness import is_postgres, make_app
from tests.helpers import PASSWORD, add_user

# --- the people in the live server's database -----------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    password: str = PASSWORD


@dataclass(frozen=True)
class People:
    """Two centres: admin, therapist and participant in A, an admin in B, and an operator."""

    admin: Person
    therapist: Person
    participant: Person
    admin_b: Person
    operator: Person


PEOPLE = People(
    admin=Person("admin@alpha.example", "Admin"),
    therapist=Person("therapist@alpha.example", "Therapist"),
    participant=Person("pat@alpha.example", "Pat"),
    admin_b=Person("admin@bravo.example", "Admin"),
    operator=Person("operator@platform.example", "Operator"),
)


def _seed() -> None:
    alpha = Centre(name="Centre ALPHA", slug="alpha", timezone="Europe/London")
    bravo = Centre(name="Centre BRAVO", slug="bravo", timezone="Europe/London")
    db.session.add_all([alpha, bravo])
    db.session.flush()
    add_user(alpha, PEOPLE.admin.email, Role.ADMIN)
    add_user(alpha, PEOPLE.therapist.email, Role.THERAPIST)
    add_user(alpha, PEOPLE.participant.email, Role.PARTICIPANT)
    add_user(bravo, PEOPLE.admin_b.email, Role.ADMIN)
    add_user(None, PEOPLE.operator.email, Role.ADMIN, operator=True)
    seed_default_ladder(alpha.id)
    seed_default_ladder(bravo.id)
    db.session.commit()


@pytest.fixture(scope="session")
def people() -> People:
    return PEOPLE


# --- the live server ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL")
    if not is_postgres(base):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.db'}"
        return
    with scratch_postgres_database(base, "hm_e2e") as url:
        yield url


@contextlib.contextmanager
def serve(app) -> Iterator[str]:
    """Serves ``app`` on a free local port from a daemon thread; yields its URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # Links that leave the site come from configuration only (never the request's Host), as
    # `make run` sets it to the address it serves at.
    if not app.config.get("HEARTBEAT_PUBLIC_URL"):
        app.config["HEARTBEAT_PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_live_app(database_url: str, instance_path: Path, **overrides):
    """The app as the browser tests see it: CSRF on, no rate limits, two-factor off."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEARTBEAT_INSTANCE_PATH", str(instance_path))
        return make_app(
            database_url,
            WTF_CSRF_ENABLED=True,
            SERVER_NAME=None,
            RATELIMIT_ENABLED=False,
            **overrides,
        )


@pytest.fixture(scope="session")
def live_server(sync_playwright_module, e2e_database_url, tmp_path_factory) -> Iterator[str]:
    """The app with CSRF on, on its own database seeded with ``PEOPLE``; yields its URL."""
    app = make_live_app(e2e_database_url, tmp_path_factory.mktemp("e2e-instance"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        _seed()
        db.session.remove()
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def live_database_url(live_server, e2e_database_url) -> str:
    """The live server's database, once it is built and seeded (for a second app on it)."""
    return e2e_database_url


# --- screenshots ----------------------------------------------------------------------------------

# WCAG 1.4.10 (reflow): at 320 CSS px nothing may need sideways scrolling; 360px is a common phone.
# Lists the page itself and any scroll box (other than form fields) that is wider than its box.
_SIDEWAYS_SCROLL_JS = """() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
        problems.push(`page: ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    }
    for (const el of document.querySelectorAll("body *")) {
        if (el.matches("input, textarea, select")) continue;
        const overflow = getComputedStyle(el).overflowX;
        if (!["auto", "scroll", "hidden", "clip"].includes(overflow)) continue;
        if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;  // visually hidden on purpose
        if (el.scrollWidth > el.clientWidth + 1) {
            const caption = el.querySelector("caption");
            const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                + (caption ? ` (table "${caption.textContent.trim().slice(0, 60)}")` : "");
            problems.push(`${name}: content ${el.scrollWidth}px in a ${el.clientWidth}px box`);
        }
    }
    return problems;
}"""


SITE_SUFFIX = " · Heartbeat Miles"
# Every <title> seen in this run, with the h1 and address of the first page that had it.
TITLES_SEEN: dict[str, tuple[str, str, str]] = {}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120]


@dataclass
class Screenshots:
    """Saves each page at 1280px and 360px wide, numbered in the order the test saw them.

    Every page a test navigates to must be shot before the next navigation (or the end of the
    test); ``missing`` lists the ones that were not, so the fixture can insist.
    """

    test_name: str
    directory: Path = SCREENSHOT_DIR
    count: int = 0
    missing: list[str] = field(default_factory=list)
    _pending: dict[int, str] = field(default_factory=dict)

    def watch(self, page) -> None:
        last_url = [""]

        def navigated(frame) -> None:
            url = frame.url
            if frame != page.main_frame or url.startswith("about:"):
                return
            same_document = "#" in url and url.split("#")[0] == last_url[0].split("#")[0]
            last_url[0] = url
            if same_document:  # a jump to an anchor (the skip link): still the same page
                return
            previous = self._pending.get(id(page))
            if previous is not None:
                self.missing.append(previous)
            self._pending[id(page)] = url

        page.on("framenavigated", navigated)

    def take(self, page, label: str, *, reflow: bool = True) -> list[Path]:
        """Screenshot ``page`` as it is now, wide then narrow; leaves the wide viewport on.

        At the narrow width it also checks that nothing needs scrolling sideways (``reflow``).
        """
        page.wait_for_load_state("load")
        self._check_accessibility(page, label)
        self._check_title(page, label)
        self._check_in_page_links(page, label)
        self.count += 1
        stem = f"{self.test_name}--{self.count:02d}-{_slug(label)}"
        self.directory.mkdir(parents=True, exist_ok=True)
        original = page.viewport_size or WIDE
        paths = []
        for width_name, viewport in (("1280", WIDE), ("360", NARROW)):
            page.set_viewport_size(viewport)
            path = self.directory / f"{stem}--{width_name}px.png"
            page.screenshot(path=str(path), full_page=True, animations="disabled")
            paths.append(path)
            if viewport is NARROW and reflow:
                self._check_reflow(page, label, NARROW)
        if reflow:
            page.set_viewport_size(REFLOW)
            self._check_reflow(page, label, REFLOW)
        page.set_viewport_size(original)
        self._pending.pop(id(page), None)
        return paths

    @staticmethod
    def _check_reflow(page, label: str, viewport: dict) -> None:
        problems = page.evaluate(_SIDEWAYS_SCROLL_JS)
        assert not problems, (
            f"{label!r} ({page.url}) scrolls sideways at {viewport['width']}px: {problems}"
        )

    @staticmethod
    def _check_title(page, label: str) -> None:
        """WCAG 2.4.2: a descriptive title, one h1, and no title shared by two different pages.

        Two views are the same page when their ``h1`` says the same (a form shown again with
        its errors, the same 404 page at two addresses); otherwise their titles must differ.
        """
        title = page.title()
        assert title.endswith(SITE_SUFFIX) and title != "Heartbeat Miles" + SITE_SUFFIX, (
            f"{label!r} ({page.url}) has no page-specific title: {title!r}"
        )
        headings = page.locator("h1").all_inner_texts()
        assert len(headings) == 1, f"{label!r} ({page.url}) has {len(headings)} h1: {headings}"
        heading = " ".join(headings[0].split())
        seen = TITLES_SEEN.setdefault(title, (heading, page.url, label))
        assert seen[0] == heading, (
            f"two different pages share the title {title!r}: {seen[2]!r} ({seen[1]}, h1 "
            f"{seen[0]!r}) and {label!r} ({page.url}, h1 {heading!r})"
        )

    @staticmethod
    def _check_in_page_links(page, label: str) -> None:
        """Every link to a place on the same page (skip link, error summary, "on this page")
        leads somewhere that exists."""
        broken = page.evaluate(
            """() => [...document.querySelectorAll('a[href^="#"]')]
                .map((a) => a.getAttribute("href").slice(1))
                .filter((id) => id && !document.getElementById(decodeURIComponent(id)))"""
        )
        assert not broken, f"{label!r} ({page.url}) links to missing places: {broken}"

    def _check_accessibility(self, page, label: str) -> None:
        """Every page a test shoots is also scanned with axe-core (WCAG 2.2 A/AA rules)."""
        if not a11y.axe_available():
            if os.environ.get("CI"):
                pytest.fail("axe-core is not installed (make setup-dev runs npm ci)")
            return
        violations = a11y.scan(page)
        assert not violations, (
            f"{label!r} ({page.url}) has serious accessibility problems:\n"
            + a11y.describe(violations)
        )

    def unshot(self) -> list[str]:
        return self.missing + list(self._pending.values())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@dataclass
class Session:
    """A test's browser pages, each in its own context (its own cookies), and their screenshots."""

    browser: object
    base_url: str
    shots: Screenshots
    contexts: list = field(default_factory=list)
    pages: list = field(default_factory=list)

    def new_page(self):
        context = self.browser.new_context(
            base_url=self.base_url, viewport=WIDE, locale="en-GB", timezone_id="Europe/London"
        )
        context.set_default_timeout(5_000)
        context.set_default_navigation_timeout(10_000)
        page = context.new_page()
        self.shots.watch(page)
        self.contexts.append(context)
        self.pages.append(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="session")
def fresh_screenshot_folder() -> Path:
    """Each run starts with an empty folder, so it shows this run's pages only."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.iterdir():
        if old.suffix in (".png", ".pdf"):
            old.unlink()
    return SCREENSHOT_DIR


@pytest.fixture
def e2e(request, browser, live_server, fresh_screenshot_folder) -> Iterator[Session]:
    module = Path(request.node.fspath).stem.removeprefix("test_")
    test_name = _slug(f"{module}-{request.node.name.removeprefix('test_')}")
    session = Session(browser, live_server, Screenshots(test_name))
    yield session
    report = getattr(request.node, "e2e_report_call", None)
    failed = report is None or not report.passed
    if failed:
        for number, page in enumerate(session.pages, start=1):
            if not page.is_closed():
                path = SCREENSHOT_DIR / f"{test_name}--FAILED-page{number}.png"
                SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception:
                    pass
    unshot = session.shots.unshot()
    session.close()
    if not failed and unshot:
        pytest.fail(f"pages visited without a screenshot: {unshot}", pytrace=False)


@pytest.fixture
def page(e2e):
    """A fresh browser context (no cookies) and page for each test; relative URLs allowed."""
    return e2e.new_page()


@pytest.fixture
def new_page(e2e) -> Callable[[], object]:
    """Opens another, independent browser context (a second person or device) in this test."""
    return e2e.new_page


@pytest.fixture
def shot(e2e) -> Callable[..., list[Path]]:
    """``shot(page, "what it shows")``: screenshot the page at 1280px and 360px wide."""
    return e2e.shots.take


def pytest_terminal_summary(terminalreporter):
    if a11y.PAGES_SCANNED:
        terminalreporter.write_sep("-", "accessibility (axe-core)")
        terminalreporter.write_line(
            f"{len(a11y.PAGES_SCANNED)} page views scanned; {len(a11y.RULES_CHECKED)} rules "
            f"checked: {', '.join(sorted(a11y.RULES_CHECKED))}"
        )
        terminalreporter.write_line(
            f"{len(TITLES_SEEN)} distinct page titles, none shared by two different pages"
        )


def enrol_t4_at_alpha(given_name: str, family_prefix: str, born: date):
    """Centre ALPHA, its therapist, and a new participant at T4 (class T53, classification
    confirmed, data consent given) with a family name of their own; inside an app context."""
    centre = db.session.scalars(sa.select(Centre).where(Centre.slug == "alpha")).one()
    therapist = db.session.scalars(
        sa.select(User).where(User.email == PEOPLE.therapist.email)
    ).one()
    participant = enrol(
        centre_id=centre.id,
        actor=therapist,
        details={
            "given_name": given_name,
            "family_name": f"{family_prefix}{uuid.uuid4().hex[:6]}",
            "date_of_birth": born,
            "enrolled_on": date(2025, 1, 10),
            "impairment": "sci",
            "sci_level": "T4",
            "racing_class": "T53",
            "classification_status": "C",
            "therapist_id": therapist.id,
        },
        consents={ConsentKind.DATA_PROCESSING: True},
        consent_recorded_on=date(2025, 1, 10),
        today=date.today(),
    )
    return centre, therapist, participant
