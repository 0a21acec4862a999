"""Rearrangements (view, reshape, permute, transpose, squeeze, unsqueeze, ...): values move, none change.

Their shape arithmetic and what each axis holds after them are core/rearrange.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.shared import MovesAxes, arguments_cell
from convcalc.core.rearrange import rearranged_shape
from convcalc.core.spec import LayerKind, OtherSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AnyLayer, AxisValues


class Rearrange(MovesAxes, OtherRules):
    """Positions only move: each keeps its field, and the labels say where the spatial axes went."""

    kinds = (LayerKind.REARRANGE,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Rearrange the shape as the function written does."""
        del sources, target
        return OtherShape(output=rearranged_shape(layer, shapes[0]))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Every position keeps its field (the labels follow where the axes went)."""
        del layer, shape
        return inputs[0].fields, []

    def type_word(self, spec: AnyLayer) -> str:
        """Give the function written (view, permute), in lower case."""
        return spec.type_name.lower() if isinstance(spec, OtherSpec) else spec.kind.value

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Nothing to say but the keys given."""
        del shape
        return arguments_cell(spec)
