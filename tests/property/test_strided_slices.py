"""A strided slice x[start:end:step] is a narrow to [start, end) and then a 1-cell window striding by step.

Both sides are computed by convcalc, from layers checked against torch elsewhere (narrow, and
MaxPool1d with kernel 1): shapes, receptive fields and jumps must agree at any input, with
convolutions before and after, and the slice's output length is Python's len(range(...)).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from convcalc.core.analysis import analyze
from convcalc.netfile.loader import network_from_data
from tests.property.strategies import SETTINGS


def _stack(size: int, before: dict[str, Any], middle: list[dict[str, Any]], after: dict[str, Any]) -> Any:
    data = {"input": [1, 2, size], "layers": [before, *middle, after]}
    return analyze(network_from_data(data, "<drawn>"))


@SETTINGS
@given(
    size=st.integers(4, 40),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    start=st.integers(-6, 6),
    end=st.none() | st.integers(-6, 40),
    step=st.integers(1, 4),
    kernel_after=st.integers(1, 3),
)
def test_a_strided_slice_is_a_narrow_and_a_strided_window(
    size: int, kernel: int, stride: int, start: int, end: int | None, step: int, kernel_after: int
) -> None:
    """Same output, receptive field and jump as narrow then MaxPool1d(1, step); Python's length."""
    before = {"type": "Conv1d", "out_channels": 3, "kernel_size": kernel, "stride": stride}
    after = {"type": "Conv1d", "out_channels": 2, "kernel_size": kernel_after}
    middle_size = (size - kernel) // stride + 1 if size >= kernel else 0
    if middle_size < 1:
        return
    kept = range(middle_size)[slice(start, end)]
    cells = len(kept[::step])
    strided = {"type": "slice", "dim": 2, "start": start, "step": step} | ({"end": end} if end is not None else {})
    sliced = _stack(size, before, [strided], after)
    assert sliced.layers[1].output == (1, 3, cells)
    if not kept or cells < kernel_after:
        return
    narrow = {"type": "narrow", "dim": 2, "start": kept.start, "length": len(kept)}
    pool = {"type": "MaxPool1d", "kernel_size": 1, "stride": step}
    both = _stack(size, before, [narrow, pool], after)
    assert [layer.output for layer in sliced.layers[1:]] == [layer.output for layer in both.layers[2:]]
    assert sliced.layers[-1].receptive_field == both.layers[-1].receptive_field
    assert sliced.layers[-1].jump == both.layers[-1].jump
    assert sliced.layers[1].fields == both.layers[2].fields  # where each output reads, not only how far
    assert sliced.layers[-1].fields == both.layers[-1].fields
