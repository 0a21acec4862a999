"""Sizes computed from shapes, as ONNX computes them: kept as expressions, evaluated at any input."""

from __future__ import annotations

import pytest

from convcalc.importers.onnx_shapes import Computed, Size, constant, evaluate, shape_of_tensor


def _at(computed: Computed, shapes: dict[str, tuple[int, ...]]) -> list[float]:
    return [element.at(lambda name: shapes[name]) for element in computed.elements]


def test_shape_gather_concat_keeps_where_each_size_comes_from() -> None:
    """Shape(x)[0], 2, Shape(x)[1] // 2: an axis, a number, arithmetic on an axis."""
    shape = shape_of_tensor("x", 4, {})
    batch = evaluate("Gather", {}, [shape, constant([0], [])])
    channels = evaluate("Gather", {}, [shape, constant([1], [])])
    half = evaluate("Div", {}, [channels, constant([2], [])])
    target = evaluate("Concat", {"axis": 0}, [batch, constant([2], [1]), half])
    assert target.elements[0] == Size(tensor="x", axis=0)
    assert target.elements[1].known
    assert _at(target, {"x": (3, 116, 7, 9)}) == [3, 2, 58]


@pytest.mark.parametrize(("a", "b", "expected"), [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3)])
def test_integer_division_rounds_toward_zero(a: int, b: int, expected: int) -> None:
    """ONNX's Div of integers truncates (not Python's floor)."""
    assert evaluate("Div", {}, [constant([a], []), constant([b], [])]).elements[0].value == expected


def test_a_cast_to_float_and_back_rounds_toward_zero() -> None:
    """Cast(float) -> Div -> Cast(int64): H / 2 at H = 9 is 4; a Cast of a size to int64 is the size itself."""
    height = evaluate("Gather", {}, [shape_of_tensor("x", 4, {}), constant([2], [])])
    as_float = evaluate("Cast", {"to": 1}, [height])
    half = evaluate("Cast", {"to": 7}, [evaluate("Div", {}, [as_float, constant([2.0], [])])])
    assert _at(half, {"x": (1, 3, 9, 9)}) == [4]
    assert evaluate("Cast", {"to": 7}, [height]).elements == height.elements


def test_shape_start_and_end_and_slices() -> None:
    """Shape(start=-2) and Slice(2:) of a shape name the trailing axes."""
    tail = shape_of_tensor("y", 4, {"start": -2})
    assert tail.elements == (Size(tensor="y", axis=2), Size(tensor="y", axis=3))
    sliced = evaluate("Slice", {}, [shape_of_tensor("y", 4, {}), constant([2], [1]), constant([2**62], [1])])
    assert sliced.elements == tail.elements


def test_what_is_not_followed_raises_value_error() -> None:
    """A slice along another axis, a gather along axis 1, an operator not on sizes."""
    shape = shape_of_tensor("x", 4, {})
    with pytest.raises(ValueError, match=r"a 1-D tensor of sizes along axes \[1\]"):
        evaluate("Slice", {}, [shape, constant([0], [1]), constant([1], [1]), constant([1], [1])])
    with pytest.raises(ValueError, match="other than 0"):
        evaluate("Gather", {"axis": 1}, [shape, constant([0], [])])
    with pytest.raises(ValueError, match="not followed"):
        evaluate("Range", {}, [shape])
