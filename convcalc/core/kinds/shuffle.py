"""PixelShuffle and PixelUnshuffle (ONNX's DepthToSpace and SpaceToDepth): channels to and from H and W."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.receptive import direct_field, transposed_field
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec


def _four_axes(layer: OtherSpec, shape: AxisValues) -> None:
    if len(shape) != 4:  # noqa: PLR2004 - N, C, H, W
        msg = f"{layer.type_name} takes [N, C, H, W], got {list(shape)}"
        raise LayerError(msg, problem=Problem.RANK)


class _Shuffle(OtherRules):
    """Cells moved between the channels and H and W by a factor r: the shape's checks and the cell are shared."""

    positional = True
    factor_key = ""
    """The key of the factor r (upscale_factor, downscale_factor)."""
    sign = ""
    """How the table's cell shows the factor (×r up, ÷r down)."""

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Check the shape is [N, C, H, W] and move its cells by r."""
        del sources, target
        shape = shapes[0]
        _four_axes(layer, shape)
        n, c, h, w = shape
        return self.moved(layer, (n, c, h, w), layer.integer(self.factor_key, 1))

    def moved(self, layer: OtherSpec, shape: tuple[int, int, int, int], r: int) -> OtherShape:
        """Return the output shape of [N, C, H, W] moved by r."""
        raise NotImplementedError

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the factor."""
        del shape
        return f"{self.sign}{spec.argument(self.factor_key)}"


class PixelShuffle(_Shuffle):
    """Move r*r channels into an r times larger H and W: a transposed step of r on the field."""

    kinds = (LayerKind.PIXELSHUFFLE,)
    factor_key = "upscale_factor"
    sign = "×"

    def moved(self, layer: OtherSpec, shape: tuple[int, int, int, int], r: int) -> OtherShape:
        """Divide the channels by r², multiply H and W by r."""
        del layer
        n, c, h, w = shape
        if c % (r * r):
            msg = f"{c} channels are not divisible by upscale_factor² = {r * r}"
            raise LayerError(msg, problem=Problem.CHANNELS, channels=c)
        return OtherShape(output=(n, c // (r * r), h * r, w * r))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Each output cell comes from one input cell: r x r cells from channels."""
        del shape
        r = layer.integer("upscale_factor", 1)
        return [None if f is None else transposed_field(f, r, r, 0, 1) for f in inputs[0].fields], []


class PixelUnshuffle(_Shuffle):
    """Move r x r cells of H and W into channels: a step of r with a kernel of r on the field."""

    kinds = (LayerKind.PIXELUNSHUFFLE,)
    factor_key = "downscale_factor"
    sign = "÷"

    def moved(self, layer: OtherSpec, shape: tuple[int, int, int, int], r: int) -> OtherShape:
        """Multiply the channels by r², divide H and W by r (ONNX's SpaceToDepth rounds down)."""
        n, c, h, w = shape
        if layer.operation == "spacetodepth":  # ONNX's shape inference divides and rounds down
            wrong = [name for name, size in (("H", h), ("W", w)) if size < r]
        else:
            wrong = [name for name, size in (("H", h), ("W", w)) if size % r]
        if wrong:
            how = (
                "is smaller than blocksize"
                if layer.operation == "spacetodepth"
                else "is not divisible by downscale_factor"
            )
            msg = f"{'x'.join(str(s) for s in (h, w))} {how} {r}"
            raise LayerError(msg, axis=wrong, problem=Problem.OUTPUT_BELOW_ONE)
        return OtherShape(output=(n, c * r * r, h // r, w // r))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Each output cell reads r x r input cells."""
        del shape
        r = layer.integer("upscale_factor", layer.integer("downscale_factor", 1))
        return [None if f is None else direct_field(f, r, r, 0, 1) for f in inputs[0].fields], []


@cache
def file_types() -> FileTypes:
    """Return the pixel shuffles' names in torch.nn and ONNX."""
    return FileTypes(
        torch={
            "pixelshuffle": OtherType(
                LayerKind.PIXELSHUFFLE,
                {"upscale_factor": "count"},
                required=("upscale_factor",),
                stored=("upscale_factor",),
            ),
            "pixelunshuffle": OtherType(
                LayerKind.PIXELUNSHUFFLE,
                {"downscale_factor": "count"},
                required=("downscale_factor",),
                stored=("downscale_factor",),
            ),
        },
        onnx={
            "depthtospace": OtherType(
                LayerKind.PIXELSHUFFLE,
                {"blocksize": "count", "mode": IGNORED},
                required=("blocksize",),
                stored=("upscale_factor",),
                renames=(("blocksize", "upscale_factor"),),
            ),
            "spacetodepth": OtherType(
                LayerKind.PIXELUNSHUFFLE,
                {"blocksize": "count"},
                required=("blocksize",),
                stored=("downscale_factor",),
                renames=(("blocksize", "downscale_factor"),),
            ),
        },
        spellings=("PixelShuffle", "PixelUnshuffle"),
        dialect_spellings=("DepthToSpace", "SpaceToDepth"),
    )
