"""Which columns carry personal data, and what erasing a person does to each.

Every mapped model declares ``__personal_data__``, a :class:`PersonalData` that puts each of its
columns in exactly one class:

- ``erased``: personal, replaced when the person is erased (a value, or :class:`Computed` SQL);
- ``kept``: about the person but kept after erasure (session numbers keep the centre's totals
  right; links between their rows keep the statistics joined up);
- ``secret``: never leaves the app, not even in the person's own subject-access export;
- ``not_personal``: everything else (ids, settings, the system's own timestamps).

Models whose rows are about one participant name the column that says whose (``subject``) and
the subject-access section their rows go in. Erasure (``participants.erasure``) and subject
access (``participants.subject_access``) read these declarations instead of keeping their own
lists, and a test fails when a mapped column is not classified, so a new column cannot slip past
either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa


@dataclass(frozen=True)
class Computed:
    """A replacement computed in SQL from the row's own columns (``model`` is its class)."""

    sql: Callable[[Any], sa.ColumnElement[Any]]


@dataclass(frozen=True)
class PersonalData:
    erased: Mapping[str, Any] = field(default_factory=dict)
    kept: frozenset[str] = frozenset()
    secret: frozenset[str] = frozenset()
    not_personal: frozenset[str] = frozenset()
    # Rows about one participant: the column holding the participant's id ("id" for themselves).
    subject: str | None = None
    # Subject access: the section's name, what it holds, and its place in the export.
    section: str | None = None
    describe: str = ""
    order: int = 50
    sort: tuple[str, ...] = ("id",)  # the rows' order in the export ("-name": descending)
    # The audit trail's name for these rows (``AuditEvent.entity_type``); the table's by default.
    audit_entity: str | None = None
    # Extra fields in the export: output name -> relationship to someone with a ``name``.
    names: Mapping[str, str] = field(default_factory=dict)
    # More fields, derived from a row (relationships it reads must be in ``load``).
    derived: Callable[[Any], dict[str, Any]] | None = None
    load: tuple[str, ...] = ()
    # Files kept outside the database for a row (an original device file): (file name, bytes),
    # or None when there is none; subject access puts them in the export beside the tables.
    files: Callable[[Any], tuple[str, bytes] | None] | None = None

    def subject_column(self, model: type) -> Any:
        """``model``'s column naming the participant its rows are about."""
        if self.subject is None:
            raise ValueError(f"{model.__name__} rows are not about one participant")
        return getattr(model, self.subject)

    def classes(self) -> dict[str, set[str]]:
        return {
            "erased": set(self.erased),
            "kept": set(self.kept),
            "secret": set(self.secret),
            "not_personal": set(self.not_personal),
        }


def declare(
    *,
    erased: Mapping[str, Any] | None = None,
    kept: Iterable[str] = (),
    secret: Iterable[str] = (),
    not_personal: Iterable[str] = (),
    **about: Any,
) -> PersonalData:
    return PersonalData(
        erased=dict(erased or {}),
        kept=frozenset(kept),
        secret=frozenset(secret),
        not_personal=frozenset(not_personal),
        **about,
    )


def declaration(model: type) -> PersonalData | None:
    return model.__dict__.get("__personal_data__")


def unclassified(model: type) -> list[str]:
    """Mapped columns of ``model`` that its declaration leaves out or puts in two classes."""
    declared = declaration(model)
    mapper: sa.orm.Mapper[Any] = sa.inspect(model)
    columns = [attr.key for attr in mapper.column_attrs]
    if declared is None:
        return columns
    seen: dict[str, int] = {}
    for names in declared.classes().values():
        for name in names:
            seen[name] = seen.get(name, 0) + 1
    problems = [name for name in columns if seen.get(name) != 1]
    problems += [name for name in seen if name not in columns]  # declared but not mapped
    return problems


ModelT = TypeVar("ModelT", bound=type)


def about_a_participant(models: Iterable[ModelT]) -> list[tuple[ModelT, PersonalData]]:
    """The models whose rows belong to one participant, in subject-access order."""
    found = []
    for model in models:
        declared = declaration(model)
        if declared is not None and declared.subject is not None:
            found.append((model, declared))
    return sorted(found, key=lambda pair: (pair[1].order, pair[0].__name__))


def replacement(model: type, value: Any) -> Any:
    return value.sql(model) if isinstance(value, Computed) else value
