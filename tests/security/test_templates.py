"""A static scan of every template for what the Content-Security-Policy would block (or what
would need it loosened): inline script bodies, ``on*=`` event handler attributes,
``javascript:`` URLs, ``style=`` attributes and ``<style>`` blocks.

The policy is ``script-src 'self'; style-src 'self'`` with no nonces or hashes, so any of these
would either break in the browser or tempt someone to add ``'unsafe-inline'``. The certificate's
PDF template is the one exception: WeasyPrint renders it on the server with our own stylesheet,
and it is never served to a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import heartbeat

PACKAGE = Path(heartbeat.__file__).parent
# Rendered by WeasyPrint into PDFs, never sent to a browser as HTML.
SERVER_SIDE_ONLY = {"certificates/templates/certificates/pdf/document.html"}
# Emails are sent, never served by the app (no CSP applies in a mail client), and mail clients
# read no stylesheet: their HTML may carry style= attributes. Everything else is still refused.
EMAILS = "templates/email/"

TEMPLATES = sorted(
    path
    for path in PACKAGE.rglob("templates/**/*.html")
    if path.relative_to(PACKAGE).as_posix() not in SERVER_SIDE_ONLY
)

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def _without_jinja_comments(text: str) -> str:
    return re.sub(r"\{#.*?#\}", "", text, flags=re.DOTALL)


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 40
    assert PACKAGE / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_a_template_has_nothing_the_policy_would_block(path):
    text = _without_jinja_comments(path.read_text("utf-8"))
    problems = []
    for attributes, body in SCRIPT.findall(text):
        if body.strip():
            problems.append("an inline <script> body")
        if "src=" not in attributes:
            problems.append("a <script> without src")
    if HANDLER.search(text):
        problems.append("an on*= event handler attribute")
    if STYLE_ATTRIBUTE.search(text) and EMAILS not in path.relative_to(PACKAGE).as_posix():
        problems.append("a style= attribute (use a class in the feature's CSS file)")
    if STYLE_ELEMENT.search(text):
        problems.append("a <style> block (use the feature's CSS file)")
    if JAVASCRIPT_URL.search(text):
        problems.append("a javascript: URL")
    assert not problems, problems


def test_the_scan_catches_each_kind_of_inline_code():
    samples = {
        "<script>alert(1)</script>": SCRIPT,
        '<button type="button" onclick="go()">': HANDLER,
        '<p class="x"\n   style="color: red">': STYLE_ATTRIBUTE,
        "<style>p { color: red }</style>": STYLE_ELEMENT,
        '<a href="javascript:void(0)">': JAVASCRIPT_URL,
    }
    for sample, pattern in samples.items():
        assert pattern.search(sample), sample
    assert not HANDLER.search('<input name="one" data-on="x">')
    assert not STYLE_ATTRIBUTE.search('<link rel="stylesheet" href="/static/css/app.css">')
