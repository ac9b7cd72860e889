"""A new centre's default content in its own language (tests/progress, tests/plans,
tests/measures): the translations of ``heartbeat/translations/parts/seeding.json`` as the app
reads them, whether or not they are compiled into the catalogues yet (they are once the part is
merged, and then this changes nothing), and what a centre was seeded with."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import get_translations

from heartbeat.core.i18n import DEFAULT_LANGUAGE, speaking

PART = Path(__file__).resolve().parents[1] / "heartbeat/translations/parts/seeding.json"


@cache
def _part() -> dict[str, dict[str, str]]:
    return json.loads(PART.read_text(encoding="utf-8"))


def install(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The part's translations in the app's catalogues, for the test that asks."""
    with app.app_context():
        for language, texts in _part().items():
            with speaking(language):
                catalogue = get_translations()._catalog
            for english, text in texts.items():
                monkeypatch.setitem(catalogue, english, text)


def translated(language: str, english: object) -> str:
    """``english`` (a spec's lazy text or a string) as a centre in ``language`` is seeded."""
    with speaking(DEFAULT_LANGUAGE):
        english = str(english)
    return english if language == DEFAULT_LANGUAGE else _part()[language][english]
