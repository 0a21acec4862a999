"""How network files name a kind: the type names a kind is written under, with the keys each takes.

Each kind's module declares its own (`file_types()`, made when first asked): the torch.nn names (matched in any case,
underscores dropped), each framework's own names for `framework: keras | onnx | jax` files,
and the class names as the frameworks spell them (for the JSON Schema). The loader, the
schema, the writer and the importers read the merged tables of netfile/vocabulary.py.

Keys that do not change a shape (inplace, eps, momentum, p, ...) are accepted and ignored,
so a model's own arguments can be pasted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from convcalc.core.terms import LayerKind

if TYPE_CHECKING:
    from collections.abc import Mapping

IGNORED = "ignored"  # a key accepted as torch.nn takes it, that changes no shape


@dataclass(frozen=True, slots=True)
class OtherType:
    """A non-window layer type: its kind, keys (key -> what is read), rank and parameters."""

    kind: LayerKind
    keys: dict[str, str] = field(default_factory=dict)
    rank: int | None = None  # spatial axes a class name fixes (AdaptiveAvgPool2d: 2)
    needs_rank: tuple[int, ...] | None = None  # whole-tensor ranks it accepts (BatchNorm2d: 4)
    params_per_channel: int = 0  # when affine
    affine_default: bool = True
    required: tuple[str, ...] = ()
    min_inputs: int = 1
    operation: str = ""  # an elementwise merge's operation (add, mul, sub, div), or which rearrangement
    stored: tuple[str, ...] = ()  # keys kept as they are in the layer's `arguments` (by their torch names)
    renames: tuple[tuple[str, str], ...] = ()  # a framework's key -> the torch key it stands for
    defaults: tuple[tuple[str, object], ...] = ()  # values a framework gives where torch's differ
    channels_last: bool = False  # axes are numbered as in [N, *spatial, C] (Keras): `dim` is mapped to [N, C, ...]
    affine_parts: tuple[str, ...] = ()  # flags each giving one parameter per channel when true (Keras' center, scale)
    buffers: tuple[int, int] = (0, 0)  # (per channel, fixed) values of state kept beside the parameters
    frozen: tuple[int, int] = (0, 0)  # (per channel, fixed) non-trainable parameters: Keras' non-trainable weights
    frozen_unless: str = ""  # a key that, given, means there are none (Keras' Normalization given its `mean`)
    tracks_by_default: bool = True  # whether those buffers exist when `track_running_stats` is not given


@dataclass(frozen=True, slots=True)
class FileTypes:
    """The names one kind (or family) is written under in network files.

    `torch`: torch.nn's names (lower case, no underscores) -> the type; `keras`, `onnx`,
    `jax`: that framework's own names, looked up before torch's in its files; `windows`: a
    sliding-window class name as written -> its kind and the rank the name fixes;
    `spellings`: the class names as the frameworks spell them (the schema's suggestions).
    """

    torch: Mapping[str, OtherType] = field(default_factory=dict)
    keras: Mapping[str, OtherType] = field(default_factory=dict)
    onnx: Mapping[str, OtherType] = field(default_factory=dict)
    jax: Mapping[str, OtherType] = field(default_factory=dict)
    windows: Mapping[str, tuple[LayerKind, int | None]] = field(default_factory=dict)
    spellings: tuple[str, ...] = ()
    dialect_spellings: tuple[str, ...] = ()


def kept(
    *ignored: str,
    needs_rank: tuple[int, ...] | None = None,
    per_channel: int = 0,
    affine_default: bool = True,
    buffers: tuple[int, int] = (0, 0),
    tracks_by_default: bool = True,
    **read: str,
) -> OtherType:
    """Return a shape-keeping type that ignores some keys and reads others (key=what); booleans are kept."""
    keys = dict.fromkeys(ignored, IGNORED) | read
    stored = tuple(key for key, what in read.items() if what == "bool")
    return OtherType(
        LayerKind.IDENTITY,
        keys,
        needs_rank=needs_rank,
        params_per_channel=per_channel,
        affine_default=affine_default,
        stored=stored,
        buffers=buffers,
        tracks_by_default=tracks_by_default,
    )


def ignoring(kind: LayerKind, *keys: str) -> OtherType:
    """Return a type of one kind whose keys are all accepted and ignored (an ONNX or Keras elementwise layer)."""
    return OtherType(kind, dict.fromkeys(keys, IGNORED))
