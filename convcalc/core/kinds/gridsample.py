"""Sampling at computed positions (F.grid_sample): RAFT's look-up of its correlation pyramid.

`grid_sample(input, grid)` reads [N, C, *spatial] at the positions a grid [N, *out, D] gives:
the output is [N, C, *out]. The grid is a layer the model computes (from `from`, second), or,
where it is a constant (the first of RAFT's iterations samples at fixed coordinates), `size`
says `out`. FlopCounterMode counts no FLOPs for it. Where an output reads depends on the
grid's values: the receptive field is not followed past it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

SAMPLED = "each output samples where the grid says: the receptive field is not followed past it"


class GridSample(NamedAsWritten, OtherRules):
    """[N, C, *spatial] sampled at a grid [N, *out, D]: [N, C, *out]."""

    kinds = (LayerKind.GRIDSAMPLE,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Take the grid's positions (the second input's, or `size`) with the input's batch and channels."""
        del target
        first = shapes[0]
        rank = len(first) - 2
        if rank < 1:
            raise LayerError(f"grid_sample reads [N, C, *spatial], got {list(first)}", problem=Problem.RANK)
        size = layer.argument("size")
        if len(shapes) > 1:
            grid = shapes[1]
            if len(grid) != rank + 2 or grid[-1] != rank or grid[0] != first[0]:
                msg = f"{sources[1]} gives a grid {list(grid)}: expected [{first[0]}, *{rank} sizes, {rank}]"
                raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
            out = tuple(grid[1:-1])
        elif isinstance(size, tuple) and len(size) == rank and all(type(v) is int and v > 0 for v in size):
            out = tuple(int(v) for v in size)
        else:
            msg = f"grid_sample needs its grid (a second input) or `size`, {rank} positive sizes; got {size!r}"
            raise LayerError(msg, problem=Problem.REFUSED)
        return OtherShape(output=(first[0], first[1], *out))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed: where each output samples is the grid's."""
        del layer
        return [None] * (len(shape.output) - 2), [SAMPLED] if None not in inputs[0].fields else []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the grid's size when it is given."""
        size = spec.argument("size")
        if isinstance(size, tuple):
            return "at " + "×".join(map(str, size))
        return "at the grid" if shape is None else "at " + "×".join(map(str, shape[2:]))

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the size, when given."""
        size = spec.argument("size")
        return {"size": list(size)} if isinstance(size, tuple) else {}


@cache
def file_types() -> FileTypes:
    """Return grid_sample's name (F.grid_sample; torchvision's RAFT calls it on absolute coordinates)."""
    return FileTypes(
        torch={
            "gridsample": OtherType(
                LayerKind.GRIDSAMPLE,
                {"size": "sizes", "mode": IGNORED, "padding_mode": IGNORED, "align_corners": IGNORED},
                stored=("size",),
            ),
        },
        spellings=("grid_sample",),
    )
