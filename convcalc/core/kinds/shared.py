"""Helpers more than one kind's module uses, and the rules some kinds share.

Refusing inputs that do not meet, one value per axis, cells; comparing sizes, working along
one axis, moving axes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from convcalc.core.errors import LayerError, Problem, axes_label
from convcalc.core.kinds.base import first_labels
from convcalc.core.rearrange import is_spatial, rearranged_labels
from convcalc.core.receptive import shifted_field
from convcalc.core.spec import axis_names
from convcalc.core.text import spatial_axes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.kinds.base import FieldsAndNotes, Flow, OtherShape
    from convcalc.core.rearrange import Labels
    from convcalc.core.spec import AxisValues, OtherSpec

_T = TypeVar("_T")


def name_axes(shape: AxisValues) -> tuple[str, ...]:
    """Return the names of a tensor's axes: N, C and the spatial ones, or `dim i` past 3-D."""
    spatial = len(shape) - 2
    return ("N", "C", *axis_names(spatial)) if 1 <= spatial <= 3 else tuple(f"dim {i}" for i in range(len(shape)))  # noqa: PLR2004 - 1-D to 3-D have names


def refuse_to_meet(
    first: AxisValues,
    shape: AxisValues,
    names: tuple[str, str],
    differ: list[int],
    shown: tuple[AxisValues, AxisValues] | None = None,
) -> None:
    """Raise the refusal of two inputs that differ on some axes, naming both shapes (as given), the axes and a fix."""
    axes = [name_axes(first)[axis] for axis in differ]
    ours, theirs = "x".join(str(first[a]) for a in differ), "x".join(str(shape[a]) for a in differ)
    label = f"{axes_label(axes)} {'is' if len(differ) == 1 else 'are'}"
    given = shown or (first, shape)
    msg = f"{names[0]} gives {list(given[0])} but {names[1]} gives {list(given[1])}: {label} {ours} vs {theirs}"
    gaps = {abs(first[a] - shape[a]) for a in differ}
    amount = str(gaps.pop()) if len(gaps) == 1 else "x".join(str(abs(first[a] - shape[a])) for a in differ)
    bigger, smaller = names if first[differ[0]] > shape[differ[0]] else names[::-1]
    hint = f"crop {amount} from {bigger} or pad {smaller} by {amount} (a crop or pad layer with to:)"
    raise LayerError(msg, hint=hint, problem=Problem.INPUTS_DIFFER)


def per_axis(values: tuple[_T, ...], layer: OtherSpec, key: str, rank: int) -> tuple[_T, ...]:
    """Return one value per spatial axis: as given, or one value for every axis."""
    if len(values) == rank:
        return values
    if len(values) == 1:
        return values * rank
    msg = f"{layer.type_name} has {len(values)} {key} values but {spatial_axes(rank)} come in"
    raise LayerError(msg, hint=f"give one value, or {rank}")


def needs_spatial(layer: OtherSpec, shape: AxisValues) -> None:
    """Refuse an input without a spatial axis, for a layer that works on them (upsample, adaptive pooling)."""
    if len(shape) < 3:  # noqa: PLR2004 - N, C and at least one spatial axis
        raise LayerError(f"{layer.type_name} expects [N, C, *spatial], got {list(shape)}", problem=Problem.RANK)


def along_dim_moved(layer: OtherSpec, node: Flow) -> bool:
    """Whether the layer's `dim` holds positions while the spatial axes are out of place (a slice, a concat)."""
    dim = layer.dim % len(node.axes) if node.axes else 0
    return is_spatial(node.axes[dim]) if dim < len(node.axes) else True


def axis_of(layer: OtherSpec, rank: int) -> int:
    """Return the layer's `dim` counted from 0 (negative: from the end), or refuse one out of range."""
    dim = layer.dim if layer.dim >= 0 else layer.dim + rank
    if not 0 <= dim < rank:
        raise LayerError(f"dim {layer.dim} is out of range for {rank}-D tensors", problem=Problem.RANK)
    return dim


def positive(layer: OtherSpec, key: str, default: int) -> int:
    """Return one of the layer's keys that must be a whole number from 1 (its default when not given)."""
    value = layer.argument(key, default)
    if type(value) is not int or value < 1:
        raise LayerError(f"{key} is {value!r}: expected a positive integer", problem=Problem.REFUSED)
    return value


def kept_period(layer: object, axis: int) -> int:
    """Return the period of a layer whose size follows its input's one to one (or is constant): 1."""
    del layer, axis
    return 1


def arguments_cell(spec: OtherSpec) -> str:
    """Say a layer's groups when it has them (a channel shuffle), else nothing."""
    if spec.argument("groups") is not None:
        return f"groups {spec.argument('groups')}"
    return "-"


def agreed(given: list[AxisValues]) -> tuple[AxisValues, list[AxisValues]]:
    """Return the largest size per axis of the inputs of the first's rank, and each input made to agree with it.

    Channels keep their own sizes; an input of another rank is left as the first (a broadcast only grows sizes).
    """
    first = given[0]
    alike = [shape for shape in given if len(shape) == len(first)]
    largest = tuple(max(sizes) for sizes in zip(*alike, strict=True))
    return largest, [(*largest[:1], shape[1], *largest[2:]) if len(shape) == len(first) else first for shape in given]


def sizes_at(given: list[AxisValues], target: AxisValues | None, place: int) -> tuple[int, ...]:
    """Return the sizes on one axis of the inputs (and the `to` layer) that have it."""
    sizes = [shape[place] for shape in given if len(shape) > place]
    if target is not None and len(target) > place:
        sizes.append(target[place])
    return tuple(sizes)


class ComparesSizes:
    """A kind that compares its inputs' sizes (or the input's with a `to` layer's) on each axis: a concat, a crop."""

    def relation(
        self, layer: OtherSpec, given: list[AxisValues], target: AxisValues | None, place: int
    ) -> tuple[int, ...] | None:
        """Compare the sizes given (and the target's) at this place."""
        del layer
        return sizes_at(given, target, place)


class AlongDim:
    """A kind that works along one axis, `dim` (a concat, a slice).

    The first input's labels stay; positions are read out of place when `dim` holds them after a move.
    """

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Keep the first input's labels."""
        del layer
        return first_labels(inputs, output)

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say whether working along an axis that holds positions reads them out of place."""
        return along_dim_moved(layer, node)


class PositionWise:
    """A kind that reads each position where it stands (a permute before it loses nothing); the labels stay."""

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Keep the first input's labels (while the rank stays)."""
        del layer
        return first_labels(inputs, output)

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say no: wherever the axes are, each position is read where it stands."""
        del layer, node
        return False


class Contracts(PositionWise):
    """A product over whole axes (matmul, einsum): the first input's fields stay while its rank does."""

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Keep the first input's fields while its rank stays (the walk makes them global where positions mix)."""
        del layer
        first = inputs[0]
        return (first.fields if len(shape.output) == len(first.shape or ()) else []), []


class MovesAxes:
    """A kind that moves or joins axes without reading values (a flatten, a view, a permute)."""

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Follow the axes' labels through the move (joined axes that held positions become a mix)."""
        first = inputs[0]
        return rearranged_labels(layer, first.axes, first.shape or (), output)

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Say no: moving values reads no position."""
        del layer, node
        return False


class ShiftsFields:
    """A kind whose output cells are input cells moved by an offset per axis (a crop, a pad, a slice)."""

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Shift each axis's field by the cells cut or added before it."""
        del layer
        first = inputs[0].fields
        return [None if f is None else shifted_field(f, o) for f, o in zip(first, shape.offsets, strict=True)], []
