"""A constant tensor a model makes at run time from its input's size alone (RAFT's first flow, a coordinate grid).

It holds no value of the input: its `shape` is given (written at the traced input), and a
layer reading it starts from nothing but that shape. It may stand for a computation on
constants that has parameters and costs FLOPs (a convolution of a zero flow, FlopCounterMode
counts it): `params` and `flops` say them. It reads one layer (the input, by default the layer
before) only to be placed; no receptive field passes through it.
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


def _shape(layer: OtherSpec) -> tuple[int, ...]:
    shape = layer.argument("shape")
    if not isinstance(shape, tuple) or not shape or any(type(size) is not int or size < 1 for size in shape):
        raise LayerError(f"shape is {shape!r}: expected positive sizes", problem=Problem.REFUSED)
    return tuple(shape)


class Constant(NamedAsWritten, OtherRules):
    """A tensor of `shape`, whatever it reads; `params` and `flops` are what making it holds and costs."""

    kinds = (LayerKind.CONSTANT,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give the shape written, and the parameters it is made with."""
        del shapes, sources, target
        return OtherShape(output=_shape(layer), params=layer.integer("params", 0))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Nothing of the input passes: not followed (and not worth a warning: nothing was lost)."""
        del layer, inputs
        return [None] * max(len(shape.output) - 2, 0), []

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Return what making it costs, as written."""
        del shapes, output, weight
        return spec.integer("flops", 0)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say how many values it holds."""
        del shape
        written = spec.argument("shape")
        return f"{prod(written):,} values" if isinstance(written, tuple) else "-"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the shape (and what making it holds and costs)."""
        written = spec.argument("shape")
        found: dict[str, Any] = {"shape": list(written) if isinstance(written, tuple) else written}
        for key in ("params", "flops"):
            if spec.integer(key, 0):
                found[key] = spec.integer(key, 0)
        return found


@cache
def file_types() -> FileTypes:
    """Return the constant's name."""
    return FileTypes(
        torch={
            "constant": OtherType(
                LayerKind.CONSTANT,
                {"shape": "dims", "params": "natural", "flops": "natural"},
                required=("shape",),
                stored=("shape", "params", "flops"),
            ),
        },
        spellings=("constant",),
    )
