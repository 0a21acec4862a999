"""Small integer tensors an ONNX graph computes from sizes: the index grids of `as_strided`.

With its axes open, torch's default exporter writes `as_strided` (ConvNeXt's and Swin's
pooled features laid out anew) as a Gather of the flattened tensor by indices it computes at
run time: Range(0, batch) times a stride, unsqueezed, plus constant offsets. Such a grid is
evaluated at a given input (its sizes known), as flat values in row-major order and its dims,
so that the importer can see that it only lays the tensor out in a shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod

from convcalc.importers.onnx_shapes import broadcast_dims, reshaped

MOST_VALUES = 1 << 20
"""The most values a grid may hold and still be evaluated (more is not an index grid)."""


@dataclass(frozen=True, slots=True)
class Grid:
    """An integer tensor: its dims and its values, row by row."""

    dims: tuple[int, ...]
    values: tuple[int, ...]


def arange(start: int, limit: int, delta: int) -> Grid:
    """Return Range(start, limit, delta), as ONNX computes it."""
    if delta == 0:
        raise ValueError("its delta is 0")
    values = tuple(range(start, limit, delta))
    if len(values) > MOST_VALUES:
        raise ValueError(f"it makes {len(values):,} values")
    return Grid((len(values),), values)


def _strides(dims: Sequence[int]) -> list[int]:
    strides, step = [], 1
    for size in reversed(dims):
        strides.append(step)
        step *= size
    return strides[::-1]


OPERATIONS: dict[str, Callable[[int, int], int]] = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
}


def combine(operation: str, left: Grid, right: Grid) -> Grid:
    """Return an elementwise operation of two grids, broadcast as numpy does."""
    rank = max(len(left.dims), len(right.dims))
    a = (1,) * (rank - len(left.dims)) + left.dims
    b = (1,) * (rank - len(right.dims)) + right.dims
    dims = broadcast_dims([a, b])
    if dims is None:
        raise ValueError(f"grids of shapes {list(left.dims)} and {list(right.dims)} do not broadcast")
    if prod(dims) > MOST_VALUES:
        raise ValueError(f"it makes {prod(dims):,} values")
    strides_a = [0 if size == 1 else stride for size, stride in zip(a, _strides(a), strict=True)]
    strides_b = [0 if size == 1 else stride for size, stride in zip(b, _strides(b), strict=True)]
    apply = OPERATIONS[operation]
    values = []
    for flat in range(prod(dims)):
        place, rest = [], flat
        for stride in _strides(dims):
            place.append(rest // stride)
            rest %= stride
        i = sum(p * s for p, s in zip(place, strides_a, strict=True))
        j = sum(p * s for p, s in zip(place, strides_b, strict=True))
        values.append(apply(left.values[i], right.values[j]))
    return Grid(dims, tuple(values))


def unsqueeze(grid: Grid, axes: Sequence[int]) -> Grid:
    """Return the grid with axes of size 1 added at these places (of the output's rank)."""
    rank = len(grid.dims) + len(axes)
    added = {axis % rank for axis in axes}
    sizes = iter(grid.dims)
    return Grid(tuple(1 if i in added else next(sizes) for i in range(rank)), grid.values)


def reshape(grid: Grid, target: Sequence[int]) -> Grid:
    """Return the grid laid out in a new shape (a 0 copies the axis, -1 takes what is left)."""
    dims = reshaped(grid.dims, target)
    if dims is None:
        raise ValueError(f"it lays out a grid of {len(grid.values)} values as {list(target)}")
    return Grid(tuple(dims), grid.values)
