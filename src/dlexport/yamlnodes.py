"""Safe YAML parsing that keeps positions and refuses what YAML should not do in a corpus.

We compose nodes from the (C, when available) safe parser's event stream ourselves, so that every
value carries its line and column, duplicate keys are caught (PyYAML keeps the last one silently),
and anchors, aliases and explicit tags (`!!python/object`) are refused before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dlexport.errors import Problem

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64  # a corpus needs four levels; deeper nesting is a mistake or an attack on the recursion


class _TooDeep(Exception):
    def __init__(self, event: yaml.Event):
        self.event = event


_resolver = yaml.resolver.Resolver()
# A plain scalar whose first character starts no implicit type (bool, int, null, ...) is a string.
_TYPED_STARTS = frozenset(_resolver.yaml_implicit_resolvers)


@dataclass(slots=True)
class Node:
    """A YAML value with its position. `value` is a str/int/float/bool/None, a list or a dict of Nodes."""

    value: Any
    line: int  # 1-based
    col: int  # 1-based
    style: str | None = None  # scalar style: None (plain), "'", '"', "|" or ">"
    keys: dict[str, Node] | None = None  # mapping: key nodes, for key positions
    refused: bool = False  # an alias or tagged value, already reported: don't report it twice

    @property
    def kind(self) -> str:
        if isinstance(self.value, dict):
            return "mapping"
        if isinstance(self.value, list):
            return "list"
        return "scalar"


class _Composer:
    def __init__(self, path: Path, text: str, problems: list[Problem]):
        self.path = path
        self.problems = problems
        self.loader = Loader(text)
        self.next_event = self.loader.get_event  # the parser's own pull method: no generator per event
        self.depth = 0

    def problem(self, event: yaml.Event, message: str) -> None:
        m = event.start_mark
        self.problems.append(Problem(self.path, m.line + 1, m.column + 1, message))

    def document(self) -> Node | None:
        try:
            return self._document()
        finally:
            self.loader.dispose()

    def _document(self) -> Node | None:
        root = None
        while True:
            event = self.next_event()
            if isinstance(event, yaml.DocumentStartEvent) and root is not None:
                self.problem(event, "only one YAML document per file is allowed")
                return root
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentStartEvent, yaml.DocumentEndEvent)):
                continue
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return root
            root = self.node(event)

    def node(self, event: yaml.Event) -> Node:
        mark = event.start_mark
        if type(event) is yaml.ScalarEvent and event.anchor is None and event.tag is None:
            # The common case, kept short: an untagged scalar without an anchor.
            style = event.style or None  # the C parser gives plain scalars the style ""
            return Node(event.value if style else _plain(event.value), mark.line + 1, mark.column + 1, style)
        pos = (mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            self.problem(event, f"YAML aliases are not allowed (*{event.anchor})")
            return Node(None, *pos, refused=True)
        if getattr(event, "anchor", None):
            self.problem(event, f"YAML anchors are not allowed (&{event.anchor})")
        tag = getattr(event, "tag", None)
        refused = bool(tag and tag != "!")
        if refused:
            self.problem(event, f"YAML tags are not allowed ({tag})")
        if isinstance(event, yaml.ScalarEvent):
            value = event.value if event.style else _plain(event.value)
            return Node(value, *pos, style=event.style or None, refused=refused)
        self.depth += 1
        try:
            return self.collection(event, pos, refused)
        finally:
            self.depth -= 1

    def collection(self, event: yaml.Event, pos: tuple[int, int], refused: bool) -> Node:
        if self.depth > MAX_DEPTH:
            raise _TooDeep(event)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(child := self.next_event(), yaml.SequenceEndEvent):
                items.append(self.node(child))
            return Node(items, *pos, refused=refused)
        if isinstance(event, yaml.MappingStartEvent):
            node = self.mapping(*pos)
            node.refused = refused
            return node
        raise AssertionError(f"unexpected YAML event {event}")  # the parser guarantees structure

    def mapping(self, line: int, col: int) -> Node:
        values: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        while not isinstance(event := self.next_event(), yaml.MappingEndEvent):
            key = self.node(event)
            value = self.node(self.next_event())
            if key.kind != "scalar" or key.value is None:
                self.problems.append(
                    Problem(self.path, key.line, key.col, "mapping keys must be plain strings")
                )
                continue
            name = str(key.value)
            if name in values:
                first = keys[name]
                self.problems.append(
                    Problem(
                        self.path,
                        key.line,
                        key.col,
                        f"duplicate key '{name}' (first defined at line {first.line})",
                    )
                )
                continue
            values[name], keys[name] = value, key
        return Node(values, line, col, keys=keys)


def _plain(value: str) -> Any:
    """A plain scalar's value, typed as YAML 1.1 types it (the safe loader's implicit resolvers)."""
    if value and value[0] not in _TYPED_STARTS and None not in _TYPED_STARTS:
        return value
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() in ("true", "yes", "on")
    if tag.endswith(":int"):
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag.endswith(":float"):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def parse_yaml(path: Path, text: str, problems: list[Problem]) -> Node | None:
    """Parse one YAML file into Nodes; syntax errors and refused features are added to `problems`."""
    try:
        return _Composer(path, text, problems).document()
    except _TooDeep as exc:
        m = exc.event.start_mark
        problems.append(Problem(path, m.line + 1, m.column + 1, f"nested deeper than {MAX_DEPTH} levels"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        problems.append(Problem(path, line, col, f"invalid YAML: {what}"))
    except yaml.YAMLError as exc:
        problems.append(Problem(path, 1, 1, f"invalid YAML: {exc}"))
    return None


def position_in(node: Node, offset: int, source_lines: list[str]) -> tuple[int, int]:
    """Line and column in the file of character `offset` inside a scalar's value."""
    before = node.value[:offset]
    if node.style == "|":
        # A literal block: content starts on the line after the indicator, at the block's indent.
        k = before.count("\n")
        first = node.line  # 0-based index of the first content line
        indent = 0
        for src in source_lines[first:]:
            if src.strip():
                indent = len(src) - len(src.lstrip(" "))
                break
        return first + k + 1, indent + len(before) - (before.rfind("\n") + 1) + 1
    if node.style in ("'", '"'):
        return node.line, node.col + 1 + offset
    if node.style is None and "\n" not in before:
        return node.line, node.col + offset
    return node.line, node.col
