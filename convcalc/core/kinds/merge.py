"""Merges: add (and the other elementwise operations, broadcast as torch does) and concat."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem, join_axes
from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherRules, OtherShape, standard
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import (
    AlongDim,
    ComparesSizes,
    agreed,
    arguments_cell,
    kept_period,
    refuse_to_meet,
    sizes_at,
)
from convcalc.core.rearrange import is_spatial
from convcalc.core.receptive import AxisField, centre, merged_field
from convcalc.core.spec import LayerKind, OtherSpec, axis_names

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.rearrange import Labels
    from convcalc.core.spec import AnyLayer, AxisValues


def broadcast_shapes(shapes: list[AxisValues], sources: list[str]) -> AxisValues:
    """Return the shape of an elementwise merge by torch's broadcasting rule.

    Shapes are aligned at their last axis (the shorter one has 1s in front); on each axis the
    sizes must be equal or one of them 1, and the output takes the other.
    """
    out = shapes[0]
    for shape, source in zip(shapes[1:], sources[1:], strict=True):
        rank = max(len(out), len(shape))
        ours, theirs = (1,) * (rank - len(out)) + out, (1,) * (rank - len(shape)) + shape
        differ = [axis for axis, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b and 1 not in (a, b)]
        if differ:
            refuse_to_meet(ours, theirs, (sources[0], source), differ, shown=(out, shape))
        out = tuple(max(a, b) for a, b in zip(ours, theirs, strict=True))
    return out


def merged_fields(nodes: Sequence[Flow]) -> FieldsAndNotes:
    """Join the fields of several paths per axis; where their jumps or centres differ, say so."""
    if len({len(node.fields) for node in nodes}) > 1:  # a path without spatial axes left: nothing to follow
        return [None] * max(len(node.fields) for node in nodes), []
    fields: list[AxisField | None] = []
    notes: list[tuple[str, str]] = []
    names = axis_names(len(nodes[0].fields)) if 1 <= len(nodes[0].fields) <= 3 else ()  # noqa: PLR2004 - L; H, W; D, H, W
    for axis in range(len(nodes[0].fields)):
        per_path = [node.fields[axis] for node in nodes]
        known = [f for f in per_path if f is not None]
        if len(known) < len(per_path):
            fields.append(None)
            continue
        if len({f.jump for f in known}) > 1:
            jumps = ", ".join(str(f.jump) for f in known)
            notes.append((names[axis], f"paths misaligned: their jumps differ ({jumps}); receptive field not followed"))
            fields.append(None)
            continue
        centres = {centre(f) for f in known} - {None}
        if len(centres) > 1:
            spread = max(c for c in centres if c is not None) - min(c for c in centres if c is not None)
            notes.append((names[axis], f"paths misaligned: their centres are {spread} input cells apart"))
        fields.append(merged_field(known))
    return fields, join_axes(notes)


class Add(OtherRules):
    """Elementwise merges (add, mul, sub, div): the inputs broadcast to one shape."""

    kinds = (LayerKind.ADD,)
    period = staticmethod(kept_period)

    def relation(
        self, layer: OtherSpec, given: list[AxisValues], target: AxisValues | None, place: int
    ) -> tuple[int, ...] | None:
        """Compare the inputs' sizes, and 1 (a broadcast takes a size 1)."""
        del layer
        return (*sizes_at(given, target, place), 1)

    def as_if_held(
        self, layer: OtherSpec, given: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> AxisValues:
        """Broadcast the inputs made to agree on their largest sizes."""
        del target
        return self.shape(layer, agreed(given)[1], sources, None).output

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Broadcast the inputs' shapes."""
        del layer, target
        return OtherShape(output=broadcast_shapes(shapes, sources))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Join the paths' fields."""
        del layer, shape
        return merged_fields(inputs)

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Keep the labels of the input with the most axes (broadcasting puts 1s in front of the others)."""
        del layer
        widest = max(inputs, key=lambda node: len(node.axes))
        return widest.axes if len(widest.axes) == len(output) else standard(output)

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say no: an elementwise merge reads each position where it is."""
        del layer, node
        return False

    def type_word(self, spec: AnyLayer) -> str:
        """Say the operation (add, mul, sub, div)."""
        return spec.operation if isinstance(spec, OtherSpec) else spec.kind.value

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Nothing to say but the keys given."""
        del shape
        return arguments_cell(spec)


class Concat(ComparesSizes, AlongDim, OtherRules):
    """Concatenation along one axis: the other axes must agree."""

    kinds = (LayerKind.CONCAT,)
    period = staticmethod(kept_period)

    def as_if_held(
        self, layer: OtherSpec, given: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> AxisValues:
        """Join the inputs made to agree on their largest sizes but along `dim`."""
        del target
        first = given[0]
        largest, _ = agreed(given)
        dim = layer.dim if layer.dim >= 0 else layer.dim + len(first)
        joined = [(*largest[:dim], s[dim], *largest[dim + 1 :]) if len(s) == len(first) else first for s in given]
        return self.shape(layer, joined, sources, None).output

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Sum the inputs along `dim`; the other axes must be equal (torch.stack: all equal, a new axis of them)."""
        del target
        first = shapes[0]
        if layer.type_name.lower() == "stack":
            return OtherShape(output=_stacked(layer, shapes, sources))
        dim = layer.dim if layer.dim >= 0 else layer.dim + len(first)
        if not 0 <= dim < len(first):
            raise LayerError(f"dim {layer.dim} is out of range for {len(first)}-D tensors")
        for shape, source in zip(shapes[1:], sources[1:], strict=True):
            if len(shape) != len(first):
                msg = f"{sources[0]} gives {list(first)} but {source} gives {list(shape)}: the ranks differ"
                raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
            differ = [axis for axis, (a, b) in enumerate(zip(first, shape, strict=True)) if a != b and axis != dim]
            if differ:
                refuse_to_meet(first, shape, (sources[0], source), differ)
        return OtherShape(output=(*first[:dim], sum(shape[dim] for shape in shapes), *first[dim + 1 :]))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Join the paths' fields, unless they are joined along positions (then they are not followed)."""
        del shape
        axes = inputs[0].axes
        if not axes or layer.type_name.lower() == "stack" or is_spatial(axes[layer.dim % len(axes)]):
            return [None] * len(inputs[0].fields), []
        return merged_fields(inputs)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the axis."""
        del shape
        return f"dim {spec.dim}"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the axis."""
        return {"dim": spec.dim}


def _stacked(layer: OtherSpec, shapes: list[AxisValues], sources: list[str]) -> AxisValues:
    """Return torch.stack's output: the inputs, all of one shape, along a new axis at `dim`."""
    first = shapes[0]
    dim = layer.dim if layer.dim >= 0 else layer.dim + len(first) + 1
    if not 0 <= dim <= len(first):
        raise LayerError(f"dim {layer.dim} is out of range for stacking {len(first)}-D tensors")
    for shape, source in zip(shapes[1:], sources[1:], strict=True):
        if shape != first:
            msg = f"{sources[0]} gives {list(first)} but {source} gives {list(shape)}: stacked tensors are alike"
            raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
    return (*first[:dim], len(shapes), *first[dim:])


def _merge(operation: str) -> OtherType:
    return OtherType(LayerKind.ADD, min_inputs=2, operation=operation)


@cache
def file_types() -> FileTypes:
    """Return the merges' names: elementwise operations and concatenation in torch, ONNX, Keras and jax.numpy."""
    return FileTypes(
        torch={  # elementwise merges, broadcast by torch's rule: torch (add, mul, sub, div), Keras and ONNX names
            **{
                name: _merge(operation)
                for name, operation in (
                    ("add", "add"),
                    ("mul", "mul"),
                    ("multiply", "mul"),
                    ("sub", "sub"),
                    ("subtract", "sub"),
                    ("div", "div"),
                    ("divide", "div"),
                )
            },
            "concat": OtherType(LayerKind.CONCAT, {"dim": "int"}),  # of one tensor too, as torch.cat([x]) (DenseNet)
            "cat": OtherType(LayerKind.CONCAT, {"dim": "int"}),
            "stack": OtherType(LayerKind.CONCAT, {"dim": "int"}),  # torch.stack: a new axis at dim
        },
        onnx={"concat": OtherType(LayerKind.CONCAT, {"axis": "int"}, required=("axis",), renames=(("axis", "dim"),))},
        keras={
            "concatenate": OtherType(
                LayerKind.CONCAT,
                {"axis": "int"},
                renames=(("axis", "dim"),),
                defaults=(("dim", -1),),
                channels_last=True,
            ),
            **{
                name: _merge(operation)
                for name, operation in (("average", "mean"), ("maximum", "max"), ("minimum", "min"))
            },
            # keras.applications.inception_resnet_v2's: inputs[0] + inputs[1] * scale
            "customscalelayer": OtherType(LayerKind.ADD, {"scale": IGNORED}, min_inputs=2, operation="add"),
        },
        jax={
            "concatenate": OtherType(
                LayerKind.CONCAT, {"axis": "int"}, renames=(("axis", "dim"),), defaults=(("dim", 0),)
            )
        },
        spellings=("Add", "Mul", "Sub", "Div", "Multiply", "Subtract", "Concat"),
        dialect_spellings=("Concat", "Concatenate", "Average", "Maximum", "Minimum", "concatenate"),
    )
