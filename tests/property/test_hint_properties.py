"""The sizes a refusal suggests are the ones the brute-force model finds, for every kind and rank."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import assume, given
from hypothesis import strategies as st

from convcalc import LayerSpec
from convcalc.core.errors import LayerError
from convcalc.core.windows import layer_shape
from tests.property.brute import Layer1d, output_size
from tests.property.strategies import SETTINGS, layers_1d, smallest_input


def spec(layer: Layer1d, rank: int) -> LayerSpec:
    """Build the same layer on every one of `rank` axes."""
    return LayerSpec.create(
        layer.kind,
        layer.kernel,
        rank=rank,
        stride=layer.stride,
        padding=[(layer.before, layer.after)] * rank,
        dilation=layer.dilation,
        output_padding=layer.output_padding,
        ceil_mode=layer.ceil_mode,
    )


@st.composite
def refused(draw: st.DrawFn) -> tuple[Layer1d, int, int]:
    """Draw a layer, a rank and an input size too small for it (by the brute-force model)."""
    layer = draw(layers_1d(max_padding=3))
    if smallest_input([layer]) == 1:  # make a size of 1 too small: a longer kernel, or a crop
        if layer.kind == "convtranspose":
            crop = layer.dilation * (layer.kernel - 1) + 1 + layer.output_padding
            layer = replace(layer, before=crop, after=crop)
        else:
            layer = replace(layer, kernel=layer.kernel + layer.before + layer.after + layer.stride + 1)
    return layer, draw(st.sampled_from([1, 2, 3])), draw(st.integers(1, smallest_input([layer]) - 1))


@SETTINGS
@given(drawn=refused())
def test_refusals_suggest_the_smallest_input(drawn: tuple[Layer1d, int, int]) -> None:
    """An input too small: the hint names the smallest that works (AvgPool3d: its kernel), and it works."""
    layer, rank, size = drawn
    assume(not (layer.kind == "avgpool" and rank == 3 and size >= layer.kernel))
    try:
        layer_shape(spec(layer, rank), (1, 1, *(size,) * rank))
    except LayerError as error:
        hint = error.hint or ""
    else:
        raise AssertionError("the brute-force model refuses this size")
    smallest = smallest_input([layer])
    if layer.kind == "avgpool" and rank == 3:  # AvgPool3d's own rule comes first
        assert hint == f"use an input of at least {layer.kernel} or a kernel <= {size}"
        return
    assert f"an input of at least {smallest}" in hint
    if layer.kind == "conv":
        per_side = int(re.findall(r"padding of at least (\d+) per side", hint)[0])
        padded = [
            p
            for p in range(40)
            if output_size(Layer1d("conv", layer.kernel, layer.stride, p, p, layer.dilation), size) >= 1
        ]
        assert per_side == padded[0]
    if layer.kind == "convtranspose":
        most = int(re.findall(r"use padding <= (-?\d+) per side", hint)[0])
        cropped = [
            p
            for p in range(-1, 60)
            if output_size(
                Layer1d("convtranspose", layer.kernel, layer.stride, p, p, layer.dilation, layer.output_padding), size
            )
            >= 1
        ]
        assert most == cropped[-1]
