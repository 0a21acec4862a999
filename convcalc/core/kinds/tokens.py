"""Learned tokens joined to a sequence: a class token, a distillation token, register tokens (ViT, DeiT).

`torch.cat([cls_token.expand(N, -1, -1), x], dim=1)`: `count` learned vectors of the last
axis's size join the sequence along `dim`, before it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.kinds.shared import AlongDim, kept_period, positive
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec


class Tokens(AlongDim, OtherRules):
    """`count` more positions along `dim`, each a learned vector of the last axis's size."""

    kinds = (LayerKind.TOKENS,)
    writes_dim = True
    period = staticmethod(kept_period)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Lengthen `dim` by `count`; the tokens are count x features parameters."""
        del sources, target
        shape = shapes[0]
        dim = layer.dim + len(shape) if layer.dim < 0 else layer.dim
        if not 0 <= dim < len(shape) - 1:
            msg = f"dim {layer.dim} is not an axis before the features of {len(shape)}-D tensors"
            raise LayerError(msg, hint="tokens join [N, L, features] along dim 1", problem=Problem.RANK)
        count = positive(layer, "count", 1)
        output = (*shape[:dim], shape[dim] + count, *shape[dim + 1 :])
        return OtherShape(output=output, weight_shape=(count, shape[-1]), params=count * shape[-1])

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say no: the tokens read no position."""
        del layer, node
        return False

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Positions joined by tokens are not followed."""
        del layer, shape
        return [None] * len(inputs[0].fields), []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say how many."""
        del shape
        return f"{spec.integer('count', 1)} tokens"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the count and the axis."""
        return {"count": spec.integer("count", 1), "dim": spec.dim}


@cache
def file_types() -> FileTypes:
    """Return the tokens' name."""
    return FileTypes(
        torch={
            "tokens": OtherType(LayerKind.TOKENS, {"count": "count", "dim": "int"}, stored=("count",)),
        },
        spellings=("tokens",),
    )
