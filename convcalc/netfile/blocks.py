"""Expand `blocks:`: a block written once with parameters, instantiated and repeated, into plain layers.

A file's `blocks:` maps a block's name to its `params` (name: default; a default of null must be
given) and its `layers`. A layer `{block: NAME, name: N, repeat: R, first: {...}, ARG: VALUE}`
puts the block's layers in its place, R times, each reading the one before: the layers are named
`N.0.conv1`, `N.1.conv1`, ... (`N.conv1` without `repeat`), an unnamed one by its position in the
block (`N.0.3`), as torch names the modules of a Sequential; `numbering: denselayer1` names the
repetitions denselayer1, denselayer2, ... instead. Inside a block, `$width` stands for
a parameter's value, `input` for the block's input, a name for the block's own layer (before any
outside it), and a layer with `when: false` is left out, whoever reads it reading its input
instead. `N` and `N.0` name the output of the whole instance and of one repetition.

The expansion works on YAML nodes and keeps each node's line, so a message about an expanded
layer points into the block's definition and names the layer by its expanded name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from convcalc.netfile.mapping import Items, Problems, describe, mapping_items, suggest
from convcalc.netfile.nodes import BOOL_TAG, INT_TAG, MAP_TAG, NULL_TAG, SEQ_TAG, STR_TAG, Node

MAX_DIGITS = 9
"""Most digits a repetition's number may have."""
MAX_BLOCK_DEPTH = 16
MAX_REPEAT_DIGITS = 18
"""A longer `repeat` is not counted here (its reader refuses it), so no string of digits is too long to convert."""
"""Deepest nesting of blocks inside blocks."""
INSTANCE_KEYS = ("block", "name", "from", "repeat", "numbering", "first", "expect", "when")
"""The keys of a block's instance that are not arguments of the block."""
BLOCK_KEYS = ("params", "layers", "description")
REFERENCE_KEYS = ("from", "to")
"""The layer keys whose values name other layers."""


@dataclass(frozen=True, slots=True)
class Placed:
    """A layer to read: its mapping (names and references resolved) and how messages name it."""

    node: Node
    where: str


@dataclass(slots=True)
class _Block:
    node: Node
    params: dict[str, Node | None]  # the default; None: must be given
    layers: list[Node]


@dataclass(slots=True)
class _Scope:
    """Where names are looked up while one list of layers (the file's, or a block's) is expanded."""

    names: dict[str, str]  # a name (or an index, in the file's list) -> the layer it means
    previous: str  # what a layer without `from` reads
    prefix: str  # the block instance's name and a dot; empty in the file's list
    args: dict[str, Node] | None  # the block's parameters; None in the file's list
    block: str = ""
    later: set[str] = field(default_factory=set)  # names defined further down this list


def uses_blocks(blocks: Node | None, layers: list[Node]) -> bool:
    """Tell whether a file defines or instantiates blocks (so its layers need expanding)."""
    if blocks is not None:
        return True
    return any(item.kind == "map" and any(key.value == "block" for key, _ in item.value) for item in layers)


def expand(blocks: Node | None, layers: list[Node], problems: Problems, limit: int) -> list[Placed]:
    """Return the file's layers with every block instance expanded; report problems to `problems`."""
    expander = _Expander(problems, limit)
    expander.read_blocks(blocks)
    sizes = [expander.bound(item, ()) for item in layers]
    if sum(sizes) > limit:
        largest = max(range(len(sizes)), key=sizes.__getitem__)
        msg = f"the file expands to {sum(sizes):,} layers ({sizes[largest]:,} here); at most {limit:,} are read"
        problems.add(layers[largest], f"layers[{largest}]", msg)
        return []
    scope = _Scope({"input": "input"}, "input", "", None)
    scope.later = {str(i + 1) for i in range(len(layers))}
    expander.run(layers, scope)
    return expander.out


def _scalar(value: str, near: Node, tag: str = STR_TAG) -> Node:
    return Node("scalar", tag, near.line, near.column, value)


class _Expander:
    def __init__(self, problems: Problems, limit: int) -> None:
        self.problems = problems
        self.limit = limit
        self.blocks: dict[str, _Block] = {}
        self.out: list[Placed] = []
        self.known: dict[str, str] = {}  # every expanded name and instance name -> its layer
        self.stack: list[str] = []
        self.sizes: dict[str, int] = {}  # each block's layers at most, counted once

    # ------------------------------------------------------------ the definitions

    def read_blocks(self, node: Node | None) -> None:
        if node is None:
            return
        if node.kind != "map":
            self.problems.add(node, "blocks", f"expected a mapping of block names to blocks, got {describe(node)}")
            return
        for name, _, value in mapping_items(node, "blocks", self.problems):
            where = f"blocks.{name}"
            if value.kind != "map":
                self.problems.add(value, where, f"expected `params` and `layers`, got {describe(value)}")
                continue
            items = {key: v for key, _, v in mapping_items(value, where, self.problems)}
            for key, key_node, _ in mapping_items(value, where, self.problems):
                if key not in BLOCK_KEYS:
                    self.problems.add(key_node, f"{where}.{key}", f"unknown key `{key}`{suggest(key, BLOCK_KEYS)}")
            layers = items.get("layers")
            if layers is None or layers.kind != "seq" or not layers.value:
                got = "nothing" if layers is None else "an empty list" if layers.kind == "seq" else describe(layers)
                self.problems.add(layers or value, f"{where}.layers", f"expected a list of layers, got {got}")
                continue
            self.blocks[name] = _Block(value, self.read_params(items.get("params"), where), list(layers.value))

    def read_params(self, node: Node | None, where: str) -> dict[str, Node | None]:
        if node is None:
            return {}
        if node.kind != "map":
            self.problems.add(node, f"{where}.params", f"expected a mapping of names to defaults, got {describe(node)}")
            return {}
        params: dict[str, Node | None] = {}
        for name, key_node, default in mapping_items(node, f"{where}.params", self.problems):
            if name in INSTANCE_KEYS or not name.isidentifier():
                why = "is a key of every instance" if name in INSTANCE_KEYS else "is not a plain name"
                self.problems.add(key_node, f"{where}.params.{name}", f"`{name}` {why}: name the parameter otherwise")
            params[name] = None if default.tag == NULL_TAG else default
        return params

    def bound(self, item: Node, stack: tuple[str, ...]) -> int:
        """Return at most how many layers an item expands to (cycles count nothing: they are refused later).

        Each block's size is counted once (blocks nested ten wide and sixteen deep are 10^16
        layers, counted in sixteen steps).
        """
        if item.kind != "map":
            return 1
        keys = {key.value: value for key, value in item.value if key.kind == "scalar"}
        name = keys.get("block")
        if name is None:
            return 1
        block_name = str(name.value)
        block = self.blocks.get(block_name)
        if block is None or block_name in stack:
            return 0
        repeat = keys.get("repeat")
        written = repeat.value if repeat is not None and repeat.tag == INT_TAG else "1"
        times = int(written) if written.isdigit() and len(written) <= MAX_REPEAT_DIGITS else 1  # else refused later
        if block_name not in self.sizes:
            self.sizes[block_name] = sum(self.bound(layer, (*stack, block_name)) for layer in block.layers)
        return times * self.sizes[block_name]

    # ------------------------------------------------------------ the expansion

    def run(self, items: list[Node], scope: _Scope) -> str:
        """Expand a list of layers; return the layer its output is (what reads it after reads)."""
        for k, item in enumerate(items):
            where = f"layers[{k}]" if scope.args is None else f"blocks.{scope.block}.layers[{k}]"
            if item.kind == "map" and any(key.value == "block" for key, _ in item.value):
                output = self.instance(item, where, scope)
            else:
                output = self.layer(item, k, where, scope)
            if output is not None:
                scope.previous = output
            if scope.args is None:
                scope.later.discard(str(k + 1))
                scope.names.setdefault(str(k + 1), scope.previous)
        return scope.previous

    def layer(self, node: Node, k: int, where: str, scope: _Scope) -> str | None:
        """Place one plain layer; return what it outputs (its input, when it is left out)."""
        if node.kind != "map":
            self.out.append(Placed(node, where))  # the loader says what is wrong with it
            return str(len(self.out))
        items = [(k, kn, self.substitute(v, scope, f"{where}.{k}")) for k, kn, v in self.items(node)]
        values = {key: value for key, _, value in items}
        given = values.get("name")
        local = None if given is None or given.kind != "scalar" else str(given.value)
        full = local
        if scope.args is not None:
            scope.later.discard(local or "")
            if local == "input":
                self.problems.add(given, f"{where}.name", "`input` is the block's input in `from:`; name it otherwise")
            if "when" in values and not self.kept(values["when"], f"{where}.when"):
                refs = self.references(values.get("from"), scope, f"{where}.from")
                scope.names[local or str(k)] = refs[0] if refs else scope.previous
                return scope.names[local or str(k)]
            full = where = scope.prefix + (local or str(k))
        self.out.append(Placed(self.rewrite(node, items, full, scope, where), where))
        target = full if full is not None else str(len(self.out))
        if local is not None or scope.args is not None:
            scope.names[local or str(k)] = target
        if full is not None:
            self.known[full] = target
        return target

    def rewrite(self, node: Node, items: Items, full: str | None, scope: _Scope, where: str) -> Node:
        """Return a layer's mapping with its expanded name, its references resolved, `from` made explicit."""
        pairs: list[tuple[Node, Node]] = []
        for key, key_node, value in items:
            if key == "when" and scope.args is not None:
                continue
            if key == "name" and full is not None:
                pairs.append((key_node, _scalar(full, value)))
            elif key in REFERENCE_KEYS:
                pairs.append((key_node, self.reference_node(value, scope, f"{where}.{key}")))
            else:
                pairs.append((key_node, value))
        keys = {key for key, _, _ in items}
        if "from" not in keys and scope.previous != self.last():
            pairs.append((_scalar("from", node), _scalar(scope.previous, node)))
        if full is not None and "name" not in keys:
            pairs.append((_scalar("name", node), _scalar(full, node)))
        return Node("map", MAP_TAG, node.line, node.column, pairs)

    def instance(self, node: Node, where: str, scope: _Scope) -> str | None:
        """Place a block's layers, repeated; return the last repetition's output."""
        items = [(k, kn, self.substitute(v, scope, f"{where}.{k}")) for k, kn, v in self.items(node)]
        values = {key: value for key, _, value in items}
        found = self.block_of(values, node, where)
        if found is None:
            return None
        block_name, name, block = found
        args = self.arguments(items, block, block_name, where)
        first = self.first(values.get("first"), block, block_name, f"{where}.first")
        times = self.repeat(values.get("repeat"), f"{where}.repeat")
        if first is None or times is None:
            return None
        refs = self.references(values.get("from"), scope, f"{where}.from")
        if len(refs) > 1:
            self.problems.add(values["from"], f"{where}.from", f"a block reads one input, not {len(refs)}")
        source = refs[0] if refs else scope.previous
        if "when" in values and scope.args is not None and not self.kept(values["when"], f"{where}.when"):
            scope.names[name] = source  # left out: whoever reads it reads its input
            return source
        if self.too_many(block, block_name, times, values.get("repeat", node), where):
            return None
        label = self.numbering(values.get("numbering"), f"{where}.numbering")
        full = scope.prefix + name
        if name in scope.names or full in self.known:
            self.problems.add(values["name"], f"{where}.name", f"{name!r} names a layer already")
            return None
        naming = (full, label, "repeat" in values)
        source = self.repetitions(node, where, (block_name, block), naming, times, args, first, source)
        self.known[full] = source
        scope.names[name] = source
        scope.later.discard(name)
        if "expect" in values:
            self.expect(values["expect"], source)
        return source

    def repetitions(  # noqa: PLR0913 - the instance, its block, its names and its arguments
        self,
        node: Node,
        where: str,
        named_block: tuple[str, _Block],
        naming: tuple[str, Callable[[int], str], bool],
        times: int,
        args: dict[str, Node],
        first: dict[str, Node],
        source: str,
    ) -> str:
        """Place the block's layers `times` times, each repetition reading the last; return the last output."""
        block_name, block = named_block
        full, label, repeated = naming
        self.stack.append(block_name)
        for i in range(times):
            prefix = f"{full}.{label(i)}." if repeated else f"{full}."
            these = {**args, **first} if i == 0 else args
            missing = [p for p, default in block.params.items() if default is None and p not in these]
            if missing:
                self.problems.add(node, where, f"block {block_name!r} needs `{'`, `'.join(missing)}`")
                break
            inner = _Scope({"input": source}, source, prefix, these, block_name)
            inner.later = {self.local_name(layer, j) for j, layer in enumerate(block.layers)}
            source = self.run(block.layers, inner)
            if repeated:
                self.known[f"{full}.{label(i)}"] = source
        self.stack.pop()
        return source

    # ------------------------------------------------------------ the pieces

    def too_many(self, block: _Block, block_name: str, times: int, node: Node, where: str) -> bool:
        """Refuse an instance that would take the file past the most layers read (a repeat given by a parameter)."""
        each = sum(self.bound(layer, (*self.stack, block_name)) for layer in block.layers)
        if len(self.out) + times * each <= self.limit:
            return False
        msg = f"block {block_name!r} repeated {times:,} times expands past {self.limit:,} layers, the most read"
        self.problems.add(node, f"{where}.repeat", msg)
        return True

    def block_of(self, values: dict[str, Node], node: Node, where: str) -> tuple[str, str, _Block] | None:
        """Return the block an instance names (with the instance's name), or None when it cannot be placed."""
        block_name = self.word(values["block"], f"{where}.block")
        name = self.word(values.get("name"), f"{where}.name", node)
        block = self.blocks.get(block_name or "")
        if block_name is not None and block is None:
            hint = suggest(block_name, list(self.blocks))
            self.problems.add(values["block"], f"{where}.block", f"no block named {block_name!r}{hint}")
        if block is None or block_name is None or name is None:
            return None
        if block_name in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(block_name) :], block_name])
            self.problems.add(values["block"], f"{where}.block", f"block {block_name!r} contains itself ({chain})")
            return None
        if len(self.stack) >= MAX_BLOCK_DEPTH:
            self.problems.add(values["block"], f"{where}.block", f"blocks nested more than {MAX_BLOCK_DEPTH} deep")
            return None
        return block_name, name, block

    def items(self, node: Node) -> Items:
        return mapping_items(node, "", self.problems)

    def last(self) -> str:
        """Return the name of the layer placed last (what a layer without `from` reads)."""
        return self.name_of(len(self.out) - 1) if self.out else "input"

    @staticmethod
    def local_name(node: Node, k: int) -> str:
        if node.kind == "map":
            for key, value in node.value:
                if key.value == "name" and value.kind == "scalar":
                    return str(value.value)
        return str(k)

    def word(self, node: Node | None, where: str, parent: Node | None = None) -> str | None:
        if node is None:
            self.problems.add(parent, where.rsplit(".", 1)[0], "a block's instance needs `name`")
            return None
        if node.kind != "scalar" or node.tag not in (STR_TAG, INT_TAG):
            self.problems.add(node, where, f"expected a name, got {describe(node)}")
            return None
        return str(node.value)

    def numbering(self, node: Node | None, where: str) -> Callable[[int], str]:
        """Return how repetition i is named: `numbering` is the first one's name, its last digits counting up."""
        if node is None:
            return str
        text = str(node.value) if node.kind == "scalar" else ""
        stem = text.rstrip("0123456789")
        if node.kind != "scalar" or stem == text or len(text) - len(stem) > MAX_DIGITS:
            self.problems.add(
                node, where, f"expected the first repetition's name, ending in its number, got {describe(node)}"
            )
            return str
        start = int(text[len(stem) :])
        return lambda i: f"{stem}{start + i}"

    def kept(self, node: Node, where: str) -> bool:
        if node.kind == "scalar" and node.tag == BOOL_TAG:
            return str(node.value).lower() in ("true", "yes", "on", "y")
        self.problems.add(node, where, f"expected true or false, got {describe(node)}")
        return True

    def repeat(self, node: Node | None, where: str) -> int | None:
        if node is None:
            return 1
        written = str(node.value) if node.kind == "scalar" and node.tag == INT_TAG else ""
        if written.isdigit() and len(written) > MAX_REPEAT_DIGITS:
            self.problems.add(node, where, f"expected at most {MAX_REPEAT_DIGITS} digits, got {len(written)}")
            return None
        if written.isdigit() and int(written) >= 1:
            return int(written)
        self.problems.add(node, where, f"expected a positive integer, got {describe(node)}")
        return None

    def arguments(self, items: Items, block: _Block, block_name: str, where: str) -> dict[str, Node]:
        """Return the block's parameters for an instance: the defaults, then what the instance gives."""
        args = {name: default for name, default in block.params.items() if default is not None}
        for key, key_node, value in items:
            if key in INSTANCE_KEYS:
                continue
            if key not in block.params:
                hint = suggest(key, list(block.params))
                self.problems.add(key_node, f"{where}.{key}", f"block {block_name!r} has no parameter `{key}`{hint}")
                continue  # said; the block is still expanded, to say what else is wrong
            args[key] = value
        return args

    def first(self, node: Node | None, block: _Block, block_name: str, where: str) -> dict[str, Node] | None:
        """Read `first:`, the arguments that differ in the first repetition."""
        if node is None:
            return {}
        if node.kind != "map":
            self.problems.add(node, where, f"expected a mapping of parameters, got {describe(node)}")
            return None
        items = mapping_items(node, where, self.problems)
        unknown = [(key, key_node) for key, key_node, _ in items if key not in block.params]
        for key, key_node in unknown:
            hint = suggest(key, list(block.params))
            self.problems.add(key_node, f"{where}.{key}", f"block {block_name!r} has no parameter `{key}`{hint}")
        return None if unknown else {key: value for key, _, value in items}

    def substitute(self, node: Node, scope: _Scope, where: str) -> Node:
        """Replace `$name` by the block's argument, in a value and in the lists and mappings inside it."""
        if scope.args is None:
            return node
        if node.kind == "scalar":
            if node.tag != STR_TAG or not str(node.value).startswith("$"):
                return node
            name = str(node.value)[1:]
            if name in scope.args:
                return scope.args[name]
            hint = suggest(name, list(scope.args))
            self.problems.add(node, where, f"block {scope.block!r} has no parameter `{name}`{hint}")
            self.problems.settled.add(id(node))
            return node
        if node.kind == "seq":
            return Node("seq", SEQ_TAG, node.line, node.column, [self.substitute(v, scope, where) for v in node.value])
        pairs = [(key, self.substitute(value, scope, where)) for key, value in node.value]
        return Node("map", node.tag, node.line, node.column, pairs)

    def references(self, node: Node | None, scope: _Scope, where: str) -> list[str]:
        if node is None:
            return []
        resolved = self.reference_node(node, scope, where)
        items = resolved.value if resolved.kind == "seq" else [resolved]
        return [str(item.value) for item in items if item.kind == "scalar"]

    def reference_node(self, node: Node, scope: _Scope, where: str) -> Node:
        """Return `from` or `to` with each name replaced by the layer it means here."""
        if node.kind == "seq":
            items = [self.resolve(item, scope, f"{where}[{i}]") for i, item in enumerate(node.value)]
            return Node("seq", SEQ_TAG, node.line, node.column, items)
        return self.resolve(node, scope, where)

    def resolve(self, node: Node, scope: _Scope, where: str) -> Node:
        if node.kind != "scalar" or node.tag not in (STR_TAG, INT_TAG):
            return node  # the loader says what is wrong with it
        name = str(node.value)
        if name in scope.names:
            return _scalar(scope.names[name], node)
        if name.isdigit():
            if scope.args is not None:
                msg = "inside a block, `from` names a layer: an index would move with every instance"
            elif name in scope.later:
                msg = f"layer {name} is not before this one: a layer reads only layers before it"
            else:
                msg = f"no layer named {name!r} before this one"
            self.problems.add(node, where, msg)
            return _scalar("input", node)  # said: read nothing else into it
        if name in self.known:
            return _scalar(self.known[name], node)
        if scope.args is not None and name in scope.later:
            return _scalar(scope.prefix + name, node)  # the loader says it is defined later
        return node

    def expect(self, node: Node, target: str) -> None:
        """Put an instance's `expect` on the layer its output is."""
        for i in range(len(self.out) - 1, -1, -1):
            placed = self.out[i]
            if placed.node.kind == "map" and self.name_of(i) == target:
                pairs = [(k, v) for k, v in placed.node.value if k.value != "expect"]
                pairs.append((_scalar("expect", node), node))
                self.out[i] = Placed(Node("map", MAP_TAG, placed.node.line, placed.node.column, pairs), placed.where)
                return

    def name_of(self, i: int) -> str:
        """Return how references name the i-th layer placed: its name, else its position from 1."""
        node = self.out[i].node
        named = [v for k, v in node.value if k.value == "name" and v.kind == "scalar"] if node.kind == "map" else []
        return str(named[0].value) if named else str(i + 1)
