"""The status page in Chromium: it follows a job without reloading (jobs.js), announces the
outcome, and without JavaScript refreshes itself until the job ends.

Screenshots land in tests/artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import threading
import uuid

import pytest

from tests.browser import SCREENSHOT_DIR, WIDE
from tests.helpers import PASSWORD
from tests.jobs.handlers import gate

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def server(app):
    """This test's app served from a thread (jobs run on threads of this same process)."""
    from werkzeug.serving import make_server

    app.config["SERVER_NAME"] = None
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


def _signed_in_page(browser, server, email, *, javascript=True):
    context = browser.new_context(
        base_url=server, viewport=WIDE, locale="en-GB", java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page


def _shot(page, name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"jobs-{name}.png"), full_page=True)


def test_status_page_follows_the_job_and_announces_the_outcome(browser, server, world, jobs):
    from playwright.sync_api import expect

    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=10, gate=name, pause_at=5, sleep=0.02, dispatch=True)
    context, page = _signed_in_page(browser, server, world.a.therapist.email)
    try:
        page.goto(f"/jobs/{job_id}")
        expect(page.locator("[data-job-progress-text]")).to_have_text("5 of 10 things counted")
        expect(page.locator("progress")).to_have_attribute("value", "5")
        _shot(page, "running")
        page.evaluate("window.__notReloaded = true")

        gate(name).set()
        outcome = page.get_by_role("status").filter(has_text="Finished")
        expect(outcome).to_have_text("Finished. count.txt is ready to download.")
        expect(page.get_by_role("link", name="Download the result")).to_be_visible()
        expect(page.locator("[data-job-progress]")).to_be_hidden()
        expect(page.locator("[data-job-summary]")).to_contain_text("Things counted")
        assert page.evaluate("window.__notReloaded") is True  # updated in place
        _shot(page, "done")

        with page.expect_download() as download:
            page.get_by_role("link", name="Download the result").click()
        assert download.value.suggested_filename == "count.txt"

        page.get_by_role("link", name="All jobs").click()
        expect(page.get_by_role("heading", name="Jobs", level=1)).to_be_visible()
        expect(page.get_by_role("link", name=f"Count things (job {job_id})")).to_be_visible()
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate("document.documentElement.scrollWidth <= 361")  # no sideways scroll
        _shot(page, "list-narrow")
    finally:
        context.close()


def test_the_details_follow_a_job_from_waiting_to_done(app, browser, server, world, jobs):
    """The page loaded while the job waited: its attempt and times still update in place."""
    from playwright.sync_api import expect

    from heartbeat.jobs import services

    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, n=4, gate=name, pause_at=2)
    context, page = _signed_in_page(browser, server, world.a.therapist.email)
    try:
        page.goto(f"/jobs/{job_id}")
        attempt = page.locator('[data-job-row="attempt_text"] dd')
        expect(attempt).to_be_hidden()  # nothing tried yet: no "0 of 3"
        expect(page.locator('[data-job-row="started"]')).to_be_hidden()
        page.evaluate("window.__notReloaded = true")
        with app.app_context():
            services.dispatch(job_id)
        expect(page.locator("[data-job-progress-text]")).to_have_text("2 of 4 things counted")
        expect(attempt).to_have_text("Attempt 1 of 3")
        expect(page.locator('[data-job-row="started"]')).to_be_visible()
        gate(name).set()
        expect(attempt).to_have_text("Done on the first attempt")
        expect(page.locator('[data-job-row="ended"]')).to_be_visible()
        assert page.evaluate("window.__notReloaded") is True
    finally:
        context.close()


def test_without_javascript_the_page_refreshes_itself_until_the_job_ends(
    browser, server, world, jobs
):
    from playwright.sync_api import expect

    name = uuid.uuid4().hex
    job_id = jobs.submit(
        world.a, "testjobs.count", n=4, gate=name, pause_at=2, fail_at_end=True, dispatch=True
    )
    context, page = _signed_in_page(browser, server, world.a.therapist.email, javascript=False)
    try:
        page.goto(f"/jobs/{job_id}")
        expect(page.locator("[data-job-progress-text]")).to_have_text("2 of 4 things counted")
        gate(name).set()
        # No script runs: the <noscript> refresh reloads the page until the job has failed.
        expect(page.locator("[data-job-outcome]")).to_contain_text(
            "Failed: Something went wrong", timeout=15_000
        )
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        _shot(page, "failed-no-js")
    finally:
        context.close()


def test_a_table_the_job_leaves_appears_without_a_reload(browser, server, world, jobs):
    from playwright.sync_api import expect

    name = uuid.uuid4().hex
    job_id = jobs.submit(world.a, "testjobs.table", n=2, refuse=True, gate=name, dispatch=True)
    context, page = _signed_in_page(browser, server, world.a.therapist.email)
    try:
        page.goto(f"/jobs/{job_id}")
        expect(page.locator("[data-job-details]")).to_be_hidden()
        page.evaluate("window.__notReloaded = true")
        gate(name).set()
        expect(page.get_by_role("status")).to_have_text("Failed: 2 things were wrong.")
        table = page.get_by_role("table", name="Things by number")
        expect(table).to_be_visible()
        expect(table.get_by_role("rowheader", name="1")).to_be_visible()
        expect(table.get_by_role("cell", name="thing 1")).to_be_visible()
        assert page.evaluate("window.__notReloaded") is True
        _shot(page, "failed-with-table")
    finally:
        context.close()
