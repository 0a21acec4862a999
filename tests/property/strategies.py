"""Hypothesis strategies for valid-looking layer parameters, shared by the property tests."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from convcalc import LayerSpec, NetworkSpec
from tests.property.brute import Layer1d

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KINDS = ("conv", "convtranspose", "maxpool", "avgpool")


@st.composite
def layers_1d(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS, max_padding: int = 4) -> Layer1d:
    """Draw one axis of a layer; pool padding respects PyTorch's k // 2 bound."""
    kind = draw(st.sampled_from(kinds))
    kernel = draw(st.integers(1, 5))
    stride = draw(st.integers(1, 4))
    dilation = 1 if kind == "avgpool" else draw(st.integers(1, 3))
    pad_limit = kernel // 2 if kind in ("maxpool", "avgpool") else max_padding
    before = draw(st.integers(0, pad_limit))
    after = before if kind != "conv" else draw(st.sampled_from([before, draw(st.integers(0, pad_limit))]))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1)) if kind == "convtranspose" else 0
    ceil_mode = kind in ("maxpool", "avgpool") and draw(st.booleans())
    return Layer1d(kind, kernel, stride, before, after, dilation, output_padding, ceil_mode)


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
