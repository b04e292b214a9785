"""The house is one-way (docs/decisions/0021): every import of every module, read with ``ast``, obeys the rules of
its room, and no two files import each other, directly or round a circle.

Imports inside functions count (a lazy import is still a dependency); imports under ``if TYPE_CHECKING:`` do not
(they never run). The rules:

| room | may import (first-party) | never |
|---|---|---|
| domain | domain | anything but the standard library, pydantic, yaml, holidays, dateutil |
| persistence | domain | an entrance or a framework |
| notifications, documents | domain, persistence | an entrance or a framework |
| application | domain, persistence, notifications, documents | prefect, typer, fastapi, starlette |
| flows | application and below, prefect | bagalau, web |
| web | application and below, fastapi, starlette, jinja2 | bagalau, flows |
| bagalau, deployments | everything | — |
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("domain", "persistence", "notifications", "documents", "application", "flows", "web", "bagalau", "deployments")
FIRST_PARTY = frozenset(ROOMS)

MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "persistence": frozenset({"domain", "persistence"}),
    "notifications": frozenset({"domain", "persistence", "notifications"}),
    "documents": frozenset({"domain", "persistence", "documents"}),
    "application": frozenset({"domain", "persistence", "notifications", "documents", "application"}),
    "flows": frozenset({"domain", "persistence", "notifications", "documents", "application", "flows"}),
    "web": frozenset({"domain", "persistence", "notifications", "documents", "application", "web"}),
    "bagalau": FIRST_PARTY,
    "deployments": FIRST_PARTY,
}
"""First-party rooms each room may import."""

DOMAIN_THIRD_PARTY = frozenset({"pydantic", "pydantic_core", "yaml", "holidays", "dateutil"})
ENTRANCE_FRAMEWORKS = frozenset({"prefect", "typer", "fastapi", "starlette", "uvicorn", "click"})
NEVER: dict[str, frozenset[str]] = {
    "persistence": ENTRANCE_FRAMEWORKS,
    "notifications": ENTRANCE_FRAMEWORKS,
    "documents": ENTRANCE_FRAMEWORKS,
    "application": ENTRANCE_FRAMEWORKS,
    "flows": ENTRANCE_FRAMEWORKS - {"prefect"},
    "web": frozenset({"prefect", "typer", "click"}),
}
"""Third-party packages a room never imports (the frameworks belong to the entrances)."""


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module (or module whose attribute is imported), dotted
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def python_files() -> list[Path]:
    return sorted(
        path
        for room in ROOMS
        if (ROOT / room).is_dir()
        for path in (ROOT / room).rglob("*.py")
        if "migrations/versions" not in path.as_posix()
    )


MODULES = {module_name(path): path for path in python_files()}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node``, skipping the bodies of ``if TYPE_CHECKING:`` (not their ``else``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _resolve(name: str, attribute: str | None) -> str:
    """``from a.b import c``: the module ``a.b.c`` when it is one of ours, else ``a.b``."""
    if attribute is not None and f"{name}.{attribute}" in MODULES:
        return f"{name}.{attribute}"
    return name


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [Import(module, _resolve(base, alias.name), node.lineno) for alias in node.names]
    return found


IMPORTS = [found for path in python_files() for found in imports_of(path)]


def room_of(module: str) -> str:
    return module.split(".")[0]


def test_the_parser_sees_every_room_and_the_imports_inside_functions() -> None:
    assert {room_of(module) for module in MODULES} >= {
        "domain",
        "persistence",
        "notifications",
        "application",
        "flows",
        "bagalau",
        "deployments",
    }
    lazy = [found for found in IMPORTS if found.module == "bagalau.commands.serve" and found.target == "prefect"]
    assert lazy, "an import inside a function must be seen"


def test_type_checking_imports_are_not_dependencies() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import bagalau\nelse:\n    import json\n"
    tree = ast.parse(source)
    names = {node.names[0].name for node in _walk(tree) if isinstance(node, ast.Import)}
    assert names == {"json"}


@pytest.mark.parametrize("room", [room for room in MAY_IMPORT if (ROOT / room).is_dir()])
def test_each_room_imports_only_what_decision_0021_allows(room: str) -> None:
    """Nothing below an entrance imports one (``bagalau``, ``flows``, ``web``), and frameworks stay at the doors."""
    wrong = []
    for found in IMPORTS:
        if room_of(found.module) != room:
            continue
        top = room_of(found.target)
        if top in FIRST_PARTY and top not in MAY_IMPORT[room]:
            wrong.append(f"{found.module}:{found.line} imports {found.target}")
        elif top in NEVER.get(room, frozenset()):
            wrong.append(f"{found.module}:{found.line} imports the framework {found.target}")
        elif room == "domain" and top not in FIRST_PARTY:
            if top not in sys.stdlib_module_names and top not in DOMAIN_THIRD_PARTY and top != "__future__":
                wrong.append(f"{found.module}:{found.line} imports {found.target} (domain is pure)")
    assert wrong == [], "\n".join(wrong)


def graph() -> dict[str, set[str]]:
    """Module → the first-party modules it imports (files only; a package's ``__init__`` is its own node)."""
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        target = found.target
        while target and target not in MODULES:  # ``import a.b.c`` of an attribute, or a third-party name
            target = target.rpartition(".")[0]
        if target and target != found.module:
            edges[found.module].add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle of imports as a path (first node repeated at the end), or ``None``."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_the_cycle_finder_finds_a_circle_and_names_it() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_file_imports_itself_round_a_circle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_no_step_or_action_reads_the_audit_log_to_decide() -> None:
    """The audit log is a trail (0021): the application and the flows write it, never read it back."""
    readers = []
    for module, path in MODULES.items():
        if room_of(module) not in {"application", "flows"}:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("AuditLogRow", "audit_log", ".trail(", "flowstate.marked", "flowstate.marks"):
            if needle in text:
                readers.append(f"{module}: {needle}")
    assert readers == []


@pytest.mark.parametrize("name", [room for room in ROOMS if (ROOT / room).is_dir()])
def test_the_top_level_packages_are_this_checkouts(name: str) -> None:
    """Decision 0022: the generic top-level names (``domain``, ``flows`` …) are imported from this source tree, not
    from another distribution that claims the same name."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None, f"{name} is not importable"
    assert Path(spec.origin).resolve().is_relative_to(ROOT), f"{name} is imported from {spec.origin}, not {ROOT}"
