"""Compose YAML text into plain nodes with positions, safely and without recursion.

PyYAML's composers recurse (the C one crashes on deep nesting, the Python one is slow on
large files), so this builds the node tree from the parser's events with an explicit
stack, a depth limit, and only the standard YAML tags. Aliases share the anchored node;
nothing is ever constructed from a tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from convcalc.errors import InputError, Location

MAX_DEPTH = 32
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float", "seq", "map", "merge")
)
_RESOLVER = yaml.resolver.Resolver()
try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(slots=True, eq=False)
class Node:
    """A YAML node: a scalar (str value), a sequence (list of nodes) or a mapping (list of pairs)."""

    kind: str
    tag: str
    line: int
    column: int
    value: Any = field(default=None)

    def location(self, source: str) -> Location:
        """Return where this node starts in `source`."""
        return Location(source, self.line, self.column)


def _tag(event: Any, kind: str) -> str:  # noqa: ANN401 - a PyYAML event
    """Resolve an event's tag as PyYAML's SafeLoader would."""
    if event.tag and event.tag != "!":
        return str(event.tag)
    if kind == "scalar":
        node_type = yaml.ScalarNode
        return str(_RESOLVER.resolve(node_type, event.value, event.implicit))
    return "tag:yaml.org,2002:seq" if kind == "seq" else "tag:yaml.org,2002:map"


def compose(text: str, source: str) -> Node | None:
    """Return the single document of `text` as a node tree (None for an empty document)."""
    stack: list[Node] = []
    pending_keys: list[Node | None] = []
    anchors: dict[str, Node] = {}
    root: Node | None = None
    documents = 0

    def error(event: Any, message: str) -> InputError:  # noqa: ANN401 - a PyYAML event
        mark = event.start_mark
        return InputError(message, location=Location(source, mark.line + 1, mark.column + 1))

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif pending_keys[-1] is None:
            pending_keys[-1] = node
        else:
            parent.value.append((pending_keys[-1], node))
            pending_keys[-1] = None

    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise error(event, "expected one YAML document, found a second (---)")
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise error(event, f"alias *{event.anchor} names no anchor defined before it")
                attach(anchors[event.anchor])
            elif isinstance(event, yaml.ScalarEvent | yaml.SequenceStartEvent | yaml.MappingStartEvent):
                kind = {yaml.ScalarEvent: "scalar", yaml.SequenceStartEvent: "seq"}.get(type(event), "map")
                tag = _tag(event, kind)
                if tag not in STANDARD_TAGS:
                    shown = str(event.tag).replace("tag:yaml.org,2002:", "!!")
                    raise error(event, f"tag {shown} is not allowed: network files are plain YAML")
                mark = event.start_mark
                node = Node(kind, tag, mark.line + 1, mark.column + 1, event.value if kind == "scalar" else [])
                if event.anchor:
                    anchors[event.anchor] = node
                attach(node)
                if kind != "scalar":
                    if len(stack) >= MAX_DEPTH:
                        raise error(event, f"nested more than {MAX_DEPTH} levels deep")
                    stack.append(node)
                    pending_keys.append(None)
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                stack.pop()
                pending_keys.pop()
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        location = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        what = " ".join(part for part in (problem.context, problem.problem) if part)
        raise InputError(f"invalid YAML: {what}", location=location) from None
    except yaml.YAMLError as problem:
        first_line = str(problem).splitlines()[0]
        raise InputError(f"invalid YAML: {first_line}", location=Location(source)) from None
    return root
