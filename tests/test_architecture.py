"""The shape of the code: package dependencies without cycles, modules that fit in a head.

The layer order itself is import-linter's contract (``[tool.importlinter]`` in pyproject.toml,
run by ``make lint`` and CI); these tests add what a layers contract does not see: the app
factory in ``heartbeat/__init__.py`` is imported by nothing inside the package, and no module
grows past the size a reader can hold.
"""

from __future__ import annotations

import ast
from pathlib import Path

import heartbeat

PACKAGE = Path(heartbeat.__file__).parent
MAX_MODULE_LINES = 400


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = ["heartbeat", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every heartbeat module this file imports, at module level or inside a function."""
    found: set[str] = set()
    module = _name(path)
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "heartbeat" or name.startswith("heartbeat.")}


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        source = _package(_name(path))
        for target in _imports(path):
            # "from heartbeat import create_app" names the root; "from heartbeat import models"
            # a package: both are what the statement depends on.
            if target.startswith("heartbeat.") and target.split(".")[1] in {"create_app"}:
                target = "heartbeat"
            if _package(target) != source:
                graph.setdefault(source, set()).add(_package(target))
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(graph) | {n for targets in graph.values() for n in targets}):
        if node not in index:
            visit(node)
    return groups


def test_packages_depend_on_each_other_without_cycles():
    assert _cycles(_package_graph()) == []


def test_the_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_nothing_inside_the_package_imports_the_app_factory():
    importers = [
        _name(path)
        for path in _modules()
        if path != PACKAGE / "__init__.py"
        and any(target == "heartbeat" for target in _imports(path))
    ]
    assert importers == []


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
