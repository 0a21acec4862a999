"""Every parameter set solve returns maps the input to the output, by the core and by brute force."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from convcalc.core.spec import LayerKind
from convcalc.design.solve import Limits, solve_axis
from tests.property.brute import Layer1d, output_size, unread_inputs
from tests.property.strategies import SETTINGS

LIMITS = Limits(kernel=(1, 5), stride=(1, 3), dilation=(1, 2), max_padding=3)


@SETTINGS
@given(
    kind=st.sampled_from(list(LayerKind)),
    size=st.integers(1, 30),
    target=st.integers(1, 60),
)
def test_every_solution_is_right(kind: LayerKind, size: int, target: int) -> None:
    """Each solution gives exactly the target in the brute-force model, and its unused count is right."""
    for axis in solve_axis(kind, size, target, LIMITS):
        layer = Layer1d(
            kind.value,
            axis.kernel,
            axis.stride,
            axis.before,
            axis.after,
            axis.dilation,
            axis.output_padding,
            axis.ceil_mode,
        )
        assert output_size(layer, size) == target, axis
        assert len(unread_inputs(layer, size)) == axis.unused, axis


@SETTINGS
@given(
    kind=st.sampled_from([LayerKind.CONV, LayerKind.CONVTRANSPOSE]), size=st.integers(1, 25), target=st.integers(1, 50)
)
def test_no_solution_is_missed(kind: LayerKind, size: int, target: int) -> None:
    """Brute force over the limits (symmetric padding) finds no layer that solve left out."""
    found = {
        (a.kernel, a.stride, a.dilation, a.before, a.output_padding)
        for a in solve_axis(kind, size, target, LIMITS)
        if a.before == a.after
    }
    for k in range(1, 6):
        for s in range(1, 4):
            for d in range(1, 3):
                for p in range(4):
                    for a in range(max(s, d)) if kind is LayerKind.CONVTRANSPOSE else (0,):
                        layer = Layer1d(kind.value, k, s, p, p, d, a)
                        if output_size(layer, size) == target:
                            assert (k, s, d, p, a) in found
