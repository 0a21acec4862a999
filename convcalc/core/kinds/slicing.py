"""Slices of one axis: narrow's [start, start + length), x[start:end:step], a piece of torch.chunk, an index.

A `slice` is Python's (and torch's aten.slice, ONNX's Slice): `start` and `end` count from the
axis's end when negative and are clamped to it, `end` left out runs to the end, and `step`
keeps every step-th cell, ceil((end - start) / step) of them. On a spatial axis a step is a
window of one cell striding by it (Swin's patch merging, LeViT's subsampling): the receptive
field's jump grows by it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.kinds.shared import AlongDim, ShiftsFields, axis_of, kept_period
from convcalc.core.rearrange import is_spatial
from convcalc.core.receptive import direct_field
from convcalc.core.spec import LayerKind, OtherSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.rearrange import Labels
    from convcalc.core.spec import AxisValues


def _python_slice(layer: OtherSpec, size: int) -> tuple[int, int, int]:
    """Return a `slice` layer's start, cells kept and step on an axis of `size` (Python's rules)."""
    step = layer.integer("step", 1)
    if step < 1:
        raise LayerError(f"step is {step}: a slice keeps every step-th cell, step 1 or more", problem=Problem.REFUSED)
    end = layer.argument("end")
    start, stop, _ = slice(layer.integer("start", 0), end if isinstance(end, int) else None).indices(size)
    return start, max(-(-(stop - start) // step), 0), step


class Slice(NamedAsWritten, AlongDim, ShiftsFields, OtherRules):
    """Keep a piece of one axis; the cells after its start shift by it (and, with a step, stride by it)."""

    kinds = (LayerKind.SLICE,)
    writes_dim = True

    def period(self, layer: object, axis: int) -> int | None:
        """Return 1, or a step's: sizes a step apart keep outputs one apart (a slice to the axis's end)."""
        if not isinstance(layer, OtherSpec) or layer.integer("step", 1) == 1:
            return kept_period(layer, axis)
        return layer.integer("step", 1) if layer.dim == axis + 2 else None if layer.dim < 0 else 1

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Keep [start, start + length) of `dim`, or chunk's piece `index`."""
        del sources, target
        shape = shapes[0]
        dim = axis_of(layer, len(shape))
        size = shape[dim]
        chunks = layer.argument("chunks")
        if isinstance(chunks, int):
            piece = -(-size // chunks)  # torch.chunk: pieces of ceil(n / chunks), the last one shorter
            count = -(-size // piece) if piece else chunks  # an empty axis (JAX allows size 0): `chunks` empty pieces
            index = layer.integer("index", 0)
            if not -count <= index < count:
                msg = f"chunk {index} of {count} ({size} split into pieces of {piece})"
                raise LayerError(msg + " is out of range", hint=f"use an index below {count}", problem=Problem.RANK)
            start = (index % count) * piece
            length = min(piece, size - start)
        elif layer.type_name.lower() == "slice":
            start, length, _ = _python_slice(layer, size)
        else:
            start = layer.integer("start", 0)
            length = layer.integer("length", size)
            start = start + size if start < 0 else start
            if not 0 <= start <= size or start + length > size:
                msg = f"narrow of {length} from {start} runs past the end of an axis of {size}"
                raise LayerError(msg, hint=f"use start + length <= {size}", problem=Problem.CROP)
        output = (*shape[:dim], length, *shape[dim + 1 :])
        offsets = tuple(start if axis == dim else 0 for axis in range(2, len(shape)))
        return OtherShape(output=output, offsets=offsets)

    def axes_worked_on(self, shape: OtherShape) -> int | None:
        """Count the trailing axes, as many as it shifts."""
        return len(shape.offsets)

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Shift each axis's field by the cells cut before it; a step strides the sliced one (a 1-cell window)."""
        step = layer.integer("step", 1)
        if step == 1:
            return ShiftsFields.fields(self, layer, inputs, shape)
        dim = axis_of(layer, len(shape.output))
        fields = [
            None if field is None else direct_field(field, 1, step, -offset, 1) if axis + 2 == dim else field
            for axis, (field, offset) in enumerate(zip(inputs[0].fields, shape.offsets, strict=True))
        ]
        return fields, []

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the axis and the piece."""
        del shape
        if spec.type_name.lower() == "slice":
            end = spec.argument("end")
            step = spec.integer("step", 1)
            return f"dim {spec.dim} [{spec.integer('start', 0)}:{'' if end is None else end}{f':{step}' * (step != 1)}]"
        if spec.argument("chunks") is not None:
            return f"dim {spec.dim} chunk {spec.argument('index')}/{spec.argument('chunks')}"
        start, length = spec.argument("start"), spec.argument("length")
        return f"dim {spec.dim} from {start}, {length}"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the axis (start, length or chunks follow as arguments)."""
        return {"dim": spec.dim}


class Select(OtherRules):
    """Keep one index of `dim` and drop the axis (x[:, 0], torch.select, one piece of torch.unbind)."""

    kinds = (LayerKind.SELECT,)
    writes_dim = True
    period = staticmethod(kept_period)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Drop `dim`; `index` must be on it (negative: from its end)."""
        del sources, target
        shape = shapes[0]
        dim = axis_of(layer, len(shape))
        index = layer.integer("index", 0)
        if not -shape[dim] <= index < shape[dim]:
            msg = f"index {index} is out of range for an axis of {shape[dim]}"
            raise LayerError(msg, hint=f"use an index below {shape[dim]}", problem=Problem.RANK)
        return OtherShape(output=shape[:dim] + shape[dim + 1 :])

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Keep the fields for an index of a non-spatial axis; for a spatial one, they are not followed."""
        del shape
        node = inputs[0]
        before = node.shape or ()
        dim = layer.dim % len(before) if before else 0
        if len(node.axes) == len(before) and not is_spatial(node.axes[dim]):
            return node.fields, []
        return [], []

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Drop the selected axis's label."""
        del output
        axes = inputs[0].axes
        dim = layer.dim % len(axes) if axes else 0
        return axes[:dim] + axes[dim + 1 :]

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the axis and the index."""
        del shape
        return f"dim {spec.dim} [{spec.integer('index', 0)}]"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the axis and the index."""
        return {"dim": spec.dim, "index": spec.integer("index", 0)}


@cache
def file_types() -> FileTypes:
    """Return the slices' names: torch.narrow, and one piece of torch.chunk."""
    return FileTypes(
        torch={
            "narrow": OtherType(  # torch.narrow(x, dim, start, length)
                LayerKind.SLICE,
                {"dim": "int", "start": "int", "length": "count"},
                required=("dim", "start", "length"),
                stored=("start", "length"),
            ),
            "slice": OtherType(  # x[start:end:step] on axis `dim` (torch's aten.slice, ONNX's Slice of one axis)
                LayerKind.SLICE,
                {"dim": "int", "start": "int", "end": "int", "step": "count"},
                required=("dim",),
                stored=("start", "end", "step"),
            ),
            "chunk": OtherType(  # torch.chunk(x, chunks, dim)[index]: one piece, as a layer of its own
                LayerKind.SLICE,
                {"chunks": "count", "dim": "int", "index": "int"},
                required=("chunks", "index"),
                stored=("chunks", "index"),
            ),
            "select": OtherType(  # torch.select(x, dim, index), x[:, index]: the axis goes
                LayerKind.SELECT, {"dim": "int", "index": "int"}, required=("dim", "index"), stored=("index",)
            ),
        },
        spellings=("select",),
    )
