"""The catalogues' tools: extract the text marked for translation, find text left unmarked, check
that every language says everything, fill catalogues from translators' files.

``python -m heartbeat.devtools.i18n check`` is what ``make lint`` and CI run: it fails when a
template has text outside ``{% trans %}`` / ``_()``, when a catalogue lacks a message or has an
empty, fuzzy or badly formatted one, or when a compiled ``.mo`` is older than its ``.po``.
``fill FILE.json…`` copies translations into the catalogues (``{"es": {msgid: text or
[forms]}, "fr": {…}}``); ``scan [PATH…]`` lists unmarked template text; ``todo PATH…
[PART.json…]`` prints the messages marked in those paths that the part files do not translate
yet; ``update`` re-extracts and merges the catalogues; ``compile`` writes the ``.mo`` files the
app reads (kept in git, checked for freshness).
"""

from __future__ import annotations

import json
import re
import subprocess  # nosec B404: runs pybabel from this virtualenv, with fixed arguments
import sys
import tempfile
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment, nodes
from jinja2.ext import babel_extract

from heartbeat.core.wording import plural

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "heartbeat"
CATALOGUES = PACKAGE / "translations"
TEMPLATE_POT = CATALOGUES / "messages.pot"
TRANSLATED = ("es", "fr")
# What marks text in Python and templates, beyond gettext's own names.
KEYWORDS = (
    "_",
    "_l",
    "gettext",
    "lazy_gettext",
    "ngettext:1,2",
    "lazy_ngettext:1,2",
    "pgettext:1c,2",
    "_lp:1c,2",
    "lazy_pgettext:1c,2",
    "plural:2,3",
    "agree:2,3",
)


# --- extraction --------------------------------------------------------------------------------

_COUNT_FILTERS = {"plural", "agree"}


def extract_templates(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel's Jinja extractor, made strict (a template that does not parse stops extraction),
    plus the ``plural``/``agree`` filters: ``{{ n|plural("day", "days") }}`` is a message."""
    source = fileobj.read()
    options = {**options, "silent": "false", "trimmed": "true", "newstyle_gettext": "true"}
    yield from babel_extract(_Bytes(source), keywords, comment_tags, options)  # type: ignore[arg-type]
    # Parsed, never rendered: escaping does not arise.
    environment = Environment(extensions=["jinja2.ext.i18n"])  # noqa: S701  # nosec B701
    tree = environment.parse(source.decode("utf-8"))
    for node in tree.find_all(nodes.Filter):
        if node.name not in _COUNT_FILTERS:
            continue
        words = [arg.value for arg in node.args if isinstance(arg, nodes.Const)]
        if len(words) == 2 and len(node.args) == 2 and all(isinstance(w, str) for w in words):
            yield node.lineno, "ngettext", (words[0], words[1]), []


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, *_: Any) -> bytes:
        return self._data


def extract(destination: Path) -> None:
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *(f"-k{keyword}" for keyword in KEYWORDS),
        "--no-default-keywords",
        "--sort-by-file",
        "--project=Heartbeat Miles",
        "--copyright-holder=Heartbeat Miles",
        "-o",
        str(destination),
        "heartbeat",
    )


def update() -> None:
    """The template from the code, and each catalogue brought in line with it (new messages
    empty, gone ones dropped; nothing guessed: no fuzzy matching)."""
    extract(TEMPLATE_POT)
    for language in TRANSLATED:
        verb = "update" if _catalogue_path(language).exists() else "init"
        extra = ("--no-fuzzy-matching", "--ignore-obsolete") if verb == "update" else ()
        _pybabel(
            verb,
            "-i",
            str(TEMPLATE_POT),
            "-d",
            str(CATALOGUES),
            "-l",
            language,
            "-w",
            "100",
            *extra,
        )


def _pybabel(*arguments: str) -> None:
    subprocess.run(  # noqa: S603  # nosec B603: our own arguments
        [str(Path(sys.executable).with_name("pybabel")), "-q", *arguments], check=True, cwd=ROOT
    )


# --- unmarked text in templates ----------------------------------------------------------------

_TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
_COMMENT = re.compile(r"{#.*?#}", re.S)
_JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
_WORD = re.compile(r"[^\W\d_]{2,}")
# Words that are the same in every language the app speaks: units, the brand, a symbol.
_SAME_EVERYWHERE = {
    "Heartbeat Miles",
    "km",
    "mi",
    "m",
    "km/h",
    "mph",
    "kg",
    "cm",
    "bpm",
    "RPE",
    "PDF",
    "CSV",
    "JSON",
    "GPX",
    "TCX",
    "FIT",
    "ICS",
    "QR",
    "OK",
    "T51",
    "T52",
    "T53",
    "T54",
}
_PROSE_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description", "summary"}


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            if name in _PROSE_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._check(data)

    def _check(self, text: str) -> None:
        text = " ".join(text.replace("\x00", " ").replace("Heartbeat Miles", " ").split())
        words = [w for w in _WORD.findall(text) if w not in _SAME_EVERYWHERE]
        if words and text not in _SAME_EVERYWHERE:
            self.found.append((self.getpos()[0], text))


def _blank(match: re.Match[str]) -> str:
    # Keep the line numbers: a construct becomes a placeholder with its newlines.
    return "\x00" + "\n" * match.group(0).count("\n")


def bare_text(path: Path) -> list[tuple[int, str]]:
    """Text in a template that no one marked for translation: (line, text)."""
    source = path.read_text(encoding="utf-8")
    for pattern in (_COMMENT, _TRANS_BLOCK, _JINJA):
        source = pattern.sub(_blank, source)
    finder = _TextFinder()
    finder.feed(source)
    finder.close()
    return finder.found


def templates(paths: Iterable[Path] = ()) -> list[Path]:
    roots = list(paths) or [PACKAGE]
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
            continue
        found += [
            p
            for p in sorted(root.rglob("*"))
            if "templates" in p.parts and p.suffix in (".html", ".txt", ".svg", ".xml")
        ]
    return found


# --- catalogues --------------------------------------------------------------------------------


def _catalogue_path(language: str, suffix: str = "po") -> Path:
    return CATALOGUES / language / "LC_MESSAGES" / f"messages.{suffix}"


def _load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as stream:
        return read_po(stream, locale=locale)


def problems() -> list[str]:
    found = [
        f"{path.relative_to(ROOT)}:{line}: not marked for translation: {text!r}"
        for path in templates()
        for line, text in bare_text(path)
    ]
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "messages.pot"
        extract(fresh)
        wanted = _load(fresh)
    for language in TRANSLATED:
        po_path = _catalogue_path(language)
        if not po_path.exists():
            found.append(f"{po_path.relative_to(ROOT)}: missing")
            continue
        catalogue = _load(po_path, language)
        for message in wanted:
            if not message.id:
                continue
            have = catalogue.get(message.id, message.context)
            where = f"{language}: {message.id!r}"
            if have is None:
                found.append(f"{where}: not in the catalogue (make i18n-update, then translate)")
            elif have.fuzzy:
                found.append(f"{where}: fuzzy (check the translation, then drop the flag)")
            elif not _translated(have.string):
                found.append(f"{where}: not translated")
        for message, errors in catalogue.check():
            found += [f"{language}: {message.id!r}: {error}" for error in errors]
        mo_path = _catalogue_path(language, "mo")
        if not mo_path.exists() or mo_path.read_bytes() != _compiled(catalogue):
            found.append(f"{mo_path.relative_to(ROOT)}: out of date (make i18n-compile)")
    return found


def _translated(string: Any) -> bool:
    if isinstance(string, tuple | list):
        return all(part.strip() for part in string)
    return bool(string and string.strip())


def _compiled(catalogue: Catalog) -> bytes:
    with tempfile.TemporaryFile() as stream:
        write_mo(stream, catalogue)
        stream.seek(0)
        return stream.read()


def compile_all() -> None:
    for language in TRANSLATED:
        catalogue = _load(_catalogue_path(language), language)
        _catalogue_path(language, "mo").write_bytes(_compiled(catalogue))


def _key(message: Any) -> str:
    """A message's key in translators' files: its English (the singular of a count), after its
    context and a U+0004 when it has one (gettext's own way of writing the pair)."""
    english = str(message.id[0] if isinstance(message.id, list | tuple) else message.id)
    return f"{message.context}\x04{english}" if message.context else english


def fill(files: Iterable[Path]) -> list[str]:
    """Copy translations from translators' JSON files into the catalogues; returns what is
    still missing."""
    given: dict[str, dict[str, Any]] = {language: {} for language in TRANSLATED}
    for path in files:
        for language, entries in json.loads(path.read_text(encoding="utf-8")).items():
            given.setdefault(language, {}).update(entries)
    missing: list[str] = []
    for language in TRANSLATED:
        po_path = _catalogue_path(language)
        catalogue = _load(po_path, language)
        for message in catalogue:
            if not message.id:
                continue
            key = _key(message)
            text = given[language].get(key)
            if text is None:
                if not _translated(message.string):
                    missing.append(f"{language}: {key!r}")
                continue
            if isinstance(message.id, tuple):
                # Given as [one, other]; the languages' other forms ("many": a million
                # sessions) read as the plural.
                one, other = (text, text) if isinstance(text, str) else (text[0], text[-1])
                message.string = (one, *[other] * (catalogue.num_plurals - 1))
            else:
                message.string = text if isinstance(text, str) else text[0]
            message.flags.discard("fuzzy")
        with po_path.open("wb") as stream:
            write_po(stream, catalogue, width=100, sort_by_file=True)
    return missing


def todo(paths: list[str], have: list[Path]) -> dict[str, Any]:
    """The messages marked in ``paths`` (files or folders) that ``have`` (translators' JSON
    files) does not translate yet, as a skeleton to fill: ``{msgid: ""}``, ``{singular: ["",
    ""]}`` for a count."""
    known: set[str] = set()
    for path in have:
        if path.exists():
            known |= set(json.loads(path.read_text(encoding="utf-8")).get("es", {}))
    prefixes = [str(Path(p).resolve().relative_to(ROOT)) for p in paths]
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "messages.pot"
        extract(fresh)
        wanted = _load(fresh)
    skeleton: dict[str, Any] = {}
    for message in wanted:
        if not message.id:
            continue
        key = _key(message)
        if key in known or not any(
            where.startswith(prefix) for where, _ in message.locations for prefix in prefixes
        ):
            continue
        skeleton[key] = ["", ""] if isinstance(message.id, tuple) else ""
    return skeleton


def main(argv: list[str]) -> int:
    command, *rest = argv or ["check"]
    if command == "todo":
        paths = [p for p in rest if not p.endswith(".json")]
        have = [Path(p) for p in rest if p.endswith(".json")]
        print(json.dumps(todo(paths, have), ensure_ascii=False, indent=1))
        return 0
    if command == "scan":
        found = templates(Path(p) for p in rest)
        lines = [f"{p}:{line}: {text!r}" for p in found for line, text in bare_text(p)]
    elif command == "fill":
        lines = fill(Path(p) for p in rest)
    elif command == "update":
        update()
        lines = []
    elif command == "compile":
        compile_all()
        lines = []
    else:
        lines = problems()
    for line in lines:
        print(line)
    if lines:
        print(f"{plural(len(lines), 'problem', 'problems')}", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
