"""Small rules of written English every page keeps, in one place each: a missing value is a dash,
a count agrees with its noun, and a sentence ends with one full stop.

Each is a plain function for Python (flash messages, CSV notes, chart descriptions) and the same
function as a Jinja filter (``register``), so a template never spells a rule out again.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from heartbeat.core.i18n import ngettext, number

MISSING = "\u2014"  # an em dash: "not recorded", in a table cell or next to another value
_STOPS = (".", "!", "?", "\u2026")
_CLOSERS = "\"')]\u201d\u2019"


def or_dash(value: Any) -> Any:
    """``value``, or a dash when there is none (None or empty). Zero is a value: pain 0 is "0"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING
    return value


def plural(count: int | float, singular: str, plural_form: str) -> str:
    """``"1 session"``, ``"3 participants"``, ``"1,204 sessions"``: the count, written in the
    reader's language, and the noun that agrees with it. Both forms are spelt out (they are
    the catalogue's entry: ``plural(n, "person", "people")``); a whole sentence with a count in
    it is one ``ngettext`` instead, so that a translation can order its words."""
    return f"{number(count)} {agree(count, singular, plural_form)}"


def agree(count: int | float, singular: str, plural_form: str) -> str:
    """The word alone, agreeing with ``count``: ``agree(n, "exists", "exist")``."""
    whole = count if isinstance(count, int) else 1 if count == 1 else 2
    return ngettext(singular, plural_form, whole)


def sentence(text: str | None) -> str:
    """``text`` ending with one full stop: "record" and "record." both give "record."; a question
    or an exclamation keeps its own mark. Text people wrote (a reason) is joined to ours with this,
    never with a stop of our own after it."""
    text = (text or "").strip()
    if not text:
        return ""
    if text.rstrip(_CLOSERS).endswith(_STOPS):
        return text
    return text + "."


def register(app: Flask) -> None:
    # A value, not a function: add_template_global is typed for callables.
    app.jinja_env.globals["missing"] = MISSING
    app.add_template_filter(or_dash, "or_dash")
    app.add_template_filter(plural, "plural")
    app.add_template_filter(agree, "agree")
    app.add_template_filter(sentence, "sentence")
