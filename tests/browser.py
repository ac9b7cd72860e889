"""The one Chromium for the whole test run, shared by every browser test (tests/e2e, tests/jobs).

Registered as a plugin in tests/conftest.py rather than defined in a package's conftest: a fixture
imported into a second module would be a second fixture, and two live sync Playwright instances
in one process refuse to start ("Sync API inside the asyncio loop").
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
REFLOW = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px wide, no sideways scrolling
SCREENSHOT_DIR = Path(__file__).resolve().parent / "artifacts" / "screenshots"


def browser_unavailable(reason: str):
    """Skip on a developer's machine; on CI a missing browser is a broken build, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests need Chromium and Playwright: {reason}")


@pytest.fixture(scope="session")
def sync_playwright_module():
    try:
        from playwright import sync_api
    except ImportError as error:  # pragma: no cover - depends on the machine
        browser_unavailable(f"playwright cannot be imported ({error})")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        browser_unavailable(f"{CHROMIUM} is missing")
    return sync_api


@pytest.fixture(scope="session")
def browser(sync_playwright_module):
    with sync_playwright_module.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as error:
            browser_unavailable(f"Chromium did not start ({error})")
        yield chromium
        chromium.close()
