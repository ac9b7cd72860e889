"""The sentence a milestone makes after a person's name, and the rule its description keeps.

A stage's (or club's) description is the rest of a sentence that starts with the person's name:
"Ada Lovelace" + "completed a continuous 5 km push" + ".". The certificate, its public verify
page, the credential inside it, the celebration banner and the ladder editor's preview all build
that sentence with :func:`milestone_sentence`, so a description that reads well in one place
reads well everywhere.

The rule (:func:`description_problem`) is deliberately simple, so the field's hint can say it in
a line: start with a small letter and with what the person did, in the past tense ("completed",
"pushed", "steered", "had", "finished"); an adverb ending in -ly may come first ("safely
transferred..."). "has" and "is" are refused: the sentence has no room for them. A trailing full
stop is dropped on saving (:func:`clean_description`): the sentence adds its own.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re

from heartbeat.core.i18n import DEFAULT_LANGUAGE, _, _l, current_language

#: The name the ladder editor's preview puts in front of a description.
SAMPLE_NAME = "Ada Lovelace"

HINT = _l(
    "Reads after the participant's name, in the past tense, so that it makes a sentence: "
    "“Ada Lovelace completed a continuous 10 km push.” Start with a small letter and with "
    "what they did (completed, pushed, steered, finished…); no “has”, and no full stop at the end."
)

# Past tenses that do not end in -ed, as a description is likely to start with them.
_IRREGULAR_PAST = frozenset(
    """
    was had did made won rode ran swam took got went set held led kept began broke beat became
    built drove sat stood threw hit learnt spent put caught felt found met overcame came gave saw
    understood wore shot sped flew fought knew brought taught told sent rose wrote read dealt
    """.split()
)
# Words ending in -ed that are no past tense (or not one that follows a name).
_NOT_PAST = frozenset({"bed", "red", "shed", "wed", "need", "speed", "feed", "seed", "exceed"})
# Past tenses ending in -eed (most -eed words are not past: need, speed, exceed, succeed).
_PAST_EED = frozenset({"agreed", "freed", "guaranteed", "refereed"})
# Starts that show the description was written for "has …" or for the present tense.
_WRONG_START = {
    "has": _l("Leave out “has”: write “completed a continuous 10 km push”, not “has completed…”."),
    "have": _l("Leave out “have”: write “completed a continuous 10 km push”."),
    "is": _l("Write what they did, in the past tense: “was fitted with…”, not “is…”."),
    "are": _l("Write what they did, in the past tense, such as “completed…”."),
    "will": _l("Write what they did, in the past tense, such as “completed…”."),
    "can": _l("Write what they did, in the past tense: “steered safely…”, not “can steer…”."),
    "to": _l("Write what they did, in the past tense: “completed…”, not “to complete…”."),
}
_WORD = re.compile(r"[a-z][a-z'\-]*")


# Runs of white space, but for the no-break spaces a language writes inside numbers and before
# its punctuation ("1\u202f609 m" in French): those are kept as written.
_SPACES = re.compile(r"[^\S\u00a0\u202f]+")


def clean_description(text: str | None) -> str:
    """The description as stored: spaces trimmed and a closing full stop dropped."""
    text = _SPACES.sub(" ", str(text or "")).strip()
    return text.rstrip(". ").rstrip()


def _is_past_tense(word: str) -> bool:
    if word in _IRREGULAR_PAST:
        return True
    if word in _NOT_PAST or len(word) < 4 or not word.endswith("ed"):
        return False
    return not word.endswith("eed") or word in _PAST_EED


def description_problem(text: str | None, language: str | None = None) -> str | None:
    """What stops ``text`` reading after a name, or None when ``<Name> <text>.`` is a sentence.

    ``language``: the one the description is written in, its centre's (a new centre's ladder is
    seeded in it); the reader's when not given. The message is in the reader's language."""
    text = clean_description(text)
    if not text:
        return _("Say what reaching it means, as it reads after a name: “completed a 10 km push”.")
    if not text[0].islower():
        return _(
            "Start with a small letter: it follows the name, as in “%(sentence)s”",
            sentence=milestone_sentence(SAMPLE_NAME, text[:1].lower() + text[1:]),
        )
    if (language or current_language()) != DEFAULT_LANGUAGE:
        # The checks below know English grammar only: a centre writing in its own language is
        # trusted with its verbs (the preview shows the sentence before it is saved), whatever
        # language the person editing it reads.
        return None
    words = _WORD.findall(text.lower())
    first = words[0] if words else ""
    if first in _WRONG_START:
        return str(_WRONG_START[first])
    if first.endswith("ly") and len(words) > 1:
        first = words[1]  # "safely transferred…", "successfully completed…"
    if not _is_past_tense(first):
        return _(
            "Start with what they did, in the past tense, such as “completed”, “pushed”, "
            "“steered” or “finished”, so that it reads “Ada Lovelace completed…”."
        )
    return None


def after_name(description: str) -> str:
    """The part of the sentence after the name, with its full stop: "completed a 5 km push."."""
    text = clean_description(description)
    return f"{text}." if text else ""


def milestone_sentence(name: str, description: str) -> str:
    """ "Ada Lovelace completed a continuous 5 km push.": what certificates and banners say."""
    rest = after_name(description)
    return f"{name} {rest}" if rest else f"{name}."
