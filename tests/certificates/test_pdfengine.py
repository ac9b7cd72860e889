"""The WeasyPrint adapter: it checks the internals it relies on, names the supported versions when
one is missing, changes nothing in the libraries outside a render, and leaves the garbage
collector alone."""

from __future__ import annotations

import gc
import threading
import tomllib
import types
from datetime import UTC, datetime
from pathlib import Path

import pydyf
import pytest
import weasyprint

from heartbeat.certificates import pdfengine, render
from tests.certificates.test_render import page

ORIGINAL_PAGE_REFERENCES = pydyf.PDF.page_references


def _pdf_with_pages(count: int) -> pydyf.PDF:
    pdf = pydyf.PDF()
    for _ in range(count):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    return pdf


def test_the_engine_check_passes_on_the_installed_weasyprint_and_pydyf():
    pdfengine.check_engine()
    pdfengine.check_engine(weasyprint, pydyf)


def test_a_weasyprint_without_a_required_internal_is_refused_naming_the_supported_versions():
    class HTML:  # no _ua_stylesheets
        pass

    fake = types.SimpleNamespace(HTML=HTML, urls=weasyprint.urls)
    with pytest.raises(pdfengine.EngineUnsupported) as refused:
        pdfengine.check_engine(fake, pydyf)
    message = str(refused.value)
    assert "weasyprint>=70,<71" in message and "pydyf>=0.13,<0.14" in message
    assert "weasyprint.HTML._ua_stylesheets" in message
    assert "installed are WeasyPrint 70" in message
    assert "urls.URLFetcher" not in message  # only what is missing is named


def test_a_changed_signature_counts_as_missing():
    class HTML:
        def _ua_stylesheets(self):  # lost its ``forms`` parameter
            return []

    fake = types.SimpleNamespace(HTML=HTML, urls=types.SimpleNamespace())
    with pytest.raises(pdfengine.EngineUnsupported) as refused:
        pdfengine.check_engine(fake, pydyf)
    message = str(refused.value)
    assert "HTML._ua_stylesheets" in message
    assert "urls.URLFetcher " in message and "urls.URLFetcherResponse" in message


def test_a_pydyf_whose_page_references_is_no_longer_a_property_is_refused():
    class PDF:
        def page_references(self):
            return ()

    with pytest.raises(pdfengine.EngineUnsupported, match=r"pydyf\.PDF\.page_references"):
        pdfengine.check_engine(weasyprint, types.SimpleNamespace(PDF=PDF))


def test_the_pins_in_pyproject_are_the_ranges_the_adapter_names():
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert pdfengine.WEASYPRINT_PIN in dependencies
    assert pdfengine.PYDYF_PIN in dependencies


def test_importing_the_adapter_patches_nothing():
    assert pydyf.PDF.page_references is ORIGINAL_PAGE_REFERENCES
    assert pydyf.PDF.page_references.fget.__module__ == "pydyf"
    assert weasyprint.HTML._ua_stylesheets.__module__ == "weasyprint"


def test_the_memoised_page_references_are_pydyfs_even_as_pages_are_added():
    with pdfengine.tagging_speedup():
        pdf = _pdf_with_pages(3)
        first = pdf.page_references
        assert first == ORIGINAL_PAGE_REFERENCES.fget(pdf)
        assert pdf.page_references is first  # memoised
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == ORIGINAL_PAGE_REFERENCES.fget(pdf)
        assert len(pdf.page_references) == 4
    assert pydyf.PDF.page_references is ORIGINAL_PAGE_REFERENCES


def test_during_a_render_gc_stays_on_and_other_threads_get_pydyfs_own_page_references(app):
    seen = []

    def another_thread_reads():
        pdf = _pdf_with_pages(2)
        assert len(pdf.page_references) == 2
        seen.append(("other thread cached", "_hm_page_references" in pdf.__dict__))

    def report(done, total, label):
        seen.append(("gc on", gc.isenabled()))
        seen.append(("override on", pydyf.PDF.page_references is not ORIGINAL_PAGE_REFERENCES))
        if len(seen) == 2:
            thread = threading.Thread(target=another_thread_reads)
            thread.start()
            thread.join()

    with app.app_context(), render.layout_progress(1, report):
        render.render_pdf(
            [page()], title="t", subject="s", author="a", created=datetime(2026, 6, 2, tzinfo=UTC)
        )
    assert ("gc on", True) in seen and ("gc on", False) not in seen
    assert ("override on", True) in seen
    assert ("other thread cached", False) in seen
    assert gc.isenabled()
    assert pydyf.PDF.page_references is ORIGINAL_PAGE_REFERENCES
