"""Languages: the words of every page, email and certificate in the reader's language.

The text is English in the code, marked for translation, and looked up in gettext catalogues
(``heartbeat/translations/<language>/LC_MESSAGES/messages.po``, made and checked with the
``make i18n-*`` targets). Python marks text with ``_`` (now) or ``_l`` (lazily, for form labels
and other text defined before any request), counts with ``ngettext``; templates use
``{% trans %}…{% endtrans %}``, ``_()`` and ``ngettext()`` — the same functions.

Which language a request speaks is decided once, by the selector the app registers
(``auth/viewer.py``: the person's choice, else their centre's, else the browser's). Work outside a
request (an email sent by the worker, a certificate printed by a command) wraps itself in
``speaking(language)``.

Numbers and dates follow the language too: ``number`` (``1,204`` / ``1.204`` / ``1 204``),
``decimal_text`` and ``date_text`` (strftime patterns, written in English order, drawn with the
language's month names). English keeps Python's own formatting, byte for byte what the pages
printed before they were translated, and the fast path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from flask import Flask, has_app_context
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup, escape

DEFAULT_LANGUAGE = "en"
# Each in its own name: a person looking for their language reads it in that language.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français"}
# What ``<html lang>`` says: the English is British (the spelling of the text).
HTML_LANG = {"en": "en-GB", "es": "es", "fr": "fr"}


def supported(code: str | None) -> str | None:
    """``code`` if the app speaks it (``"es-MX"`` counts as ``"es"``), else None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def _babel_state() -> Any:
    """Flask-Babel's per-context record (``g._flask_babel``: the locale it chose, or the one a
    ``speaking`` block forced), read without its proxies: pages look text up hundreds of times."""
    app_context = _cv_app.get(None)
    return None if app_context is None else app_context.g.__dict__.get("_flask_babel")


def _translations() -> Any:
    """The catalogue of the current language, kept beside the locale it belongs to (a
    ``speaking`` block or ``refresh`` changes the locale, and the next lookup follows)."""
    state = _babel_state()
    if state is not None:
        seen = state.__dict__
        cached = seen.get("heartbeat_translations")
        if cached is not None and cached[0] is seen.get("babel_locale") is not None:
            return cached[1]
    translations = get_translations()
    state = _babel_state()
    if state is not None:
        state.heartbeat_translations = (state.__dict__.get("babel_locale"), translations)
    return translations


def current_language() -> str:
    """The language of this request, or of the ``speaking`` block around this code."""
    state = _babel_state()
    if state is not None and (chosen := state.__dict__.get("babel_locale")) is not None:
        return str(chosen.language)
    if not has_app_context():
        return DEFAULT_LANGUAGE
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Everything inside (text, numbers, dates) in ``language`` (the default if not spoken)."""
    with force_locale(supported(language) or DEFAULT_LANGUAGE):
        yield


def in_english(function: Any) -> Any:
    """``function`` always runs in English: what it writes is read by machines and other
    systems (a signed credential, an interchange file), whoever asked for it."""

    @functools.wraps(function)
    def english(*args: Any, **kwargs: Any) -> Any:
        with speaking(DEFAULT_LANGUAGE):
            return function(*args, **kwargs)

    return english


# --- text --------------------------------------------------------------------------------------

# Counts read as numbers of the language ("1,204 sessions", "1.204 sesiones"); other
# placeholders are passed in already written (a year is never "2,026").
_COUNTS = ("num", "count")


def _counted(variables: dict[str, Any]) -> dict[str, Any]:
    for key in _COUNTS:
        value = variables.get(key)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            variables[key] = number(value)
    return variables


def gettext(message: str, **variables: Any) -> str:
    text: str = _translations().ugettext(message)
    return text % _counted(variables) if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text: str = _translations().ungettext(singular, plural, num)
    return text % _counted(variables)


def pgettext(context: str, message: str, **variables: Any) -> str:
    text: str = _translations().upgettext(context, message)
    return text % _counted(variables) if variables else text


_ = gettext


class LazyText(LazyString):  # type: ignore[misc]  # flask_babel ships no types
    """Text looked up each time it is read. In HTML it is text, escaped like any string (Flask-
    Babel's own lazy string calls itself markup, which would let a value put into it, such as a
    centre's name, write tags)."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(message: str, **variables: Any) -> Any:
    """Text looked up when it is read (a form label, made once, read in each request's language)."""
    return LazyText(gettext, message, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables: Any) -> Any:
    return LazyText(ngettext, singular, plural, num, **variables)


def lazy_pgettext(context: str, message: str, **variables: Any) -> Any:
    """Lazy text with a context: the same English word meaning two things ("Hard" gloves, a
    "Hard" session) is two messages, each translated for its own noun."""
    return LazyText(pgettext, context, message, **variables)


_l = lazy_gettext
_lp = lazy_pgettext

# Monday first (``date.weekday()``), read in the reader's language: the choices of a day.
WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


# Templates: Jinja's i18n extension (``{% trans %}``, ``_()``, ``ngettext()``) calls these with
# the values as keywords. In an HTML template the text is markup and the values are escaped
# (unless they are markup themselves); a plain-text email gets plain text. Like Jinja's own
# "new style" gettext, the values are always applied: a bare "%" is written "%%".
@pass_context
def _template_gettext(context: Any, message: str, **variables: Any) -> str:
    return _fill(context, _translations().ugettext(message), variables)


@pass_context
def _template_ngettext(context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _fill(context, _translations().ungettext(singular, plural, num), variables)


@pass_context
def _template_pgettext(context: Any, message_context: str, message: str, **variables: Any) -> str:
    return _fill(context, _translations().upgettext(message_context, message), variables)


def _fill(context: Any, text: str, variables: dict[str, Any]) -> str:
    if context.eval_ctx.autoescape:
        # The catalogue's text is ours (markup by design); the values are escaped by ``%``.
        return Markup(text) % _counted(variables)  # noqa: S704  # nosec B704
    return text % _counted(variables)


# --- numbers and dates -------------------------------------------------------------------------


def _locale() -> Locale:
    return Locale.parse(current_language())


def number(value: int | float | Decimal) -> str:
    """A count with the language's grouping: ``1,204`` (en), ``1.204`` (es), ``1 204`` (fr)."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return f"{value:,}"
    return format_decimal(value, locale=language)


def decimal_text(value: float | Decimal, places: int | None = None) -> str:
    """A measured value with the language's decimal sign: ``7.2`` / ``7,2``; ``places`` fixes
    the digits after it (English: Python's ``f"{value:,.{places}f}"``)."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return f"{value:,}" if places is None else f"{value:,.{places}f}"
    pattern = None if places is None else "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=language, decimal_quantization=True)


# strftime directives as CLDR patterns (what Babel draws dates with).
_CLDR = {
    "d": "dd",
    "-d": "d",
    "e": "d",
    "b": "MMM",
    "B": "MMMM",
    "Y": "y",
    "y": "yy",
    "m": "MM",
    "H": "HH",
    "M": "mm",
    "S": "ss",
    "a": "EEE",
    "A": "EEEE",
    "p": "a",
    "I": "hh",
    "Z": "z",
}
_DIRECTIVE = re.compile(r"%(-?[a-zA-Z%])")


def _cldr_pattern(strftime_pattern: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _DIRECTIVE.finditer(strftime_pattern):
        literal = strftime_pattern[position : match.start()]
        if literal:
            parts.append(_quoted(literal))
        code = match.group(1)
        parts.append("%" if code == "%" else _CLDR.get(code, ""))
        position = match.end()
    if position < len(strftime_pattern):
        parts.append(_quoted(strftime_pattern[position:]))
    return "".join(parts)


def _quoted(literal: str) -> str:
    if not re.search(r"[A-Za-z']", literal):
        return literal
    return "'" + literal.replace("'", "''") + "'"


def date_text(value: date | datetime | time, pattern: str) -> str:
    """``value`` drawn with a strftime ``pattern`` in the current language: ``"%d %b %Y"`` is
    ``02 Dec 2026`` in English, ``02 dic 2026`` in Spanish, ``02 déc. 2026`` in French. The
    pattern's order is kept (a page's layout decides it), only the words change."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return value.strftime(pattern)
    cldr = _cldr_pattern(pattern)
    if isinstance(value, datetime):
        return format_datetime(value, cldr, tzinfo=value.tzinfo, locale=language)
    if isinstance(value, date):
        return format_date(value, cldr, locale=language)
    return format_time(value, cldr, locale=language)


# --- wiring ------------------------------------------------------------------------------------


def html_lang() -> str:
    return HTML_LANG.get(current_language(), current_language())


def language_name(code: str | None) -> str:
    return LANGUAGES.get(code or "", code or "")


def register(app: Flask, locale_selector: Any) -> None:
    """Flask-Babel with the app's catalogues and ``locale_selector``, and the template side:
    ``{% trans %}``, ``_``, ``ngettext``, ``number``, ``html_lang``."""
    Babel(app, locale_selector=locale_selector, configure_jinja=False)
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    # A {% trans %} block's message is its text with the layout's whitespace folded.
    env.policies["ext.i18n.trimmed"] = True
    # Our own callables, not Jinja's wrappers of them: counts are numbers of the language.
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # added by the extension
    env.globals.update(
        gettext=_template_gettext,
        _=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
    )
    app.add_template_filter(number, "number")
    app.add_template_filter(decimal_text, "decimal_text")
    app.add_template_filter(date_text, "date_text")
    app.add_template_global(html_lang, "html_lang")
    app.add_template_global(current_language, "current_language")
    app.add_template_global(language_name, "language_name")


def check_locale(code: str) -> None:
    """Raise if Babel has no data for ``code`` (a typo in ``LANGUAGES``)."""
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(f"no locale data for {code!r}") from error
