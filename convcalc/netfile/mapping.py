"""Reading YAML nodes: collecting located problems, describing a value, and expanding << merges."""

from __future__ import annotations

import difflib

from convcalc.core.errors import InputError, Location
from convcalc.netfile.nodes import BOOL_TAG, MERGE_TAG, NULL_TAG, STR_TAG, Node


class Problems:
    """Collect located input errors; a value that fails is reported and replaced by None."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[InputError] = []
        self.count = 0  # every problem found, those said once already too: a reader compares it before and after
        self.said: set[tuple[str, str]] = set()  # (place in the file, message): a block's line says it once
        self.settled: set[int] = set()  # nodes whose problem is said: what follows from it is not

    def add(self, node: Node | None, where: str, message: str) -> None:
        """Record a problem at `node` (the file itself when None), named by `where`."""
        location = node.location(self.source) if node else Location(self.source)
        error = InputError(message, where=where, location=location)
        self.count += 1
        if node is not None and id(node) in self.settled:
            return
        if node is not None and node.line is not None:
            if (str(location), message) in self.said:
                return
            self.said.add((str(location), message))
        if not any(str(error) == str(seen) for seen in self.errors[-8:]):  # a shared node says it once
            self.errors.append(error)


def describe(node: Node) -> str:
    """Say what a node holds, for a message: 'a list', 'a string 'x'', 'the number 3'."""
    if node.kind == "seq":
        return "a list"
    if node.kind == "map":
        return "a mapping"
    names = {BOOL_TAG: "a boolean", STR_TAG: "a string", NULL_TAG: "nothing (null)"}
    if node.tag in names:
        return f"{names[node.tag]} {node.value!r}" if node.tag != NULL_TAG else names[node.tag]
    return f"the number {node.value}"


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return ' (did you mean `x`?)' for the closest choice, preferring one with the same digits."""
    word = word.lower().replace("_", "")
    close = difflib.get_close_matches(word, list(choices), n=4, cutoff=0.6)
    digits = {c for c in word if c.isdigit()}
    same = [c for c in close if {d for d in c if d.isdigit()} == digits]
    best = (same or close)[:1]
    return f" (did you mean `{best[0]}`?)" if best else ""


MAX_MERGE_DEPTH = 32
"""Deepest chain of << merges (a mapping merging one that merges another ...)."""

Items = list[tuple[str, Node, Node]]


def mapping_items(node: Node, where: str, problems: Problems) -> Items:
    """Return (key, key node, value node) pairs, expanding << merge keys; later keys win.

    Each merged mapping is expanded once and shared (a file merging the mapping before it
    twice, line after line, stays linear), a mapping that merges itself is refused, and so
    is a chain of merges deeper than MAX_MERGE_DEPTH.
    """
    return Merges(where, problems).items(node, 0)


class Merges:
    """Expand << merges once per mapping node, remembering each expansion."""

    def __init__(self, where: str, problems: Problems) -> None:
        self.where = where
        self.problems = problems
        self.done: dict[int, Items] = {}
        self.open: set[int] = set()

    def items(self, node: Node, depth: int) -> Items:
        """Return the pairs of a mapping node, its merges expanded."""
        if id(node) in self.done:
            return self.done[id(node)]
        self.open.add(id(node))
        items: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                for key, knode, vnode in self.merge(value_node, depth):
                    merged.setdefault(key, (knode, vnode))
                continue
            if key_node.kind != "scalar":
                self.problems.add(key_node, self.where, f"expected a key name, got {describe(key_node)}")
                continue
            key = str(key_node.value)
            if key in items:
                self.problems.add(key_node, f"{self.where}.{key}" if self.where else key, "appears twice")
            items[key] = (key_node, value_node)
        self.open.discard(id(node))
        found = [(k, kn, vn) for k, (kn, vn) in ({**merged, **items}).items()]
        self.done[id(node)] = found
        return found

    def merge(self, value_node: Node, depth: int) -> Items:
        """Return the pairs a << key brings in, the first source winning."""
        pairs: Items = []
        for source in value_node.value if value_node.kind == "seq" else [value_node]:
            if source.kind != "map":
                self.problems.add(source, self.where, "a << merge takes a mapping or a list of mappings")
            elif id(source) in self.open:
                self.problems.add(source, self.where, "a << merge of a mapping into itself")
            elif depth >= MAX_MERGE_DEPTH:
                self.problems.add(source, self.where, f"<< merges nested more than {MAX_MERGE_DEPTH} deep")
            else:
                pairs.extend(self.items(source, depth + 1))
        return pairs
