"""What the trail's codes mean to people, declared by the features that write them.

The trail sits below the features (participants, training, progress, certificates), so it cannot
know their actions, records or fields. Each feature declares them here from its
``hooks.register()``, which ``create_app`` calls bottom-up:

- ``action("session.import", "Sessions imported from CSV")``: the label of an action code.
- ``entity("training_session", "Session", names=..., participant_column=...)``: the label of a
  record type, a function naming many records in one query (``Namer``), and the column that
  says whose records they are (the trail's participant filter).
- ``names("user", namer)``: a kind of id that fields may refer to (people, stages, ...).
- ``field("distance_m", "Distance", formats.distance)``: a changed field's label and how its
  values read; ``refers_to="user"`` names the ids it holds; ``entity=`` limits it to one record
  type where a name means different things ("kind" of a session, of a consent).
- ``subjects(choices)``: the people records are about, for the participant filter.

Registering again replaces (apps are created many times in one process).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from heartbeat.audit import formats
from heartbeat.core.i18n import gettext

Namer = Callable[[Collection[Any], formats.Context], Mapping[Any, str]]
Choices = Callable[[], list[tuple[int, str]]]


@dataclass(frozen=True)
class EntityType:
    code: str
    label: str
    # The participant the row belongs to: a mapped column (``Note.participant_id``), or the
    # participant's own primary key. None for records that belong to no one participant.
    participant_column: Any = None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    format: formats.Formatter = formats.text
    refers_to: str | None = None
    order: int = 0


_actions: dict[str, str] = {}
_entities: dict[str, EntityType] = {}
_namers: dict[str, Namer] = {}
_fields: dict[tuple[str | None, str], Field] = {}
_subjects: list[Choices] = []


def action(code: str, label: str) -> None:
    _actions[code] = label


def actions(labels: Mapping[str, str]) -> None:
    for code, label in labels.items():
        action(code, label)


def entity(
    code: str, label: str, *, names: Namer | None = None, participant_column: Any = None
) -> None:
    _entities[code] = EntityType(code, label, participant_column)
    if names is not None:
        _namers[code] = names


def names(kind: str, namer: Namer) -> None:
    _namers[kind] = namer


def field(
    name: str,
    label: str,
    format: formats.Formatter = formats.text,
    *,
    refers_to: str | None = None,
    entity: str | None = None,
) -> None:
    existing = _fields.get((entity, name))
    order = existing.order if existing is not None else len(_fields)
    _fields[(entity, name)] = Field(name, label, format, refers_to, order)


def subjects(choices: Choices) -> None:
    _subjects[:] = [choices]


# --- reading it -------------------------------------------------------------------------------


def said(label: Any) -> str:
    """A registered label in the reader's language. Labels are registered in English (or as
    lazy text) when the app starts and read on the page, so each is looked up as it is read:
    the catalogue has the ones marked with ``_l`` anywhere in the app."""
    return gettext(str(label))


def action_labels() -> dict[str, str]:
    """Every registered action, by label (the "What happened" filter), in the reader's
    language."""
    labels = {code: said(label) for code, label in _actions.items()}
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))


def action_label(code: str) -> str:
    label = _actions.get(code)
    return said(label) if label else code


def entity_types() -> dict[str, EntityType]:
    return dict(sorted(_entities.items(), key=lambda item: said(item[1].label).casefold()))


def entity_label(code: str) -> str:
    found = _entities.get(code)
    return said(found.label) if found is not None else code


def namer(kind: str) -> Namer | None:
    return _namers.get(kind)


def field_for(entity_type: str, name: str) -> Field | None:
    """The field as the record type declares it, else as declared for every record type."""
    return _fields.get((entity_type, name)) or _fields.get((None, name))


def subject_choices() -> list[tuple[int, str]]:
    return _subjects[0]() if _subjects else []
