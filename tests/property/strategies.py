"""Hypothesis strategies for valid-looking layer parameters, shared by the property tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from convcalc import LayerSpec, NetworkSpec
from tests.property.brute import Layer1d, output_size

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KINDS = ("conv", "convtranspose", "maxpool", "avgpool")


@st.composite
def layers_1d(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = KINDS,
    max_padding: int = 4,
    *,
    symmetric: bool = False,
    ceil_mode: bool | None = None,
) -> Layer1d:
    """Draw one axis of a layer; pool padding respects PyTorch's k // 2 bound.

    `symmetric` draws the same padding on both sides; `ceil_mode` fixes the pools' rounding
    (None draws it).
    """
    kind = draw(st.sampled_from(kinds))
    kernel = draw(st.integers(1, 5))
    stride = draw(st.integers(1, 4))
    dilation = 1 if kind == "avgpool" else draw(st.integers(1, 3))
    pad_limit = kernel // 2 if kind in ("maxpool", "avgpool") else max_padding
    before = draw(st.integers(0, pad_limit))
    one_sided = kind == "conv" and not symmetric
    after = draw(st.sampled_from([before, draw(st.integers(0, pad_limit))])) if one_sided else before
    output_padding = draw(st.integers(0, max(stride, dilation) - 1)) if kind == "convtranspose" else 0
    pool = kind in ("maxpool", "avgpool")
    ceil = pool and (draw(st.booleans()) if ceil_mode is None else ceil_mode)
    return Layer1d(kind, kernel, stride, before, after, dilation, output_padding, ceil)


def smallest_input(layers: list[Layer1d]) -> int:
    """Return the smallest input size every layer of the chain takes, by the brute-force model."""
    size = 1
    while not _takes(layers, size):
        size += 1
    return size


def _takes(layers: list[Layer1d], size: int) -> bool:
    for layer in layers:
        size = output_size(layer, size)
        if size < 1:
            return False
    return True


@st.composite
def chains_1d(draw: st.DrawFn, layers: st.SearchStrategy[list[Layer1d]], extra: int = 60) -> tuple[list[Layer1d], int]:
    """Draw a chain of layers and an input size it takes (from its smallest up to `extra` more)."""
    chain = draw(layers)
    return chain, smallest_input(chain) + draw(st.integers(0, extra))


def to_spec(layer: Layer1d) -> LayerSpec:
    """Build the convcalc layer for one brute-force axis."""
    return LayerSpec.create(
        layer.kind,
        (layer.kernel,),
        stride=(layer.stride,),
        padding=((layer.before, layer.after),),
        dilation=(layer.dilation,),
        output_padding=(layer.output_padding,),
        ceil_mode=layer.ceil_mode,
    )


def network(layers: list[Layer1d], size: int) -> NetworkSpec:
    """Build a 1-D network of the given layers on an input of `size`."""
    return NetworkSpec(input=(1, 1, size), layers=tuple(to_spec(layer) for layer in layers))
