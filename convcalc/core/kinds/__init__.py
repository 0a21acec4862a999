"""One home per layer kind: the registry the analysis, the cost model and the renderers look kinds up in.

Each module of this package holds one kind or one family (the pools, the merges, crops
and pads) and says everything that kind means: its shape rule, how the receptive field
and the axes' labels pass through it, its cost, its table cell and JSON keys, and the
names network files and the importers write it under (its `file_types()`). Adding a kind is
a module here and its lines below, and its member of LayerKind (core/terms.py);
tests/core/test_kinds.py fails when a kind lacks a rule or a name.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from convcalc.core.kinds import (
    adaptive,
    attention,
    constant,
    einsum,
    flatten,
    gridsample,
    identity,
    linear,
    matmul,
    merge,
    multiscale,
    rearrange,
    reduce,
    resize,
    roi,
    scatter,
    shuffle,
    slicing,
    sliding,
    tokens,
    unfold,
    upsample,
    windowed,
)
from convcalc.core.kinds.adaptive import Adaptive
from convcalc.core.kinds.attention import Attention, MultiheadAttention
from convcalc.core.kinds.base import OtherRules, OtherShape, Rules, WindowRules
from convcalc.core.kinds.constant import Constant
from convcalc.core.kinds.einsum import Einsum
from convcalc.core.kinds.file_types import FileTypes
from convcalc.core.kinds.flatten import Flatten
from convcalc.core.kinds.gridsample import GridSample
from convcalc.core.kinds.identity import Identity
from convcalc.core.kinds.linear import Linear
from convcalc.core.kinds.matmul import MatMul
from convcalc.core.kinds.merge import Add, Concat
from convcalc.core.kinds.multiscale import MultiscaleAttention, TokenPool
from convcalc.core.kinds.rearrange import Rearrange
from convcalc.core.kinds.reduce import Reduce
from convcalc.core.kinds.resize import CropPad
from convcalc.core.kinds.roi import RoIAlign
from convcalc.core.kinds.scatter import Scatter
from convcalc.core.kinds.shuffle import PixelShuffle, PixelUnshuffle
from convcalc.core.kinds.slicing import Select, Slice
from convcalc.core.kinds.sliding import AvgPool, Conv, ConvTranspose, LpPool, MaxPool
from convcalc.core.kinds.tokens import Tokens
from convcalc.core.kinds.unfold import Unfold
from convcalc.core.kinds.upsample import Upsample
from convcalc.core.kinds.windowed import PatchMerging, WindowAttention
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from convcalc.core.spec import AxisValues, OtherSpec

FAMILIES: tuple[Rules, ...] = (
    Conv(),
    ConvTranspose(),
    MaxPool(),
    AvgPool(),
    LpPool(),
    Add(),
    Concat(),
    CropPad(LayerKind.CROP, "cropping"),
    CropPad(LayerKind.PAD, "padding"),
    Identity(),
    Upsample(),
    Adaptive(),
    Flatten(),
    Linear(),
    PixelShuffle(),
    PixelUnshuffle(),
    Slice(),
    Reduce(),
    Rearrange(),
    Select(),
    MatMul(),
    Attention(),
    MultiheadAttention(),
    Tokens(),
    WindowAttention(),
    PatchMerging(),
    Einsum(),
    RoIAlign(),
    MultiscaleAttention(),
    TokenPool(),
    Constant(),
    GridSample(),
    Unfold(),
    Scatter(),
)
"""Every kind's rules, in the order of LayerKind."""

REGISTRY: Mapping[LayerKind, Rules] = MappingProxyType({kind: rules for rules in FAMILIES for kind in rules.kinds})
"""Each layer kind's rules."""

FILE_TYPE_SOURCES: tuple[Callable[[], FileTypes], ...] = (
    sliding.file_types,
    merge.file_types,
    resize.file_types,
    identity.file_types,
    upsample.file_types,
    adaptive.file_types,
    flatten.file_types,
    linear.file_types,
    shuffle.file_types,
    slicing.file_types,
    reduce.file_types,
    rearrange.file_types,
    matmul.file_types,
    attention.file_types,
    tokens.file_types,
    windowed.file_types,
    einsum.file_types,
    roi.file_types,
    multiscale.file_types,
    constant.file_types,
    gridsample.file_types,
    unfold.file_types,
    scatter.file_types,
)
"""Every kind's names in network files, in the order of FAMILIES (made when first asked: a layer command needs none)."""


def file_types() -> tuple[FileTypes, ...]:
    """Return every kind's names in network files."""
    return tuple(source() for source in FILE_TYPE_SOURCES)


def rules_of(kind: LayerKind) -> Rules:
    """Return a kind's rules."""
    return REGISTRY[kind]


def window_rules(kind: LayerKind) -> WindowRules:
    """Return a sliding-window kind's rules."""
    rules = REGISTRY[kind]
    if not isinstance(rules, WindowRules):
        msg = f"{kind} is not a sliding-window kind"
        raise TypeError(msg)
    return rules


def other_rules(kind: LayerKind) -> OtherRules:
    """Return the rules of a kind without a sliding window."""
    rules = REGISTRY[kind]
    if not isinstance(rules, OtherRules):
        msg = f"{kind} is a sliding-window kind"
        raise TypeError(msg)
    return rules


def other_shape(
    layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
) -> OtherShape:
    """Compute a non-window layer's output from its inputs' shapes (and the `to` layer's, for crop and pad)."""
    return other_rules(layer.kind).shape(layer, shapes, sources, target)


__all__ = [
    "FAMILIES",
    "FILE_TYPE_SOURCES",
    "REGISTRY",
    "OtherRules",
    "OtherShape",
    "Rules",
    "WindowRules",
    "file_types",
    "other_rules",
    "other_shape",
    "rules_of",
    "window_rules",
]
