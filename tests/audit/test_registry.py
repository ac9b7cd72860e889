"""Every action the code base writes to the trail has a label, and the filter offers it.

The action codes are found by reading the source (``ast``), not by a list kept by hand: calls of
``audit.services.record`` (the action is its third argument), the keyword arguments that carry an
action into such a call (``audit_action="session.import"``), and rows inserted in bulk into the
trail's table (a dict with an ``"action"`` key in a module that uses ``AuditEvent``).
"""

from __future__ import annotations

import ast
from pathlib import Path

from heartbeat.audit import registry
from tests.helpers import signed_in

PACKAGE = Path(__file__).resolve().parents[2] / "heartbeat"
AUDIT_SERVICES = "heartbeat.audit.services"


def _aliases(tree: ast.Module) -> set[str]:
    """Local names bound to ``heartbeat.audit.services`` in a module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "heartbeat.audit":
            names |= {
                alias.asname or alias.name for alias in node.names if alias.name == "services"
            }
        if isinstance(node, ast.ImportFrom) and node.module == AUDIT_SERVICES:
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "record"}
    return names


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing_default(node: ast.AST, name: str, parents) -> str | None:
    """The string default of parameter ``name`` of the function around ``node``."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = args.posonlyargs + args.args
            with_defaults = positional[len(positional) - len(args.defaults) :]
            pairs = list(zip(with_defaults, args.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
            for arg, default in pairs:
                if arg.arg == name and isinstance(default, ast.Constant):
                    return default.value
            return None
    return None


def scan() -> tuple[set[str], list[str], set[str]]:
    """(action codes written, call sites whose action is not a literal, parameters that carry
    an action into ``record``)."""
    codes: set[str] = set()
    unreadable: list[str] = []
    carriers: set[str] = set()
    sources = {path: path.read_text() for path in sorted(PACKAGE.rglob("*.py"))}
    trees = {path: ast.parse(source) for path, source in sources.items()}
    for path, tree in trees.items():
        bulk_inserts = "AuditEvent" in sources[path]
        aliases = _aliases(tree)
        parents = _parents(tree)
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                is_record = (
                    isinstance(func, ast.Attribute)
                    and func.attr == "record"
                    and isinstance(func.value, ast.Name)
                    and func.value.id in aliases
                ) or (isinstance(func, ast.Name) and func.id in aliases)
                if not is_record:
                    continue
                action = node.args[2] if len(node.args) > 2 else None
                action = next((k.value for k in node.keywords if k.arg == "action"), action)
                if isinstance(action, ast.Constant) and isinstance(action.value, str):
                    codes.add(action.value)
                elif isinstance(action, ast.Name):
                    default = _enclosing_default(node, action.id, parents)
                    if default is None:
                        unreadable.append(f"{where}:{node.lineno}")
                    else:
                        codes.add(default)
                        carriers.add(action.id)
                else:
                    unreadable.append(f"{where}:{node.lineno}")
            elif isinstance(node, ast.Dict) and bulk_inserts:
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "action"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        codes.add(value.value)
    # What the carrying parameters are given wherever they are passed by name.
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg in carriers:
                        if isinstance(keyword.value, ast.Constant):
                            codes.add(keyword.value.value)
                        else:
                            where = path.relative_to(PACKAGE.parent)
                            unreadable.append(f"{where}:{node.lineno}")
    return codes, unreadable, carriers


def test_the_scan_finds_actions_written_every_way():
    codes, unreadable, carriers = scan()
    # A direct call, a carried keyword (device files), a bulk insert (session CSV), an event
    # receiver of the trail itself (invitations) and the print jobs.
    assert {
        "participant.create",
        "session.import",
        "branding.edit",
        "certificate.issue",
        "invite.accept",
        "print_batch.finish",
    } <= codes
    assert "audit_action" in carriers
    assert unreadable == [], "give these audit.record calls a literal action code"


def test_every_audited_action_in_the_code_base_has_a_label(app):
    codes, _, _ = scan()
    unlabelled = sorted(code for code in codes if code not in registry.action_labels())
    assert unlabelled == [], "declare a label for these in the feature's auditing.register()"
    for code in codes:
        label = registry.action_label(code)
        assert label != code and label[0].isupper() and "_" not in label, code


def test_no_label_is_registered_for_an_action_nothing_writes(app):
    codes, _, _ = scan()
    assert sorted(set(registry.action_labels()) - codes) == []


def test_the_what_happened_filter_lists_every_action(app, world):
    html = signed_in(app, world.a.admin.email).get("/audit").get_data(as_text=True)
    for code, label in registry.action_labels().items():
        assert f'<option value="{code}">{label}</option>' in html, code
    # The three the walkthrough found as raw codes.
    for code in ("branding.edit", "certificate.issue", "session.import"):
        assert f'<option value="{code}">' in html


def test_every_record_type_has_a_label_and_names_its_records(app):
    for code, entity_type in registry.entity_types().items():
        assert entity_type.label and entity_type.label != code
        assert registry.namer(code) is not None, code
