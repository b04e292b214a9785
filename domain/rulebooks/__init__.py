"""Rulebook files: loading, validation with every problem listed, the bundled set, and the one in force.

A rulebook file is YAML or JSON. A mapping ``{"$include": "catalogue/x.yaml"}`` anywhere in a bundled file is
replaced by the content of that file (relative to the including file), so that long catalogues (360 questions,
behaviour indicators) are kept once. An include is a relative path that stays inside the folder of the rulebook
file being loaded (or inside the bundled rulebooks' folder): an absolute path or one that climbs out with ``..`` is
refused, so that a rulebook handed in (an upload, a file from elsewhere) cannot read other files of the machine.
``bagalau rulebook show --json`` prints the resolved, self-contained rulebook. Loading is all-or-nothing: a file
with any problem raises :class:`RulebookError` listing them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from domain.rulebook import Rulebook
from domain.yaml12 import Yaml12Loader, YamlLimitError, read_text

BUNDLED_DIR = Path(__file__).parent
INCLUDE_KEY = "$include"


class RulebookError(ValueError):
    """A rulebook file that cannot be used: each problem is ``(path inside the file, message)``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {path or '(top)'}: {message}" for path, message in problems]
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(lines))


class _StrictLoader(Yaml12Loader):
    """A safe YAML 1.2 loader that refuses duplicate keys instead of silently keeping the last one."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or a mapping", key_node.start_mark
            ) from None
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_text(text: str, source: str) -> Any:
    """Parse YAML (a superset of JSON) with duplicate keys refused; errors name the source and line."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise RulebookError(source, [("", f"not valid YAML/JSON: {exc}")]) from exc


def _resolve_includes(value: Any, base: Path, source: str, depth: int = 0, root: Path | None = None) -> Any:
    if depth > 8:
        raise RulebookError(source, [("", "includes nest deeper than 8 levels (a cycle?)")])
    root = base.resolve() if root is None else root
    if isinstance(value, Mapping):
        if set(value) == {INCLUDE_KEY}:
            return _include(str(value[INCLUDE_KEY]), base, source, depth, root)
        return {key: _resolve_includes(item, base, source, depth, root) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_includes(item, base, source, depth, root) for item in value]
    return value


def _inside(target: Path, folder: Path) -> bool:
    return target == folder or folder in target.parents


def _include(reference: str, base: Path, source: str, depth: int, root: Path) -> Any:
    """``file.yaml`` or ``file.yaml#key.subkey``: the file's content, or one part of it."""
    name, _, fragment = reference.partition("#")
    target = (base / name).resolve()
    if Path(name).is_absolute() or not (_inside(target, root) or _inside(target, BUNDLED_DIR.resolve())):
        problem = (
            f"included file {name!r} is outside the rulebook's folder: an include is a relative path inside the "
            "folder of the rulebook file (absolute paths and '..' out of it are refused)"
        )
        raise RulebookError(source, [("", problem)])
    if not target.is_file():
        raise RulebookError(source, [("", f"included file {name!r} does not exist")])
    try:
        included = parse_text(read_text(target), str(target))
    except (OSError, UnicodeDecodeError, YamlLimitError) as exc:
        raise RulebookError(source, [("", f"included file {name!r} cannot be read: {exc}")]) from None
    for key in filter(None, fragment.split(".")):
        if not isinstance(included, Mapping) or key not in included:
            raise RulebookError(source, [("", f"included file {name!r} has no part {fragment!r}")])
        included = included[key]
    return _resolve_includes(included, target.parent, source, depth + 1, root)


def _location(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def validate(data: Any, source: str) -> Rulebook:
    """Validate parsed data as a rulebook, listing every problem with its path inside the file."""
    if not isinstance(data, Mapping):
        raise RulebookError(source, [("", f"a rulebook is a mapping of sections, got {type(data).__name__}")])
    try:
        return Rulebook.model_validate(dict(data))
    except ValidationError as exc:
        problems = [(_location(error["loc"]), _describe(error)) for error in exc.errors()]
        raise RulebookError(source, problems) from None


def _describe(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") in {"extra_forbidden"}:
        return "unknown field (not part of the rulebook model)"
    scalar = not isinstance(error.get("input"), dict | list)
    if "input" in error and error.get("type") != "missing" and scalar:
        return f"{message} (got {error['input']!r})"
    return message


def load_file(path: str | Path) -> Rulebook:
    """Load and validate one rulebook file (YAML or JSON), resolving ``$include`` relative to it."""
    path = Path(path)
    source = str(path)
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL in the path; YamlLimitError: too big
        raise RulebookError(source, [("", f"cannot read the file: {exc}")]) from None
    data = parse_text(text, source)
    base = path.parent if path.parent.exists() else Path.cwd()
    return validate(_resolve_includes(data, base, source), source)


@cache
def bundled() -> dict[str, Rulebook]:
    """The rulebooks shipped with Bagalau, by id (validated once per process)."""
    books: dict[str, Rulebook] = {}
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        book = load_file(path)
        if book.id != path.stem:
            raise RulebookError(str(path), [("id", f"id {book.id!r} must equal the file name {path.stem!r}")])
        books[book.id] = book
    return books


def get(id_or_path: str) -> Rulebook:
    """A bundled rulebook by id, or a rulebook file by path."""
    books = bundled()
    if id_or_path in books:
        return books[id_or_path]
    candidate = Path(id_or_path)
    if candidate.suffix in {".yaml", ".yml", ".json"} or candidate.exists():
        return load_file(candidate)
    raise KeyError(f"unknown rulebook {id_or_path!r}: bundled ones are {sorted(books)}, or give a file path")


def to_json(book: Rulebook) -> str:
    """The whole rulebook as JSON that :func:`validate` accepts back unchanged."""
    return json.dumps(book.model_dump(mode="json"), ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class Assignment:
    """A rulebook assigned to a state body for an interval (G-3)."""

    body: str
    rulebook_id: str
    valid_from: date
    valid_until: date | None = None

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


def in_force(body: str, on: date, assignments: Iterable[Assignment], books: Mapping[str, Rulebook]) -> Rulebook:
    """The rulebook that governs ``body`` on ``on``: its assignment covering the date, itself valid then."""
    candidates = [a for a in assignments if a.body == body and a.covers(on)]
    if not candidates:
        raise LookupError(f"no rulebook is assigned to body {body!r} on {on.isoformat()} (G-3)")
    if len(candidates) > 1:
        ids = sorted(a.rulebook_id for a in candidates)
        raise LookupError(f"body {body!r} has overlapping rulebook assignments on {on.isoformat()}: {ids}")
    book = books.get(candidates[0].rulebook_id)
    if book is None:
        raise LookupError(f"body {body!r} is assigned unknown rulebook {candidates[0].rulebook_id!r}")
    if not book.in_force(on):
        raise LookupError(
            f"rulebook {book.id} assigned to {body!r} is valid {book.valid_from}…{book.valid_until or '∞'}, "
            f"not on {on.isoformat()}"
        )
    return book
