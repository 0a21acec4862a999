"""Upsampling (torch's Upsample and interpolate, Keras' UpSampling and Resizing, ONNX's Resize)."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import floor
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import needs_spatial, per_axis
from convcalc.core.receptive import AxisField, resampled_field
from convcalc.core.resampling import interpolation_reads
from convcalc.core.spec import LayerKind, OtherSpec
from convcalc.core.text import axes_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AnyLayer, AxisValues

DOUBLE_MAX = 2**1023
"""Sizes at or past this cannot be held as doubles, in which torch computes an interpolation's size."""


def _scaled(size: int, factor: float) -> int:
    """Return floor(float(size) * factor) as torch computes it, or say that doubles cannot hold it."""
    product = float(size) * float(factor) if size < DOUBLE_MAX else float("inf")
    if product == float("inf"):
        msg = f"{size} × {factor} is past the largest double, in which torch computes an interpolation's size"
        raise LayerError(msg, hint="use smaller sizes or factors", problem=Problem.OUTPUT_TOO_LARGE)
    return floor(product)


def _factors(values: tuple[float, ...], width: int) -> tuple[float, ...]:
    """Return a factor per axis from one factor, or as given."""
    return values if len(values) == width else values * width


class Upsample(OtherRules):
    """Resize the spatial axes: to another layer's size, to a size, or by factors rounded down."""

    kinds = (LayerKind.UPSAMPLE,)
    positional = True
    exclusive = ("size", "scale_factor", "to")

    def period(self, layer: AnyLayer, axis: int) -> int | None:
        """Repeat every q sizes for a factor p/q; every size for a size or a `to` layer's."""
        factors = layer.scale_factor if isinstance(layer, OtherSpec) else None
        if factors is None:
            return 1
        return Fraction(str(factors[axis] if axis < len(factors) else factors[-1])).denominator

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Compute the resized shape as torch.nn.functional.interpolate does."""
        del sources
        shape = shapes[0]
        needs_spatial(layer, shape)
        spatial = shape[2:]
        if layer.to is not None and target is not None:
            if len(target) != len(shape):
                msg = f"{layer.to} gives {list(target)}, a different rank from {list(shape)}"
                raise LayerError(msg, problem=Problem.RANK)
            return OtherShape(output=(*shape[:2], *target[2:]))
        if layer.size is not None:
            sizes = per_axis(layer.size, layer, "size", len(spatial))
            return OtherShape(output=(*shape[:2], *(int(s or i) for s, i in zip(sizes, spatial, strict=True))))
        factors = per_axis(layer.scale_factor or (1.0,), layer, "scale_factor", len(spatial))
        # as torch.nn.functional.interpolate: floor(float(size) * scale), in doubles
        out = tuple(_scaled(i, f) for i, f in zip(spatial, factors, strict=True))
        if any(o < 1 for o in out):
            msg = f"output size {list(out)} has an axis below 1"
            raise LayerError(msg, hint="use a larger scale_factor", problem=Problem.OUTPUT_BELOW_ONE)
        return OtherShape(output=(*shape[:2], *out))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Follow the field by torch's index rule of the mode; say where it is not followed."""
        first = inputs[0].fields
        sizes_in, sizes_out = (inputs[0].shape or ())[2:], shape.output[2:]
        given = layer.scale_factor
        factors: tuple[float | None, ...] = (None,) * len(sizes_in)
        if given is not None and layer.argument("recompute_scale_factor") is not True:
            factors = _factors(given, len(sizes_in))
        align = layer.argument("align_corners", layer.type_name.lower() == "upsamplingbilinear2d") is True
        fields: list[AxisField | None] = []
        for axis, previous in enumerate(first):
            rule = interpolation_reads(
                sizes_in[axis], sizes_out[axis], layer.mode, align_corners=align, scale_factor=factors[axis]
            )
            fields.append(None if previous is None or rule is None else resampled_field(previous, *rule))
        if None in fields and None not in first:
            return fields, [f"receptive field not followed through {layer.mode} upsampling"]
        return fields, []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the `to` layer, the size, or the factors and the mode."""
        del shape
        if spec.to is not None:
            return f"to {spec.to}"
        if spec.size is not None:
            return "→ " + axes_text(spec.size)
        return (
            "×"
            + axes_text([f"{f:g}" for f in spec.scale_factor or (1.0,)])
            + ("" if spec.mode == "nearest" else f" {spec.mode}")
        )

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the factors, size and mode (and the `to` layer when given)."""
        keys: dict[str, Any] = {"scale_factor": spec.scale_factor, "size": spec.size, "mode": spec.mode}
        if spec.to is not None:
            keys["to"] = spec.to
        return keys


_RESIZED = {"scale_factor": "factors", "size": "sizes", "to": "name"}  # `to`: the spatial size of another layer,
# as F.interpolate(x, size=y.shape[2:])
_INTERPOLATED = _RESIZED | {"mode": "mode", "align_corners": "bool", "recompute_scale_factor": "bool"}


@cache
def file_types() -> FileTypes:
    """Return the resamplings' names: torch.nn's Upsample classes, F.interpolate and Keras' UpSampling layers."""
    return FileTypes(
        torch={
            "upsample": OtherType(
                LayerKind.UPSAMPLE, _INTERPOLATED, stored=("align_corners", "recompute_scale_factor")
            ),
            "upsamplingnearest2d": OtherType(LayerKind.UPSAMPLE, _RESIZED, rank=2),
            "upsamplingbilinear2d": OtherType(LayerKind.UPSAMPLE, _RESIZED, rank=2),
            "interpolate": OtherType(  # torch.nn.functional.interpolate, as a layer
                LayerKind.UPSAMPLE,
                _INTERPOLATED | {"antialias": IGNORED},
                stored=("align_corners", "recompute_scale_factor"),
            ),
        },
        keras={
            f"upsampling{rank}d": OtherType(  # `size` is the factor per axis
                LayerKind.UPSAMPLE,
                {"size": "factors", "interpolation": "mode", "data_format": IGNORED},
                rank=rank,
                renames=(("size", "scale_factor"), ("interpolation", "mode")),
                defaults=(("scale_factor", (2.0,)),),
            )
            for rank in (1, 2, 3)
        },
        spellings=("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"),
        dialect_spellings=tuple(f"UpSampling{rank}D" for rank in (1, 2, 3)),
    )
