"""Rearrangements (view, reshape, permute, transpose, squeeze, unsqueeze, ...): values move, none change.

Their shape arithmetic and what each axis holds after them are core/rearrange.py's.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
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


@cache
def file_types() -> FileTypes:
    """Return the rearrangements' names: torch's methods, ONNX's operators, Keras' layers and jnp.transpose."""
    return FileTypes(
        torch={  # the axes rearranged, the values untouched: the walk follows where the spatial axes go
            "permute": OtherType(LayerKind.REARRANGE, {"dims": "ints"}, required=("dims",), stored=("dims",)),
            "transpose": OtherType(
                LayerKind.REARRANGE, {"dim0": "int", "dim1": "int"}, required=("dim0", "dim1"), stored=("dim0", "dim1")
            ),
            "view": OtherType(LayerKind.REARRANGE, {"shape": "ints"}, required=("shape",), stored=("shape",)),
            "reshape": OtherType(LayerKind.REARRANGE, {"shape": "ints"}, required=("shape",), stored=("shape",)),
            "unflatten": OtherType(
                LayerKind.REARRANGE,
                {"dim": "int", "sizes": "ints", "unflattened_size": "ints"},
                required=("dim",),
                stored=("sizes", "unflattened_size"),
            ),
            "squeeze": OtherType(LayerKind.REARRANGE, {"dim": "ints"}, stored=("dim",)),  # torch.squeeze(x, dim)
            "unsqueeze": OtherType(LayerKind.REARRANGE, {"dim": "int"}, required=("dim",), stored=("dim",)),
        },
        onnx={
            "transpose": OtherType(
                LayerKind.REARRANGE,
                {"perm": "ints"},
                required=("perm",),
                stored=("dims",),
                operation="permute",
                renames=(("perm", "dims"),),
            ),
            "reshape": OtherType(
                LayerKind.REARRANGE,  # 0 copies the input's size on that axis, -1 takes what is left
                {"shape": "ints", "allowzero": IGNORED},
                required=("shape",),
                stored=("shape",),
                operation="onnx_reshape",
            ),
            "flatten": OtherType(
                LayerKind.REARRANGE,  # always 2-D: [prod(before axis), prod(from axis)]
                {"axis": "int"},
                stored=("axis",),
                operation="onnx_flatten",
                defaults=(("axis", 1),),
            ),
            "squeeze": OtherType(
                LayerKind.REARRANGE,  # the axes named must be 1 (every axis of size 1 when none is named)
                {"axes": "ints"},
                stored=("dim",),
                operation="onnx_squeeze",
                renames=(("axes", "dim"),),
            ),
            "unsqueeze": OtherType(
                LayerKind.REARRANGE,  # an axis of size 1 at each position of `axes`, numbered in the output
                {"axes": "ints"},
                required=("axes",),
                stored=("dim",),
                operation="unsqueeze",
                renames=(("axes", "dim"),),
            ),
        },
        keras={
            "reshape": OtherType(
                LayerKind.REARRANGE,  # the shape after the batch, channels-last (one size may be -1)
                {"target_shape": "ints"},
                required=("target_shape",),
                stored=("target_shape",),
                operation="keras_reshape",
            ),
            "permute": OtherType(
                LayerKind.REARRANGE,  # the axes after the batch, numbered from 1, channels-last
                {"dims": "ints"},
                required=("dims",),
                stored=("dims",),
                operation="keras_permute",
            ),
        },
        jax={
            "transpose": OtherType(
                LayerKind.REARRANGE,  # jnp.transpose(x, axes)
                {"axes": "ints"},
                required=("axes",),
                stored=("dims",),
                operation="permute",
                renames=(("axes", "dims"),),
            ),
        },
        spellings=("Permute", "Transpose", "View", "Reshape", "Unflatten", "Squeeze", "Unsqueeze"),
        dialect_spellings=("Transpose", "Reshape", "Flatten", "Permute", "transpose"),
    )
