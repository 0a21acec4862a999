"""Swin Transformer's blocks (torchvision's V1, V2 and video 3-D): shifted window attention, patch merging.

Both read channels-last [N, H, W, C] (the video Swin's [N, T, H, W, C]). Window attention pads
the grid up to multiples of the window, attends within each window (after a cyclic shift), and
keeps the shape; the 3-D one first shrinks the window on an axis no longer than it (to the
axis). Patch merging joins each 2x2 patch of H and W into 4C channels (H and W padded to even)
and maps them to 2C. Their FLOPs are FlopCounterMode's: the qkv and output projections over the
padded grid, the two products within each window and, in V2, the relative-position MLP.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import PositionWise, positive
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

HIDDEN = 512
"""The width of V2's relative-position MLP (Linear(2, 512), ReLU, Linear(512, heads))."""


def _is_3d(layer: OtherSpec) -> bool:
    return layer.type_name.lower().endswith("3d")


def _channels_last(layer: OtherSpec, shape: AxisValues, *, video: bool) -> int:
    """Check an [N, H, W, C] input (with `video`, [N, T, H, W, C]) against `dim`; return C."""
    dim = positive(layer, "dim", 1)
    if len(shape) != (5 if video else 4):
        axes = "[N, T, H, W, C]" if video else "[N, H, W, C]"
        msg = f"{layer.type_name} takes {axes}, got {len(shape)}-D {list(shape)}"
        raise LayerError(msg, problem=Problem.RANK)
    if shape[-1] != dim:
        msg = f"dim is {dim} but {shape[-1]} channels come in (the last axis)"
        raise LayerError(msg, hint=f"set dim to {shape[-1]}", problem=Problem.CHANNELS, channels=shape[-1])
    return dim


def _is_v2(layer: OtherSpec) -> bool:
    return layer.type_name.lower().endswith("v2")


class _ChannelsLast(NamedAsWritten, PositionWise, OtherRules):
    """Fields are not followed through them; the labels stay."""

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed (each output reads its window, which depends on where it is)."""
        del layer, shape
        return [None] * len(inputs[0].fields), []


def _window(layer: OtherSpec) -> tuple[int, ...]:
    """Return the window's size on each axis of the grid (one number: every axis)."""
    axes = 3 if _is_3d(layer) else 2
    size = layer.argument("window_size")
    values = tuple(size) if isinstance(size, tuple) else (positive(layer, "window_size", 7),) * axes
    if len(values) not in (1, axes) or any(type(v) is not int or v < 1 for v in values):
        msg = f"window_size is {list(values)}: expected one or {axes} positive sizes"
        raise LayerError(msg, problem=Problem.REFUSED)
    return tuple(int(v) for v in values) if len(values) == axes else (int(values[0]),) * axes


def _windows_on(layer: OtherSpec, grid: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Return the window the layer attends within on this grid, and the grid padded to its multiples.

    The 3-D one shrinks its window to an axis no longer than it (torchvision's
    _get_window_and_shift_size); the 2-D ones pad the grid to the whole window.
    """
    window = _window(layer)
    if _is_3d(layer):
        window = tuple(min(size, axis) for size, axis in zip(window, grid, strict=True))
    padded = tuple(-(-axis // size) * size for axis, size in zip(grid, window, strict=True))
    return window, padded


class WindowAttention(_ChannelsLast):
    """torchvision's ShiftedWindowAttention (and V2): self-attention within windows of the padded grid."""

    kinds = (LayerKind.WINDOWATTENTION,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Keep the shape; count the projections, the position bias table (V1) or MLP and scales (V2)."""
        del sources, target
        shape = shapes[0]
        dim = _channels_last(layer, shape, video=_is_3d(layer))
        heads = positive(layer, "num_heads", 1)
        if dim % heads:
            msg = f"dim {dim} does not split into {heads} heads"
            raise LayerError(msg, hint=f"use a dim divisible by {heads}", problem=Problem.CHANNELS)
        table = prod(2 * size - 1 for size in _window(layer))
        qkv_bias = layer.argument("qkv_bias") is not False
        proj_bias = layer.argument("proj_bias") is not False
        params = 3 * dim * dim + 3 * dim * qkv_bias + dim * dim + dim * proj_bias
        params += heads + 2 * HIDDEN + HIDDEN + HIDDEN * heads if _is_v2(layer) else table * heads
        return OtherShape(output=shape, weight_shape=(3 * dim, dim), params=params)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count the projections over the padded grid, both products per window, and V2's MLP."""
        del output, weight
        batch, *grid, dim = shapes[0]
        window, padded = _windows_on(spec, grid)
        cells = batch * prod(padded)
        total = 2 * cells * dim * 3 * dim + 2 * cells * dim * dim + 4 * cells * prod(window) * dim
        if _is_v2(spec):
            table = prod(2 * size - 1 for size in _window(spec))
            total += 2 * table * 2 * HIDDEN + 2 * table * HIDDEN * spec.integer("num_heads", 1)
        return total

    def held(self, spec: OtherSpec) -> tuple[int, int]:
        """Return the relative position index (int64) and, in V2, the relative coordinates table."""
        window = _window(spec)
        table = 2 * prod(2 * size - 1 for size in window) if _is_v2(spec) else 0
        return table, prod(window) ** 2

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the window, the shift and the heads."""
        del shape
        size = spec.argument("window_size")  # as written: the cell of an invalid layer is shown too
        window = "x".join(map(str, size)) if isinstance(size, tuple) else str(size)
        shift = spec.argument("shift_size")
        shifted = f" shift {'x'.join(map(str, shift))}" if isinstance(shift, tuple) and any(shift) else ""
        return f"win {window}{shifted}, {spec.argument('num_heads')} heads"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the channels, the window, the shift and the heads."""
        return {key: spec.argument(key) for key in ("dim", "window_size", "shift_size", "num_heads")}


class PatchMerging(_ChannelsLast):
    """torchvision's PatchMerging (and V2): each 2x2 patch's 4C channels mapped to 2C, with a LayerNorm."""

    kinds = (LayerKind.PATCHMERGING,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Halve H and W (rounded up: padded to even), double the channels; a video's T is kept."""
        del sources, target
        dim = _channels_last(layer, shapes[0], video=len(shapes[0]) == 5)  # noqa: PLR2004 - [N, T, H, W, C]
        *leading, height, width, _ = shapes[0]
        norm = 2 * (2 * dim if _is_v2(layer) else 4 * dim)  # V2 normalises after the reduction
        output = (*leading, -(-height // 2), -(-width // 2), 2 * dim)
        return OtherShape(output=output, weight_shape=(2 * dim, 4 * dim), params=8 * dim * dim + norm)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count the reduction: a Linear from 4C to 2C at every output cell."""
        del spec, shapes
        return 2 * prod(output[:-1]) * weight[0] * weight[1]

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the channels."""
        del shape
        dim = spec.integer("dim", 0)
        return f"2x2, {4 * dim}→{2 * dim}"


@cache
def file_types() -> FileTypes:
    """Return Swin's names: torchvision's modules."""
    attention = OtherType(
        LayerKind.WINDOWATTENTION,
        {
            "dim": "count",
            "window_size": "sizes",
            "shift_size": "ints",
            "num_heads": "count",
            "qkv_bias": "bool",
            "proj_bias": "bool",
            "attention_dropout": IGNORED,
            "dropout": IGNORED,
        },
        required=("dim", "window_size", "num_heads"),
        stored=("dim", "window_size", "shift_size", "num_heads", "qkv_bias", "proj_bias"),
    )
    merging = OtherType(LayerKind.PATCHMERGING, {"dim": "count"}, required=("dim",), stored=("dim",))
    return FileTypes(
        torch={
            "shiftedwindowattention": attention,
            "shiftedwindowattentionv2": attention,
            "shiftedwindowattention3d": attention,
            "patchmerging": merging,
            "patchmergingv2": merging,
        },
        spellings=(
            "ShiftedWindowAttention",
            "ShiftedWindowAttentionV2",
            "ShiftedWindowAttention3d",
            "PatchMerging",
            "PatchMergingV2",
        ),
    )
