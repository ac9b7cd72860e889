"""One vocabulary, one definition: session kinds, enums stored as text, the scoping mixin.

Each word of the domain is defined once and everything else is derived from it, so adding a
session kind or an enum column cannot leave a second, stale copy behind.
"""

from __future__ import annotations

import ast
import enum
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

import heartbeat
import heartbeat.db
from heartbeat.extensions import db
from heartbeat.progress import rules
from heartbeat.progress.summary.rows import evidence_text
from heartbeat.training.csv_format import COLUMNS
from heartbeat.training.models import SessionKind

PACKAGE = Path(heartbeat.__file__).parent


def _calls(name: str) -> list[str]:
    """Modules (relative paths) that call ``sa.<name>(...)`` or a bare ``<name>(...)``.

    A marshmallow ``ma.fields.Enum`` (the API's schemas) describes JSON, not a column: not counted.
    """
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value
                called = func.attr if isinstance(owner, ast.Name) and owner.id == "sa" else None
            else:
                called = getattr(func, "id", None)
            if called == name:
                found.append(str(path.relative_to(PACKAGE)))
    return sorted(set(found))


def test_the_progress_rules_take_their_kinds_from_session_kind():
    values = [kind.value for kind in SessionKind]
    assert list(rules.SESSION_KINDS) == values
    assert rules.DISTANCE_KINDS == set(values) - {"strength"}
    assert rules.PUSH_KINDS == {"track", "road", "roller", "race"}
    assert rules.MARATHON_FINISH_KINDS == rules.PUSH_KINDS
    # Plain strings, as the rules compare them thousands of times per page.
    assert {type(kind) for kind in (*rules.SESSION_KINDS, *rules.DISTANCE_KINDS)} == {str}


def test_the_csv_template_lists_every_session_kind():
    assert COLUMNS["kind"] == "Required. track, road, roller, handcycle, skills, strength or race."
    assert all(kind.value in COLUMNS["kind"] for kind in SessionKind)


def test_award_evidence_names_every_kind_of_session():
    for kind in SessionKind:
        fact = rules.SessionFact(1, datetime(2025, 5, 1, 9, tzinfo=UTC), kind.value, 1000.0)
        text = evidence_text(fact, "km", UTC)
        assert text is not None and not text.startswith("Session on"), (kind, text)


def test_enums_are_stored_as_text_through_one_helper():
    assert _calls("Enum") == ["db.py"]
    columns = [
        column
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, sa.Enum)
    ]
    assert len(columns) >= 10
    for column in columns:
        enum_class = column.type.enum_class
        assert issubclass(enum_class, enum.Enum), column
        assert not column.type.native_enum, column
        assert column.type.enums == [member.value for member in enum_class], column


def test_the_centre_scoping_mixin_has_one_name():
    assert not hasattr(heartbeat.db, "CentreOwned")
    mentions = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "CentreOwned" in path.read_text()
    ]
    assert mentions == []
