"""Rules for text people type that other pages print: names above all."""

from __future__ import annotations

from typing import Any

import emoji
from wtforms.validators import ValidationError

from heartbeat.core.i18n import _

# The English message (what the validator says, in the reader's language).
EMOJI_IN_NAME = "Names can't contain emoji; they would not print on certificates."


def emoji_in(text: str) -> list[str]:
    """The emoji in ``text`` (flags, skin tones and joined sequences each count as one)."""
    return [match["emoji"] for match in emoji.emoji_list(text or "")]


def refuse_unprintable_name(form: Any, field: Any) -> None:
    """WTForms validator for a person's name: no emoji.

    The certificate fonts cover the scripts people write names in (Latin, Greek, Cyrillic,
    Arabic, Hebrew, Devanagari, CJK), but not emoji: a PDF would show empty boxes, so a name
    with one is refused where it is typed rather than misprinted later.
    """
    if emoji_in(field.data or ""):
        raise ValidationError(_("Names can't contain emoji; they would not print on certificates."))
