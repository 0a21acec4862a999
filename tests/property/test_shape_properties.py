"""Properties of the core checked against the brute-force model of tests/property/brute.py."""

from __future__ import annotations

from fractions import Fraction
from math import prod

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convcalc import Status, analyze
from convcalc.core.receptive import (
    MAX_PERIOD,
    MAX_WORK,
    AxisField,
    direct_field,
    equivalent_conv,
    input_field,
    merge_intervals,
    shifted_field,
    step_work,
    transposed_field,
)
from convcalc.core.spec import LayerSpec
from convcalc.core.windows import layer_shape
from tests.property.brute import (
    Layer1d,
    dependencies,
    output_size,
    stack_dependencies,
    unread_inputs,
    window_starts,
)
from tests.property.strategies import SETTINGS, chains_1d, layers_1d, network, to_spec

SIZES = st.integers(1, 40)


@SETTINGS
@given(layer=layers_1d(), size=SIZES)
def test_output_size_matches_sliding_windows(layer: Layer1d, size: int) -> None:
    """The output size is the number of windows (or scattered cells) the brute force counts."""
    (result,) = analyze(network([layer], size)).layers
    expected = output_size(layer, size)
    if expected >= 1:
        assert result.status is Status.OK, result.error
        assert result.output == (1, 1, expected)
    else:
        assert result.status is Status.INVALID
        assert "output size" in (result.error or "")


@SETTINGS
@given(chain=chains_1d(st.lists(layers_1d(), min_size=1, max_size=1), extra=40))
def test_unread_cells_match_enumeration(chain: tuple[list[Layer1d], int]) -> None:
    """Cells no window reads (or no output uses) are counted exactly, split by side."""
    (layer,), size = chain
    (gaps,) = layer_shape(to_spec(layer), (1, 1, size)).gaps
    assert gaps is not None  # short kernels: every cell enumerated
    assert all(type(count) is int for count in (gaps.before, gaps.inside, gaps.after, gaps.total))
    unread = unread_inputs(layer, size)
    used = [m for m in range(size) if m not in unread]
    assert len(unread) == gaps.total
    if used:
        assert min(used) == gaps.before
        assert size - 1 - max(used) == gaps.after
    else:
        assert gaps.total == size


@SETTINGS
@given(
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
    before=st.integers(-4, 3),
    after=st.integers(-4, 3),
    size=SIZES,
)
def test_unread_cells_with_negative_padding_match_enumeration(
    kernel: int, stride: int, dilation: int, before: int, after: int, size: int
) -> None:
    """Negative (JAX) padding crops cells before the windows: they count as unread, on their side."""
    layer = Layer1d("conv", kernel, stride, before, after, dilation)
    assume(output_size(layer, size) >= 1)
    spec = LayerSpec.create("conv", (kernel,), stride=(stride,), padding=((before, after),), dilation=(dilation,),
                            framework="jax")  # fmt: skip
    (gaps,) = layer_shape(spec, (1, 1, size)).gaps
    assert gaps is not None
    unread = unread_inputs(layer, size)
    used = [m for m in range(size) if m not in unread]
    assert len(unread) == gaps.total
    if used:
        assert (gaps.before, gaps.after) == (min(used), size - 1 - max(used))
    else:
        assert gaps.total == size


@SETTINGS
@given(chain=chains_1d(st.lists(layers_1d(kinds=("convtranspose",)), min_size=1, max_size=1), extra=40))
def test_equivalent_conv_reads_the_same_inputs(chain: tuple[list[Layer1d], int]) -> None:
    """The equivalent stride-1 convolution has the same output size and each output reads the same inputs."""
    (layer,), size = chain
    (result,) = analyze(network([layer], size)).layers
    assume(result.status is Status.OK)
    assert result.equivalent_conv is not None
    assert result.output is not None
    eq = result.equivalent_conv
    (before, after), (stretched,) = eq.padding[0], eq.stretched_input
    direct = Layer1d("conv", layer.kernel, 1, before, after, layer.dilation)
    starts = window_starts(direct, stretched)
    assert len(starts) == result.output[2]
    transposed = dependencies(layer, size, result.output[2])
    for o, start in enumerate(starts):
        read = {start + t * layer.dilation - before for t in range(layer.kernel)}
        real = {p // layer.stride for p in read if 0 <= p < stretched and p % layer.stride == 0}
        assert real == transposed[o]


@SETTINGS
@given(layers=st.lists(layers_1d(max_padding=3), min_size=1, max_size=4))
def test_receptive_field_and_jump_match_composed_dependencies(layers: list[Layer1d]) -> None:
    """Receptive field = widest hull of composed dependencies; jump = hull shift per output step."""
    result = analyze(network(layers, 400))
    assume(result.ok)
    period = prod(layer.stride for layer in layers if layer.kind == "convtranspose")
    positions = range(100, 100 + 2 * period)
    for depth in range(1, len(layers) + 1):
        deps = stack_dependencies(layers[:depth], positions)
        hulls = {o: (min(c), max(c)) for o, c in deps.items() if c}
        # outputs that depend on no input at all (a transposed conv's holes) span nothing
        widest = max((hi - lo + 1 for lo, hi in hulls.values()), default=0)
        layer = result.layers[depth - 1]
        assert layer.receptive_field == (widest,)
        assert layer.jump is not None
        pairs = [o for o in positions if o in hulls and o + period in hulls]
        if pairs:
            o = pairs[0]
            assert layer.jump[0] == Fraction(hulls[o + period][0] - hulls[o][0], period)


@SETTINGS
@given(
    chain=chains_1d(
        st.lists(
            layers_1d(kinds=("conv", "maxpool", "avgpool"), symmetric=True, ceil_mode=False), min_size=1, max_size=1
        )
    )
)
def test_relationship_14_output_padding_restores_the_input(chain: tuple[list[Layer1d], int]) -> None:
    """A transposed conv with a = (i + pads - e) mod s undoes a conv's (or pool's) shape (seed 002)."""
    (layer,), size = chain
    (down,) = analyze(network([layer], size)).layers
    assume(down.status is Status.OK)
    effective = layer.dilation * (layer.kernel - 1) + 1
    a = (size + layer.before + layer.after - effective) % layer.stride
    up = Layer1d("convtranspose", layer.kernel, layer.stride, layer.before, layer.after, layer.dilation, a)
    assert down.output is not None
    (result,) = analyze(network([up], down.output[2])).layers
    assert result.output == (1, 1, size)


@SETTINGS
@given(
    layers=st.lists(layers_1d(max_padding=3), min_size=1, max_size=3),
    crops=st.lists(st.integers(-3, 6), min_size=3, max_size=3),
)
def test_fields_hold_exactly_the_cells_each_output_reads(layers: list[Layer1d], crops: list[int]) -> None:
    """Not only the hull: every output's dependency set, gaps included, is the brute-force one (crops between)."""
    field: AxisField | None = input_field()
    chain: list[Layer1d] = []
    for layer, crop in zip(layers, crops, strict=False):
        assert field is not None
        step = transposed_field if layer.kind == "convtranspose" else direct_field
        field = step(field, layer.kernel, layer.stride, layer.before, layer.dilation)
        assert field is not None
        field = shifted_field(field, crop)  # output o reads o + crop: a 1-tap conv padded by -crop
        chain += [layer, Layer1d("conv", 1, 1, -crop, 0)]
    layers = chain
    assert field is not None
    positions = range(3 * field.period + 2)
    expected = stack_dependencies(layers, positions)
    for o in positions:
        cells = {cell for lo, hi in field.at(o) for cell in range(lo, hi + 1)}
        assert cells == expected[o], o


def test_touching_intervals_merge_and_gaps_stay() -> None:
    """Intervals that touch or overlap become one; a gap of one cell keeps two."""
    assert merge_intervals([(0, 1), (2, 3)]) == ((0, 3),)
    assert merge_intervals([(0, 2), (1, 5)]) == ((0, 5),)
    assert merge_intervals([(0, 1), (3, 4)]) == ((0, 1), (3, 4))
    assert merge_intervals([]) == ()


@pytest.mark.slow  # about 3 s
def test_field_steps_count_their_work_and_stop_at_the_limits() -> None:
    """What FIELD_WORK counts per step, and the per-step limits of the core functions themselves."""
    one = input_field()
    wide = AxisField(period=6, shift=6, sets=tuple(((o, o),) for o in range(6)), jump=Fraction(1))
    assert step_work(one, 3, 2, 1, transposed=False) == 1  # one interval: no enumeration
    assert step_work(wide, 3, 4, 1, transposed=False) == 9  # period 6 / gcd(6, 4) = 3 residues x 3 taps
    assert step_work(wide, 3, 4, 1, transposed=True) == 72  # period 6 x stride 4 x 3 taps
    assert transposed_field(one, 2, MAX_PERIOD, 0, 1) is not None
    assert transposed_field(one, 2, MAX_PERIOD + 1, 0, 1) is None  # the period limit
    assert transposed_field(one, MAX_WORK // 4 + 1, 4, 0, 1) is None  # the work limit
    assert transposed_field(one, MAX_WORK // 4, 4, 0, 1) is not None
    spread = AxisField(period=4, shift=4, sets=tuple(((o, o),) for o in range(4)), jump=Fraction(1))
    assert direct_field(spread, MAX_WORK // 4, 1, 0, 9) is not None
    assert direct_field(spread, MAX_WORK // 4 + 1, 1, 0, 9) is None


def test_equivalent_convolution_pads_each_side_by_its_own_padding() -> None:
    """p' = d(k-1) - p per side, output_padding after: one-sided padding stays one-sided."""
    eq = equivalent_conv((3,), (3,), (2,), ((1, 2),), (1,), (1,))
    assert eq.padding == ((1, 1),)
    assert eq.stretched_input == (5,)
    eq = equivalent_conv((3, 4), (3, 2), (2, 1), ((0, 2), (1, 0)), (2, 1), (1, 0))
    assert eq.padding == ((4, 3), (0, 1))
