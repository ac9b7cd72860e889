"""End-to-end fixtures: a live server on its own database, and Chromium driven by Playwright.

The live server lives for the whole session, so its database is separate from the one the
function-scoped ``app`` fixture empties between tests: a SQLite file in a temporary folder, or,
when ``DATABASE_URL`` is PostgreSQL, a throwaway database created (and dropped) here.

Every test screenshots each page it visits at two widths (see ``Screenshots``); the files land in
``tests/artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from heartbeat.auth.models import Role
from heartbeat.centres.models import Centre
from heartbeat.config import database_uri
from heartbeat.extensions import db
from tests.conftest import PASSWORD, add_user, is_postgres, make_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 360, "height": 740}
SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


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
    db.session.commit()


@pytest.fixture(scope="session")
def people() -> People:
    return PEOPLE


# --- is a browser available? ----------------------------------------------------------------------


def _unavailable(reason: str):
    """Skip on a developer's machine; on CI a missing browser is a broken build, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"e2e tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"e2e tests need Chromium and Playwright: {reason}")


@pytest.fixture(scope="session")
def sync_playwright_module():
    try:
        from playwright import sync_api
    except ImportError as error:  # pragma: no cover - depends on the machine
        _unavailable(f"playwright cannot be imported ({error})")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing")
    return sync_api


@pytest.fixture(scope="session")
def browser(sync_playwright_module):
    with sync_playwright_module.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:  # noqa: BLE001 - any launch failure means "no browser here"
            _unavailable(f"Chromium did not start ({error})")
        yield chromium
        chromium.close()


# --- the live server ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("DATABASE_URL")
    if not is_postgres(base):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.db'}"
        return
    admin_url = sa.make_url(database_uri(base, "/nonexistent"))
    name = f"hm_e2e_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def live_server(sync_playwright_module, e2e_database_url, tmp_path_factory) -> Iterator[str]:
    """The app with CSRF on, served on a free local port from a daemon thread; yields its URL."""
    from werkzeug.serving import make_server

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEARTBEAT_INSTANCE_PATH", str(tmp_path_factory.mktemp("e2e-instance")))
        app = make_app(
            e2e_database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None, RATELIMIT_ENABLED=False
        )
    with app.app_context():
        db.drop_all()
        db.create_all()
        _seed()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


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
            const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
            problems.push(`${name}: content ${el.scrollWidth}px in a ${el.clientWidth}px box`);
        }
    }
    return problems;
}"""


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
                problems = page.evaluate(_SIDEWAYS_SCROLL_JS)
                assert not problems, (
                    f"{label!r} ({page.url}) scrolls sideways at {NARROW['width']}px: {problems}"
                )
        page.set_viewport_size(original)
        self._pending.pop(id(page), None)
        return paths

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


@pytest.fixture
def e2e(request, browser, live_server) -> Iterator[Session]:
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
                except Exception:  # noqa: BLE001, S110 - best effort on a failing test
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
