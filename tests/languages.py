"""English left on a translated page: the phrases of the catalogue's English messages (three words
or more, split at placeholders and tags) that a language's translation does not contain, looked
for in a page's visible text. Used by the crawl of every page (tests/security) and the browser
journeys (tests/e2e)."""

from __future__ import annotations

import html
import re
from functools import cache

import sqlalchemy as sa
from babel.messages.pofile import read_po
from babel.support import Translations

from heartbeat.devtools import i18n as tools
from heartbeat.extensions import db

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\w*\}|%%")
_HIDDEN = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_WORDS = re.compile(r"[^\W\d_]+")


@cache
def english_phrases(language: str) -> tuple[str, ...]:
    """Phrases of the English messages that their ``language`` translation does not contain."""
    with (tools.TEMPLATE_POT).open("rb") as stream:
        template = read_po(stream)
    translations = Translations.load(str(tools.CATALOGUES), [language])
    phrases: set[str] = set()
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(
            [translations.ngettext(ids[0], ids[1], n) for n in (1, 2)]
            if len(ids) == 2
            else [translations.gettext(ids[0])]
        )
        translated = " ".join(html.unescape(_TAG.sub(" ", translated)).split())
        for english in ids:
            for piece in _PLACEHOLDER.split(html.unescape(_TAG.sub(" ", english))):
                phrase = " ".join(piece.split()).strip(" .,:;()\u2014-")
                if len(_WORDS.findall(phrase)) >= 3 and phrase not in translated:
                    phrases.add(phrase)
    return tuple(sorted(phrases))


def visible_text(page: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page))).split())


def english_on(page: str, language: str) -> list[str]:
    text = visible_text(page)
    # Whole words: "connexion Heartbeat Miles" does not hold "on Heartbeat Miles".
    return [
        phrase
        for phrase in english_phrases(language)
        if phrase in text and re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
    ]


def stored_text(app) -> str:
    """Every text value in the database: what people (and the seeded ladder and plan library of
    a centre made in English) wrote, shown as written."""
    values: list[str] = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            if columns:
                for row in db.session.execute(sa.select(*columns)):
                    values += [v for v in row if isinstance(v, str)]
    return "\n".join(values)
