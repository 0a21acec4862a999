"""Refusals as data: each carries its problem, the axes it holds on and the numbers behind its words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import convcalc
from convcalc import LayerSpec, NetworkSpec, Problem, Status
from convcalc.core.windows import layer_shape


def _failure(layer: LayerSpec, shape: tuple[int, ...]) -> convcalc.LayerResult:
    (result,) = convcalc.analyze(NetworkSpec(input=shape, layers=(layer,))).layers
    assert result.status is Status.INVALID
    return result


@pytest.mark.parametrize(
    ("layer", "shape", "problem", "axes", "numbers"),
    [
        (
            LayerSpec.create("conv", 3),
            (1, 1, 2, 2),
            Problem.OUTPUT_BELOW_ONE,
            ("H", "W"),
            {"output": 0, "smallest_input": 3},
        ),
        (
            LayerSpec.create("conv", (3, 1)),
            (1, 1, 2, 2),
            Problem.OUTPUT_BELOW_ONE,
            ("H",),
            {"output": 0, "smallest_input": 3},
        ),
        (
            LayerSpec.create("maxpool", 2, padding=2),
            (1, 1, 8, 8),
            Problem.POOL_PADDING,
            ("H", "W"),
            {"padding": 2, "limit": 1},
        ),
        (
            LayerSpec.create("convtranspose", 3, stride=2, output_padding=2),
            (1, 1, 4, 4),
            Problem.OUTPUT_PADDING,
            ("H", "W"),
            {"output_padding": 2, "largest": 1},
        ),
        (
            LayerSpec.create("avgpool", 3, rank=3),
            (1, 1, 2, 8, 8),
            Problem.INPUT_BELOW_KERNEL,
            ("D",),
            {"size": 2, "kernel": 3},
        ),
        (
            LayerSpec.create("conv", 3, groups=2, out_channels=4),
            (1, 3, 8, 8),
            Problem.CHANNELS,
            (),
            {"channels": 3, "groups": 2},
        ),
        (LayerSpec.create("conv", 3, stride=2, padding="same"), (1, 1, 8, 8), Problem.PADDING_MODE, (), {}),
        (
            LayerSpec.create("convtranspose", 3, stride=2, output_size=20),
            (1, 1, 4, 4),
            Problem.OUTPUT_SIZE_UNREACHABLE,
            (),
            {"smallest": (9, 9), "largest": (10, 10)},
        ),
        (
            LayerSpec.create("conv", 3, stride=2, dilation=2, framework="keras"),
            (1, 1, 8, 8),
            Problem.STRIDED_DILATION,
            (),
            {},
        ),
    ],
    ids=lambda value: value.value if isinstance(value, Problem) else None,
)
def test_each_refusal_says_what_it_is(
    layer: LayerSpec, shape: tuple[int, ...], problem: Problem, axes: tuple[str, ...], numbers: dict[str, object]
) -> None:
    result = _failure(layer, shape)
    assert result.diagnostic is not None
    assert (result.diagnostic.problem, result.diagnostic.axes, result.diagnostic.numbers) == (problem, axes, numbers)
    with pytest.raises(convcalc.LayerError) as caught:
        layer_shape(layer, shape)
    assert caught.value.diagnostic == result.diagnostic
    assert str(caught.value) == result.error


def test_an_unmet_merge_is_found_by_its_problem() -> None:
    net = convcalc.network(
        [1, 3, 16, 16],
        [
            convcalc.layer("Conv2d", name="a", out_channels=3, kernel_size=3),
            convcalc.layer("add", inputs=["a", "input"]),
        ],
    )
    merge = convcalc.report(net).layers[1]
    assert merge.diagnostic is not None
    assert merge.diagnostic.problem is Problem.INPUTS_DIFFER
    assert merge.meeting_sizes == (3,)  # 1x1 against 3x3 broadcasts
    assert merge.error is not None
    assert merge.error.endswith("input sizes where they meet (up to 32): 3")


def test_the_layers_after_an_invalid_one_keep_no_diagnostic_of_their_own() -> None:
    net = NetworkSpec(input=(1, 1, 2, 2), layers=(LayerSpec.create("conv", 3), LayerSpec.create("conv", 1)))
    first, second = convcalc.analyze(net).layers
    assert first.diagnostic is not None
    assert second.status is Status.NOT_COMPUTED
    assert second.diagnostic is None
    assert second.message == "layer 2: not computed: layer 1 is invalid"


@given(
    kernel=st.integers(1, 9),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
    padding=st.integers(0, 3),
    size=st.integers(1, 30),
    kind=st.sampled_from(["conv", "maxpool", "convtranspose"]),
)
def test_the_smallest_input_a_refusal_names_is_exactly_the_smallest(
    kernel: int, stride: int, dilation: int, padding: int, size: int, kind: str
) -> None:
    """OUTPUT_BELOW_ONE's smallest_input is accepted, and the size just below it is refused."""
    padding = min(padding, kernel // 2) if kind == "maxpool" else padding
    layer = LayerSpec.create(kind, kernel, rank=1, stride=stride, padding=padding, dilation=dilation)
    (result,) = convcalc.analyze(NetworkSpec(input=(1, 1, size), layers=(layer,))).layers
    if result.diagnostic is None or result.diagnostic.problem is not Problem.OUTPUT_BELOW_ONE:
        return
    smallest = result.diagnostic.numbers["smallest_input"]
    assert isinstance(smallest, int)
    assert smallest > size
    ok = convcalc.analyze(NetworkSpec(input=(1, 1, smallest), layers=(layer,))).layers[0]
    assert ok.status is Status.OK
    if smallest > 1:
        below = convcalc.analyze(NetworkSpec(input=(1, 1, smallest - 1), layers=(layer,))).layers[0]
        assert below.status is Status.INVALID
