"""The one YAML loader of every file Bagalau reads (rulebooks, scenarios, staff files): safe, YAML 1.2, bounded.

- **Safe**: a ``yaml.SafeLoader``: plain data only, no Python objects.
- **YAML 1.2 booleans**: PyYAML follows YAML 1.1, where ``on``, ``off``, ``yes`` and ``no`` are booleans; other
  loaders read them as text. Here only ``true``/``false`` are booleans, so every tool reads our files the same way.
- **Impossible dates stay text** (``2025-02-30``), so that validation names their path instead of the parser
  failing without one.
- **Bounded** (issue 12: a 500-deep file exhausted the stack, a 484-byte "billion laughs" took 3 GB): the text's
  size, the nesting depth, the size of the document once every alias is expanded, and recursive aliases are
  checked while composing, before anything is built, and refused with :class:`YamlLimitError`. Control characters
  are refused with their line and column (PyYAML only gives an offset). ``YamlLimitError`` is a ``yaml.YAMLError``,
  so callers that report YAML errors with the file's name report these too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass(frozen=True)
class YamlLimits:
    """How big a YAML document may be (generous for any real file: a 20,000-person scenario is ~8 MB)."""

    max_bytes: int = 32 * 1024 * 1024
    """Characters of text (UTF-8 bytes when read from a file)."""
    max_depth: int = 64
    """Nested mappings and sequences; a rulebook nests about 8 deep."""
    max_nodes: int = 2_000_000
    """Nodes of the document with every alias expanded: what a consumer walking it would visit."""


DEFAULT_LIMITS = YamlLimits()

# PyYAML's own definition of the characters a YAML stream may hold (yaml.reader.Reader.NON_PRINTABLE).
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Control characters written as escapes inside double quotes ("a\0b") are valid YAML, but no name, code or text of
# ours holds one, and PostgreSQL refuses NUL outright: refused with the value's line (tab and line breaks are fine).
_CONTROL_IN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")


class YamlLimitError(yaml.YAMLError):
    """A YAML text refused before parsing it further: too large, too deep, an alias bomb, a control character."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.problem, self.line, self.column = message, line, column
        where = f"line {line}, column {column}: " if line is not None and column is not None else ""
        where = f"line {line}: " if line is not None and column is None else where
        super().__init__(where + message)

    def __str__(self) -> str:
        return str(self.args[0])


def check_text(text: str, limits: YamlLimits = DEFAULT_LIMITS) -> None:
    """Refuse a text that is too long or holds a character YAML does not allow (with its line and column)."""
    if len(text) > limits.max_bytes:
        raise YamlLimitError(f"the text is longer than {limits.max_bytes:,} characters: not read")
    found = _NON_PRINTABLE.search(text)
    if found is not None:
        offset = found.start()
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise YamlLimitError(
            f"control character U+{ord(found.group()):04X} is not allowed in YAML (remove it; inside double quotes "
            'it can be written as an escape such as "\\x01")',
            line,
            column,
        )


def read_text(path: str | Path, limits: YamlLimits = DEFAULT_LIMITS) -> str:
    """A YAML file's text (UTF-8), refused unread when larger than the limit; ``OSError``/``UnicodeError`` as usual."""
    with Path(path).open("rb") as handle:
        data = handle.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise YamlLimitError(f"the file is larger than {limits.max_bytes:,} bytes: not read")
    return data.decode("utf-8-sig")


class Yaml12Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose only booleans are true/false, with impossible dates kept as text, and bounded."""

    limits: ClassVar[YamlLimits] = DEFAULT_LIMITS

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: Any) -> None:
        if isinstance(stream, str):
            check_text(stream, self.limits)
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > self.limits.max_depth:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlLimitError(
                    f"nested deeper than {self.limits.max_depth} levels", mark.line + 1, mark.column + 1
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            check_expansion(node, self.limits)
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


Yaml12Loader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_constructor("tag:yaml.org,2002:timestamp", Yaml12Loader.construct_yaml_timestamp)


def check_expansion(root: yaml.Node, limits: YamlLimits = DEFAULT_LIMITS) -> int:
    """The number of nodes ``root`` stands for once aliases are expanded; refuses alias bombs, alias cycles and
    values holding control characters.

    Each distinct node is visited once (its expanded size is remembered), so a billion laughs is measured in
    microseconds instead of being walked.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > limits.max_nodes:
                mark = node.start_mark
                raise YamlLimitError(
                    f"its aliases expand to more than {limits.max_nodes:,} values (an alias bomb?)",
                    mark.line + 1,
                    mark.column + 1,
                )
            continue
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode) and (found := _CONTROL_IN_VALUE.search(str(node.value))):
            mark = node.start_mark
            raise YamlLimitError(
                f"a value holds the control character U+{ord(found.group()):04X} (an escape such as \\0): "
                "no Bagalau file needs one",
                mark.line + 1,
                mark.column + 1,
            )
        if key in on_path:
            mark = node.start_mark
            raise YamlLimitError("an alias refers to a node that contains it (endless)", mark.line + 1, mark.column + 1)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
