"""How a person's name is put together: given name first or family name first.

Many people write their family name first (Chinese, Japanese, Korean, Hungarian, Vietnamese
names among them). The record keeps the two parts apart and says which comes first, and every
place that shows a name in full (the record's heading, certificates, their check page and
credential, the audit trail) joins the parts here, so the order is decided once.

Names written in CJK scripts are joined without a space ("王小明"), as they are written; any
other name, or a mix of scripts, with one ("Wang Xiaoming", "Nagy Ilona").
"""

from __future__ import annotations

import enum
import unicodedata
from typing import Any

from heartbeat.core.i18n import _l


class NameOrder(enum.StrEnum):
    GIVEN_FIRST = "given_first"
    FAMILY_FIRST = "family_first"

    @property
    def label(self) -> str:
        """In the reader's language (English outside a request)."""
        return str(_LABELS[self])

    @property
    def lazy_label(self) -> Any:
        """The label read when shown: for text made once, before any request (form choices)."""
        return _LABELS[self]


_LABELS = {
    NameOrder.GIVEN_FIRST: _l("Given name first (as in Ada Lovelace)"),
    NameOrder.FAMILY_FIRST: _l("Family name first (as in Wang Xiaoming or Nagy Ilona)"),
}

# Unicode character-name prefixes of the scripts written without spaces between name parts.
_UNSPACED_SCRIPTS = ("CJK ", "HIRAGANA", "KATAKANA", "HANGUL")


def _unspaced(text: str) -> bool:
    letters = [ch for ch in text if not ch.isspace()]
    return bool(letters) and all(
        unicodedata.name(ch, "").startswith(_UNSPACED_SCRIPTS) for ch in letters
    )


def join_name(given: str, family: str, order: str | None) -> str:
    """``given`` and ``family`` in the person's order (given first when it is not recorded)."""
    first, second = (family, given) if order == NameOrder.FAMILY_FIRST else (given, family)
    separator = "" if _unspaced(first) and _unspaced(second) else " "
    return f"{first}{separator}{second}"


def display_name_of(row: Any) -> str:
    """The name to call them by, in their order, from any row with the four name columns
    (``preferred_name``, ``given_name``, ``family_name``, ``name_order``)."""
    return join_name(row.preferred_name or row.given_name, row.family_name, row.name_order)
