"""The classification pathway as World Para Athletics names it: sport class statuses, which of
them need a review date, and the checklist for the Medical Diagnostics Form.

No database; the labels are marked for translation. Sources and what each status means:
docs/clinical.md ("Classification pathway").
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from heartbeat.core.i18n import _, _l


class ClassificationStatus(enum.StrEnum):
    """A sport class status, stored as its code (``db.string_enum``)."""

    NEW = "N"
    REVIEW = "R"
    # R with a Fixed Review Date: classified, and the class holds until that date (people call
    # it "confirmed with a review date"); reassessed on or after it.
    FIXED_REVIEW = "FRD"
    CONFIRMED = "C"
    NOT_COMPLETED = "CNC"  # Classification Not Completed: evaluation started, not finished
    NOT_ELIGIBLE = "NE"  # Not Eligible: no eligible impairment, or below the minimum criteria

    @property
    def label(self) -> str:
        """In the reader's language (English outside a request)."""
        return str(_LABELS[self])

    @property
    def lazy_label(self) -> Any:
        """The label read when shown: for text made once, before any request (form choices)."""
        return _LABELS[self]

    @property
    def needs_review_date(self) -> bool:
        return self in REVIEW_DATED


_LABELS = {
    ClassificationStatus.NEW: _l("N: new, never assessed"),
    ClassificationStatus.REVIEW: _l("R: review, to be re-assessed"),
    ClassificationStatus.FIXED_REVIEW: _l("R (FRD): class holds until a fixed review date"),
    ClassificationStatus.CONFIRMED: _l("C: confirmed"),
    ClassificationStatus.NOT_COMPLETED: _l("CNC: classification not completed"),
    ClassificationStatus.NOT_ELIGIBLE: _l("NE: not eligible"),
}

# Statuses that carry a review date: it is required, and the caseload is reminded as it nears.
REVIEW_DATED = frozenset({ClassificationStatus.REVIEW, ClassificationStatus.FIXED_REVIEW})

CODES_TEXT = "N, R, FRD, C, CNC or NE"

# The Medical Diagnostics Form checklist (key: what to check), in the order to work through it.
# Written for Heartbeat Miles from World Para Athletics' published requirements for the form
# (docs/clinical.md): it is a centre's checklist, not the form itself.
MDF_LABELS: dict[str, Any] = {
    "current_form": _l(
        "The current World Para Athletics form is used, typed or written in English"
    ),
    "athlete_details": _l(
        "The athlete's details match their licence (name, date of birth, nation)"
    ),
    "diagnosis": _l("The diagnosis (health condition) is stated, with its date of onset"),
    "impairment": _l("The eligible impairment type is named (for example impaired muscle power)"),
    "documents": _l(
        "Supporting documents are attached (for example imaging, an ISNCSCI exam,"
        " specialist letters)"
    ),
    "medications": _l("Current medications and any assistive devices are listed"),
    "signed": _l(
        "It is signed by a registered medical doctor, with their registration number and"
        " contact details"
    ),
    "dated": _l("It is dated within the 12 months before the classification"),
    "submitted": _l("It has been sent to the national federation before its deadline"),
}


# The same in English (outside any request, the lazy labels read as English), keyed alike.
MDF_ITEMS: dict[str, str] = {key: str(label) for key, label in MDF_LABELS.items()}


def clean_checklist(keys: Iterable[str]) -> list[str]:
    """Ticked items in the checklist's order, each once; ValueError naming an unknown one."""
    wanted = set(keys)
    if unknown := wanted - set(MDF_ITEMS):
        raise ValueError(
            _("Not an item of the checklist: %(items)s.", items=", ".join(sorted(unknown)))
        )
    return [key for key in MDF_ITEMS if key in wanted]


def checklist_labels(keys: Iterable[str]) -> list[str]:
    """The items' labels in the reader's language (an unknown key as it is)."""
    return [str(MDF_LABELS.get(key, key)) for key in keys]
