"""Participant details as typed, checked and normalised; the errors a person sees."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import sqlalchemy as sa

from heartbeat.auth.models import STAFF_ROLES, User
from heartbeat.core.edits import InputError
from heartbeat.core.i18n import _
from heartbeat.extensions import db
from heartbeat.participants.classification import CODES_TEXT, ClassificationStatus
from heartbeat.participants.models import (
    ImpairmentCategory,
    Participant,
    RacingClass,
)
from heartbeat.participants.names import NameOrder
from heartbeat.participants.rules import normalise_sci_level

EARLIEST_BIRTH = date(1900, 1, 1)


# The fields of the enrolment/edit form, in the order people read them.
DETAIL_FIELDS: dict[str, str] = {
    "given_name": "Given name",
    "family_name": "Family name",
    "preferred_name": "Preferred name",
    "name_order": "Name order",
    "date_of_birth": "Date of birth",
    "email": "Email",
    "phone": "Phone",
    "emergency_name": "Emergency contact name",
    "emergency_phone": "Emergency contact phone",
    "impairment": "Impairment category",
    "condition": "Impairment or condition",
    "sci_level": "Spinal-cord injury level",
    "racing_class": "Racing class",
    "classification_status": "Classification status",
    "classification_review_on": "Classification review date",
    "enrolled_on": "Enrolment date",
    "therapist_id": "Therapist",
    "goal": "Goal",
    "goal_milestone": "Target milestone",
    "goal_target_on": "Target date",
}


_TEXT_LIMITS = {
    "given_name": 80,
    "family_name": 80,
    "preferred_name": 80,
    "email": 254,
    "phone": 40,
    "emergency_name": 120,
    "emergency_phone": 40,
    "condition": 4000,
    "goal": 4000,
    "goal_milestone": 200,
}


class ParticipantError(InputError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _enum_value(
    enum_cls: type[Enum], value: Any, message: str, name: str, errors: dict[str, str]
) -> Any:
    if isinstance(value, enum_cls):
        return value
    try:
        return enum_cls(value)
    except ValueError:
        errors[name] = message
        return None


def clean_details(values: Mapping[str, Any], *, centre_id: int, today: date) -> dict[str, Any]:
    """The form's values checked and normalised, or ParticipantError naming each bad field."""
    errors: dict[str, str] = {}
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ParticipantError(f"Unknown fields: {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        clean[name] = _text(values.get(name))
        if clean[name] is not None and len(clean[name]) > limit:
            errors[name] = _("Use at most %(limit)s characters.", limit=limit)
    if clean["given_name"] is None:
        errors["given_name"] = _("Enter the given name.")
    if clean["family_name"] is None:
        errors["family_name"] = _("Enter the family name.")
    if clean["email"] and "@" not in clean["email"]:
        errors["email"] = _("Enter an email address like name@example.com.")

    for name in ("date_of_birth", "enrolled_on", "classification_review_on", "goal_target_on"):
        value = values.get(name)
        if value is not None and not isinstance(value, date):
            errors[name] = _("Enter a real date.")
            value = None
        clean[name] = value
    dob = clean["date_of_birth"]
    if dob is None:
        errors.setdefault("date_of_birth", _("Enter the date of birth."))
    elif dob > today:
        errors["date_of_birth"] = _("The date of birth must be in the past.")
    elif dob < EARLIEST_BIRTH:
        errors["date_of_birth"] = _("Check the year of birth.")
    if clean["enrolled_on"] is None:
        errors.setdefault("enrolled_on", _("Enter the enrolment date."))
    elif dob is not None and clean["enrolled_on"] < dob:
        errors["enrolled_on"] = _("The enrolment date cannot be before the date of birth.")

    # Not said (an older form, a CSV file without the column): given name first, as before.
    clean["name_order"] = _enum_value(
        NameOrder,
        values.get("name_order") or NameOrder.GIVEN_FIRST,
        _("Choose which name comes first."),
        "name_order",
        errors,
    )
    clean["impairment"] = _enum_value(
        ImpairmentCategory,
        values.get("impairment"),
        _("Choose an impairment category from the list."),
        "impairment",
        errors,
    )
    clean["racing_class"] = _enum_value(
        RacingClass,
        values.get("racing_class"),
        _("Choose a racing class from the list, or \u201cNot yet classified\u201d."),
        "racing_class",
        errors,
    )
    clean["classification_status"] = _enum_value(
        ClassificationStatus,
        values.get("classification_status"),
        _("Choose a classification status: %(codes)s.", codes=CODES_TEXT),
        "classification_status",
        errors,
    )
    status = clean["classification_status"]
    if (
        status is not None
        and status.needs_review_date
        and clean["classification_review_on"] is None
    ):
        errors["classification_review_on"] = (
            _("Enter the date of the classification review.")
            if status == ClassificationStatus.REVIEW
            else _("Enter the fixed review date: the class holds until then.")
        )

    try:
        clean["sci_level"] = normalise_sci_level(values.get("sci_level"))
    except ValueError:
        errors["sci_level"] = _(
            "Enter a spinal-cord level such as C6, T4, L1 or S2 (C1-C8, T1-T12, L1-L5, S1-S5)."
        )
        clean["sci_level"] = None
    if clean["impairment"] == ImpairmentCategory.SCI:
        if clean["sci_level"] is None and "sci_level" not in errors:
            errors["sci_level"] = _("Enter the level of the spinal-cord injury, such as T4.")
    elif clean["impairment"] is not None:
        clean["sci_level"] = None  # only meaningful for a spinal-cord injury

    clean["therapist_id"] = values.get("therapist_id") or None
    if clean["therapist_id"] is not None and not _is_centre_staff(clean["therapist_id"], centre_id):
        errors["therapist_id"] = _("Choose a therapist of this centre.")

    if errors:
        raise ParticipantError(_("Some details need attention."), errors)
    return clean


def _is_centre_staff(user_id: Any, centre_id: int) -> bool:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return False
    stmt = sa.select(User.id).where(
        User.id == user_id, User.centre_id == centre_id, User.role.in_(STAFF_ROLES)
    )
    return db.session.scalar(stmt.execution_options(all_centres=True)) is not None


def snapshot(participant: Participant) -> dict[str, Any]:
    return {name: getattr(participant, name) for name in DETAIL_FIELDS}


def _not_in_future(value: date | None, today: date, name: str, missing: str, future: str) -> date:
    """``value``, refused when missing (``missing`` says so) or in the future (``future``)."""
    if value is None:
        raise ParticipantError(missing, {name: missing})
    if value > today:
        raise ParticipantError(future, {name: future})
    return value
