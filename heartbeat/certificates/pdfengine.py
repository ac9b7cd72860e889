"""The one adapter between the certificate renderer and WeasyPrint (with pydyf under it).

Every reliance on a library's private parts lives here and nowhere else, and importing this module
changes nothing in either library:

- ``CertificateHTML`` overrides WeasyPrint's private ``HTML._ua_stylesheets`` in a subclass, so
  the certificate template is matched against a small user-agent sheet instead of the full one;
- ``tagging_speedup()`` memoises pydyf's ``PDF.page_references`` for the duration of one render,
  and only for the thread that renders (see ``_ScopedPageReferences``);
- ``finish_pdf`` goes through WeasyPrint's public ``finisher`` hook.

``check_engine`` verifies that those private parts exist; the app runs it when the certificates
blueprint is registered, and ``render`` runs it again before the first render, so an upgrade that
removes one fails at start with a message naming the supported versions, not mid-batch.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import inspect
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PACKAGE_DIR = Path(__file__).resolve().parent
FONTS_DIR = PACKAGE_DIR / "fonts"
ASSETS_DIR = PACKAGE_DIR / "assets"
ASSET_SCHEME = "hm-asset"

# The tested ranges, the same strings as the pins in pyproject.toml (a test keeps them equal).
WEASYPRINT_PIN = "weasyprint>=70,<71"
PYDYF_PIN = "pydyf>=0.13,<0.14"


# --- the start-up check -------------------------------------------------------------------------


class EngineUnsupported(RuntimeError):
    """The installed WeasyPrint or pydyf lacks an internal the certificate renderer relies on."""


def _has_parameters(*names: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        try:
            parameters = inspect.signature(value).parameters
        except (TypeError, ValueError):
            return False
        return all(name in parameters for name in names)

    return check


@dataclass(frozen=True)
class Internal:
    library: str  # "weasyprint" or "pydyf"
    path: str  # attribute path from the library's top-level module
    usable: Callable[[Any], bool]
    purpose: str


REQUIRED: tuple[Internal, ...] = (
    Internal(
        "weasyprint",
        "HTML._ua_stylesheets",
        _has_parameters("self", "forms"),
        "the certificate's small user-agent style sheet",
    ),
    Internal(
        "weasyprint",
        "urls.URLFetcher",
        _has_parameters("timeout", "allowed_protocols", "allow_redirects", "fail_on_errors"),
        "the sandboxed fetcher of fonts and images",
    ),
    Internal("weasyprint", "urls.URLFetcherResponse", callable, "the sandboxed fetcher"),
    Internal(
        "pydyf",
        "PDF.page_references",
        lambda value: isinstance(value, property) and value.fget is not None,
        "tagging large batches in linear time",
    ),
)


def _lookup(module: Any, path: str) -> Any:
    value = module
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _installed(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def check_engine(
    weasyprint_module: ModuleType | Any = weasyprint, pydyf_module: ModuleType | Any = pydyf
) -> None:
    """Raise ``EngineUnsupported`` unless every internal in ``REQUIRED`` is there and usable.

    The modules are parameters so a test can hand in a stand-in without touching the real ones.
    """
    modules = {"weasyprint": weasyprint_module, "pydyf": pydyf_module}
    missing = []
    for internal in REQUIRED:
        try:
            usable = internal.usable(_lookup(modules[internal.library], internal.path))
        except AttributeError:
            usable = False
        if not usable:
            missing.append(f"{internal.library}.{internal.path} ({internal.purpose})")
    if missing:
        raise EngineUnsupported(
            "Certificate rendering supports "
            f"{WEASYPRINT_PIN} with {PYDYF_PIN}; installed are WeasyPrint "
            f"{_installed('weasyprint')} and pydyf {_installed('pydyf')}, which lack "
            f"{'; '.join(missing)}. Install a supported version "
            f'(pip install "{WEASYPRINT_PIN}" "{PYDYF_PIN}").'
        )


@functools.cache
def ensure_engine() -> None:
    """``check_engine`` on the installed libraries, once per process."""
    check_engine()


# --- linear-time tagging, for one render at a time ----------------------------------------------


class _ScopedPageReferences:
    """Memoises ``pydyf.PDF.page_references`` while, and where, a certificate renders.

    pydyf rebuilds that tuple from every page each time it is read, and WeasyPrint's PDF tagging
    reads it for every tagged element: quadratic in the page count, most of the time of a tagged
    batch of hundreds of pages. WeasyPrint only appends pages, so a tuple cached by the length of
    /Kids is the one pydyf would build. The memoising property is put on the class when the
    first render starts and taken off when the last one ends; while it is on, every other thread
    still gets pydyf's own computation.
    """

    _CACHE = "_hm_page_references"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth: dict[int, int] = {}
        self._original: property | None = None

    def _memoised(self, original: property) -> property:
        depth = self._depth

        def page_references(pdf: Any) -> Any:
            if threading.get_ident() not in depth:
                return original.fget(pdf)  # type: ignore[misc]  # pydyf's property has a getter
            kids = pdf.pages["Kids"]
            cached = pdf.__dict__.get(self._CACHE)
            if cached is None or cached[0] is not kids or cached[1] != len(kids):
                cached = (kids, len(kids), original.fget(pdf))  # type: ignore[misc]  # as above
                pdf.__dict__[self._CACHE] = cached
            return cached[2]

        return property(page_references, doc=original.__doc__)

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._lock:
            if not self._depth:
                self._original = pydyf.PDF.page_references
                pydyf.PDF.page_references = self._memoised(self._original)
            self._depth[me] = self._depth.get(me, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._depth[me] -= 1
                if not self._depth[me]:
                    del self._depth[me]
                if not self._depth and self._original is not None:
                    pydyf.PDF.page_references = self._original
                    self._original = None


_page_references = _ScopedPageReferences()


def tagging_speedup() -> contextlib.AbstractContextManager[None]:
    """Within this block, this thread's PDF tagging reads page references in constant time."""
    return _page_references.active()


# --- fetching ------------------------------------------------------------------------------------


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
        super().__init__(
            timeout=1,
            allowed_protocols=("file", ASSET_SCHEME),
            allow_redirects=False,
            fail_on_errors=False,
        )
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

# WeasyPrint's documented progress logger, by name.
_PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")
_LAYOUT_STEP = "Step 5 - Creating layout - Page "
_PDF_STEP = "Step 6 - Creating PDF"
WRITING_THE_FILE = "Writing the file"
_progress_users = 0
_progress_saved: tuple[int, bool] | None = None
_progress_lock = threading.Lock()


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's progress log lines (this thread's only) into progress reports.

    A page is laid out per item (``what``: "certificates"), so pages count the items the person
    asked for; writing the file is a step of its own with no count (``total`` 0), never one more
    item.
    """

    def __init__(self, total: int, report: Callable[[int, int, str], None], what: str) -> None:
        super().__init__(logging.INFO)
        self.thread = threading.get_ident()
        self.total = total
        self.report = report
        self.what = what

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith(_LAYOUT_STEP):
            # Logged as page N starts: N - 1 are done.
            page = int(message.removeprefix(_LAYOUT_STEP) or 0)
            self.report(min(page - 1, self.total), self.total, self.what)
        elif message.startswith(_PDF_STEP):
            self.report(self.total, self.total, self.what)
            self.report(0, 0, WRITING_THE_FILE)


@contextlib.contextmanager
def layout_progress(
    total: int, report: Callable[[int, int, str], None] | None, what: str = "pages"
) -> Iterator[None]:
    """Report ``what`` laid out (a page each) while a render runs in this thread, then the file.

    ``report(done, total, what)`` for the pages, then ``report(0, 0, "Writing the file")``: a
    step without a count, as a job's progress takes it.
    """
    global _progress_users, _progress_saved
    if report is None:
        yield
        return
    handler = _LayoutProgress(total, report, what)
    with _progress_lock:
        if _progress_users == 0:
            _progress_saved = (_PROGRESS_LOGGER.level, _PROGRESS_LOGGER.propagate)
            # Keep WeasyPrint's per-page lines out of the application's log.
            _PROGRESS_LOGGER.setLevel(logging.INFO)
            _PROGRESS_LOGGER.propagate = False
        _progress_users += 1
        _PROGRESS_LOGGER.addHandler(handler)
    try:
        yield
    finally:
        with _progress_lock:
            _PROGRESS_LOGGER.removeHandler(handler)
            _progress_users -= 1
            if _progress_users == 0 and _progress_saved is not None:
                _PROGRESS_LOGGER.setLevel(_progress_saved[0])
                _PROGRESS_LOGGER.propagate = _progress_saved[1]


# --- the document class and the finishing touch --------------------------------------------------

# The few user-agent rules the certificate template needs. WeasyPrint's full HTML5 sheet has
# hundreds of selectors to match against every element: on a one-page certificate that costs
# more than a fifth of the render. The template is ours, so it can live with a small sheet.
_UA_CSS = """
html, body, section, header, footer, div, p, h1, figure, figcaption { display: block }
head, title, meta, style, script, link, template { display: none }
strong, b { font-weight: bold }
img { overflow: hidden }
"""


@functools.cache
def _ua_sheet() -> CSS:
    return CSS(string=_UA_CSS)


class CertificateHTML(HTML):
    """WeasyPrint's ``HTML`` with the small user-agent sheet (``check_engine`` vouches for it)."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_ua_sheet()]


def finish_pdf(document: Any, pdf: Any) -> None:
    """The ``finisher`` of ``write_pdf``: its last look at the PDF before the file is written."""
    # WeasyPrint 70 lists each PDF/A-3 associated file twice in the catalogue's /AF.
    associated = pdf.catalog.get("AF")
    if associated:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(associated))
