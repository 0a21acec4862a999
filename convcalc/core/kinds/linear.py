"""Linear layers (torch's Linear, Keras' Dense, ONNX's Gemm and MatMul with a weight): one axis mapped."""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape, mixes_positions
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.kinds.shared import kept_period
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.rearrange import Labels
    from convcalc.core.spec import AxisValues, OtherSpec


def features_axis(layer: OtherSpec, rank: int) -> int:
    """Return the axis a linear layer maps: the last (torch), or the channels (Keras' Dense, channels-last)."""
    axis = layer.integer("features_dim", -1)
    return axis % rank if rank else 0


class Linear(OtherRules):
    """A weight [out, in] applied along one axis; over positions, each output reads every one of them."""

    kinds = (LayerKind.LINEAR,)
    period = staticmethod(kept_period)

    def relation(
        self, layer: OtherSpec, given: list[AxisValues], target: AxisValues | None, place: int
    ) -> tuple[int, ...] | None:
        """Compare the last axis's size with in_features."""
        del target, place
        return (given[0][-1], layer.in_features if layer.in_features is not None else given[0][-1])

    def as_if_held(
        self, layer: OtherSpec, given: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> AxisValues:
        """Give the input with out_features on its last axis."""
        del sources, target
        first = given[0]
        return (*first[:-1], layer.out_features if layer.out_features is not None else first[-1])

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Map the features axis from in_features to out_features; in_features must match what comes in."""
        del sources, target
        shape = shapes[0]
        axis = features_axis(layer, len(shape))
        features = shape[axis]
        wanted = layer.in_features
        if wanted is not None and wanted != features:
            rows = prod(shape) // features
            msg = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{features} and {wanted}x{layer.out_features})"
            where = "last axis" if axis == len(shape) - 1 else "channels"
            hint = f"in_features must be {features}, the size of the {where} coming in"
            raise LayerError(msg, hint=hint, problem=Problem.CHANNELS, channels=features)
        out = layer.out_features or 0
        stated = wanted is not None or layer.argument("features_dim") is not None  # Keras' Dense never states it
        notes = () if stated else (f"in_features is {features} (filled in from the input)",)
        weight = (out, features)
        output = (*shape[:axis], out, *shape[axis + 1 :])
        return OtherShape(
            output=output, weight_shape=weight, params=out * features + (out if layer.bias else 0), notes=notes
        )

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Keep the fields while the spatial axes are still there (a Linear over channels-last)."""
        after = self.labels_after(layer, inputs, shape.output)
        if any(isinstance(label, int) for label in after):
            return inputs[0].fields, []
        return [], []

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Label the mapped axis as channels."""
        del output
        first = inputs[0]
        axis = features_axis(layer, len(first.shape or ()))
        return (*first.axes[:axis], "C", *first.axes[axis + 1 :])

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say no: a Linear reads its one axis, wherever it is."""
        del layer, node
        return False

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Over a flattened grid, or an axis that holds positions, each output reads them all."""
        del output
        return node.flat or mixes_positions(node, [features_axis(layer, len(node.shape or ()))])

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Rows x in_features x out_features, twice."""
        del spec, output
        return 2 * prod(shapes[0]) * weight[0]

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say in→out features."""
        shown = shape or ("?",)
        features = spec.in_features if spec.in_features is not None else shown[features_axis(spec, len(shown))]
        return f"{features}→{spec.out_features}"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the features and the bias."""
        return {"in_features": spec.in_features, "out_features": spec.out_features, "bias": spec.bias}


@cache
def file_types() -> FileTypes:
    """Linear's names: torch.nn.Linear and Keras' Dense."""
    return FileTypes(
        torch={
            "linear": OtherType(
                LayerKind.LINEAR,
                {"in_features": "count", "out_features": "count", "bias": "bool"},
                required=("out_features",),
            )
        },
        keras={
            "dense": OtherType(  # over the last axis as Keras holds the tensor: the channels
                LayerKind.LINEAR,
                {"units": "count", "use_bias": "bool"},
                required=("units",),
                stored=("features_dim",),
                renames=(("units", "out_features"), ("use_bias", "bias")),
                defaults=(("features_dim", -1),),
                channels_last=True,
            )
        },
        spellings=("Linear",),
        dialect_spellings=("Dense",),
    )
