"""Index grids computed from sizes (as_strided's, by the default exporter with axes open), held against a brute force."""

from __future__ import annotations

import itertools

import pytest

from convcalc.importers.onnx_grids import Grid, arange, combine, reshape, unsqueeze


def _brute(operation: str, left: Grid, right: Grid) -> list[int]:
    """numpy's broadcasting by hand: every place of the output, each operand read at its place (size 1: 0)."""
    rank = max(len(left.dims), len(right.dims))
    a = (1,) * (rank - len(left.dims)) + left.dims
    b = (1,) * (rank - len(right.dims)) + right.dims
    out = [max(x, y) for x, y in zip(a, b, strict=True)]

    def read(grid: Grid, dims: tuple[int, ...], place: tuple[int, ...]) -> int:
        flat = 0
        for size, at in zip(dims, place, strict=True):
            flat = flat * size + (0 if size == 1 else at)
        return grid.values[flat]

    places = itertools.product(*(range(s) for s in out))
    pairs = [(read(left, a, p), read(right, b, p)) for p in places]
    if operation == "Add":
        return [x + y for x, y in pairs]
    return [x - y for x, y in pairs] if operation == "Sub" else [x * y for x, y in pairs]


def test_as_strided_indices_of_a_pooled_batch_are_its_flat_order() -> None:
    """Range(0, N) * 768, unsqueezed to [N, 1, 1, 1], plus arange(768) as [1, 768, 1, 1]: 0 .. N*768-1."""
    for batch in (1, 3):
        rows = unsqueeze(combine("Mul", arange(0, batch, 1), Grid((), (768,))), [1, 2, 3])
        columns = reshape(arange(0, 768, 1), [1, 768, 1, 1])
        grid = combine("Add", rows, columns)
        assert grid.dims == (batch, 768, 1, 1)
        assert grid.values == tuple(range(batch * 768))


@pytest.mark.parametrize(
    ("left", "right"),
    [((2, 1, 3), (4, 1)), ((1,), (2, 3)), ((2, 3), (2, 3)), ((), (3, 1, 2)), ((3, 1), (1, 4))],
)
@pytest.mark.parametrize("operation", ["Add", "Sub", "Mul"])
def test_broadcasting_matches_a_brute_force(left: tuple[int, ...], right: tuple[int, ...], operation: str) -> None:
    a = Grid(left, tuple(range(1, 1 + _count(left))))
    b = Grid(right, tuple(range(7, 7 + 2 * _count(right), 2)))
    assert list(combine(operation, a, b).values) == _brute(operation, a, b)


def _count(dims: tuple[int, ...]) -> int:
    total = 1
    for size in dims:
        total *= size
    return total


def test_what_is_not_a_grid_is_said() -> None:
    with pytest.raises(ValueError, match="do not broadcast"):
        combine("Add", Grid((2,), (0, 1)), Grid((3,), (0, 1, 2)))
    with pytest.raises(ValueError, match="its delta is 0"):
        arange(0, 4, 0)
    with pytest.raises(ValueError, match="lays out a grid of 6 values as"):
        reshape(Grid((6,), tuple(range(6))), [4, -1])
