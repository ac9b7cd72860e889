"""The WeasyPrint plumbing under the certificate renderer: what it may fetch, its progress
reports, and the few places where WeasyPrint needs help to be fast on hundreds of pages.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML
from weasyprint.logger import PROGRESS_LOGGER
from weasyprint.urls import URLFetcher, URLFetcherResponse

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSET_SCHEME = "hm-asset"


def _memoised_page_references(self) -> tuple[bytes, ...]:
    kids = self.pages["Kids"]
    cached = self.__dict__.get("_page_references_cache")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        self.__dict__["_page_references_cache"] = cached
    return cached[1]


# pydyf builds ``PDF.page_references`` afresh, from every page, each time it is read, and
# WeasyPrint's PDF tagging reads it for every tagged element: quadratic in the page count, most
# of the time of a tagged batch of hundreds of pages. Pages are only ever appended, so caching
# it by the length of /Kids gives the same tuple.
if isinstance(getattr(pydyf.PDF, "page_references", None), property):
    pydyf.PDF.page_references = property(_memoised_page_references)


class FetchRefused(ValueError):
    """A URL the certificate renderer will not fetch."""


@functools.cache
def _headers(mime: str) -> EmailMessage:
    # Parsed once per type: the e-mail header parser costs more than a small image. Shared
    # read-only (a response only adds a charset to a text body, and ours are bytes).
    headers = EmailMessage()
    headers["Content-Type"] = mime
    return headers


class SandboxedFetcher(URLFetcher):
    """Serves this package's font and style files and in-memory assets; refuses the rest."""

    def __init__(self, assets: dict[str, tuple[bytes, str]] | None = None) -> None:
        # URLFetcher.__init__ builds urllib's handlers (an SSL context among them): costly,
        # and this fetcher opens nothing through them. Set only what WeasyPrint reads.
        request.OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = ("file", ASSET_SCHEME)
        self._fail_on_errors = False
        self._request = None
        self.assets = assets or {}
        self.refused: list[str] = []
        self._roots = (FONTS_DIR, ASSETS_DIR)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == ASSET_SCHEME and url in self.assets:
            body, mime = self.assets[url]
            return URLFetcherResponse(url, body, _headers(mime))
        if parts.scheme == "file" and not parts.netloc:
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self._roots) and path.is_file():
                mime = "text/css" if path.suffix == ".css" else "font/ttf"
                return URLFetcherResponse(url, path.read_bytes(), _headers(mime))
        self.refused.append(url)
        raise FetchRefused(f"certificate rendering does not fetch {url[:200]}")


# --- progress of a long render -------------------------------------------------------------------

_LAYOUT_STEP = "Step 5 - Creating layout - Page "
_PDF_STEP = "Step 6 - Creating PDF"
_progress_users = 0
_progress_saved: tuple[int, bool] | None = None
_progress_lock = threading.Lock()


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's progress log lines (this thread's only) into progress reports."""

    def __init__(self, total: int, report: Callable[[int, int, str], None]) -> None:
        super().__init__(logging.INFO)
        self.thread = threading.get_ident()
        self.total = total
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith(_LAYOUT_STEP):
            page = int(message.removeprefix(_LAYOUT_STEP) or 0)
            self.report(min(page - 1, self.total), self.total + 1, "pages laid out")
        elif message.startswith(_PDF_STEP):
            self.report(self.total, self.total + 1, "pages laid out; writing the file")


@contextlib.contextmanager
def layout_progress(total: int, report: Callable[[int, int, str], None] | None) -> Iterator[None]:
    """Report pages laid out while a render runs in this thread (total + 1 steps: the file)."""
    global _progress_users, _progress_saved
    if report is None:
        yield
        return
    handler = _LayoutProgress(total, report)
    with _progress_lock:
        if _progress_users == 0:
            _progress_saved = (PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate)
            # Keep WeasyPrint's per-page lines out of the application's log.
            PROGRESS_LOGGER.setLevel(logging.INFO)
            PROGRESS_LOGGER.propagate = False
        _progress_users += 1
        PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        with _progress_lock:
            PROGRESS_LOGGER.removeHandler(handler)
            _progress_users -= 1
            if _progress_users == 0 and _progress_saved is not None:
                PROGRESS_LOGGER.setLevel(_progress_saved[0])
                PROGRESS_LOGGER.propagate = _progress_saved[1]


# --- the document class, the collector, the finishing touch --------------------------------------

# The few user-agent rules the certificate template needs. WeasyPrint's full HTML5 sheet has
# hundreds of selectors to match against every element: on a one-page certificate that costs
# more than a fifth of the render. The template is ours, so it can live with a small sheet.
_UA_CSS = """
html, body, section, header, footer, div, p, h1, figure, figcaption { display: block }
head, title, meta, style, script, link, template { display: none }
strong, b { font-weight: bold }
img { overflow: hidden }
"""


class CertificateHTML(HTML):
    _ua_sheet: CSS | None = None

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        if CertificateHTML._ua_sheet is None:
            CertificateHTML._ua_sheet = CSS(string=_UA_CSS)
        return [CertificateHTML._ua_sheet]


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cycle collector while WeasyPrint builds its (large, acyclic-enough) trees.

    A render allocates hundreds of thousands of objects; the collector's full passes over them
    grow with the heap and cost a tenth of a big batch's time. Everything is collected after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def finish_pdf(document, pdf) -> None:
    # WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalogue's /AF.
    associated = pdf.catalog.get("AF")
    if associated:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(associated))
