"""Flatten: axes start_dim..end_dim become one."""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import MovesAxes, kept_period
from convcalc.core.rearrange import MIXED, rearranged_labels
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec


def flattened(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    """Return the shape with axes start_dim..end_dim multiplied into one."""
    rank = len(shape)
    start = layer.start_dim + rank if layer.start_dim < 0 else layer.start_dim
    end = layer.end_dim + rank if layer.end_dim < 0 else layer.end_dim
    if not 0 <= start < rank or not 0 <= end < rank:
        msg = f"start_dim {layer.start_dim} and end_dim {layer.end_dim} must lie in a {rank}-D shape"
        raise LayerError(msg)
    if start > end:
        raise LayerError(f"start_dim {layer.start_dim} comes after end_dim {layer.end_dim}")
    return (*shape[:start], prod(shape[start : end + 1]), *shape[end + 1 :])


class Flatten(MovesAxes, OtherRules):
    """Flatten: the field is kept while the spatial axes survive unmixed, and gone once they are folded."""

    kinds = (LayerKind.FLATTEN,)
    period = staticmethod(kept_period)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Multiply the axes together."""
        del sources, target
        return OtherShape(output=flattened(layer, shapes[0]))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Keep the fields while spatial axes are still there, unfolded."""
        after = self.labels_after(layer, inputs, shape.output)
        if not self.flattens_space(layer, inputs[0]) and any(isinstance(label, int) for label in after):
            return inputs[0].fields, []
        return [], []

    def flattens_space(self, layer: OtherSpec, node: Flow) -> bool:
        """Whether spatial axes of more than one cell are folded into one axis (a Linear on it reads them all)."""
        if node.shape is None:
            return False
        merged = rearranged_labels(layer, node.axes, node.shape, node.shape)
        return any(label == MIXED for label in merged) and not any(label == MIXED for label in node.axes)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the axes flattened."""
        del shape
        return f"dims {spec.start_dim}..{spec.end_dim}"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the axes flattened."""
        return {"start_dim": spec.start_dim, "end_dim": spec.end_dim}


@cache
def file_types() -> FileTypes:
    """Flatten's names: torch.nn.Flatten (and torch.flatten) and Keras' Flatten."""
    return FileTypes(
        torch={"flatten": OtherType(LayerKind.FLATTEN, {"start_dim": "int", "end_dim": "int"})},
        keras={
            "flatten": OtherType(LayerKind.FLATTEN, {"data_format": IGNORED})
        },  # every axis after the batch, into one
        spellings=("Flatten",),
        dialect_spellings=("Flatten",),
    )
