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
INT_TAG = "tag:yaml.org,2002:int"
STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
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


def _plain_tag(event: Any) -> str | None:  # noqa: ANN401 - a PyYAML event
    """Return the tag of an untagged scalar when it is quick to tell (most are), else None."""
    value = event.value
    if not event.implicit[0]:
        return STR_TAG  # quoted: always a string
    if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
        return INT_TAG  # plain decimal, without the resolver's regular expressions
    if value and value[0] not in _RESOLVER.yaml_implicit_resolvers:
        return STR_TAG  # no implicit type starts with this character
    return None


def _tag(event: Any, kind: str) -> str:  # noqa: ANN401 - a PyYAML event
    """Resolve an event's tag as PyYAML's SafeLoader would."""
    if event.tag and event.tag != "!":
        return str(event.tag)
    if kind != "scalar":
        return SEQ_TAG if kind == "seq" else MAP_TAG
    tag = _plain_tag(event)
    if tag is not None:
        return tag
    return str(_RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit))  # type: ignore[no-untyped-call]


class _Composer:
    """Build nodes from parser events with an explicit stack (no recursion, bounded depth)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[Node] = []
        self.pending_keys: list[Node | None] = []
        self.anchors: dict[str, Node] = {}
        self.root: Node | None = None
        self.documents = 0

    def error(self, event: Any, message: str) -> InputError:  # noqa: ANN401 - a PyYAML event
        mark = event.start_mark
        return InputError(message, location=Location(self.source, mark.line + 1, mark.column + 1))

    def attach(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if parent.kind == "seq":
            parent.value.append(node)
        elif self.pending_keys[-1] is None:
            self.pending_keys[-1] = node
        else:
            parent.value.append((self.pending_keys[-1], node))
            self.pending_keys[-1] = None

    def open(self, event: Any, kind: str) -> None:  # noqa: ANN401 - a PyYAML event
        tag = _tag(event, kind)
        if tag not in STANDARD_TAGS:
            shown = str(event.tag).replace("tag:yaml.org,2002:", "!!")
            raise self.error(event, f"tag {shown} is not allowed: network files are plain YAML")
        mark = event.start_mark
        node = Node(kind, tag, mark.line + 1, mark.column + 1, event.value if kind == "scalar" else [])
        if event.anchor:
            self.anchors[event.anchor] = node
        self.attach(node)
        if kind != "scalar":
            if len(self.stack) >= MAX_DEPTH:
                raise self.error(event, f"nested more than {MAX_DEPTH} levels deep")
            self.stack.append(node)
            self.pending_keys.append(None)

    def feed(self, event: Any) -> None:  # noqa: ANN401 - a PyYAML event
        kind = _OPENING.get(type(event))
        if kind is not None:
            self.open(event, kind)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            self.stack.pop()
            self.pending_keys.pop()
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise self.error(event, f"alias *{event.anchor} names no anchor defined before it")
            self.attach(self.anchors[event.anchor])
        elif isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.error(event, "expected one YAML document, found a second (---)")

    def plain_scalar(self, event: Any) -> bool:  # noqa: ANN401 - a PyYAML event
        """Attach the commonest event, an untagged scalar inside a collection, quickly; False otherwise."""
        if event.tag or event.anchor or not self.stack:
            return False
        tag = _plain_tag(event)
        if tag is None:
            return False
        mark = event.start_mark
        self.attach(Node("scalar", tag, mark.line + 1, mark.column + 1, event.value))
        return True


_OPENING: dict[type, str] = {yaml.ScalarEvent: "scalar", yaml.SequenceStartEvent: "seq", yaml.MappingStartEvent: "map"}


def compose(text: str, source: str) -> Node | None:
    """Return the single document of `text` as a node tree (None for an empty document)."""
    composer = _Composer(source)
    try:
        scalar = yaml.ScalarEvent
        for event in yaml.parse(text, Loader=_Loader):
            if type(event) is not scalar or not composer.plain_scalar(event):
                composer.feed(event)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        location = Location(source, mark.line + 1, mark.column + 1) if mark else Location(source)
        what = " ".join(part for part in (problem.context, problem.problem) if part)
        raise InputError(f"invalid YAML: {what}", location=location) from None
    except yaml.YAMLError as problem:
        first_line = str(problem).splitlines()[0]
        raise InputError(f"invalid YAML: {first_line}", location=Location(source)) from None
    return composer.root
