"""The JSON Schema of network files, built from the vocabulary the loader reads them with.

The schema says what the loader says about a file's form: which types each framework's files
name (in any case, underscores anywhere, as `type` is matched), which keys each type takes
(torch.nn's names, and the framework's own: `filters`, `kernel_shape`, `pads`, ...), what each
value holds, which keys a type needs, and the input's rank a class name fixes (Conv2d: two
spatial axes). What only reading the whole network shows (per-axis lists as long as the input
has axes, `from:` naming a layer before, shapes that fit) is left to `convcalc check`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from convcalc.core.framework_rules import PADDING_MODES, TAKES, Takes
from convcalc.core.kinds import other_rules
from convcalc.core.kinds.file_types import IGNORED, OtherType
from convcalc.core.spec import MAX_RANK, MAX_TENSOR_RANK, PADDING_WORDS, Framework, LayerKind, PaddingMode
from convcalc.netfile.loader import ALIGNS, MAX_NAME, ONNX_FLAGS, UPSAMPLE_MODES
from convcalc.netfile.vocabulary import (
    CLASS_NAMES,
    DIALECT_CLASS_NAMES,
    DIALECT_TYPES,
    KEY_ALIASES,
    KIND_NAMES,
    LAYER_KEYS,
    OTHER_TYPES,
    WINDOW_CLASSES,
)

SCHEMA_ID = "convcalc-network-v1"

FRAMEWORKS = ("torch", "keras", "onnx", "jax")
FRAMEWORK_WORDS = {"torch": ("torch", "pytorch"), "keras": ("keras", "tf", "tensorflow"), "onnx": ("onnx",),
                   "jax": ("jax",)}  # fmt: skip
"""Each framework and the words `framework:` may name it by (in any case)."""


Wrap = Callable[[dict[str, Any]], dict[str, Any]]


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _letter(c: str) -> str:
    """Return a regular expression matching a character in either case: [cC]."""
    return f"[{c.lower()}{c.upper()}]" if c.isalpha() else c


def _any_case(words: Iterable[str]) -> str:
    """Return a regular expression matching the words in any case, `_` or `-` between parts."""
    alternatives = ["".join(map(_letter, word)).replace("_", "[_-]") for word in sorted(words)]
    return "^(" + "|".join(alternatives) + ")$"


def _type_pattern(keys: Iterable[str]) -> str:
    """Return a regular expression matching type names as the loader does: any case, underscores anywhere.

    The names share their beginnings (batchnorm1d, batchnorm2d, ...): written as a tree, each once.
    """
    tree: dict[str, Any] = {}
    for key in keys:
        node = tree
        for c in key:
            node = node.setdefault(c, {})
        node[""] = {}
    return "^_*" + _branches(tree) + "_*$"


def _branches(node: dict[str, Any]) -> str:
    """Return the regular expression of a tree's words (none empty), underscores allowed between letters."""
    alternatives = []
    for c, child in sorted(node.items()):
        if not c:
            continue
        letter = _letter(c)
        if set(child) <= {""}:
            rest = ""
        elif "" in child:  # a word ends here, or goes on
            rest = "(?:_*" + _branches(child) + ")?"
        else:
            rest = "_*" + _branches(child)
        alternatives.append(letter + rest)
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _list(item: dict[str, Any], most: int | None = None, least: int = 1) -> dict[str, Any]:
    listed: dict[str, Any] = {"type": "array", "items": item, "minItems": least}
    if most is not None:
        listed["maxItems"] = most
    return listed


def _axes(minimum: int) -> dict[str, Any]:
    number = {"type": "integer", "minimum": minimum}
    return {"oneOf": [number, _list(number, MAX_RANK)]}


def _one_or_many(item: dict[str, Any], most: int | None = None) -> dict[str, Any]:
    return {"anyOf": [item, _list(item, most)]}


def _value_defs() -> dict[str, Any]:
    """Return the values keys hold, by the names the vocabulary gives them (window keys and the others')."""
    natural = {"type": "integer", "minimum": 0}
    integer = {"type": "integer"}
    size = {"type": ["integer", "null"], "minimum": 1}
    return {
        # the sliding-window keys (torch.nn's names)
        "positive": _axes(1),
        "non_negative": _axes(0),
        **_padding_defs(),
        "ones": {"anyOf": [{"const": 1}, _list({"const": 1}, MAX_RANK)]},
        "zeros": {"anyOf": [{"const": 0}, _list({"const": 0}, MAX_RANK)]},
        "one": {"const": 1},
        "zeros_mode": {"const": "zeros"},
        "false": {"const": False},
        "shape": _list({"type": "integer", "minimum": 1}, MAX_TENSOR_RANK, least=0),
        "count": {"type": "integer", "minimum": 1},
        "natural": {"type": "integer", "minimum": 0},
        "boolean": {"type": "boolean"},
        "padding_mode": {"enum": list(PADDING_MODES)},
        "norm": {"type": "number", "exclusiveMinimum": 0},
        "name": {"type": ["string", "integer"], "maxLength": MAX_NAME},
        "layer_name": {"type": ["string", "integer"], "maxLength": MAX_NAME, "not": {"const": "input"}},
        # ONNX's names for them: flat pads [b1, ..., e1, ...], auto_pad, 0/1 flags
        "onnx_pads": {"anyOf": [natural, _padding_word("onnx"), _flat_pads(natural)]},
        "onnx_auto_pad": {"anyOf": [_ref("padding_onnx"), {"type": "string", "pattern": _any_case(["notset"])}]},
        "onnx_flag": {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]},
        # the other types' keys
        IGNORED: {"type": ["string", "number", "boolean", "null"]},
        "int": integer,
        "ints": _one_or_many(integer),
        "bool": {"type": "boolean"},
        "flag": {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]},
        "align": {"type": "string", "pattern": _any_case(ALIGNS)},
        "mode": {"enum": list(UPSAMPLE_MODES)},
        "equation": {
            "type": "string",
            "pattern": "^(?!.*?(?:^|[,>])[^,>-]*?([A-Za-z])[^,>-]*\\1)[A-Za-z .]*(,[A-Za-z .]*)?(->[A-Za-z .]*)?$",
            "description": "torch.einsum's, e.g. bhid,bhjd->bhij",
        },
        "factors": _one_or_many({"type": "number", "exclusiveMinimum": 0}, MAX_RANK),
        "values": {"anyOf": [{"type": "number"}, {"type": "array", "minItems": 1, "items": {"type": "number"}}]},
        "sizes": _one_or_many(size, MAX_RANK),
        "dims": _one_or_many(size, MAX_RANK + 2),
        "pads": _amounts(integer, nested=True),
        "torchpads": _amounts(integer, nested=False),
        "crops": _amounts(natural, nested=True),
        "refs": {
            "description": "the layer(s) this one reads, by name or index (or input); default: the layer before",
            "anyOf": [{"type": ["string", "integer"]}, _list({"type": ["string", "integer"]})],
        },
        "owner": {
            "description": "the layer before this one whose weights it uses (counted there), by name or index",
            "type": ["string", "integer"],
        },
        "inputs": {
            "description": "the layers combined, by name or index (or input)",
            **_list({"type": ["string", "integer"]}, least=2),
        },
        "parameter": {"type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$", "description": "a block's parameter"},
        "with_parameter": {"type": "array", "contains": {"$ref": "#/$defs/parameter"}, "description": "e.g. [$c, 3]"},
    }


def _padding_word(framework: str, *, causal: bool = False) -> dict[str, Any]:
    """Return the padding words a framework takes (any case, `-` or `_`): same, valid, same_lower, causal.

    Causal is a 1-D convolution's only: it is among the words where `causal` says so.
    """
    modes = set(TAKES[Framework(framework)].words) - (set() if causal else {PaddingMode.CAUSAL})
    words = [word for word, mode in PADDING_WORDS.items() if PaddingMode(mode) in modes]
    return {"type": "string", "pattern": _any_case(words)}


def _padding(number: dict[str, Any], word: dict[str, Any] | None) -> dict[str, Any]:
    """Return a window's padding: a number, one per axis, [before, after] per axis, or (when taken) a word."""
    pair = _list(number, 2, 2)
    forms = [number, _list(number, MAX_RANK), {"type": "array", "items": {"anyOf": [number, pair]}, "contains": pair}]
    return {"anyOf": [*forms, *([word] if word else [])]}


def _padding_defs() -> dict[str, Any]:
    """Return the padding each framework's windows take, from its record: its words, and its numbers."""
    natural = {"type": "integer", "minimum": 0}
    numbers: dict[str, dict[str, Any]] = {"natural": natural, "zero": {"const": 0}, "integer": {"type": "integer"}}
    defs = {"padding_numbers": _padding(natural, None)}
    for framework, takes in TAKES.items():
        defs[f"padding_{framework}"] = _padding(numbers[takes.numbers], _padding_word(framework))
        if PaddingMode.CAUSAL in takes.words:
            defs[f"padding_{framework}_causal"] = _padding(
                numbers[takes.numbers], _padding_word(framework, causal=True)
            )
    return defs


def _flat_pads(natural: dict[str, Any]) -> dict[str, Any]:
    """ONNX's pads: every axis' begin, then every axis' end (2, 4 or 6 values)."""
    return {"anyOf": [_list(natural, 2 * rank, 2 * rank) for rank in range(1, MAX_RANK + 1)]}


def _amounts(number: dict[str, Any], *, nested: bool) -> dict[str, Any]:
    """Explicit padding or cropping: an int, one per axis, or (unless torch's flat order) [before, after] per axis."""
    item = {"anyOf": [number, _list(number, 2, 2)]} if nested else number
    return {"description": "cells added (a pad) or cut (a crop)", "anyOf": [number, _list(item)]}


def _window_keys(kind: LayerKind, framework: str, rank: int | None) -> dict[str, dict[str, Any]]:
    """Return the keys a sliding-window layer of this kind takes in this framework's files, and their values.

    What a framework refuses is left out or narrowed: torch's padding words are conv's; Keras pads
    by words (causal for Conv1D only), its pools have no dilation; only torch.nn pads otherwise
    than with zeros; Keras and JAX pools have no ceil_mode, their transposed convolutions no groups.
    """
    keys = {
        key: _ref(spec.value)
        for key, spec in LAYER_KEYS.items()
        if key != "type" and (spec.kinds is None or kind in spec.kinds)
    }
    keys["name"] = _ref("layer_name")
    takes = TAKES[Framework(framework)]
    words = takes.words_beyond_conv or kind is LayerKind.CONV
    padding = f"padding_{framework}" if words else "padding_numbers"
    if PaddingMode.CAUSAL in takes.words and kind is LayerKind.CONV and rank in (None, 1):
        padding = f"padding_{framework}_causal"
    keys["padding"] = _ref(padding)
    if not takes.padding_modes:
        keys["padding_mode"] = _ref("zeros_mode")
    if not takes.count_include_pad:
        keys.pop("count_include_pad", None)
    if not takes.ceil_mode and "ceil_mode" in keys:
        keys["ceil_mode"] = _ref("false")
    if kind.is_transposed and not takes.transposed_groups:
        keys["groups"] = _ref("one")
    keys.update(_pool_limits(takes, kind))
    if kind.is_transposed and not takes.transposed_output_padding:
        keys["output_padding"] = _ref("zeros")
    for alias, key in KEY_ALIASES.get(framework, {}).items():
        if key in keys:
            keys[alias] = keys[key]
    if framework == "onnx":
        keys["pads"] = _ref("onnx_pads")
        keys["auto_pad"] = _ref("onnx_auto_pad")
        keys.update({flag: _ref("onnx_flag") for flag in ONNX_FLAGS if flag in keys})
    keys["from"] = _ref("refs")
    keys["shares"] = _ref("owner")
    return keys


def _pool_limits(takes: Takes, kind: LayerKind) -> dict[str, dict[str, Any]]:
    """Return the keys a framework's pools restrict: a dilation they do not take, an Lp pool's padding."""
    keys = {}
    if (kind.is_pool and not takes.pool_dilation) or (kind.averages and not takes.average_dilation):
        keys["dilation"] = _ref("ones")
    if kind is LayerKind.LPPOOL and takes.lp_pool and not takes.lp_padding:
        keys["padding"] = _ref("zeros")
    return keys


def _other_keys(info: OtherType) -> dict[str, dict[str, Any]]:
    """Return the keys a non-window type takes, and their values."""
    keys = {
        "name": _ref("layer_name"),
        "from": _ref("refs"),
        "expect": _ref("shape"),
        "trainable": _ref("boolean"),
        "shares": _ref("owner"),
    }
    keys.update({key: _ref(what) for key, what in info.keys.items()})
    if info.min_inputs > 1:
        keys["from"] = _ref("inputs")
    return keys


def _other_needs(info: OtherType) -> dict[str, Any]:
    """Return what a non-window type needs besides its keys: required ones, exactly one of some."""
    needs: dict[str, Any] = {}
    required = [*info.required, *(["from"] if info.min_inputs > 1 else [])]
    if required:
        needs["required"] = required
    resize = other_rules(info.kind).exclusive
    renames = dict(info.renames)  # a framework name of one of them (Keras UpSampling's size: scale_factor)
    meaning = {key: renames.get(key, key) for key in info.keys if renames.get(key, key) in resize}
    filled = {name for name, _ in info.defaults if name in resize}
    if meaning and not filled:  # exactly one of them
        needs["oneOf"] = [{"required": [key]} for key in meaning]
    elif meaning:  # a default fills one in: no other may be given
        others = [{"required": [key]} for key, name in meaning.items() if name not in filled]
        if others:
            needs["not"] = {"anyOf": others}
    return needs


def _closed(keys: dict[str, dict[str, Any]], wrap: Wrap, needs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return an object schema taking these keys (and `type`) only."""
    properties: dict[str, Any] = {"type": {}} | {key: wrap(value) for key, value in keys.items()}
    if wrap is _in_block:
        properties["when"] = {
            "description": "false leaves the layer out (whoever reads it reads its input)",
            "anyOf": [{"type": "boolean"}, _ref("parameter")],
        }
    return {"properties": properties, "additionalProperties": False, **(needs or {})}


def _readings(framework: str) -> list[tuple[list[str], list[tuple[dict[str, Any], dict[str, Any]]]]]:
    """Return the types of this framework's files, grouped by what they take: (type keys, [(keys, needs)])."""
    own = DIALECT_TYPES.get(framework, {})
    others = {**OTHER_TYPES, **own}
    groups: dict[str, tuple[list[str], list[tuple[dict[str, Any], dict[str, Any]]]]] = {}

    def add(name: str, readings: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        groups.setdefault(json.dumps(readings, sort_keys=True), ([], readings))[0].append(name)

    for name, (kind, rank) in KIND_NAMES.items():
        if name in others or (kind is LayerKind.LPPOOL and not TAKES[Framework(framework)].lp_pool):
            continue
        keys = _window_keys(kind, framework, rank)
        kernel = [
            key for key, value in keys.items() if key.startswith(("kernel", "pool")) and value == keys["kernel_size"]
        ]
        needs = {"anyOf": [{"required": [key]} for key in kernel]} if len(kernel) > 1 else {"required": kernel}
        add(name, [(keys, needs)])
    for name, info in others.items():  # ONNX's concat takes `axis`, torch's `dim`: either reading
        readings = [info] if name not in own or name not in OTHER_TYPES else [own[name], OTHER_TYPES[name]]
        add(name, [(_other_keys(each), _other_needs(each)) for each in readings])
    return list(groups.values())


def _group_defs() -> dict[str, Any]:
    """Return every framework's layer and block-layer schemas, the parts they share defined once."""
    defs: dict[str, Any] = {}
    takes: dict[str, str] = {}  # what a group takes (as JSON) -> its number

    def taking(readings: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
        text = json.dumps(readings, sort_keys=True)
        if text not in takes:
            takes[text] = str(len(takes) + 1)
            for prefix, wrap in (("takes", _as_is), ("block_takes", _in_block)):
                options = [_closed(keys, wrap, needs) for keys, needs in readings]
                defs[f"{prefix}_{takes[text]}"] = options[0] if len(options) == 1 else {"anyOf": options}
        return takes[text]

    for framework in FRAMEWORKS:
        cases, kinds, spelled = [], [], set(KIND_NAMES)
        for i, (names, readings) in enumerate(_readings(framework), start=1):
            number = taking(readings)
            defs[f"types_{framework}_{i}"] = {
                "properties": {"type": {"type": "string", "pattern": _type_pattern(names)}}
            }
            kinds.append(_ref(f"types_{framework}_{i}"))
            cases.append((f"types_{framework}_{i}", number))
            spelled |= {n for n in _class_names() if n.lower().replace("_", "") in names}
        defs[f"type_{framework}"] = {
            "description": "conv | convtranspose | maxpool | avgpool, or a class name (any case)",
            "anyOf": [{"enum": sorted(spelled)}, {"type": "string"}],
        }
        every_key = sorted({key for text in takes for readings in [json.loads(text)] for keys, _ in readings
                            for key in keys} | {"type", "when"})  # fmt: skip
        for prefix in ("layer", "block_layer"):
            taken = "takes" if prefix == "layer" else "block_takes"
            # in a block, the type may be a parameter ({type: $act}): any layer's keys then
            chosen = [{"properties": {"type": _ref("parameter")}, "propertyNames": {"enum": every_key}}]
            defs[f"{prefix}_{framework}"] = {
                "type": "object",
                "required": ["type"],
                "properties": {"type": _ref(f"type_{framework}")},
                "anyOf": kinds + (chosen if prefix == "block_layer" else []),
                "allOf": [{"if": _ref(test), "then": _ref(f"{taken}_{number}")} for test, number in cases],
            }
    return defs


def _as_is(value: dict[str, Any]) -> dict[str, Any]:
    return value


def _class_names() -> list[str]:
    names = list(WINDOW_CLASSES) + list(CLASS_NAMES)
    return names + sorted(set(DIALECT_CLASS_NAMES) - set(names))


def _in_block(value: dict[str, Any]) -> dict[str, Any]:
    """Return a block layer's value: as a layer's, or a parameter ($c), or a list holding parameters ([$c, 3])."""
    return {"$ref": value["$ref"].replace("#/$defs/", "#/$defs/block_")}


def _block_values(values: dict[str, Any]) -> dict[str, Any]:
    """Return each value's block form: as written, or a parameter ($c), or a list holding parameters ([$c, 3])."""
    either = [_ref("parameter"), _ref("with_parameter")]
    return {f"block_{name}": {"anyOf": [_ref(name), *either]} for name in values if name != "parameter"}


def _ranked_types(rank: int) -> list[str]:
    """Return the type keys whose class name fixes this many spatial axes (Conv2d, BatchNorm... not: ranks vary)."""
    names = {key for key, (_, own) in KIND_NAMES.items() if own == rank}
    for types in (OTHER_TYPES, *DIALECT_TYPES.values()):
        names |= {key for key, info in types.items() if info.rank == rank}
    return sorted(names)


def _by_framework(rules: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Return if/then/else rules choosing the layers' schema by `framework:` (torch when none is given)."""
    chain: dict[str, Any] = rules("torch")
    for framework in reversed(FRAMEWORKS[1:]):
        test = {
            "required": ["framework"],
            "properties": {"framework": {"pattern": _framework_pattern(FRAMEWORK_WORDS[framework])}},
        }
        chain = {"if": test, "then": rules(framework), "else": chain}
    return chain


def _framework_pattern(words: Iterable[str]) -> str:
    """Return a regular expression matching `framework:`'s words in any case, spaces around (as the loader strips)."""
    return "^\\s*" + _any_case(words)[1:-1] + "\\s*$"


def _layers_of(framework: str) -> dict[str, Any]:
    layer = {"anyOf": [_ref(f"layer_{framework}"), _ref("instance")]}
    block_layer = {"anyOf": [_ref(f"block_layer_{framework}"), _ref("instance")]}
    return {
        "properties": {
            "layers": {"items": layer},
            "blocks": {"additionalProperties": {"properties": {"layers": {"items": block_layer}}}},
        }
    }


def _rank_rules() -> list[dict[str, Any]]:
    """Return the rules tying `input`'s length to the class names of the top-level layers (Conv2d: 4)."""
    rules = []
    for rank in range(1, MAX_RANK + 1):
        named = {"type": "object", "required": ["type"], "properties": {"type": {"pattern": _type_pattern(
            _ranked_types(rank))}}}  # fmt: skip
        test = {"required": ["layers"], "properties": {"layers": {"contains": named}}}
        rules.append({"if": test, "then": {"properties": {"input": {"minItems": rank + 2, "maxItems": rank + 2}}}})
    return rules


def network_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) that network files follow."""
    values = _value_defs()
    defs = values | _block_values(values) | _group_defs() | _block_defs()
    words = [word for names in FRAMEWORK_WORDS.values() for word in names]
    shape = {
        "description": "[N, C, *spatial] with 1 to 3 spatial axes",
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "minItems": 3,
        "maxItems": MAX_RANK + 2,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "convcalc network file",
        "description": (
            "A network of layers (convolutions, pools and the layers around them); keys are the torch.nn argument "
            "names, or with `framework:` keras, onnx or jax that framework's own names too."
        ),
        "type": "object",
        "required": ["layers"],
        "oneOf": [{"required": ["input"]}, {"required": ["inputs"]}],
        "additionalProperties": False,
        "properties": {
            "input": shape,
            "inputs": {
                "description": (
                    "several inputs, by name: the first's shape, then each later one's shape or the name of an "
                    "earlier input whose shape it has; layers read them by name in `from`"
                ),
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"not": {"anyOf": [{"const": "input"}, {"pattern": "^[0-9]+$"}]}},
                "additionalProperties": {  # the first has spatial axes; a later one may have none ([N, C])
                    "anyOf": [shape | {"minItems": 2, "description": "[N, C, *spatial]"}, {"type": "string"}]
                },
            },
            "description": {"type": "string"},
            "framework": {
                "description": "whose rules and names the layers follow (default torch; tf means keras), any case",
                "anyOf": [{"enum": list(FRAMEWORKS)}, {"type": "string", "pattern": _framework_pattern(words)}],
            },
            "layers": {"type": "array"},
            "blocks": {
                "description": "blocks written once and placed by `block:` layers, by name",
                "type": "object",
                "additionalProperties": _ref("block"),
            },
        },
        "allOf": [_by_framework(_layers_of), *_rank_rules()],
        "$defs": defs,
    }


def _block_defs() -> dict[str, Any]:
    """Return the schema of blocks and of the layers that place them (instances)."""
    instance = {
        "description": "a block's layers in this place: `block` names it, the other keys are its parameters",
        "type": "object",
        "required": ["block", "name"],
        "properties": {
            "block": {"type": "string"},
            "name": {"type": ["string", "integer"], "description": "its layers are named NAME.0.LAYER (NAME.LAYER)"},
            "from": {"type": ["string", "integer"]},
            "repeat": {
                "anyOf": [{"type": "integer", "minimum": 1}, _ref("parameter")],
                "description": "how many times, each reading the last",
            },
            "numbering": {
                "type": ["string", "integer"],
                "description": "the first repetition's name, its number counting up (default 0)",
            },
            "first": {"type": "object", "description": "parameters that differ in the first repetition"},
            "when": {"anyOf": [{"type": "boolean"}, _ref("parameter")]},
            "expect": _ref("shape"),
        },
    }
    return {
        "instance": instance,
        "block": {
            "type": "object",
            "required": ["layers"],
            "additionalProperties": False,
            "properties": {
                "params": {"type": "object", "description": "each parameter and its default (null: must be given)"},
                "description": {"type": "string"},
                "layers": {"type": "array", "minItems": 1},
            },
        },
    }


def schema_text() -> str:
    """Return the schema as indented JSON text, as shipped in convcalc/network.schema.json."""
    return _json(network_schema(), "") + "\n"


_LINE = 100
"""Longest line a value is written on whole; longer ones are indented, one item a line."""


def _json(value: Any, indent: str) -> str:  # noqa: ANN401 - any JSON value
    """Return JSON text with each value short enough on one line, the others one item a line."""
    flat = json.dumps(value)
    if len(indent) + len(flat) <= _LINE or not isinstance(value, dict | list) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, list):
        items = [inner + _json(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    pairs = [f"{inner}{json.dumps(key)}: {_json(item, inner)}" for key, item in value.items()]
    return "{\n" + ",\n".join(pairs) + "\n" + indent + "}"
