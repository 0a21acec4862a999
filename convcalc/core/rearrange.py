"""Rearranging a tensor's axes without touching its values: permute, transpose, view, reshape, (un)squeeze, flatten.

Besides the output shape, each rule says what every output axis holds, so that the walk
knows where the spatial axes are after a permute to channels-last and back: an axis is
the batch ("N"), features ("C", channels or anything else that is not a position), a single
cell ("1"), a spatial axis (its index, 0 for H in 2-D), or a mix of a spatial axis with
others ("?", after flattening H and W together, say). Layers that combine positions along
an axis (a window, a Linear over the last axis, a LayerNorm over the last ones) read these.
"""

from __future__ import annotations

from math import prod
from typing import TypeVar

from convcalc.core.errors import LayerError, Problem
from convcalc.core.spec import AxisValues, OtherSpec

Label = str | int
"""What one axis holds: "N", "C", "1", "?" or a spatial axis's index."""
Labels = tuple[Label, ...]
MIXED = "?"
T = TypeVar("T")


def standard_labels(rank: int, spatial: int) -> Labels:
    """Return the labels of a [N, C, *spatial] tensor (rank axes in all; fewer spatial when it is smaller)."""
    return ("N", "C", *range(spatial))[:rank] if rank >= 2 else ("N",) * rank  # noqa: PLR2004 - N and C before the spatial axes


def in_place(labels: Labels, spatial: int) -> bool:
    """Whether the spatial axes are where the window layers read them: [N, C, 0, 1, ...]."""
    return len(labels) == spatial + 2 and all(label == axis for axis, label in enumerate(labels[2:]))


def is_spatial(label: Label) -> bool:
    """Whether an axis holds positions of the input (a spatial axis, or a mix with one)."""
    return isinstance(label, int) or label == MIXED


def _axis(dim: int, rank: int, what: str) -> int:
    axis = dim + rank if dim < 0 else dim
    if not 0 <= axis < rank:
        msg = f"{what} {dim} is out of range for {rank}-D tensors (from {-rank} to {rank - 1})"
        raise LayerError(msg, problem=Problem.RANK)
    return axis


def _ints(layer: OtherSpec, key: str) -> tuple[int, ...]:
    value = layer.argument(key, ())
    return tuple(int(v) for v in value) if isinstance(value, tuple) else (int(str(value)),)


def _sizes(wanted: tuple[int, ...], total: int, what: str) -> tuple[int, ...]:
    """Fill in the one -1 of a wanted shape so that it holds `total` elements; refuse what torch refuses."""
    unknown = [i for i, size in enumerate(wanted) if size == -1]
    if len(unknown) > 1 or any(size < -1 or size == 0 for size in wanted):
        msg = f"{what} {list(wanted)}: only one size may be -1, and the others must be positive"
        raise LayerError(msg, problem=Problem.RANK)
    known = prod(size for size in wanted if size != -1)
    if unknown and total % known == 0:
        return tuple(total // known if size == -1 else size for size in wanted)
    if not unknown and known == total:
        return wanted
    raise LayerError(f"{what} {list(wanted)} is invalid for {total} elements", problem=Problem.RANK)


def keras_axes(rank: int) -> tuple[int, ...]:
    """Return where each axis of Keras' [N, ..., C] is held in convcalc's [N, C, ...]: the last axis at 1."""
    return (0, *range(2, rank), 1) if rank > 1 else tuple(range(rank))


def to_keras_order(values: tuple[T, ...]) -> tuple[T, ...]:
    """Return a tensor's shape (or labels) in convcalc's [N, C, ...] order as Keras orders it, [N, ..., C]."""
    return tuple(values[axis] for axis in keras_axes(len(values)))


def from_keras_order(values: tuple[T, ...]) -> tuple[T, ...]:
    """Return a shape (or labels) in Keras' [N, ..., C] order as convcalc holds it, [N, C, ...]."""
    held = keras_axes(len(values))
    return tuple(values[held.index(axis)] for axis in range(len(values)))


def _keras_order(dims: tuple[int, ...], shape: AxisValues) -> tuple[int, ...]:
    """Return a Keras Permute (dims numbered from 1 over the axes after the batch) as an order of convcalc's axes."""
    rank = len(shape)
    if sorted(dims) != list(range(1, rank)):
        msg = f"dims {list(dims)} are not an order of the axes 1 to {rank - 1} (Keras numbers them after the batch)"
        raise LayerError(msg, hint=f"name each of 1 to {rank - 1} once", problem=Problem.RANK)
    held = keras_axes(rank)
    order = [0] * rank
    for axis, source in enumerate((0, *dims)):
        order[held[axis]] = held[source]
    return tuple(order)


def _order(layer: OtherSpec, name: str, shape: AxisValues) -> tuple[int, ...] | None:
    """Return where each output axis of a permute or transpose comes from (None for the other rearrangements)."""
    rank = len(shape)
    if name == "keras_permute":
        return _keras_order(_ints(layer, "dims"), shape)
    if name == "permute":
        dims = tuple(_axis(d, rank, "dim") for d in _ints(layer, "dims"))
        if sorted(dims) != list(range(rank)):
            msg = f"dims {list(_ints(layer, 'dims'))} are not an order of the {rank} axes of {list(shape)}"
            raise LayerError(msg, hint=f"name each of 0 to {rank - 1} once", problem=Problem.RANK)
        return dims
    if name == "transpose":
        first, second = (_axis(layer.integer(k, 0), rank, k) for k in ("dim0", "dim1"))
        order = list(range(rank))
        order[first], order[second] = second, first
        return tuple(order)
    return None


def rearranged_shape(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    """Return the shape after a permute, transpose, view, reshape or unflatten (or ONNX's), or raise what torch says."""
    name = layer.operation
    rank = len(shape)
    order = _order(layer, name, shape)
    if order is not None:
        return tuple(shape[d] for d in order)
    if name == "unflatten":
        axis = _axis(layer.dim, rank, "dim")
        wanted = _ints(layer, "sizes" if layer.argument("sizes") is not None else "unflattened_size")
        if not wanted:
            raise LayerError("unflatten needs `sizes` (or `unflattened_size`)", problem=Problem.RANK)
        sizes = _sizes(wanted, shape[axis], f"unflatten of dim {layer.dim} into")
        return (*shape[:axis], *sizes, *shape[axis + 1 :])
    if name in ("squeeze", "onnx_squeeze"):  # the axes of size 1 named (every axis of size 1 when none is)
        return _squeezed(layer, shape, strict=name == "onnx_squeeze")
    if name == "unsqueeze":  # a new axis of size 1 at each position named (in the output's numbering)
        return _unsqueezed(layer, shape)
    if name == "onnx_flatten":  # always 2-D, split before `axis`
        axis = layer.integer("axis", 1)
        cut = axis + rank if axis < 0 else axis
        if not 0 <= cut <= rank:
            raise LayerError(f"axis {axis} is out of range for {rank}-D tensors", problem=Problem.RANK)
        return (prod(shape[:cut]), prod(shape[cut:]))
    return _reshaped(layer, shape)


def _reshaped(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    """Return the shape after a view or reshape: torch's, ONNX's (0 copies an axis) or Keras' (channels-last)."""
    if layer.operation == "keras_reshape":  # in Keras' order: the batch kept, then the target
        target = _sizes(_ints(layer, "target_shape"), prod(shape[1:]), "target_shape")
        return from_keras_order((shape[0], *target))
    wanted = _ints(layer, "shape")
    if layer.operation == "onnx_reshape":  # a 0 keeps the input's size on that axis
        if any(size == 0 and axis >= len(shape) for axis, size in enumerate(wanted)):
            raise LayerError(f"shape {list(wanted)} copies an axis that {list(shape)} lacks", problem=Problem.RANK)
        wanted = tuple(shape[axis] if size == 0 else size for axis, size in enumerate(wanted))
    return _sizes(wanted, prod(shape), "shape")  # view, reshape


def _squeezed(layer: OtherSpec, shape: AxisValues, *, strict: bool) -> AxisValues:
    """Return the shape without the axes of size 1 that `dim` names (all of them when it names none).

    torch leaves a named axis of another size as it is; ONNX's Squeeze (`strict`) refuses it.
    """
    rank = len(shape)
    named = _ints(layer, "dim") if layer.argument("dim") is not None else ()
    axes = {_axis(d, rank, "dim") for d in named}
    if len(axes) != len(named):
        raise LayerError(f"dim {list(named)} names an axis twice", problem=Problem.RANK)
    wider = sorted(axis for axis in axes if shape[axis] != 1)
    if strict and wider:
        axis = wider[0]
        msg = f"cannot squeeze axis {axis} of {list(shape)}: its size is {shape[axis]}, not 1"
        raise LayerError(msg, problem=Problem.RANK)
    if not named:
        axes = set(range(rank))
    return tuple(size for axis, size in enumerate(shape) if axis not in axes or size != 1)


def _unsqueezed(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    """Return the shape with an axis of size 1 inserted at each position of `dim` (positions in the output)."""
    named = _ints(layer, "dim")
    rank = len(shape) + len(named)
    axes = [_axis(d, rank, "dim") for d in named]
    if len(set(axes)) != len(axes):
        raise LayerError(f"dim {list(named)} names an axis twice", problem=Problem.RANK)
    rest = iter(shape)
    return tuple(1 if axis in axes else next(rest) for axis in range(rank))


def _grouped(before: AxisValues, after: AxisValues) -> list[tuple[list[int], list[int]]]:
    """Pair runs of input axes with runs of output axes that hold the same elements (a view's groups)."""
    groups: list[tuple[list[int], list[int]]] = []
    i = j = 0
    while i < len(before) or j < len(after):
        ins: list[int] = []
        outs: list[int] = []
        left = right = 1
        if i < len(before):
            left, i = before[i], i + 1
            ins.append(i - 1)
        if j < len(after):
            right, j = after[j], j + 1
            outs.append(j - 1)
        while left != right:
            if left < right and i < len(before):
                left, i = left * before[i], i + 1
                ins.append(i - 1)
            elif j < len(after):
                right, j = right * after[j], j + 1
                outs.append(j - 1)
            else:
                break
        groups.append((ins, outs))
    return groups


def _joined(labels: list[Label], sizes: list[int]) -> Label:
    """Return the label of axes put into one: what its axes of more than one cell hold."""
    held = {label for label, size in zip(labels, sizes, strict=True) if size > 1}
    if not held:
        return "1"
    if len(held) == 1:
        return held.pop()
    return MIXED if any(is_spatial(label) for label in held) else "C"


def rearranged_labels(layer: OtherSpec, labels: Labels, before: AxisValues, after: AxisValues) -> Labels:
    """Return what each output axis of a rearrangement holds, given what each input axis held."""
    name = layer.operation if layer.kind.value == "rearrange" else layer.type_name.lower()
    rank = len(before)
    order = _order(layer, name, before)
    if order is not None:
        return tuple(labels[d] for d in order)
    if name == "flatten":
        start = _axis(layer.start_dim, rank, "start_dim")
        end = _axis(layer.end_dim, rank, "end_dim")
        merged = _joined(list(labels[start : end + 1]), list(before[start : end + 1]))
        return (*labels[:start], merged, *labels[end + 1 :])
    if name == "keras_reshape":  # grouped as Keras holds the values: channels last
        moved = _regrouped(to_keras_order(labels), to_keras_order(before), to_keras_order(after))
        return from_keras_order(moved)
    return _regrouped(labels, before, after)


def _regrouped(labels: Labels, before: AxisValues, after: AxisValues) -> Labels:
    """Return what each axis of a view holds: an axis kept, axes merged, or an axis split."""
    out: list[Label] = []
    for ins, outs in _grouped(before, after):
        if len(ins) == 1 and len(outs) == 1:
            out.append(labels[ins[0]])  # the same axis
            continue
        held = _joined([labels[i] for i in ins], [before[i] for i in ins])
        split = sum(1 for j in outs if after[j] > 1)
        for j in outs:
            if after[j] == 1:
                out.append("1")
            elif split > 1 and is_spatial(held):
                out.append(MIXED)  # a spatial axis cut into several
            else:
                out.append(held if held != "1" else "C")
    return tuple(out)
