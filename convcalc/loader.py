"""Read network files: YAML text to a NetworkSpec, every problem located and reported at once."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convcalc.errors import InputError, InputErrorGroup, Location
from convcalc.spec import MAX_DIGITS, MAX_RANK, LayerKind, LayerSpec, NetworkSpec
from convcalc.yamlnodes import Node, compose

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LAYERS = 100_000

INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"

KIND_NAMES: dict[str, tuple[LayerKind, int | None]] = {
    "conv": (LayerKind.CONV, None),
    "convtranspose": (LayerKind.CONVTRANSPOSE, None),
    "maxpool": (LayerKind.MAXPOOL, None),
    "avgpool": (LayerKind.AVGPOOL, None),
    **{f"{short}{rank}d": (kind, rank) for short, kind in (
        ("conv", LayerKind.CONV),
        ("convtranspose", LayerKind.CONVTRANSPOSE),
        ("maxpool", LayerKind.MAXPOOL),
        ("avgpool", LayerKind.AVGPOOL),
    ) for rank in (1, 2, 3)},
}  # fmt: skip
"""Layer types: convcalc's short names and the torch.nn class names (matched in any case)."""


class _Problems:
    """Collect located input errors; a value that fails is reported and replaced by None."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[InputError] = []

    def add(self, node: Node | None, where: str, message: str) -> None:
        location = node.location(self.source) if node else Location(self.source)
        self.errors.append(InputError(message, where=where, location=location))


# ---------------------------------------------------------------- scalar readers


def _describe(node: Node) -> str:
    if node.kind == "seq":
        return "a list"
    if node.kind == "map":
        return "a mapping"
    names = {BOOL_TAG: "a boolean", STR_TAG: "a string", NULL_TAG: "nothing (null)"}
    if node.tag in names:
        return f"{names[node.tag]} {node.value!r}" if node.tag != NULL_TAG else names[node.tag]
    return f"the number {node.value}"


def _int_value(node: Node) -> int | None:
    if node.kind != "scalar" or node.tag != INT_TAG:
        return None
    if node.value.isascii() and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
        return int(node.value)  # plain decimal; YAML 1.1 reads a leading 0 as octal, so those go below
    import yaml  # noqa: PLC0415 - already loaded by the composer; kept local to this front end

    return int(yaml.constructor.SafeConstructor().construct_yaml_int(yaml.ScalarNode(INT_TAG, node.value)))


def _read_int(node: Node, where: str, problems: _Problems, minimum: int) -> int | None:
    if node.kind == "scalar" and node.tag == INT_TAG and len(node.value) > MAX_DIGITS + 1:
        problems.add(node, where, f"expected at most {MAX_DIGITS} digits, got {len(node.value)} characters")
        return None
    value = _int_value(node)
    what = "a positive integer" if minimum == 1 else "a non-negative integer"
    if value is None:
        problems.add(node, where, f"expected {what}, got {_describe(node)}")
        return None
    if value < minimum:
        problems.add(node, where, f"expected {what}, got {value}")
        return None
    return value


def _read_axes(node: Node, where: str, problems: _Problems, minimum: int) -> int | tuple[int, ...] | None:
    """Read an int or a per-axis list of 1 to 3 ints."""
    if node.kind != "seq":
        return _read_int(node, where, problems, minimum)
    if not 1 <= len(node.value) <= MAX_RANK:
        problems.add(node, where, f"expected 1 to {MAX_RANK} values (one per spatial axis), got {len(node.value)}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, minimum) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


def _read_positive(node: Node, where: str, problems: _Problems) -> int | tuple[int, ...] | None:
    return _read_axes(node, where, problems, 1)


def _read_count(node: Node, where: str, problems: _Problems) -> int | None:
    return _read_int(node, where, problems, 1)


def _read_non_negative(node: Node, where: str, problems: _Problems) -> int | tuple[int, ...] | None:
    return _read_axes(node, where, problems, 0)


def _read_padding(node: Node, where: str, problems: _Problems) -> Any:  # noqa: ANN401 - int, list, pairs or word
    if node.kind == "scalar" and node.tag == STR_TAG:
        word = str(node.value).lower()
        if word in ("same", "valid"):
            return word
        problems.add(node, where, f"expected an integer, a per-axis list, same or valid, got {node.value!r}")
        return None
    if node.kind == "seq" and any(item.kind == "seq" for item in node.value):
        pairs: list[int | tuple[int | None, int | None] | None] = []
        for i, item in enumerate(node.value):
            if item.kind == "seq" and len(item.value) == 2:  # noqa: PLR2004 - (before, after)
                pair = [_read_int(v, f"{where}[{i}][{j}]", problems, 0) for j, v in enumerate(item.value)]
                pairs.append(None if None in pair else (pair[0], pair[1]))
            else:
                pairs.append(_read_int(item, f"{where}[{i}]", problems, 0))
        return None if None in pairs else tuple(pairs)
    return _read_axes(node, where, problems, 0)


def _read_bool(node: Node, where: str, problems: _Problems) -> bool | None:
    if node.kind == "scalar" and node.tag == BOOL_TAG:
        return str(node.value).lower() in ("true", "yes", "on", "y")
    problems.add(node, where, f"expected true or false, got {_describe(node)}")
    return None


def _read_name(node: Node, where: str, problems: _Problems) -> str | None:
    if node.kind == "scalar" and node.tag in (STR_TAG, INT_TAG):
        return str(node.value)
    problems.add(node, where, f"expected a name, got {_describe(node)}")
    return None


def _read_shape(node: Node, where: str, problems: _Problems) -> tuple[int, ...] | None:
    if node.kind != "seq" or not 3 <= len(node.value) <= MAX_RANK + 2:  # noqa: PLR2004 - N, C, 1-3 axes
        got = f"{len(node.value)} values" if node.kind == "seq" else _describe(node)
        problems.add(node, where, f"expected [N, C] and 1 to {MAX_RANK} spatial sizes, got {got}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, 1) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


def _read_expect(node: Node, where: str, problems: _Problems) -> tuple[int, ...] | None:
    if node.kind != "seq" or not 1 <= len(node.value) <= MAX_RANK + 2:
        problems.add(node, where, f"expected the output shape as a list, got {_describe(node)}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, 1) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


@dataclass(frozen=True, slots=True)
class Key:
    """A layer key: how to read it and which layer kinds take it (None: all)."""

    read: Callable[[Node, str, _Problems], Any]
    schema: str
    kinds: frozenset[LayerKind] | None = None
    doc: str = ""


CONVS = frozenset({LayerKind.CONV, LayerKind.CONVTRANSPOSE})
POOLS = frozenset({LayerKind.MAXPOOL, LayerKind.AVGPOOL})
LAYER_KEYS: dict[str, Key] = {
    "type": Key(_read_name, "type", doc="conv | convtranspose | maxpool | avgpool, or a torch.nn class name"),
    "name": Key(_read_name, "name", doc="shown in tables and messages; default: the layer's index"),
    "in_channels": Key(_read_count, "count", CONVS, "checked against the channels coming in"),
    "out_channels": Key(_read_count, "count", CONVS, "default: unchanged"),
    "kernel_size": Key(_read_positive, "positive", doc="int or per-axis list"),
    "stride": Key(_read_positive, "positive", doc="default 1 (pools: the kernel size)"),
    "padding": Key(_read_padding, "padding", doc="int, per-axis list, same or valid"),
    "dilation": Key(
        _read_positive, "positive", frozenset({LayerKind.CONV, LayerKind.CONVTRANSPOSE, LayerKind.MAXPOOL})
    ),
    "groups": Key(_read_count, "count", CONVS),
    "bias": Key(_read_bool, "boolean", CONVS, "counts in params"),
    "output_padding": Key(_read_non_negative, "non_negative", frozenset({LayerKind.CONVTRANSPOSE})),
    "output_size": Key(
        _read_expect, "shape", frozenset({LayerKind.CONVTRANSPOSE}), "as forward(output_size=...): sets output_padding"
    ),
    "ceil_mode": Key(_read_bool, "boolean", POOLS),
    "expect": Key(_read_expect, "shape", doc="the output shape this layer must have: [N, C, *spatial]"),
}
"""Keys of a layer, named as the torch.nn arguments."""

TOP_KEYS = ("input", "layers", "description")


def _suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """Return ' (did you mean `x`?)' for the closest choice, preferring one with the same digits."""
    word = word.lower().replace("_", "")
    close = difflib.get_close_matches(word, list(choices), n=4, cutoff=0.6)
    digits = {c for c in word if c.isdigit()}
    same = [c for c in close if {d for d in c if d.isdigit()} == digits]
    best = (same or close)[:1]
    return f" (did you mean `{best[0]}`?)" if best else ""


def _mapping_items(node: Node, where: str, problems: _Problems) -> list[tuple[str, Node, Node]]:
    """Return (key, key node, value node) pairs, expanding << merge keys; later keys win."""
    items: dict[str, tuple[Node, Node]] = {}
    merged: dict[str, tuple[Node, Node]] = {}
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            sources = value_node.value if value_node.kind == "seq" else [value_node]
            for source in sources:
                if source.kind != "map":
                    problems.add(source, where, "a << merge takes a mapping or a list of mappings")
                    continue
                for key, knode, vnode in _mapping_items(source, where, problems):
                    merged.setdefault(key, (knode, vnode))
            continue
        if key_node.kind != "scalar":
            problems.add(key_node, where, f"expected a key name, got {_describe(key_node)}")
            continue
        key = str(key_node.value)
        if key in items:
            problems.add(key_node, f"{where}.{key}" if where else key, "appears twice")
        items[key] = (key_node, value_node)
    return [(k, kn, vn) for k, (kn, vn) in ({**merged, **items}).items()]


def _read_kind(node: Node | None, parent: Node, where: str, rank: int | None, problems: _Problems) -> LayerKind | None:
    """Read a layer's `type`: a short name or a torch.nn class name whose rank must match the input."""
    if node is None:
        problems.add(parent, where, "missing `type` (conv, convtranspose, maxpool or avgpool)")
        return None
    name = _read_name(node, f"{where}.type", problems)
    if name is None:
        return None
    found = KIND_NAMES.get(name.lower().replace("_", ""))
    if found is None:
        problems.add(node, f"{where}.type", f"unknown layer type {name!r}{_suggest(name.lower(), list(KIND_NAMES))}")
        return None
    kind, class_rank = found
    if class_rank is not None and rank is not None and class_rank != rank:
        problems.add(node, f"{where}.type", f"{name} is {class_rank}-D but the input has {rank} spatial axes")
        return None
    return kind


def _read_layer_values(
    items: list[tuple[str, Node, Node]], kind: LayerKind | None, rank: int | None, where: str, problems: _Problems
) -> dict[str, Any]:
    """Read every key but `type`, checking it exists, suits the kind, and has one value per axis."""
    values: dict[str, Any] = {}
    for key, key_node, value_node in items:
        if key == "type":
            continue
        spec = LAYER_KEYS.get(key)
        if spec is None:
            problems.add(key_node, f"{where}.{key}", f"unknown key `{key}`{_suggest(key, list(LAYER_KEYS))}")
            continue
        if kind is not None and spec.kinds is not None and kind not in spec.kinds:
            problems.add(key_node, f"{where}.{key}", f"{kind} takes no `{key}`")
            continue
        value = spec.read(value_node, f"{where}.{key}", problems)
        if (
            key not in ("expect", "output_size")
            and isinstance(value, tuple)
            and rank is not None
            and len(value) != rank
        ):
            msg = f"expected {rank} values (one per spatial axis of the input), got {len(value)}"
            problems.add(value_node, f"{where}.{key}", msg)
        values[key] = value
    return values


def _layer(node: Node, index: int, rank: int | None, problems: _Problems) -> LayerSpec | None:
    """Read one layer mapping; report its problems and return None when it has any."""
    where = f"layers[{index}]"
    if node.kind != "map":
        problems.add(node, where, f"expected a mapping of layer keys, got {_describe(node)}")
        return None
    items = _mapping_items(node, where, problems)
    nodes = {key: value for key, _, value in items}
    before = len(problems.errors)
    kind = _read_kind(nodes.get("type"), node, where, rank, problems)
    values = _read_layer_values(items, kind, rank, where, problems)
    if "kernel_size" not in nodes:
        problems.add(node, where, "missing `kernel_size`")
    if len(problems.errors) > before or kind is None or rank is None:
        return None
    try:
        kernel = values.pop("kernel_size")
        return LayerSpec.create(kind, kernel, rank=rank, location=node.location(problems.source), **values)
    except InputError as error:
        problems.add(nodes.get(error.where, node), f"{where}.{error.where}" if error.where else where, error.message)
        return None


def _read_layers(node: Node | None, root: Node, rank: int | None, problems: _Problems) -> list[LayerSpec | None]:
    if node is None:
        problems.add(root, "", "missing `layers` (a list of layers)")
    elif node.kind != "seq":
        problems.add(node, "layers", f"expected a list of layers, got {_describe(node)}")
    elif len(node.value) > MAX_LAYERS:
        problems.add(node, "layers", f"{len(node.value)} layers; at most {MAX_LAYERS} are read")
    else:
        return [_layer(item, i, rank, problems) for i, item in enumerate(node.value)]
    return []


def load_network(text: str, source: str = "<network>", *, input_shape: tuple[int, ...] | None = None) -> NetworkSpec:
    """Parse a network file's text; raise InputErrorGroup listing every problem found."""
    problems = _Problems(source)
    try:
        root = compose(text, source)
    except InputError as error:
        raise InputErrorGroup([error]) from None
    if root is None:
        raise InputErrorGroup(
            [InputError("the file is empty: expected `input` and `layers`", location=Location(source))]
        )
    if root.kind != "map":
        problems.add(root, "", f"expected a mapping with `input` and `layers`, got {_describe(root)}")
        raise InputErrorGroup(problems.errors)
    items = _mapping_items(root, "", problems)
    nodes = {key: value for key, _, value in items}
    for key, key_node, _ in items:
        if key not in TOP_KEYS:
            problems.add(key_node, key, f"unknown key `{key}`{_suggest(key, TOP_KEYS)}")
    shape = input_shape
    if shape is None:
        if "input" in nodes:
            shape = _read_shape(nodes["input"], "input", problems)
        else:
            problems.add(root, "", "missing `input` (the input shape, such as [1, 3, 224, 224])")
    rank = None if shape is None else len(shape) - 2
    layers = _read_layers(nodes.get("layers"), root, rank, problems)
    if problems.errors or shape is None:
        raise InputErrorGroup(problems.errors)
    return NetworkSpec(input=shape, layers=tuple(layer for layer in layers if layer is not None), source=source)


def read_text(path: str) -> tuple[str, str]:
    """Return (text, source name) of a network file; '-' reads standard input."""
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputErrorGroup([InputError(f"cannot read: {reason}", location=Location(source))]) from None
    if len(data) > MAX_FILE_BYTES:
        msg = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not a network file"
        raise InputErrorGroup([InputError(msg, location=Location(source))])
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError as error:
        msg = f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        raise InputErrorGroup([InputError(msg, location=Location(source))]) from None


def read_network(path: str, *, input_shape: tuple[int, ...] | None = None) -> NetworkSpec:
    """Read and parse a network file ('-' for standard input)."""
    text, source = read_text(path)
    return load_network(text, source, input_shape=input_shape)
