"""What every editing form shares: input refused field by field, and stale edits merged.

A versioned form carries the record's ``version`` and a snapshot of what it showed when it was
opened (``base``, the values as the browser sends them). Saving it after someone else saved the
record is refused by the service (:class:`StaleEdit`); the form is then *rebased* (:func:`rebase`)
on the record as it is now, field by field:

- a field only the other person changed shows their value;
- a field only this person changed keeps what they typed;
- a field both changed, to different values, is shown side by side, and the person chooses which
  value to keep (``keep__<field>``: ``mine`` or ``saved``) before saving again.

So saving again never reverts a colleague's change the person did not make. Comparing the values
as the browser sends them (text, not parsed numbers or times) means an untouched field is never
taken for a change, however the record stores it.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from flask import render_template, request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Field, HiddenField
from wtforms.fields import (
    BooleanField,
    DateField,
    FileField,
    SelectField,
    SelectFieldBase,
    SelectMultipleField,
    SubmitField,
)

from heartbeat.core.i18n import _, date_text
from heartbeat.extensions import db

T = TypeVar("T")
F = TypeVar("F", bound="VersionedForm")

# Fields of a versioned form that are bookkeeping, not values a person edits.
_NOT_MERGED = frozenset({"csrf_token", "version", "base", "conflicted"})
KEEP_PREFIX = "keep__"


class InputError(ValueError):
    """Input that cannot be saved; ``field_errors`` names the fields to blame."""

    def __init__(self, message: str, field_errors: Mapping[str, str] | None = None):
        super().__init__(message)
        self.field_errors: dict[str, str] = dict(field_errors or {})


class StaleEdit(Exception):
    """The form was built from an older version of the record; nothing was saved."""

    def __init__(self, current_version: int, what: str | None = None):
        super().__init__(
            _(
                "Someone else changed %(what)s after you opened the form.",
                what=what or _("this record"),
            )
        )
        self.current_version = current_version


def check_version(expected: int | None, actual: int, what: str | None = None) -> None:
    """Refuse a save built from another version than the record's (or from none)."""
    if expected is None or expected != actual:
        raise StaleEdit(actual, what)


def parse_version(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


class VersionedForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no types: FlaskForm is Any
    """A form that edits one versioned record (see the module's docstring)."""

    version = HiddenField()
    base = HiddenField()
    conflicted = HiddenField()

    def expected_version(self) -> int | None:
        return parse_version(self.version.data)

    def mark_loaded(self, version: int) -> None:
        """After filling the form from the record: remember what it showed, and the version."""
        self.version.data = str(version)
        self.base.data = encode_values(sent_values(self))
        self.conflicted.data = ""


# --- values as the browser sends them -----------------------------------------------------------


def _mergeable(form: FlaskForm) -> list[Field]:
    return [
        f
        for f in form
        if f.name not in _NOT_MERGED and not isinstance(f, FileField | SubmitField | HiddenField)
    ]


def _as_sent(f: Field) -> list[str]:
    if isinstance(f, BooleanField):
        return ["y"] if f.data else []
    if isinstance(f, SelectFieldBase):
        if f.raw_data is None:
            data = f.data if isinstance(f.data, list | tuple) else [f.data]
            values = [getattr(v, "value", v) for v in data if v is not None]
            return [str(v) for v in values if str(v) != ""]
        return [v for v in f.raw_data if v != ""]
    value = f._value() if hasattr(f, "_value") else ("" if f.data is None else str(f.data))
    return [value] if value != "" else []


def sent_values(form: FlaskForm) -> dict[str, list[str]]:
    # Browsers send a textarea's line breaks as CRLF whatever was stored: compare them as LF.
    return {
        f.name: [value.replace("\r\n", "\n") for value in _as_sent(f)] for f in _mergeable(form)
    }


def encode_values(values: Mapping[str, list[str]]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw)).decode()


def decode_values(text: str | None) -> dict[str, list[str]] | None:
    if not text:
        return None
    try:
        value = json.loads(zlib.decompress(base64.urlsafe_b64decode(text.encode())))
    except (ValueError, zlib.error, binascii.Error):
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): [str(v) for v in vs] for k, vs in value.items() if isinstance(vs, list)}


def describe(f: Field, values: list[str]) -> str:
    """Values as a person reads them: a choice's label, "Yes"/"No", a date in words."""
    if isinstance(f, BooleanField):
        return _("Yes") if values else _("No")
    if not values:
        return _("(empty)")
    # Every select field (RadioField is a SelectField): the two classes that declare choices.
    if isinstance(f, SelectField | SelectMultipleField):
        labels = {str(getattr(c[0], "value", c[0])): str(c[1]) for c in _choices(f)}
        return ", ".join(labels.get(v, v) for v in values)
    if isinstance(f, DateField):
        try:
            day = datetime.strptime(values[0], "%Y-%m-%d").date()
        except ValueError:
            return values[0]
        return _day(day)
    return ", ".join(values)


def _choices(f: SelectField | SelectMultipleField) -> list[tuple[Any, Any]]:
    found = []
    for choice in f.choices or []:
        if isinstance(choice, tuple | list) and len(choice) >= 2:
            found.append((choice[0], choice[1]))
        elif hasattr(choice, "value"):
            found.append((choice.value, getattr(choice, "label", choice.value)))
        else:
            found.append((choice, choice))
    return found


def _day(day: date) -> str:
    return date_text(day, "%-d %b %Y")


def _set(f: Field, values: list[str]) -> None:
    f.raw_data = list(values)
    f.process_errors = []
    try:
        f.process_formdata(list(values))
    except ValueError:
        pass  # it was valid when sent; what the browser shows comes from raw_data anyway


# --- rebasing a stale form ----------------------------------------------------------------------


@dataclass
class Rebased:
    """What a stale save turned into: the form now rests on the saved version."""

    conflicts: list[dict[str, str]] = field(default_factory=list)  # field, label, yours, saved
    theirs: list[str] = field(default_factory=list)  # labels of fields only they changed
    kept: list[str] = field(default_factory=list)  # labels of fields only you changed
    stale: bool = True  # False: shown again because a choice was not made


def rebase(form: VersionedForm, load: Callable[[], None]) -> Rebased:
    """Rebase ``form`` on the record as saved now; ``load`` fills the form from that record.

    Fields only this person changed keep their typed values; fields both changed differently
    become conflicts, which the page shows for a choice.
    """
    mine = sent_values(form)
    base = decode_values(form.base.data)
    for f in _mergeable(form):
        f.raw_data = None
        f.errors = []
    load()  # calls mark_loaded: version and base are now the saved record's
    current = sent_values(form)
    outcome = Rebased()
    conflicted = []
    for f in _mergeable(form):
        name = f.name
        yours, saved = mine.get(name, []), current.get(name, [])
        mine_changed = yours != (base.get(name, []) if base is not None else saved)
        theirs_changed = base is None or saved != base.get(name, [])
        if mine_changed:
            _set(f, yours)
        if mine_changed and theirs_changed and yours != saved:
            conflicted.append(name)
            outcome.conflicts.append(
                {
                    "field": name,
                    "label": str(f.label.text),
                    "yours": describe(f, yours),
                    "saved": describe(f, saved),
                }
            )
        elif mine_changed and yours != saved:
            outcome.kept.append(str(f.label.text))
        elif theirs_changed and base is not None and not mine_changed:
            outcome.theirs.append(str(f.label.text))
    form.conflicted.data = ",".join(conflicted)
    return outcome


def versioned_form(form_class: type[F], **kwargs: Any) -> tuple[F, list[str]]:
    """The form for this request, with the choices of a rebased form applied (see
    :func:`resolved_formdata`), and the conflicted fields still without a choice."""
    if request.method != "POST":
        return form_class(**kwargs), []
    data, missing = resolved_formdata()
    # As Flask-WTF does by default: uploaded files are read from the same form data.
    return form_class(formdata=CombinedMultiDict([request.files, data]), **kwargs), missing


def resolved_formdata() -> tuple[MultiDict[str, str], list[str]]:
    """The request's form data with each conflict's choice applied: ``saved`` puts the saved
    value (the base the form was rebased on) back. Returns the data and the fields whose
    choice is missing."""
    data = MultiDict(request.form)
    names = [n for n in (data.get("conflicted") or "").split(",") if n]
    if not names:
        return data, []
    base = decode_values(data.get("base")) or {}
    missing = []
    for name in names:
        choice = data.get(KEEP_PREFIX + name)
        if choice == "saved":
            data.setlist(name, base.get(name, []))
        elif choice != "mine":
            missing.append(name)
    return data, missing


def refuse_unchosen(form: VersionedForm, missing: list[str]) -> Rebased | None:
    """A form error and the conflicts again when a choice was not made, else None."""
    # Only the form's own fields: ``conflicted`` comes back from the browser, which may lie.
    mergeable = {f.name for f in _mergeable(form)}
    missing = [name for name in missing if name in mergeable]
    if not missing:
        return None
    base = decode_values(form.base.data) or {}
    outcome = Rebased(stale=False)
    for name in missing:
        f = form[name]
        outcome.conflicts.append(
            {
                "field": name,
                "label": str(f.label.text),
                "yours": describe(f, _as_sent(f)),
                "saved": describe(f, base.get(name, [])),
            }
        )
    labels = ", ".join(row["label"] for row in outcome.conflicts)
    form.form_errors.append(_("Choose which value to keep for: %(labels)s.", labels=labels))
    form.conflicted.data = ",".join(missing)
    return outcome


# --- saving and rendering -----------------------------------------------------------------------


class FieldErrors(Protocol):
    """An error naming the fields to blame (:class:`InputError`, a session's values)."""

    @property
    def field_errors(self) -> Mapping[str, str]: ...


def apply_errors(
    form: FlaskForm, error: FieldErrors | Mapping[str, str], fallback: str | None = None
) -> None:
    """Each message on its field; what names no field of the form goes to the top (and
    ``fallback``, or the error's own message, when no message names a field)."""
    field_errors = error if isinstance(error, Mapping) else error.field_errors
    for name, message in field_errors.items():
        target = getattr(form, name, None)
        if isinstance(target, Field):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
    if not field_errors:
        form.form_errors.append(fallback or str(error))


@dataclass
class Saved:
    """What :func:`save_versioned` made of a form: saved (``result``), stale, or refused."""

    saved: bool = False
    result: Any = None
    rebased: Rebased | None = None


def save_versioned(
    form: VersionedForm, save: Callable[[], T], *, load: Callable[[], None]
) -> Saved:
    """Run ``save``; commit when it succeeds, rebase the form (``load`` fills it from the
    record) when the record moved on, put refusals on the form's fields."""
    # No rollback on refusal: services check the version before changing anything, and what a
    # refused request changed is never committed (and a rollback would expire the page's objects).
    try:
        result = save()
    except StaleEdit:
        return Saved(rebased=rebase(form, load))
    except InputError as error:
        apply_errors(form, error)
        return Saved()
    db.session.commit()
    return Saved(saved=True, result=result)


def render_form(
    template: str, form: FlaskForm, status: int | None = None, **context: Any
) -> tuple[str, int]:
    """A form page: 200 when first shown, 422 when a sent form comes back with errors, 409
    when it comes back rebased on someone else's save."""
    if status is None:
        rebased = context.get("rebased")
        stale = rebased is not None and rebased.stale
        status = 409 if stale else 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
