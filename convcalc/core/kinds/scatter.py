"""Values written into a tensor at positions (ONNX's ScatterND, torch's slice_scatter and scatter): its shape.

`x[:, :, 1:, 1:] = x[:, :, 1:, 1:] + rel` in a model's forward (MViT V2's relative positions) is
exported as ScatterND(x, indices, updates): the output has the first input's shape, the updates
(the second input, when written) go where the indices say. FlopCounterMode counts no FLOPs for
it. Which output reads which update is the indices': the receptive field is not followed past it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

WRITTEN = "values written at positions the indices give: the receptive field is not followed past it"


class Scatter(NamedAsWritten, OtherRules):
    """The first input's shape, with the second's values written into it."""

    kinds = (LayerKind.SCATTER,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Keep the first input's shape (the data, then at most the updates)."""
        del target
        if len(shapes) > 2:  # noqa: PLR2004 - data and updates
            msg = f"{layer.type_name} reads the data and its updates, not {len(shapes)} inputs ({', '.join(sources)})"
            raise LayerError(msg, problem=Problem.REFUSED)
        return OtherShape(output=shapes[0])

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed past values written where indices say (kept when nothing is written: one input)."""
        del layer, shape
        if len(inputs) == 1:
            return inputs[0].fields, []
        return [None] * len(inputs[0].fields), [WRITTEN] if None not in inputs[0].fields else []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Nothing to say."""
        del spec, shape
        return "-"


@cache
def file_types() -> FileTypes:
    """Return the scatters' names: ONNX's ScatterND and ScatterElements, torch's slice_scatter and scatter."""
    scatter = OtherType(LayerKind.SCATTER, {"dim": IGNORED, "start": IGNORED, "end": IGNORED, "step": IGNORED,
                                            "reduction": IGNORED, "axis": IGNORED})  # fmt: skip
    return FileTypes(
        torch={"scatternd": scatter, "scatterelements": scatter, "slicescatter": scatter, "scatter": scatter},
        spellings=("ScatterND", "ScatterElements", "slice_scatter", "scatter"),
    )
