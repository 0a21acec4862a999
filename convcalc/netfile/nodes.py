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

from convcalc.core.errors import InputError, Location
from convcalc.core.text import integer_text

MAX_DEPTH = 32
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "bool", "null", "float", "seq", "map", "merge")
)
_RESOLVER = yaml.resolver.Resolver()
INT_TAG = "tag:yaml.org,2002:int"
STR_TAG = "tag:yaml.org,2002:str"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
FLOAT_TAG = "tag:yaml.org,2002:float"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"
try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(slots=True, eq=False)
class Node:
    """A YAML node: a scalar (str value), a sequence (list of nodes) or a mapping (list of pairs)."""

    kind: str
    tag: str
    line: int | None  # None: built from a Python value, which has no lines
    column: int | None
    value: Any = field(default=None)

    def location(self, source: str) -> Location:
        """Return where this node starts in `source`."""
        return Location(source, self.line, self.column)


_Opening = yaml.ScalarEvent | yaml.SequenceStartEvent | yaml.MappingStartEvent


def _place(event: yaml.Event) -> tuple[int | None, int | None]:
    """Return an event's 1-based line and column (PyYAML always gives a mark; None if it did not)."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)


def _plain_tag(event: yaml.ScalarEvent) -> str | None:
    """Return the tag of an untagged scalar when it is quick to tell (most are), else None."""
    value = event.value
    if not event.implicit[0]:
        return STR_TAG  # quoted: always a string
    if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
        return INT_TAG  # plain decimal, without the resolver's regular expressions
    if value and value[0] not in _RESOLVER.yaml_implicit_resolvers:
        return STR_TAG  # no implicit type starts with this character
    return None


def _tag(event: _Opening, kind: str) -> str:
    """Resolve an event's tag as PyYAML's SafeLoader would."""
    if event.tag and event.tag != "!":
        return str(event.tag)
    if not isinstance(event, yaml.ScalarEvent):
        return SEQ_TAG if kind == "seq" else MAP_TAG
    tag = _plain_tag(event)
    if tag is not None:
        return tag
    return str(_RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit))  # type: ignore[no-untyped-call]  # PyYAML's resolver is untyped


class _Composer:
    """Build nodes from parser events with an explicit stack (no recursion, bounded depth)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[Node] = []
        self.pending_keys: list[Node | None] = []
        self.anchors: dict[str, Node] = {}
        self.root: Node | None = None
        self.documents = 0

    def error(self, event: yaml.Event, message: str) -> InputError:
        return InputError(message, location=Location(self.source, *_place(event)))

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

    def open(self, event: _Opening, kind: str) -> None:
        tag = _tag(event, kind)
        shown = str(event.tag).replace("tag:yaml.org,2002:", "!!")
        if tag not in STANDARD_TAGS:
            raise self.error(event, f"tag {shown} is not allowed: network files are plain YAML")
        if event.tag and event.tag != "!":
            self.check_explicit_tag(event, kind, tag, shown)
        node = Node(kind, tag, *_place(event), event.value if isinstance(event, yaml.ScalarEvent) else [])
        if event.anchor:
            self.anchors[event.anchor] = node
        self.attach(node)
        if kind != "scalar":
            if len(self.stack) >= MAX_DEPTH:
                raise self.error(event, f"nested more than {MAX_DEPTH} levels deep")
            self.stack.append(node)
            self.pending_keys.append(None)

    def check_explicit_tag(self, event: _Opening, kind: str, tag: str, shown: str) -> None:
        """Refuse a standard tag on a value it does not fit (`!!int "abc"`, `!!bool 7`, `!!map [1]`)."""
        wanted = {SEQ_TAG: "seq", MAP_TAG: "map"}.get(tag, "scalar")
        if wanted != kind:
            noun = {"seq": "a list", "map": "a mapping", "scalar": "a single value"}[kind]
            raise self.error(event, f"tag {shown} does not fit {noun}: network files need no tags")
        if isinstance(event, yaml.ScalarEvent) and tag != STR_TAG:
            plain = str(_RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False)))  # type: ignore[no-untyped-call]  # PyYAML's resolver is untyped
            if plain != tag:
                raise self.error(event, f"tag {shown} does not fit {event.value!r}: network files need no tags")

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, _Opening):
            self.open(event, _OPENING[type(event)])
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

    def plain_scalar(self, event: yaml.ScalarEvent) -> bool:
        """Attach the commonest event, an untagged scalar inside a collection, quickly; False otherwise."""
        if event.tag or event.anchor or not self.stack:
            return False
        tag = _plain_tag(event)
        if tag is None:
            return False
        self.attach(Node("scalar", tag, *_place(event), event.value))
        return True


_OPENING: dict[type, str] = {yaml.ScalarEvent: "scalar", yaml.SequenceStartEvent: "seq", yaml.MappingStartEvent: "map"}


def _parse(text: str, source: str, loader: type[yaml.SafeLoader]) -> Node | None:
    """Feed the parser's events for `text` to a new composer; return the root node."""
    composer = _Composer(source)
    scalar = yaml.ScalarEvent
    for event in yaml.parse(text, Loader=loader):
        if type(event) is not scalar or not composer.plain_scalar(event):
            composer.feed(event)
    return composer.root


def compose(text: str, source: str) -> Node | None:
    """Return the single document of `text` as a node tree (None for an empty document).

    Every problem is reported in convcalc's own words, whatever PyYAML's version: a syntax
    error is described from its kind and position, not from the parser's message, and a
    problem of convcalc's own (a depth limit, a tag, an alias) that stands before the
    parser's error wins even when the parser looks ahead and stops first.
    """
    try:
        return _parse(text, source, _Loader)
    except yaml.YAMLError as problem:
        raise _earlier_problem(text, source, problem) or describe_yaml_error(problem, text, source) from None


def _earlier_problem(text: str, source: str, problem: yaml.YAMLError) -> InputError | None:
    """Return convcalc's own error in the text before the parser's error, if there is one.

    Parsers read ahead (libyaml scans a whole flow collection before the first event of it, and
    newer releases stop past a nesting depth of their own); parsing only the text before the
    parser's error lets convcalc's checks see the events that come first.
    """
    mark = getattr(problem, "problem_mark", None) or getattr(problem, "context_mark", None)
    end = _char_index(text, mark.line, mark.column) if mark is not None else _reader_index(text, problem)
    if end is None or end <= 0:
        return None
    try:
        _parse(text[:end], source, _Loader)
    except InputError as earlier:
        return earlier
    except yaml.YAMLError:
        return None
    return None


def _char_index(text: str, line: int, column: int) -> int:
    """Return the character offset of a 0-based line and column in `text`."""
    start = 0
    for _ in range(line):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(start + column, len(text))


def _reader_index(text: str, problem: yaml.YAMLError) -> int | None:
    """Return where the character a reader error names first stands in `text`."""
    character = getattr(problem, "character", None)
    if isinstance(character, int):
        found = text.find(chr(character))
        return found if found >= 0 else None
    if isinstance(character, str) and character:
        found = text.find(character)
        return found if found >= 0 else None
    return None


def _location_of(text: str, source: str, index: int) -> Location:
    """Return the 1-based line and column of character `index` in `text`."""
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    return Location(source, line + 1, column + 1)


# What went wrong, by the parser's context (the same words in libyaml and in PyYAML's own
# parser, and stable across releases) and a keyword of its problem. The first match wins.
_SYNTAX: tuple[tuple[str, str, str], ...] = (
    ("flow sequence", "", "the [ list opened at {opened} is not closed: expected `,` or `]` here"),
    ("flow mapping", "", "the {{ mapping opened at {opened} is not closed: expected `,` or `}}` here"),
    ("quoted scalar", "", "the quoted string opened at {opened} is not closed"),
    ("simple key", "", "the key at {opened} has no `:` after it on its line"),
    ("plain scalar", "", "a `:` inside a value: quote the value"),
    ("block mapping", "", "expected a `key:` at the indentation of the mapping at {opened}: check the indentation"),
    ("block collection", "", "expected a `- ` item at the indentation of the list at {opened}: check the indentation"),
    ("anchor", "", "an anchor `&` needs a name of letters, digits, `-` or `_`"),
    ("alias", "", "an alias `*` needs a name of letters, digits, `-` or `_`"),
    ("block scalar", "", "a `|` or `>` block text needs a line break after its header"),
    ("", "tag handle", "an undefined tag handle (such as !a!): network files are plain YAML and need no tags"),
    ("tag", "", "a malformed tag: network files are plain YAML and need no tags"),
    ("directive", "", "a malformed `%` directive: network files need none"),
    ("", "cannot start any token", "{char} cannot start a value: quote the value (and indent with spaces, not tabs)"),
    ("", "mapping values are not allowed", "a `:` where no key can start: quote the value or check the indentation"),
    ("", "sequence entries are not allowed", "a `- ` item where no list can start: check the indentation"),
    ("", "mapping keys are not allowed", "a `?` key where no key can start: check the indentation"),
    ("", "document start", "text after the end of the top-level mapping: check the indentation"),
    ("flow node", "", "expected a value here"),
    ("block node", "", "expected a value here"),
)


def describe_yaml_error(problem: yaml.YAMLError, text: str, source: str) -> InputError:
    """Return a PyYAML error as one located line in convcalc's own words."""
    if isinstance(problem, yaml.reader.ReaderError):
        index = _reader_index(text, problem)
        location = _location_of(text, source, index) if index is not None else Location(source)
        character = problem.character
        code = ord(character) if isinstance(character, str) else int(character)
        return InputError(f"invalid YAML: character U+{code:04X} is not allowed in YAML text", location=location)
    mark = getattr(problem, "problem_mark", None) or getattr(problem, "context_mark", None)
    context_mark = getattr(problem, "context_mark", None)
    location = Location(source, mark.line + 1, mark.column + 1) if mark is not None else Location(source)
    context = str(getattr(problem, "context", None) or "")
    what = str(getattr(problem, "problem", None) or problem)
    opened = f"line {context_mark.line + 1}, column {context_mark.column + 1}" if context_mark else "here"
    char = "this character"
    if mark is not None:
        index = _char_index(text, mark.line, mark.column)
        if index < len(text):
            char = _shown(text[index])
    if "nesting depth" in what:  # a parser's own limit, deeper than convcalc's
        return InputError(f"nested more than {MAX_DEPTH} levels deep", location=location)
    for context_word, problem_word, message in _SYNTAX:
        if context_word in context and problem_word in what:
            return InputError(f"invalid YAML: {message.format(opened=opened, char=char)}", location=location)
    return InputError("invalid YAML: the text cannot be read as YAML here", location=location)


def _shown(character: str) -> str:
    """Return one character as a user sees it best: quoted, or as its code when invisible."""
    if character == "\t":
        return "a tab"
    if character.isprintable() and not character.isspace():
        return f"the character {character!r}"
    return f"the character U+{ord(character):04X}"


def python_node(value: object, *, depth: int = 0) -> Node:
    """Return the node of a Python value as if it were written in YAML (dicts, lists, str, int, float, bool, None).

    A network built in Python is read by the same loader as a file, with the same checks and
    messages; anything else (a set, an object) becomes a string node that the loader refuses.
    """
    if depth > MAX_DEPTH:
        raise InputError(f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        pairs = [(python_node(str(key)), python_node(item, depth=depth + 1)) for key, item in value.items()]
        return Node("map", MAP_TAG, None, None, pairs)
    if isinstance(value, list | tuple):
        return Node("seq", SEQ_TAG, None, None, [python_node(item, depth=depth + 1) for item in value])
    if isinstance(value, bool):
        return Node("scalar", BOOL_TAG, None, None, "true" if value else "false")
    if isinstance(value, int):  # every digit, however many: the loader refuses past 100 by the text's length
        return Node("scalar", INT_TAG, None, None, integer_text(value))
    if isinstance(value, float):
        return Node("scalar", FLOAT_TAG, None, None, repr(value))
    if value is None:
        return Node("scalar", NULL_TAG, None, None, "null")
    return Node("scalar", STR_TAG, None, None, str(value))
