"""Adaptive pooling (AdaptiveAvgPool, AdaptiveMaxPool, Keras' and ONNX's global pools): to an output size."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import kept_period, needs_spatial, per_axis
from convcalc.core.receptive import AxisField, resampled_field
from convcalc.core.resampling import adaptive_reads
from convcalc.core.spec import LayerKind, OtherSpec
from convcalc.core.text import axes_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues


class Adaptive(OtherRules):
    """Pool each spatial axis to a size (None keeps it); to 1 everywhere, every output reads every cell."""

    kinds = (LayerKind.ADAPTIVEAVGPOOL, LayerKind.ADAPTIVEMAXPOOL)
    size_key = "output_size"
    period = staticmethod(kept_period)
    positional = True

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Take the sizes asked for (1 by default)."""
        del sources, target
        shape = shapes[0]
        needs_spatial(layer, shape)
        spatial = shape[2:]
        wanted = per_axis(layer.size or (1,), layer, "output_size", len(spatial))
        return OtherShape(output=(*shape[:2], *(i if w is None else w for w, i in zip(wanted, spatial, strict=True))))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Follow the field: torch's windows repeat with the scale."""
        del layer
        first = inputs[0].fields
        before, after = inputs[0].shape or (), shape.output
        fields: list[AxisField | None] = []
        for previous, size_in, size_out in zip(first, before[-len(first) :], after[-len(first) :], strict=True):
            rule = adaptive_reads(size_in, size_out)
            fields.append(None if previous is None or rule is None else resampled_field(previous, *rule))
        return fields, []

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Pooling every spatial axis of more than one cell to 1 reads every position."""
        del layer
        before = node.shape or ()
        if len(before) < 3 or all(size == 1 for size in before[2:]):  # noqa: PLR2004 - N, C and a spatial axis
            return False
        return all(size == 1 for size in output[2:])

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the output size (- keeps an axis)."""
        del shape
        return "→ " + axes_text(["-" if v is None else v for v in spec.size or (1,)])

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the output size."""
        return {"output_size": spec.size}


@cache
def file_types() -> FileTypes:
    """Return the adaptive pools' names in torch.nn, and ONNX's global pools (an output of size 1)."""
    return FileTypes(
        torch={
            f"adaptive{pool}pool{rank}d": OtherType(
                LayerKind.ADAPTIVEAVGPOOL if pool == "avg" else LayerKind.ADAPTIVEMAXPOOL,
                {"output_size": "sizes", "return_indices": IGNORED},
                rank=rank,
                required=("output_size",),
            )
            for pool in ("avg", "max")
            for rank in (1, 2, 3)
        },
        onnx={
            "globalaveragepool": OtherType(LayerKind.ADAPTIVEAVGPOOL),
            "globalmaxpool": OtherType(LayerKind.ADAPTIVEMAXPOOL),
        },
        spellings=tuple(f"Adaptive{pool}Pool{rank}d" for pool in ("Avg", "Max") for rank in (1, 2, 3)),
        dialect_spellings=("GlobalAveragePool", "GlobalMaxPool"),
    )
