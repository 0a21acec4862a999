"""The vocabulary of network files, shared by the loader and the schema: layer types, keys and their values.

The type names are each kind's own (`file_types()` in its module of core/kinds), merged here:
torch.nn's names for every file, each framework's own for its `framework:` files. The keys
of a window layer and of a file are this module's.
"""

from __future__ import annotations

from dataclasses import dataclass

from convcalc.core.kinds import REGISTRY, WindowRules, file_types
from convcalc.core.kinds.file_types import OtherType
from convcalc.core.spec import LayerKind
from convcalc.core.terms import WINDOW_KEYS

_KINDS = file_types()

OTHER_TYPES: dict[str, OtherType] = {name: info for types in _KINDS for name, info in types.torch.items()}
"""Non-window layer types by lower-case name (underscores dropped), as `type` is matched."""

DIALECT_TYPES: dict[str, dict[str, OtherType]] = {
    framework: {name: info for types in _KINDS for name, info in getattr(types, framework).items()}
    for framework in ("onnx", "keras", "jax")
}
"""Each framework's own non-window types, looked up before the torch names in its files.

A file with `framework: keras` (or onnx, jax) may write these types as that framework does;
each maps onto the torch type that computes the same shape, with the framework's keys renamed
and its defaults (ONNX reductions keep their axes; Keras concatenates along the channels,
numbering axes channels-last). Types not listed here are read by their torch names.
"""

CLASS_NAMES: tuple[str, ...] = tuple(name for types in _KINDS for name in types.spellings)
"""The torch.nn (and Keras) spelling of every class above, for the JSON Schema (the loader ignores case)."""

DIALECT_CLASS_NAMES: tuple[str, ...] = tuple(
    dict.fromkeys(name for types in _KINDS for name in types.dialect_spellings)
)
"""The dialect types as their frameworks spell them, for the schema (ONNX's Flatten and Keras' once)."""

WINDOW_CLASSES: dict[str, tuple[LayerKind, int | None]] = {
    name: meaning for types in _KINDS for name, meaning in types.windows.items()
}
"""The sliding-window layers' class names in torch.nn, Keras and ONNX, with the kind and rank each means."""

KIND_NAMES: dict[str, tuple[LayerKind, int | None]] = {
    **{kind.value: (kind, None) for kind, rules in REGISTRY.items() if isinstance(rules, WindowRules)},
    **{name.lower(): meaning for name, meaning in WINDOW_CLASSES.items()},
}
"""Layer types as a file may write them, in any case: convcalc's short names and every class name."""

KEY_ALIASES: dict[str, dict[str, str]] = {
    "keras": {
        "filters": "out_channels",
        "strides": "stride",
        "dilation_rate": "dilation",
        "pool_size": "kernel_size",
        "use_bias": "bias",
    },
    "onnx": {
        "kernel_shape": "kernel_size",
        "strides": "stride",
        "pads": "padding",
        "auto_pad": "padding",
        "dilations": "dilation",
        "output_shape": "output_size",
        "group": "groups",
        "p": "norm_type",
    },
    "jax": {"window_strides": "stride", "strides": "stride", "rhs_dilation": "dilation", "window_dilation": "dilation"},
}
"""Each framework's own argument names in network files, and the torch.nn name each stands for."""


@dataclass(frozen=True, slots=True)
class Key:
    """A layer key: the kind of value it takes (a reader in the loader, a fragment in the schema), who takes it."""

    value: str
    kinds: frozenset[LayerKind] | None = None
    doc: str = ""


SHAPE_NEUTRAL = frozenset({"divisor_override", "return_indices"})
"""Keys read and checked, that change no shape and nothing convcalc reports."""

LAYER_KEYS: dict[str, Key] = {
    "type": Key("type", doc="conv | convtranspose | maxpool | avgpool, or a torch.nn class name"),
    "name": Key("name", doc="shown in tables and messages; default: the layer's index"),
    "in_channels": Key("count", WINDOW_KEYS["in_channels"], "checked against the channels coming in"),
    "out_channels": Key("count", WINDOW_KEYS["out_channels"], "default: unchanged"),
    "kernel_size": Key("positive", doc="int or per-axis list"),
    "stride": Key("positive", doc="default 1 (pools: the kernel size)"),
    "padding": Key("padding", doc="int, per-axis list, same or valid"),
    "dilation": Key("positive", WINDOW_KEYS["dilation"]),
    "groups": Key("count", WINDOW_KEYS["groups"]),
    "bias": Key("boolean", WINDOW_KEYS["bias"], "counts in params"),
    "output_padding": Key("non_negative", WINDOW_KEYS["output_padding"]),
    "output_size": Key("shape", WINDOW_KEYS["output_size"], "as forward(output_size=...): sets output_padding"),
    "ceil_mode": Key("boolean", WINDOW_KEYS["ceil_mode"]),
    "padding_mode": Key("padding_mode", WINDOW_KEYS["padding_mode"], "zeros (default), reflect, replicate or circular"),
    "count_include_pad": Key("boolean", WINDOW_KEYS["count_include_pad"], "whether padding counts in the average"),
    "divisor_override": Key("count", WINDOW_KEYS["divisor_override"], "changes values, not shapes"),
    "norm_type": Key("norm", WINDOW_KEYS["norm_type"], "p of an lppool (ONNX: p); changes values, not shapes"),
    "return_indices": Key("boolean", WINDOW_KEYS["return_indices"], "the indices have the output's shape"),
    "expect": Key("shape", doc="the output shape this layer must have: [N, C, *spatial]"),
    "trainable": Key("boolean", doc="false: its parameters are frozen (counted as non-trainable)"),
}
"""Keys of a layer, named as the torch.nn arguments."""

TOP_KEYS = ("input", "inputs", "layers", "description", "framework", "blocks")
