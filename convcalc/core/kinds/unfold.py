"""Sliding blocks laid out as columns (F.unfold, torch.nn.Unfold): im2col, RAFT's convex upsampling.

[N, C, *spatial] becomes [N, C·∏kernel, L], L the number of positions a convolution of that
kernel, dilation, padding and stride would give. Each column holds the values of one window:
positions are flattened into L, which no receptive field follows past. FlopCounterMode counts
no FLOPs for it.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

FLATTENED = "the windows' positions are flattened into one axis: the receptive field is not followed past it"


def _per_axis(layer: OtherSpec, key: str, rank: int, default: int, least: int) -> tuple[int, ...]:
    """Return a key's value for each spatial axis (one number: every axis), each at least `least`."""
    value = layer.argument(key, default)
    values = tuple(value) if isinstance(value, tuple) else (value,) * rank
    if len(values) == 1:
        values *= rank
    if len(values) != rank or any(type(v) is not int or v < least for v in values):
        msg = f"{key} is {list(values)}: expected one or {rank} integers of at least {least}"
        raise LayerError(msg, problem=Problem.REFUSED)
    return tuple(v for v in values if isinstance(v, int))  # each an int, checked above


def _said(value: object) -> str:
    """Say one key's value: a number, or the numbers per axis (2x2)."""
    return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)


class Unfold(NamedAsWritten, OtherRules):
    """[N, C, *spatial] to [N, C·∏kernel, L]: one column per window a convolution would read."""

    kinds = (LayerKind.UNFOLD,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Count the windows as a convolution does (torch takes 4-D inputs: two spatial axes)."""
        del sources, target
        first = shapes[0]
        if len(first) != 4:  # noqa: PLR2004 - torch's unfold: [N, C, H, W]
            raise LayerError(f"unfold takes [N, C, H, W], got {list(first)}", problem=Problem.RANK)
        rank = len(first) - 2
        kernel = _per_axis(layer, "kernel_size", rank, 1, 1)
        dilation = _per_axis(layer, "dilation", rank, 1, 1)
        padding = _per_axis(layer, "padding", rank, 0, 0)
        stride = _per_axis(layer, "stride", rank, 1, 1)
        out = [
            (size + 2 * p - d * (k - 1) - 1) // s + 1
            for size, k, d, p, s in zip(first[2:], kernel, dilation, padding, stride, strict=True)
        ]
        if any(size < 1 for size in out):
            msg = f"no window of {list(kernel)} fits in {list(first[2:])} padded by {list(padding)}"
            raise LayerError(msg, problem=Problem.REFUSED)
        return OtherShape(output=(first[0], first[1] * prod(kernel), prod(out)))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed: the windows' positions are flattened."""
        del layer, shape
        return [None] * len(inputs[0].fields), [FLATTENED] if None not in inputs[0].fields else []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the kernel, stride, padding and dilation as a window layer's column does (3/1/1/1)."""
        del shape
        keys = (("kernel_size", 1), ("stride", 1), ("padding", 0), ("dilation", 1))
        return "/".join(_said(spec.argument(key, default)) for key, default in keys)

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the keys given."""
        found = {}
        for key in ("kernel_size", "dilation", "padding", "stride"):
            value = spec.argument(key)
            if value is not None:
                found[key] = list(value) if isinstance(value, tuple) else value
        return found


@cache
def file_types() -> FileTypes:
    """Return unfold's names: F.unfold and torch.nn.Unfold."""
    return FileTypes(
        torch={
            "unfold": OtherType(
                LayerKind.UNFOLD,
                {"kernel_size": "sizes", "dilation": "sizes", "padding": "ints", "stride": "sizes"},
                required=("kernel_size",),
                stored=("kernel_size", "dilation", "padding", "stride"),
            ),
        },
        spellings=("unfold", "Unfold"),
    )
