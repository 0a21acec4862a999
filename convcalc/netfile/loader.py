"""Read network files: YAML text to a NetworkSpec, every problem located and reported at once."""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from convcalc.core.errors import InputError, InputErrorGroup, Location
from convcalc.core.framework_rules import PADDING_MODES
from convcalc.core.kinds import other_rules
from convcalc.core.kinds.einsum import parse_equation
from convcalc.core.kinds.file_types import IGNORED, OtherType
from convcalc.core.kinds.resize import CropPad
from convcalc.core.spec import (
    MAX_DIGITS,
    MAX_RANK,
    MAX_TENSOR_RANK,
    PADDING_WORDS,
    AnyLayer,
    Framework,
    InputSpec,
    LayerKind,
    LayerSpec,
    NetworkSpec,
    OtherSpec,
    PaddingPairs,
    relocated,
)
from convcalc.core.text import spatial_axes
from convcalc.netfile.blocks import Placed, expand, uses_blocks
from convcalc.netfile.files import is_standard_stream, read_bytes
from convcalc.netfile.mapping import Items, Problems, describe, mapping_items, suggest
from convcalc.netfile.nodes import (
    BOOL_TAG,
    FLOAT_TAG,
    INT_TAG,
    NULL_TAG,
    STR_TAG,
    Node,
    compose,
    python_node,
)
from convcalc.netfile.vocabulary import (
    DIALECT_TYPES,
    KEY_ALIASES,
    KIND_NAMES,
    LAYER_KEYS,
    OTHER_TYPES,
    SHAPE_NEUTRAL,
    TOP_KEYS,
)

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_LAYERS = 20_000
"""Most layers a file may have: far more than any model's graph, and read in a few seconds."""
MAX_NAME = 1000
"""Longest layer name, in characters."""


# ---------------------------------------------------------------- scalar readers


def _int_value(node: Node) -> int | None:
    if node.kind != "scalar" or node.tag != INT_TAG:
        return None
    if node.value.isascii() and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
        return int(node.value)  # plain decimal; YAML 1.1 reads a leading 0 as octal, so those go below
    import yaml  # already loaded by the composer; kept local to this front end

    return int(yaml.constructor.SafeConstructor().construct_yaml_int(yaml.ScalarNode(INT_TAG, node.value)))


def _read_int(node: Node, where: str, problems: Problems, minimum: int) -> int | None:
    if node.kind == "scalar" and node.tag == INT_TAG and len(node.value) > MAX_DIGITS + 1:
        problems.add(node, where, f"expected at most {MAX_DIGITS} digits, got {len(node.value)} characters")
        return None
    value = _int_value(node)
    what = "a positive integer" if minimum == 1 else "a non-negative integer"
    if value is None:
        problems.add(node, where, f"expected {what}, got {describe(node)}")
        return None
    if abs(value) >= 10**MAX_DIGITS:
        problems.add(node, where, f"expected at most {MAX_DIGITS} digits, got {len(str(abs(value)))}")
        return None
    if value < minimum:
        problems.add(node, where, f"expected {what}, got {value}")
        return None
    return value


def _read_axes(node: Node, where: str, problems: Problems, minimum: int) -> int | tuple[int, ...] | None:
    """Read an int or a per-axis list of 1 to 3 ints."""
    if node.kind != "seq":
        return _read_int(node, where, problems, minimum)
    if not 1 <= len(node.value) <= MAX_RANK:
        problems.add(node, where, f"expected 1 to {MAX_RANK} values (one per spatial axis), got {len(node.value)}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, minimum) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


def _read_positive(node: Node, where: str, problems: Problems) -> int | tuple[int, ...] | None:
    return _read_axes(node, where, problems, 1)


def _read_count(node: Node, where: str, problems: Problems) -> int | None:
    return _read_int(node, where, problems, 1)


def _read_non_negative(node: Node, where: str, problems: Problems) -> int | tuple[int, ...] | None:
    return _read_axes(node, where, problems, 0)


def _read_padding(node: Node, where: str, problems: Problems, minimum: int | None = 0) -> Any:  # noqa: ANN401 - an int, a word or per-axis amounts
    """Read a window's padding: an int, per-axis values or pairs, or a word; JAX's (minimum None) may be negative."""
    if node.kind == "scalar" and node.tag == STR_TAG:
        word = PADDING_WORDS.get(str(node.value).lower().replace("-", "_"))
        if word is not None:
            return word
        problems.add(node, where, f"expected an integer, a per-axis list, same or valid, got {node.value!r}")
        return None

    def number(item: Node, at: str) -> int | None:
        return _read_int(item, at, problems, minimum) if minimum is not None else _read_signed(item, at, problems)

    if node.kind == "seq" and any(item.kind == "seq" for item in node.value):
        pairs: list[int | tuple[int | None, int | None] | None] = []
        for i, item in enumerate(node.value):
            if item.kind == "seq" and len(item.value) == 2:  # noqa: PLR2004 - (before, after)
                pair = [number(v, f"{where}[{i}][{j}]") for j, v in enumerate(item.value)]
                pairs.append(None if None in pair else (pair[0], pair[1]))
            else:
                pairs.append(number(item, f"{where}[{i}]"))
        return None if None in pairs else tuple(pairs)
    if minimum is None and node.kind == "seq":
        if not 1 <= len(node.value) <= MAX_RANK:
            problems.add(node, where, f"expected 1 to {MAX_RANK} values (one per spatial axis), got {len(node.value)}")
            return None
        values = [number(item, f"{where}[{i}]") for i, item in enumerate(node.value)]
        return None if None in values else tuple(values)
    return number(node, where) if minimum is None else _read_axes(node, where, problems, minimum)


def _read_signed(node: Node, where: str, problems: Problems) -> int | None:
    """Read an integer that may be negative (JAX's padding crops)."""
    value = _int_value(node) if node.kind == "scalar" and len(str(node.value)) <= MAX_DIGITS else None
    if value is None:
        problems.add(node, where, f"expected an integer, got {describe(node)}")
    return value


def _read_bool(node: Node, where: str, problems: Problems) -> bool | None:
    if node.kind == "scalar" and node.tag == BOOL_TAG:
        return str(node.value).lower() in ("true", "yes", "on", "y")
    problems.add(node, where, f"expected true or false, got {describe(node)}")
    return None


def _read_name(node: Node, where: str, problems: Problems) -> str | None:
    if node.kind == "scalar" and node.tag in (STR_TAG, INT_TAG):
        if len(node.value) > MAX_NAME:
            problems.add(node, where, f"expected a name of at most {MAX_NAME} characters, got {len(node.value):,}")
            return None
        return str(node.value)
    problems.add(node, where, f"expected a name, got {describe(node)}")
    return None


def _read_shape(node: Node, where: str, problems: Problems, *, spatial: int = 1) -> tuple[int, ...] | None:
    """Read an input's shape: [N, C] and `spatial` (1 for the first input, 0 for the others) to 3 spatial sizes."""
    if node.kind != "seq" or not 2 + spatial <= len(node.value) <= MAX_RANK + 2:
        got = f"{len(node.value)} values" if node.kind == "seq" else describe(node)
        problems.add(node, where, f"expected [N, C] and {spatial} to {MAX_RANK} spatial sizes, got {got}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, 1) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


def _read_expect(node: Node, where: str, problems: Problems) -> tuple[int, ...] | None:
    if node.kind != "seq" or len(node.value) > MAX_TENSOR_RANK:
        got = f"{len(node.value)} sizes" if node.kind == "seq" else describe(node)
        problems.add(node, where, f"expected the output shape as a list of at most {MAX_TENSOR_RANK} sizes, got {got}")
        return None
    values = [_read_int(item, f"{where}[{i}]", problems, 1) for i, item in enumerate(node.value)]
    return None if None in values else tuple(v for v in values if v is not None)


def _read_padding_mode(node: Node, where: str, problems: Problems) -> str | None:
    if node.kind == "scalar" and node.tag == STR_TAG and node.value in PADDING_MODES:
        return str(node.value)
    problems.add(node, where, f"expected one of {', '.join(PADDING_MODES)}, got {describe(node)}")
    return None


@dataclass(slots=True)
class _Names:
    """The layer names of a file: where each is defined, and which are defined so far."""

    index_of: dict[str, int]
    defined: set[str]
    labels: list[str]  # how messages name each layer: layers[3], or an expanded block layer's name

    def add(self, placed: Placed, index: int) -> list[str]:
        """Name one more layer, read after the others (`read_one_layer` reads layers so); return its names."""
        names = [str(index + 1)]
        if placed.node.kind == "map":
            names += [str(v.value) for k, v in placed.node.value if k.value == "name" and v.kind == "scalar"]
        for name in names:
            self.index_of.setdefault(name, index)
        self.labels.append(placed.where)
        return names

    def known(self, index: int, name: str | None, label: str) -> None:
        """Name a layer read before (by another prefix), as `add` and reading it would have."""
        names = [str(index + 1), *([name] if name is not None else [])]
        for given in names:
            self.index_of.setdefault(given, index)
        self.labels.append(label)
        self.defined.update(names)

    def check(self, node: Node, where: str, name: str, here: int, problems: Problems) -> bool:
        """Report a reference to a layer that is not before this one; True when it is fine."""
        if name in self.defined:
            return True
        later = self.index_of.get(name)
        if later == here:
            problems.add(node, where, f"layer {name!r} reads itself: a layer reads only layers before it (a cycle)")
        elif later is not None:
            label = "" if self.labels[later] == name else f" ({self.labels[later]})"
            msg = f"{name!r} is defined later{label}: a layer reads only layers before it"
            problems.add(node, where, msg)
        else:
            choices = sorted(n for n in self.defined if not n.isdigit())
            problems.add(node, where, f"no layer named {name!r} before this one{suggest(name, choices)}")
        return False


def _read_refs(node: Node, where: str, names: _Names, here: int, problems: Problems) -> tuple[str, ...] | None:
    """Read `from`: a layer name (or index, or input), or a list of them."""
    items = node.value if node.kind == "seq" else [node]
    refs = []
    for i, item in enumerate(items):
        place = f"{where}[{i}]" if node.kind == "seq" else where
        ref = _read_name(item, place, problems)
        if ref is not None and names.check(item, place, ref, here, problems):
            refs.append(ref)
    if not items:
        problems.add(node, where, "expected a layer name or a list of them, got an empty list")
    return tuple(refs) if len(refs) == len(items) and items else None


def _read_owner(node: Node, where: str, names: _Names, here: int, problems: Problems) -> str | None:
    """Read `shares`: the one layer before this one whose weights it uses, by name or index."""
    if node.kind == "seq":
        problems.add(node, where, "expected one layer's name or index, got a list")
        return None
    refs = _read_refs(node, where, names, here, problems)
    if refs == ("input",):
        problems.add(node, where, "expected a layer's name or index, got input (it has no weights)")
        return None
    return refs[0] if refs else None


def _types(framework: Framework) -> dict[str, OtherType]:
    """Return the non-window types a file of this framework may name: its own first, then torch's."""
    return {**OTHER_TYPES, **DIALECT_TYPES.get(framework.value, {})}


def _chosen_type(key: str, items: Items, framework: Framework) -> OtherType:
    """Return the type a name means in this framework's file: its own, unless the keys given are torch's.

    ONNX's Concat takes `axis` and torch's concat `dim`: a file ported from torch (or written
    with torch's names) keeps meaning torch's layer wherever its keys say so. A permute's `dims`
    that name axis 0 or count from the end are torch's: Keras' Permute names axes from 1.
    """
    own = DIALECT_TYPES.get(framework.value, {}).get(key)
    torch = OTHER_TYPES.get(key)
    if own is None or torch is None:
        return own or OTHER_TYPES[key]
    written = {name for name, _, _ in items} - set(COMMON_KEYS)

    def fits(info: OtherType) -> bool:
        return written <= set(info.keys) and all(name in written for name in info.required)

    if fits(torch) and fits(own) and key == "permute":  # Keras numbers the axes from 1 after the batch
        dims = next((value for name, _, value in items if name == "dims"), None)
        numbers = dims.value if dims is not None and dims.kind == "seq" else []
        return torch if any(not str(n.value).isdigit() or str(n.value) == "0" for n in numbers) else own
    return torch if fits(torch) and not fits(own) else own


def _type_of(
    node: Node | None, parent: Node, where: str, problems: Problems, types: Mapping[str, OtherType] = OTHER_TYPES
) -> tuple[str, str] | None:
    """Read `type`; return (its lower-case key, as written) when it names a known layer type."""
    if node is None:
        problems.add(parent, where, "missing `type` (conv, convtranspose, maxpool, avgpool, add, concat, Linear, ...)")
        return None
    name = _read_name(node, f"{where}.type", problems)
    if name is None:
        return None
    key = name.lower().replace("_", "")
    if key not in KIND_NAMES and key not in types:
        hint = suggest(key, [*KIND_NAMES, *types])
        problems.add(node, f"{where}.type", f"unknown layer type {name!r}{hint}")
        return None
    return key, name


def _check_class_rank(  # the place, the names and the two ranks
    node: Node, where: str, written: str, class_rank: int | None, rank: int | None, problems: Problems
) -> bool:
    if class_rank is not None and rank is not None and class_rank != rank:
        problems.add(node, f"{where}.type", f"{written} is {class_rank}-D but the input has {spatial_axes(rank)}")
        return False
    return True


ONNX_FLAGS = ("ceil_mode", "count_include_pad")
"""ONNX's attributes that are 0 or 1 where torch's keys are booleans."""


def _read_onnx_value(key: str, node: Node, where: str, problems: Problems) -> Any:  # noqa: ANN401 - the value of any ONNX attribute
    """Read ONNX's flat pads [b1, ..., e1, ...] as (begin, end) pairs, and ceil_mode and count_include_pad as 0 or 1."""
    if key == "pads" and node.kind == "seq":
        numbers = [_read_int(item, where, problems, 0) for item in node.value]
        if None in numbers or len(numbers) % 2:
            if None not in numbers:
                problems.add(node, where, f"expected begin and end pads for each axis, got {len(numbers)} values")
            return None
        half = len(numbers) // 2
        return tuple((numbers[i], numbers[i + half]) for i in range(half))
    if key in ONNX_FLAGS and node.kind == "scalar" and node.tag == INT_TAG and node.value in ("0", "1"):
        return _int_value(node) == 1
    return READERS[LAYER_KEYS[KEY_ALIASES["onnx"].get(key, key)].value](node, where, problems)


def _read_layer_values(  # the keys, the layer and the framework whose names they are
    items: list[tuple[str, Node, Node]],
    kind: LayerKind | None,
    rank: int | None,
    where: str,
    problems: Problems,
    framework: Framework = Framework.TORCH,
) -> dict[str, Any]:
    """Read every key but `type` and `from`, checking it exists, suits the kind, and has one value per axis."""
    values: dict[str, Any] = {}
    aliases = KEY_ALIASES.get(framework.value, {})
    for written, key_node, value_node in items:
        if written in ("type", "from", "shares"):
            continue
        key = aliases.get(written, written)
        spec = LAYER_KEYS.get(key)
        refused = _window_key_problem(written, kind, framework)
        if spec is None or refused is not None:
            problems.add(key_node, f"{where}.{written if spec is None else key}", refused or "")
            continue
        if framework is Framework.ONNX and written == "auto_pad" and str(value_node.value).upper() == "NOTSET":
            continue  # the explicit pads (or none) apply
        if framework is Framework.ONNX and written in ("pads", *ONNX_FLAGS):
            values[key] = _read_onnx_value(written, value_node, f"{where}.{written}", problems)
            continue
        if framework is Framework.JAX and key == "padding":  # JAX's explicit padding may crop
            values[key] = _read_padding(value_node, f"{where}.{written}", problems, None)
            continue
        value = READERS[spec.value](value_node, f"{where}.{key}", problems)
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


def _window_key_problem(written: str, kind: LayerKind | None, framework: Framework) -> str | None:
    """Say why a sliding-window layer of this kind takes no key written so (None: it takes it)."""
    aliases = KEY_ALIASES.get(framework.value, {})
    key = aliases.get(written, written)
    spec = LAYER_KEYS.get(key)
    if spec is None:
        return f"unknown key `{written}`{suggest(written, [*LAYER_KEYS, *aliases, 'from'])}"
    if kind is not None and spec.kinds is not None and kind not in spec.kinds:
        return f"{kind} takes no `{key}`"
    return None


def _other_key_problem(name: str, written: str, info: OtherType) -> str | None:
    """Say why a non-window type (as written) takes no key `name` (None: it takes it)."""
    if name in COMMON_KEYS or name in info.keys:
        return None
    return f"{written} takes no `{name}`{suggest(name, [*info.keys, *COMMON_KEYS[1:]])}"


def _read_number(node: Node, where: str, problems: Problems) -> float | None:
    if node.kind == "scalar" and node.tag in (INT_TAG, FLOAT_TAG):
        try:
            value = float(node.value.replace("_", ""))
        except ValueError:
            value = -1.0
        if value > 0 and value != float("inf"):
            return value
    problems.add(node, where, f"expected a positive number, got {describe(node)}")
    return None


READERS: dict[str, Callable[[Node, str, Problems], Any]] = {
    "type": _read_name,
    "name": _read_name,
    "count": _read_count,
    "positive": _read_positive,
    "non_negative": _read_non_negative,
    "padding": _read_padding,
    "boolean": _read_bool,
    "shape": _read_expect,
    "padding_mode": _read_padding_mode,
    "norm": _read_number,
}
"""How each kind of value of the vocabulary's keys is read."""


def _read_ints(node: Node, where: str, problems: Problems, *, single: bool = False) -> tuple[int, ...] | None:
    """Read one integer, or (unless `single`) a list of them: axes, negative ones counting from the end."""
    items = node.value if node.kind == "seq" and not single else [node]
    if not items:  # torch reads dim=[] as every axis, ONNX as none (or every): say which
        problems.add(node, where, "expected an integer or a list of them, got an empty list")
        return None
    values = []
    for item in items:
        if item.kind == "scalar" and item.tag == INT_TAG and len(item.value) <= MAX_DIGITS:
            values.append(_int_value(item))
        elif item.kind == "scalar" and item.tag == INT_TAG:
            problems.add(item, where, f"expected at most {MAX_DIGITS} digits, got {len(item.value)}")
        else:
            problems.add(item, where, f"expected an integer, got {describe(item)}")
    if not values or len(values) < len(items) or None in values:
        return None
    return tuple(v for v in values if v is not None)


def _read_other_value(what: str, node: Node, where: str, context: tuple[_Names, int], problems: Problems) -> Any:  # noqa: ANN401 - the value of any layer key
    """Read one key of a non-window layer by what it holds."""
    if what in (IGNORED, "values"):  # checked, not kept: a value that changes no shape, or numbers a layer holds
        return _check_held(what, node, where, problems)
    if what in ("int", "ints", "dims"):  # one integer; one or several (a reduction's dim); a shape (a constant's)
        return _read_integers(what, node, where, problems)
    if what in ("count", "natural"):  # from 1, or from 0
        return _read_int(node, where, problems, 1 if what == "count" else 0)
    if what in ("bool", "flag"):  # a flag: ONNX's 0 or 1 too
        if what == "flag" and node.kind == "scalar" and node.tag == INT_TAG and node.value in ("0", "1"):
            return node.value == "1"
        return _read_bool(node, where, problems)
    if what == "name":
        name = _read_name(node, where, problems)
        return name if name is not None and context[0].check(node, where, name, context[1], problems) else None
    if what in ("align", "mode"):
        return _read_word(what, node, where, problems)
    if what == "equation":
        return _read_equation(node, where, problems)
    if what in ("pads", "crops", "torchpads"):
        return _read_amounts(what, node, where, problems)
    return _read_axes_of(what, node, where, problems)


def _read_integers(what: str, node: Node, where: str, problems: Problems) -> int | tuple[int, ...] | None:
    """Read one integer (`int`), one or several (`ints`), or a shape of positive sizes (`dims`)."""
    values = _read_ints(node, where, problems, single=what == "int")
    if what == "dims" and values is not None and any(size < 1 for size in values):
        problems.add(node, where, f"expected positive sizes, got {list(values)}")
        return None
    return values if what != "int" or values is None else values[0]


def _read_equation(node: Node, where: str, problems: Problems) -> str | None:
    """Read an einsum equation (`bhid,bhjd->bhij`); say at once what makes it not one."""
    text = _read_name(node, where, problems)
    if text is None:
        return None
    parsed = parse_equation(text)
    if isinstance(parsed, str):
        problems.add(node, where, parsed)
        return None
    return text


def _check_held(what: str, node: Node, where: str, problems: Problems) -> None:
    """Check a value that changes no shape: any single value, or (`values`) a number or a list of numbers."""
    if what == IGNORED:
        if node.kind != "scalar":
            problems.add(node, where, f"expected a single value, got {describe(node)}")
        return
    items = node.value if node.kind == "seq" else [node]
    if not items or any(item.kind != "scalar" or item.tag not in (INT_TAG, FLOAT_TAG) for item in items):
        problems.add(node, where, f"expected a number or a list of numbers, got {describe(node)}")


def _read_amounts(what: str, node: Node, where: str, problems: Problems) -> tuple[Any, ...] | None:
    """Read explicit padding or cropping as written: an int, a list of ints, or a list of [before, after] pairs.

    The layer's rank turns them into pairs per axis (`_amount_pairs`); crops are not negative.
    """
    minimum = 0 if what == "crops" else None

    def number(item: Node, at: str) -> int | None:
        value = _int_value(item) if item.kind == "scalar" and len(str(item.value)) <= MAX_DIGITS else None
        if value is None or (minimum is not None and value < minimum):
            kind = "a non-negative integer" if minimum is not None else "an integer"
            problems.add(item, at, f"expected {kind}, got {describe(item)}")
            return None
        return value

    if node.kind != "seq":
        value = number(node, where)
        return None if value is None else (value,)
    values: list[Any] = []
    for i, item in enumerate(node.value):
        if item.kind == "seq" and what != "torchpads":
            if len(item.value) != 2:  # noqa: PLR2004 - before and after
                problems.add(item, f"{where}[{i}]", f"expected [before, after], got {len(item.value)} values")
                return None
            pair = tuple(number(v, f"{where}[{i}]") for v in item.value)
            values.append(None if None in pair else pair)
        else:
            values.append(number(item, f"{where}[{i}]"))
    return None if None in values else tuple(values)


def _amount_pairs(what: str, written: tuple[Any, ...], rank: int, class_rank: int | None) -> PaddingPairs | str:
    """Return per-axis (before, after) pairs from what was read, or what is wrong with it."""
    if what == "torchpads":  # torch.nn's order: the last axis first, (left, right, top, bottom, front, back)
        if len(written) == 1:
            return ((written[0], written[0]),) * rank
        if len(written) % 2 or len(written) > 2 * rank:  # as F.pad: fewer pairs leave the first axes alone
            count = 2 * rank
            return (
                f"expected one integer or {count} (before and after each axis, the last axis first; "
                f"fewer pairs pad the last axes only), got {len(written)}"
            )
        pairs = [(written[i], written[i + 1]) for i in range(0, len(written), 2)]
        return ((0, 0),) * (rank - len(pairs)) + tuple(reversed(pairs))
    flat = not any(isinstance(v, tuple) for v in written)
    if flat and len(written) == 1:
        pairs_read: PaddingPairs = ((written[0], written[0]),) * rank
    elif flat and class_rank == 1 and len(written) == 2:  # noqa: PLR2004 - Keras' ZeroPadding1D((before, after))
        pairs_read = ((written[0], written[1]),)
    else:  # one per axis: an int pads both sides, a pair each side
        pairs_read = tuple(v if isinstance(v, tuple) else (v, v) for v in written)
    if len(pairs_read) != rank:
        return f"expected {rank} values (one per spatial axis of the input), got {len(pairs_read)}"
    sign = -1 if what == "crops" else 1
    return tuple((sign * b, sign * a) for b, a in pairs_read)


def _read_word(what: str, node: Node, where: str, problems: Problems) -> str | None:
    """Read align (center or top-left) or an upsampling mode."""
    word = _read_name(node, where, problems)
    if word is None:
        return None
    if what == "align":
        key = word.lower().replace("_", "-")
        if key in ALIGNS:
            return ALIGNS[key]
        problems.add(node, where, f"expected center or top-left, got {word!r}")
        return None
    if word not in UPSAMPLE_MODES:
        problems.add(node, where, f"expected one of {', '.join(UPSAMPLE_MODES)}, got {word!r}")
        return None
    return word


def _read_axes_of(what: str, node: Node, where: str, problems: Problems) -> tuple[Any, ...] | None:
    """Read scale factors (positive numbers) or sizes (positive integers or null), one or one per axis.

    A tensor's `dims` (a learnable scale's shape) may hold the channel and batch axes too.
    """
    items = node.value if node.kind == "seq" else [node]
    most = MAX_RANK + 2 if what == "dims" else MAX_RANK
    if not 1 <= len(items) <= most:
        per = "one per axis" if what == "dims" else "one per spatial axis"
        problems.add(node, where, f"expected 1 to {most} values ({per}), got {len(items)}")
        return None
    if what == "factors":
        factors = [_read_number(item, where, problems) for item in items]
        return None if None in factors else tuple(factors)
    sizes = [None if item.tag == NULL_TAG else _read_int(item, where, problems, 1) for item in items]
    return None if any(v is None and i.tag != NULL_TAG for v, i in zip(sizes, items, strict=True)) else tuple(sizes)


ALIGNS = {"center": "center", "centre": "center", "top-left": "top-left", "topleft": "top-left"}
UPSAMPLE_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "bicubic", "trilinear", "area")


def _other_layer(
    node: Node,
    items: list[tuple[str, Node, Node]],
    typed: tuple[str, str, OtherType],
    common: dict[str, Any],
    context: tuple[_Names, int, str],
    rank: int | None,
    problems: Problems,
) -> OtherSpec | None:
    """Read a non-window layer: its keys by the type's table, then build its spec."""
    key, written, info = typed
    where = context[2]
    before = problems.count
    _check_class_rank(node, where, written, info.rank, rank, problems)
    values = _other_values(node, items, typed, context, rank, problems)
    _check_other_needs(node, (where, written), info, values, common["inputs"], problems)
    amounts = _resize_amounts(node, items, info, values, (where, written, rank), problems)
    if problems.count > before:
        return None
    return OtherSpec(
        kind=info.kind,
        type_name=written,
        **common,
        dim=dim if isinstance(dim := values.get("dim"), int) else (0 if key == "chunk" else 1),  # chunk's is 0
        to=values.get("to"),
        align=values.get("align") or "center",
        scale_factor=values.get("scale_factor"),
        size=values.get("size") or values.get("output_size"),
        mode=values.get("mode") or ("bilinear" if key == "upsamplingbilinear2d" else "nearest"),
        start_dim=values.get("start_dim", 1),
        end_dim=values.get("end_dim", -1),
        in_features=values.get("in_features"),
        out_features=values.get("out_features"),
        bias=values.get("bias", True) is not False,
        num_features=values.get("num_features") or values.get("num_channels"),
        amounts=amounts,
        **_counted(typed, values, any(name == info.frozen_unless for name, _, _ in items)),
        needs_rank=info.needs_rank,
        operation=info.operation or ("add" if info.kind is LayerKind.ADD else key),
        arguments=tuple((name, values[name]) for name in info.stored if values.get(name) is not None),
        location=node.location(problems.source),
    )


def _other_values(
    node: Node,
    items: list[tuple[str, Node, Node]],
    typed: tuple[str, str, OtherType],
    context: tuple[_Names, int, str],
    rank: int | None,
    problems: Problems,
) -> dict[str, Any]:
    """Read a non-window layer's keys by its type's table, in torch's terms (the problems said as they are met)."""
    _, written, info = typed
    where = context[2]
    values: dict[str, Any] = {}
    for name, key_node, value_node in items:
        if name in COMMON_KEYS:
            continue
        refused = _other_key_problem(name, written, info)
        if refused is not None:
            problems.add(key_node, f"{where}.{name}", refused)
            continue
        values[name] = _read_other_value(info.keys[name], value_node, f"{where}.{name}", context[:2], problems)
    for name in info.required:
        if name not in values:
            problems.add(node, where, f"{written} needs `{name}`")
    return _in_torch_terms(info, values, rank)


def _check_other_needs(
    node: Node,
    place: tuple[str, str],
    info: OtherType,
    values: dict[str, Any],
    inputs: tuple[str, ...] | None,
    problems: Problems,
) -> None:
    """Say what a non-window layer lacks: the layers a merge combines, the one key of several it needs."""
    where, written = place
    if info.min_inputs > 1 and (inputs is None or len(inputs) < info.min_inputs):
        problems.add(node, where, f"{written} needs `from` with at least {info.min_inputs} layers to combine")
    rules = other_rules(info.kind)
    exclusive = () if isinstance(rules, CropPad) else rules.exclusive  # a crop's or pad's: _resize_amounts
    if exclusive and sum(key in values for key in exclusive) != 1:
        *most, last = (f"`{key}`" for key in exclusive)
        problems.add(node, where, f"{written} needs exactly one of {', '.join(most)} and {last}")


class _Counts(TypedDict):
    """What a layer counts: parameters, buffers and frozen weights, per channel and in all (OtherSpec's fields)."""

    params_per_channel: int
    buffers_per_channel: int
    fixed_buffers: int
    fixed_params: int
    frozen_per_channel: int
    fixed_frozen: int


def _counted(typed: tuple[str, str, OtherType], values: dict[str, Any], frozen_off: bool) -> _Counts:  # noqa: FBT001 - read in one place
    """Return what a layer counts per channel and in all: parameters, buffers and frozen weights."""
    key, _, info = typed
    affine = values.get("affine")
    tracked = values.get("track_running_stats")
    tracked = info.tracks_by_default if tracked is None else tracked
    frozen_off = bool(info.frozen_unless) and frozen_off
    return {
        "params_per_channel": _per_channel(info, values) if (info.affine_default if affine is None else affine) else 0,
        "buffers_per_channel": info.buffers[0] if tracked else 0,
        "fixed_buffers": info.buffers[1] if tracked else 0,
        "fixed_params": values.get("num_parameters") or 1 if key == "prelu" else 0,
        "frozen_per_channel": 0 if frozen_off else info.frozen[0],
        "fixed_frozen": 0 if frozen_off else info.frozen[1],
    }


COMMON_KEYS = ("type", "from", "name", "expect", "trainable", "shares")
"""The keys every layer takes, whatever its type."""


def _read_trainable(node: Node, where: str, problems: Problems) -> bool:
    """Read a layer's `trainable` (a boolean; true when it cannot be read, the problem being reported)."""
    value = READERS["boolean"](node, f"{where}.trainable", problems)
    return value is not False


def _per_channel(info: OtherType, values: dict[str, Any]) -> int:
    """Return the parameters per channel: the type's, or one for each of its flags that is on (Keras' BatchNorm)."""
    if not info.affine_parts:
        return info.params_per_channel
    return sum(values.get(name) is not False for name in info.affine_parts)


def _in_torch_terms(info: OtherType, values: dict[str, Any], rank: int | None) -> dict[str, Any]:
    """Rename a framework's keys to torch's, fill in its defaults, and number channels-last axes as [N, C, ...]."""
    renames = dict(info.renames)
    values = {renames.get(name, name): value for name, value in values.items()}
    for name, default in info.defaults:
        values.setdefault(name, default)
    if info.channels_last and rank is not None:
        for name in ("dim", "norm_axes", "features_dim"):
            if isinstance(values.get(name), int):
                values[name] = _channels_first(values[name], rank)
            elif isinstance(values.get(name), tuple):
                values[name] = tuple(_channels_first(axis, rank) for axis in values[name])
    return values


def _channels_first(axis: int, rank: int) -> int:
    """Map an axis of [N, *spatial, C] (negative from the end) to the same axis of [N, C, *spatial]."""
    axis = axis + rank + 2 if axis < 0 else axis
    if axis == rank + 1:
        return 1
    return axis + 1 if 1 <= axis <= rank else axis


def _resize_amounts(  # the layer, its keys and values, where it is
    node: Node,
    items: list[tuple[str, Node, Node]],
    info: OtherType,
    values: dict[str, Any],
    place: tuple[str, str, int | None],
    problems: Problems,
) -> PaddingPairs | None:
    """Check that a crop or pad has `to` or explicit amounts (one of them); return the amounts per axis."""
    rules = other_rules(info.kind)
    if not isinstance(rules, CropPad):
        return None
    where, written, rank = place
    key = rules.amounts_key
    given = [name for name, _, _ in items if name in ("to", key)]
    if len(given) != 1:
        what = f"`{key}`" if "to" not in info.keys else f"exactly one of `to` and `{key}`"
        problems.add(node, where, f"{written} needs {what}")
        return None
    if "align" in values and given == [key]:
        align_node = next(k for name, k, _ in items if name == "align")
        problems.add(align_node, f"{where}.align", f"{written} takes `align` with `to` only")
    if values.get(key) is None or rank is None:
        return None
    what = info.keys[key]
    pairs = _amount_pairs(what, values[key], rank, info.rank)
    if isinstance(pairs, str):
        value_node = next(v for name, _, v in items if name == key)
        problems.add(value_node, f"{where}.{key}", pairs)
        return None
    return pairs


def read_one_layer(  # as _layer
    placed: Placed, index: int, rank: int | None, names: _Names, problems: Problems, framework: Framework
) -> AnyLayer | None:
    """Read the next layer of a network read one layer at a time (netfile/measure.py); None on a problem."""
    added = names.add(placed, index)
    layer = _layer(placed, index, rank, names, problems, framework)
    names.defined.update(added)
    return layer


def _layer(  # the layer, where it is, and what the file says around it
    placed: Placed, index: int, rank: int | None, names: _Names, problems: Problems, framework: Framework
) -> AnyLayer | None:
    """Read one layer mapping; report its problems and return None when it has any."""
    node, where = placed.node, placed.where
    if node.kind != "map":
        problems.add(node, where, f"expected a mapping of layer keys, got {describe(node)}")
        return None
    items = mapping_items(node, where, problems)
    nodes = {key: value for key, _, value in items}
    before = problems.count
    types = _types(framework)
    typed = _type_of(nodes.get("type"), node, where, problems, types)
    inputs = None if "from" not in nodes else _read_refs(nodes["from"], f"{where}.from", names, index, problems)
    shares = None if "shares" not in nodes else _read_owner(nodes["shares"], f"{where}.shares", names, index, problems)
    if typed is not None and typed[0] in types:
        common = {
            "name": None if "name" not in nodes else _read_name(nodes["name"], f"{where}.name", problems),
            "inputs": inputs,
            "expect": None if "expect" not in nodes else _read_expect(nodes["expect"], f"{where}.expect", problems),
            "trainable": True if "trainable" not in nodes else _read_trainable(nodes["trainable"], where, problems),
            "shares": shares,
        }
        info = _chosen_type(typed[0], items, framework)
        return _other_layer(node, items, (*typed, info), common, (names, index, where), rank, problems)
    kind = None
    if typed is not None:
        kind, class_rank = KIND_NAMES[typed[0]]
        if not _check_class_rank(nodes["type"], where, typed[1], class_rank, rank, problems):
            kind = None
    if inputs is not None and len(inputs) > 1:
        problems.add(
            nodes["from"], f"{where}.from", f"{typed[1] if typed else 'this layer'} reads one input, not {len(inputs)}"
        )
    values = _read_layer_values(items, kind, rank, where, problems, framework)
    aliases = {v: k for k, v in KEY_ALIASES.get(framework.value, {}).items()}
    if "kernel_size" not in nodes and aliases.get("kernel_size", "kernel_size") not in nodes:
        problems.add(node, where, "missing `kernel_size`")
    if problems.count > before or kind is None or rank is None:
        return None
    try:
        kernel = values.pop("kernel_size")
        for key in SHAPE_NEUTRAL:
            values.pop(key, None)
        values.setdefault("output_padding", None)  # not given: Keras computes it
        location = node.location(problems.source)
        return LayerSpec.create(
            kind, kernel, rank=rank, inputs=inputs, framework=framework, location=location, shares=shares, **values
        )
    except InputError as error:
        problems.add(nodes.get(error.where, node), f"{where}.{error.where}" if error.where else where, error.message)
        return None


def _layer_names(placed: list[Placed], problems: Problems, inputs: Sequence[str] = ()) -> dict[str, int]:
    """Collect every layer's name (and index) first, so that a reference to a later one says so."""
    index_of: dict[str, int] = {}
    for i, item in enumerate(placed):
        index_of.setdefault(str(i + 1), i)
        if item.node.kind != "map":
            continue
        for key_node, value in item.node.value:  # a quick look for `name` (a name given by a << merge is not seen)
            if key_node.value == "name" and value.kind == "scalar":
                name = str(value.value)
                where = f"{item.where}.name"
                if name == "input":
                    problems.add(value, where, "`input` is the network's input in `from:`; name the layer otherwise")
                elif name in inputs:
                    problems.add(
                        value, where, f"`{name}` is an input of the network in `from:`; name the layer otherwise"
                    )
                elif name.isdigit() and name != str(i + 1):
                    msg = f"{name!r} is a layer index in `from:` (layer {name}); use a name that is not a number"
                    problems.add(value, where, msg)
                elif name in index_of and index_of[name] != i and not name.isdigit():
                    problems.add(value, where, f"{name!r} names {placed[index_of[name]].where} already")
                index_of[name] = i
    return index_of


def _read_framework(node: Node | None, problems: Problems) -> Framework:
    """Read the top-level `framework:` (default torch)."""
    if node is None:
        return Framework.TORCH
    name = _read_name(node, "framework", problems)
    if name is None:
        return Framework.TORCH
    try:
        return Framework.parse(name)
    except InputError as error:
        problems.add(node, "framework", error.message)
        return Framework.TORCH


def _read_layers(  # the file's parts and how to read them
    node: Node | None,
    root: Node,
    rank: int | None,
    problems: Problems,
    framework: Framework = Framework.TORCH,
    blocks: Node | None = None,
    inputs: Sequence[str] = (),
) -> list[AnyLayer | None]:
    if node is None:
        problems.add(root, "", "missing `layers` (a list of layers)")
    elif node.kind != "seq":
        problems.add(node, "layers", f"expected a list of layers, got {describe(node)}")
    elif len(node.value) > MAX_LAYERS:
        problems.add(
            node, "layers", f"{len(node.value):,} layers; at most {MAX_LAYERS:,} are read: split the network into files"
        )
    else:
        placed = [Placed(item, f"layers[{i}]") for i, item in enumerate(node.value)]
        if uses_blocks(blocks, node.value):
            placed = expand(blocks, node.value, problems, MAX_LAYERS)
        names = _Names(_layer_names(placed, problems, inputs), {"input", *inputs}, [item.where for item in placed])
        names_at: dict[int, list[str]] = {}
        for name, at in names.index_of.items():
            names_at.setdefault(at, []).append(name)
        layers: list[AnyLayer | None] = []
        read: dict[tuple[object, ...], AnyLayer] = {}  # networks repeat their layers: each text is read once
        for i, item in enumerate(placed):
            key = _signature(item.node)
            known = read.get(key) if key is not None else None
            if known is not None:
                layers.append(relocated(known, item.node.location(problems.source)))
            else:
                before = problems.count
                layer = _layer(item, i, rank, names, problems, framework)
                if key is not None and layer is not None and problems.count == before:
                    read[key] = layer
                layers.append(layer)
            names.defined.update(names_at.get(i, ()))
        _check_block_keys(blocks, framework, problems)
        return layers
    if blocks is not None:
        expand(blocks, [], problems, MAX_LAYERS)  # the blocks' own problems, too
    return []


def _signature(node: Node) -> tuple[object, ...] | None:
    """Return what a layer's text says, positions aside, when it is plain values that read alike anywhere.

    A layer naming its inputs (`from`) is read where it stands: its references depend on it.
    """
    if node.kind != "map":
        return None
    parts: list[object] = []
    for key, value in node.value:
        if key.kind != "scalar" or key.value == "from":
            return None
        if value.kind == "scalar":
            parts.append((key.value, value.tag, value.value))
        elif value.kind == "seq" and all(item.kind == "scalar" for item in value.value):
            parts.append((key.value, value.tag, tuple((item.tag, item.value) for item in value.value)))
        else:
            return None
    return tuple(parts)


def _check_block_keys(blocks: Node | None, framework: Framework, problems: Problems) -> None:
    """Report the keys a block's layers' types do not take, in blocks placed nowhere (or left out) too.

    A block's values wait for its arguments, but its keys are written: a misspelt key is found
    where the block is written, as in a placed layer (said once, where both see it).
    """
    if blocks is None or blocks.kind != "map":
        return
    types = _types(framework)
    for name_node, block in blocks.value:
        layers = {key.value: value for key, value in block.value}.get("layers") if block.kind == "map" else None
        for i, layer in enumerate(layers.value if layers is not None and layers.kind == "seq" else []):
            where = f"blocks.{name_node.value}.layers[{i}]"
            items = mapping_items(layer, where, problems) if layer.kind == "map" else []
            nodes = {key: value for key, _, value in items}
            type_node = nodes.get("type")
            if "block" in nodes or type_node is None or str(type_node.value).startswith("$"):
                continue  # an instance, or a type given by a parameter
            typed = _type_of(type_node, layer, where, problems, types)
            if typed is None:
                continue
            type_key, written = typed
            for key, key_node, _ in items:
                if key in ("when", "from"):
                    continue
                if type_key in types:
                    refused = _other_key_problem(key, written, _chosen_type(type_key, items, framework))
                else:
                    refused = _window_key_problem(key, KIND_NAMES[type_key][0], framework)
                if refused is not None:
                    problems.add(key_node, f"{where}.{key}", refused)


def load_network(text: str, source: str = "<network>", *, input_shape: tuple[int, ...] | None = None) -> NetworkSpec:
    """Parse a network file's text; raise InputErrorGroup listing every problem found."""
    try:
        root = compose(text, source)
    except InputError as error:
        raise InputErrorGroup([error]) from None
    if root is None:
        raise InputErrorGroup(
            [InputError("the file is empty: expected `input` and `layers`", location=Location(source))]
        )
    return _network(root, source, input_shape)


def network_from_data(
    data: Mapping[str, object], source: str = "<python>", *, input_shape: tuple[int, ...] | None = None
) -> NetworkSpec:
    """Read a network given as Python data, the mapping a network file holds ({"input": ..., "layers": [...]}).

    The keys, values and `from` references are those of network files, checked the same way;
    an error names the place in the data (layers[2].stride) instead of a line.
    """
    try:
        root = python_node(dict(data))
    except InputError as error:
        raise InputErrorGroup([error.located(Location(source))]) from None
    return _network(root, source, input_shape)


def _network(root: Node, source: str, input_shape: tuple[int, ...] | None) -> NetworkSpec:
    """Read the network of a root node; raise InputErrorGroup listing every problem found."""
    problems = Problems(source)
    if root.kind != "map":
        problems.add(root, "", f"expected a mapping with `input` and `layers`, got {describe(root)}")
        raise InputErrorGroup(problems.errors)
    items = mapping_items(root, "", problems)
    nodes = {key: value for key, _, value in items}
    for key, key_node, _ in items:
        if key not in TOP_KEYS:
            problems.add(key_node, key, f"unknown key `{key}`{suggest(key, TOP_KEYS)}")
    inputs = _read_inputs(nodes["inputs"], problems) if "inputs" in nodes else ()
    first = nodes["input"] if "input" in nodes else _first_shape(nodes.get("inputs"))
    if "input" in nodes and "inputs" in nodes:
        problems.add(nodes["inputs"], "inputs", "give `input` (one input) or `inputs` (several), not both")
    shape = input_shape
    if shape is None and first is not None:
        shape = _read_shape(first, "input" if "input" in nodes else f"inputs.{inputs[0].name}", problems)
    elif shape is None and "inputs" not in nodes:
        problems.add(root, "", "missing `input` (the input shape, such as [1, 3, 224, 224])")

    rank = None if shape is None else len(shape) - 2
    framework = _read_framework(nodes.get("framework"), problems)
    named = [str(key.value) for key, _ in nodes["inputs"].value] if inputs else []  # a wrong one's name too
    layers = _read_layers(nodes.get("layers"), root, rank, problems, framework, nodes.get("blocks"), named)
    if problems.errors and input_shape is not None and first is not None:
        _blame_the_override(first, input_shape, source)
    if problems.errors or shape is None:
        raise InputErrorGroup(problems.errors)
    network_layers = tuple(layer for layer in layers if layer is not None)
    try:
        return NetworkSpec(input=shape, layers=network_layers, source=source, inputs=inputs)
    except InputError as error:  # the loader reports references itself; this is the last word
        raise InputErrorGroup([error.located(Location(source))]) from None


def _first_shape(node: Node | None) -> Node | None:
    """Return the first input's shape in `inputs`, when it is a mapping whose first value is a list."""
    if node is None or node.kind != "map" or not node.value:
        return None
    key, value = node.value[0]
    return value if value.kind == "seq" and str(key.value) != "input" and not str(key.value).isdigit() else None


def _read_inputs(node: Node, problems: Problems) -> tuple[InputSpec, ...]:
    """Read `inputs`: each input's name and its shape, or the name of an earlier input whose shape it has."""
    if node.kind != "map" or not node.value:
        problems.add(node, "inputs", f"expected a mapping of input names to shapes, got {describe(node)}")
        return ()
    found: list[InputSpec] = []
    for key_node, value in node.value:
        name, where = str(key_node.value), f"inputs.{key_node.value}"
        earlier = [spec.name for spec in found]
        if name == "input" or name.isdigit() or name in earlier:
            problems.add(
                key_node, where, f"{name!r} cannot name an input (`input`, numbers and names given before are taken)"
            )
        elif value.kind == "seq":
            shape = _read_shape(value, where, problems, spatial=0) if found else None  # the first's: the input
            found.append(InputSpec(name, shape))
        elif value.kind == "scalar" and str(value.value) in earlier:
            found.append(InputSpec(name, like=str(value.value)))
        else:
            wanted = "a shape" if not found else "a shape or the name of an input before it"
            problems.add(value, where, f"expected {wanted}, got {describe(value)}")
    return tuple(found)


def _blame_the_override(node: Node, given: tuple[int, ...], source: str) -> None:
    """Raise one error on --input when its rank is not the file's (the layers' errors would follow from it)."""
    own = _read_shape(node, "input", Problems(source))
    if own is not None and len(own) != len(given):
        example = ",".join(map(str, (*own[:2], *given[-(len(own) - 2) :])))
        msg = (f"gives {len(given)} values, but {source}'s input {list(own)} has {len(own)} "
               f"(N, C, then {len(own) - 2} spatial); for example {example}")  # fmt: skip
        raise InputErrorGroup([InputError(msg, where="input_shape")])


def read_text(path: str) -> tuple[str, str]:
    """Return (text, source name) of a network file; '-' reads standard input."""
    source = "<stdin>" if path == "-" else path
    try:
        if is_standard_stream(path, 0):  # '-', or /dev/stdin
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            data = read_bytes(path, MAX_FILE_BYTES)
    except InputError as error:
        raise InputErrorGroup([error]) from None
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


def measured_shapes(data: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """Return the output shape of every valid layer of network data, by name (none when the data is not valid)."""
    from convcalc.core.analysis import analyze  # only an ONNX graph that computes sizes needs it

    try:
        network = network_from_data(data, "<import>")
    except InputErrorGroup:
        return {}
    result = analyze(network, hints=False)
    return {layer.name: tuple(layer.output) for layer in result.layers if layer.output is not None}


# Measuring as importers read -----------------------------------------------------------------
# An importer asks for the shapes of its layers many times as it reads a model (an ONNX graph
# that computes a Reshape's target from a tensor's shape, a Keras layer whose channels are not
# in its config): every time, the layers so far are the last ones plus a few more. Reading and
# analysing all of them anew each time made a 400-block graph take 31 s; PrefixMeasure keeps
# the layers seen before, read and walked, and reads only the new ones. A layer with a problem
# (a `from` naming a node the importer could not follow) stops the prefix there: the shapes
# before it are what is known (the whole data, read as a file, would give none, and reading it
# again at every node made a refused 4,000-node graph take minutes). Anything else unusual (a
# layer changed, a value the loader cannot take) falls back to reading the whole data.

Shapes = dict[str, tuple[int, ...]]


class _Prefix:
    """What is known of one sequence of layers: those seen, the loader's names, the walk, the shapes."""

    def __init__(self, shape: tuple[int, ...], framework: Framework, inputs: tuple[InputSpec, ...] = ()) -> None:
        self.seen: list[object] = []
        self.names = _Names({}, {"input", *(spec.name for spec in inputs)}, [])
        self.problems = Problems("<import>")
        self.rank = len(shape) - 2
        self.framework = framework
        from convcalc.core.analysis import Walker  # only importers measure

        self.walker = Walker(shape, inputs)
        self.shapes: Shapes = {}

    def extend(self, layers: list[object], read: dict[tuple[object, ...], tuple[object, AnyLayer]]) -> bool:
        """Read and walk the layers after those seen; False when one of them has a problem.

        `read` holds the layers read before by any prefix (the input's and the probe's read the
        same data alike), by the data's identity and place, the rank and the framework.
        """
        for index in range(len(self.seen), len(layers)):
            data = layers[index]
            key = (id(data), index, self.rank, self.framework)
            known = read.get(key)
            if known is not None and known[0] is data:
                layer = known[1]
                self.names.known(index, layer.name, f"layers[{index}]")
            else:
                try:
                    node = python_node(data)
                except InputError:
                    return False
                placed = Placed(node, f"layers[{index}]")
                found = read_one_layer(placed, index, self.rank, self.names, self.problems, self.framework)
                if found is None or self.problems.count:
                    return False
                read[key] = (data, found)
                layer = found
            result = self.walker.step(layer)
            self.seen.append(data)
            if result.output is not None:
                self.shapes[result.name] = tuple(result.output)
        return True


class PrefixMeasure:
    """A `measure` for the importers: the shape of every valid layer of network data, by name, read incrementally."""

    def __init__(self, whole: Callable[[Mapping[str, Any]], Shapes]) -> None:
        self.whole = whole  # reads the data as a file would: the fallback
        self.prefixes: dict[tuple[object, ...], _Prefix] = {}
        self.read: dict[tuple[object, ...], tuple[object, AnyLayer]] = {}  # each layer read once, for every prefix

    def __call__(self, data: Mapping[str, Any]) -> Shapes:
        """Return the shapes of the data's layers, reading only those not read before."""
        layers, shape, inputs = data.get("layers"), data.get("input"), _measured_inputs(data.get("inputs"))
        if inputs:
            shape = next(iter(data["inputs"].values()))
        if inputs is None or not isinstance(layers, list) or not isinstance(shape, list | tuple) or "blocks" in data:
            return self.whole(data)
        key: tuple[object, ...] = (tuple(shape), data.get("framework"), inputs)
        try:
            known = self.prefixes.get(key)
            if known is None or len(layers) < len(known.seen) or not all(map(operator.is_, layers, known.seen)):
                framework = Framework.parse(str(data.get("framework") or "torch"))
                known = self.prefixes[key] = _Prefix(tuple(int(size) for size in shape), framework, inputs)
            known.extend(layers, self.read)  # up to a layer with a problem, if any: what is known is before it
            return dict(known.shapes)
        except (InputError, InputErrorGroup, TypeError, ValueError):  # an input the loader would refuse
            pass
        self.prefixes.pop(key, None)  # read whole from here on, as a file
        return self.whole(data)


def _measured_inputs(given: object) -> tuple[InputSpec, ...] | None:
    """Return an importer's several inputs ({name: shape or an earlier one's name}) as the loader reads them.

    None when they are not as a network file gives them (the whole data then says why).
    """
    if not isinstance(given, Mapping):
        return ()
    problems = Problems("<import>")
    try:
        found = _read_inputs(python_node(dict(given)), problems)
    except InputError:
        return None
    return None if problems.count else found
