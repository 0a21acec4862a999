"""The JSON Schema of network files, built from the vocabulary the loader reads them with."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from convcalc.core.spec import PADDING_WORDS
from convcalc.netfile.dialects import DIALECT_CLASS_NAMES, DIALECT_TYPES
from convcalc.netfile.vocabulary import (
    CLASS_NAMES,
    IGNORED,
    KEY_ALIASES,
    KIND_NAMES,
    LAYER_KEYS,
    OTHER_TYPES,
    PADDING_MODES,
    WINDOW_CLASSES,
)

SCHEMA_ID = "convcalc-network-v1"

_AXES_MAX = 3


def _axes(minimum: int) -> dict[str, Any]:
    number = {"type": "integer", "minimum": minimum}
    return {"oneOf": [number, {"type": "array", "items": number, "minItems": 1, "maxItems": _AXES_MAX}]}


def _class_names() -> list[str]:
    names = sorted({*KIND_NAMES, *OTHER_TYPES}) + list(WINDOW_CLASSES) + list(CLASS_NAMES)
    return names + sorted(set(DIALECT_CLASS_NAMES) - set(names))


_OTHER_VALUES: dict[str, dict[str, Any]] = {
    IGNORED: {},
    "int": {"type": "integer"},
    "ints": {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 1}]},
    "count": {"type": "integer", "minimum": 1},
    "bool": {"type": "boolean"},
    "flag": {"type": ["boolean", "integer"]},
    "name": {"type": ["string", "integer"]},
    "align": {"enum": ["center", "centre", "top-left", "topleft"]},
    "mode": {"type": "string"},
    "factors": {"oneOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "array", "items": {"type": "number"}}]},
    "sizes": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "array", "items": {"type": ["integer", "null"]}}]},
    "dims": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "array", "items": {"type": ["integer", "null"]}}]},
    "pads": {"$ref": "#/$defs/amounts"},
    "torchpads": {"$ref": "#/$defs/amounts"},
    "crops": {"$ref": "#/$defs/amounts"},
}


def _any_case(words: Iterable[str]) -> str:
    """Return a regular expression matching the words in any case, `_` or `-` between parts."""
    alternatives = []
    for word in sorted(words):
        letters = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else "[_-]" for c in word)
        alternatives.append(letters)
    return "^(" + "|".join(alternatives) + ")$"


def _amounts() -> dict[str, Any]:
    """Explicit padding or cropping: an int, one per axis, or [before, after] per axis (negative pads crop)."""
    pair = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
    return {
        "description": "cells added (a pad) or cut (a crop): an int, one per axis, or [before, after] per axis",
        "oneOf": [{"type": "integer"}, {"type": "array", "items": {"oneOf": [{"type": "integer"}, pair]}}],
    }


def network_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) that network files follow."""
    pair = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
    defs: dict[str, Any] = {
        "amounts": _amounts(),
        "positive": _axes(1),
        "non_negative": _axes(0),
        "padding": {
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": _any_case(PADDING_WORDS)},
                {  # per axis; ONNX's flat pads have two per axis; JAX's pairs may be negative
                    "type": "array",
                    "items": {"oneOf": [{"type": "integer"}, pair]},
                    "minItems": 1,
                    "maxItems": 2 * _AXES_MAX,
                },
            ]
        },
        "shape": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": 5},
    }
    fragments: dict[str, dict[str, Any]] = {
        "positive": {"$ref": "#/$defs/positive"},
        "non_negative": {"$ref": "#/$defs/non_negative"},
        "padding": {"$ref": "#/$defs/padding"},
        "shape": {"$ref": "#/$defs/shape"},
        "count": {"type": "integer", "minimum": 1},
        "boolean": {"type": "boolean"},
        "padding_mode": {"enum": list(PADDING_MODES)},
        "name": {"type": ["string", "integer"]},
        "type": {"enum": _class_names()},
    }
    properties: dict[str, Any] = {}
    for key, spec in LAYER_KEYS.items():
        fragment = dict(fragments[spec.value])
        description = spec.doc
        if spec.kinds is not None:
            description = (description + "; " if description else "") + "for " + ", ".join(sorted(spec.kinds))
        if description:
            fragment["description"] = description
        properties[key] = fragment
    properties["from"] = {
        "description": "the layer(s) this one reads, by name or index (or input); default: the layer before",
        "oneOf": [{"type": ["string", "integer"]}, {"type": "array", "items": {"type": ["string", "integer"]}}],
    }
    _add_other_keys(properties)
    # convtranspose's output_size is a shape; an adaptive pool's may be an int or hold nulls
    properties["output_size"] = {"anyOf": [{"$ref": "#/$defs/shape"}, _OTHER_VALUES["sizes"]]}
    defs["layer"] = {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": properties,
    }
    defs.update(_block_defs(properties))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "convcalc network file",
        "description": "A stack of Conv, ConvTranspose and Pool layers; keys are the torch.nn argument names.",
        "type": "object",
        "required": ["input", "layers"],
        "additionalProperties": False,
        "properties": {
            "input": {
                "description": "[N, C, *spatial] with 1 to 3 spatial axes",
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "minItems": 3,
                "maxItems": 5,
            },
            "description": {"type": "string"},
            "framework": {
                "description": "whose rules the layers follow (default torch)",
                "enum": ["torch", "keras", "tf", "onnx", "jax"],
            },
            "layers": {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/layer"}, {"$ref": "#/$defs/instance"}]}},
            "blocks": {
                "description": "blocks written once and placed by `block:` layers, by name",
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/block"},
            },
        },
        "$defs": defs,
    }


def _add_other_keys(properties: dict[str, Any]) -> None:
    """Add the keys of the non-window types (torch's and each framework's) and the frameworks' window key names."""
    dialect_types = [info for types in DIALECT_TYPES.values() for info in types.values()]
    for info in [*OTHER_TYPES.values(), *dialect_types]:
        for key, what in info.keys.items():
            if key == "padding":  # a window's padding, or a pad layer's amounts
                amounts = {"$ref": "#/$defs/amounts"}
                if amounts not in properties[key].get("anyOf", []):
                    properties[key] = {"anyOf": [properties[key], amounts]}
                continue
            fragment = dict(_OTHER_VALUES[what])
            known = properties.setdefault(key, fragment)
            if what == "ints" and known != fragment:  # concat's dim is one axis, a reduction's one or several
                properties[key] = fragment
    for aliases in KEY_ALIASES.values():  # each framework's names for the window keys (filters, kernel_shape, ...)
        for alias, key in aliases.items():
            properties.setdefault(alias, properties[key])


def _block_defs(properties: dict[str, Any]) -> dict[str, Any]:
    """Return the schema of blocks: their definitions, their layers (values may be `$parameter`) and instances."""
    parameter = {"type": "string", "pattern": "^\\$[A-Za-z_][A-Za-z0-9_]*$", "description": "a block's parameter"}
    listed = {"type": "array", "description": "a list holding parameters, such as [$c]"}
    in_block: dict[str, Any] = {
        key: {"anyOf": [value, {"$ref": "#/$defs/parameter"}, listed]} for key, value in properties.items()
    }
    in_block["when"] = {
        "description": "false leaves the layer out (whoever reads it reads its input)",
        "anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/parameter"}],
    }
    instance = {
        "description": "a block's layers in this place: `block` names it, the other keys are its parameters",
        "type": "object",
        "required": ["block", "name"],
        "properties": {
            "block": {"type": "string"},
            "name": {"type": ["string", "integer"], "description": "its layers are named NAME.0.LAYER (NAME.LAYER)"},
            "from": {"type": ["string", "integer"]},
            "repeat": {
                "anyOf": [{"type": "integer", "minimum": 1}, {"$ref": "#/$defs/parameter"}],
                "description": "how many times, each reading the last",
            },
            "numbering": {
                "type": ["string", "integer"],
                "description": "the first repetition's name, its number counting up (default 0)",
            },
            "first": {"type": "object", "description": "parameters that differ in the first repetition"},
            "when": {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/parameter"}]},
            "expect": {"$ref": "#/$defs/shape"},
        },
    }
    return {
        "parameter": parameter,
        "block_layer": {"type": "object", "required": ["type"], "additionalProperties": False, "properties": in_block},
        "instance": instance,
        "block": {
            "type": "object",
            "required": ["layers"],
            "additionalProperties": False,
            "properties": {
                "params": {"type": "object", "description": "each parameter and its default (null: must be given)"},
                "description": {"type": "string"},
                "layers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"anyOf": [{"$ref": "#/$defs/block_layer"}, {"$ref": "#/$defs/instance"}]},
                },
            },
        },
    }


def schema_text() -> str:
    """Return the schema as indented JSON text, as shipped in convcalc/network.schema.json."""
    return json.dumps(network_schema(), indent=2) + "\n"
