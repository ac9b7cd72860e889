"""Words and numbers: one rule each for a missing value, a count and its noun, a sentence's full
stop and a distance toward a target; and nothing in the app spells those rules out again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string

import heartbeat
from heartbeat.core.units import distance_of_text
from heartbeat.core.wording import MISSING, agree, or_dash, plural, sentence

PACKAGE = Path(heartbeat.__file__).parent


def test_a_missing_value_is_a_dash_and_zero_is_a_value():
    assert or_dash(None) == MISSING == "\u2014"
    assert or_dash("") == or_dash("   ") == MISSING
    assert or_dash(0) == 0 and or_dash(125) == 125 and or_dash("T54") == "T54"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 sessions"), (1, "1 session"), (2, "2 sessions"), (1204, "1,204 sessions")],
)
def test_a_count_agrees_with_its_noun(count, expected):
    assert plural(count, "session", "sessions") == expected


def test_irregular_plurals_and_verbs():
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"
    assert agree(1, "exists", "exist") == "exists" and agree(2, "exists", "exist") == "exist"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Issued to the wrong record", "Issued to the wrong record."),
        ("Issued to the wrong record.", "Issued to the wrong record."),
        ("  Wrong person.  ", "Wrong person."),
        ("Was it ever valid?", "Was it ever valid?"),
        ("Duplicate!", "Duplicate!"),
        ("They said \u201cwrong name.\u201d", "They said \u201cwrong name.\u201d"),
        ("See the note (added later.)", "See the note (added later.)"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_sentence_ends_with_one_stop(text, expected):
    assert sentence(text) == expected


@pytest.mark.parametrize(
    ("done", "target", "units", "expected"),
    [
        (0, 100, "km", "0 m of 100 m"),  # not "0 km of 100 m"
        (40, 400, "km", "40 m of 400 m"),
        (400, 5000, "km", "0.4 km of 5 km"),
        (0, 5000, "km", "0 km of 5 km"),
        (1234.5, 42195, "km", "1.2 km of 42.2 km"),
        (0, 402.336, "mi", "0 mi of 0.25 mi"),
        (1609.344, 16093.44, "mi", "1 mi of 10 mi"),
    ],
)
def test_progress_toward_a_target_uses_one_unit(done, target, units, expected):
    assert distance_of_text(done, target, units) == expected


def test_the_rules_are_filters_in_every_template(app):
    with app.app_context():
        page = render_template_string(
            "{{ 1|plural('session', 'sessions') }}; {{ 3|plural('participant', 'participants') }};"
            " {{ none|or_dash }};"
            " {{ 0|or_dash }}; {{ 'record.'|sentence }}; {{ 2|agree('stays', 'stay') }};"
            " {{ missing }}"
        )
    assert page == "1 session; 3 participants; \u2014; 0; record.; stay; \u2014"


# --- nothing spells the rules out again ------------------------------------------------------

_SOURCES = sorted(
    path
    for path in PACKAGE.rglob("*")
    if path.suffix in {".py", ".html", ".txt"} and "__pycache__" not in path.parts
)


def _lines_matching(pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()[:120]}"
        for path in _SOURCES
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1)
        if pattern.search(line)
    ]


def test_no_text_hedges_its_plural_with_brackets():
    """ "1 session(s)" reads like a database: counts go through ``plural``."""
    hedged = re.compile(r"\b[a-zA-Z]+\(s\)(?=[ .,;:!?'\"<]|$)(?! ?[%}]\}?)")
    assert _lines_matching(hedged) == []


def test_no_template_or_message_picks_its_own_plural_ending():
    """An inline ``'' if n == 1 else 's'`` is the rule spelt out again (and soon got wrong)."""
    ad_hoc = re.compile(
        r"""(['"]s?['"] if [^'"]+ [!=]= 1 else ['"]s?['"])|(['"]s['"] if [^:]+ != 1)"""
    )
    assert _lines_matching(ad_hoc) == []


def test_no_template_writes_a_question_mark_or_its_own_dash_for_a_missing_value():
    ad_hoc = re.compile(r"""or ['"](\?|\u2014|-)['"]|else ['"](\?|\u2014|-)['"]|\\u2014""")
    found = [line for line in _lines_matching(ad_hoc) if not line.startswith("core/wording.py:")]
    assert found == []
