"""Pooling regions of interest (torchvision's roi_align, MultiScaleRoIAlign): one fixed grid per box.

Two-stage detectors (Faster, Mask and Keypoint R-CNN) pool the feature maps of a pyramid inside
each box the region proposal network kept: [boxes, C, *output_size], whatever the image size.
How many boxes there are depends on the image (non-maximum suppression keeps up to
`rpn.post_nms_top_n` proposals, and up to `detections_per_img` detections for the mask and
keypoint heads): `boxes` says it. Every input is a level [N, C, H, W] of one C; each box is
pooled from the level its size picks. FlopCounterMode counts no FLOPs here (torchvision's
operator has no formula), and convcalc none either. Each output reads a box anywhere in the
image: the receptive field is not followed past it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import positive
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

DATA_DEPENDENT = "each output pools a box the image decides: the receptive field is not followed past it"


def _grid(layer: OtherSpec, rank: int) -> tuple[int, ...]:
    """Return the output grid, one size per spatial axis (one number: every axis)."""
    size = layer.argument("output_size")
    values = tuple(size) if isinstance(size, tuple) else (positive(layer, "output_size", 7),) * rank
    if len(values) == 1:
        values *= rank
    if len(values) != rank or any(type(v) is not int or v < 1 for v in values):
        msg = f"output_size is {list(values)}: expected one or {rank} positive sizes"
        raise LayerError(msg, problem=Problem.REFUSED)
    return tuple(int(v) for v in values)


class RoIAlign(NamedAsWritten, OtherRules):
    """Pool `boxes` regions of the levels read, each to output_size: [boxes, C, *output_size]."""

    kinds = (LayerKind.ROIALIGN,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Check the levels share their channels and rank; give one grid per box."""
        del target
        first = shapes[0]
        if len(first) < 3:  # noqa: PLR2004 - [N, C, *spatial]
            raise LayerError(f"roi_align pools [N, C, *spatial] maps, got {list(first)}", problem=Problem.RANK)
        for source, shape in zip(sources[1:], shapes[1:], strict=True):
            if len(shape) != len(first) or shape[1] != first[1]:
                msg = f"the levels must share rank and channels: {sources[0]} {list(first)}, {source} {list(shape)}"
                raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
        boxes = positive(layer, "boxes", 1)
        return OtherShape(output=(boxes, first[1], *_grid(layer, len(first) - 2)))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed: where a box lies is the image's."""
        del layer
        return [None] * (len(shape.output) - 2), [DATA_DEPENDENT] if None not in inputs[0].fields else []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the boxes and the grid."""
        del shape
        size = spec.argument("output_size")
        grid = "x".join(map(str, size)) if isinstance(size, tuple) else str(size)
        return f"{spec.argument('boxes')} boxes, {grid}"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the boxes and the grid."""
        size = spec.argument("output_size")
        return {"boxes": spec.argument("boxes"), "output_size": list(size) if isinstance(size, tuple) else size}


@cache
def file_types() -> FileTypes:
    """Return roi_align's names: torchvision.ops.roi_align, RoIAlign and MultiScaleRoIAlign (from: the levels)."""
    pooled = OtherType(
        LayerKind.ROIALIGN,
        {
            "boxes": "count",
            "output_size": "sizes",
            "sampling_ratio": IGNORED,
            "spatial_scale": IGNORED,
            "aligned": IGNORED,
            "featmap_names": IGNORED,
        },
        required=("boxes", "output_size"),
        stored=("boxes", "output_size"),
    )
    return FileTypes(
        torch={"roialign": pooled, "multiscaleroialign": pooled},
        spellings=("roi_align", "RoIAlign", "MultiScaleRoIAlign"),
    )
