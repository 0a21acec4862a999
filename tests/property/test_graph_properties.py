"""Receptive fields and jumps through merges of two paths agree with brute-force dependencies."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from math import prod

from hypothesis import given
from hypothesis import strategies as st

from convcalc import analyze
from convcalc.core.receptive import MAX_PERIOD, AxisField, input_field, merged_field
from convcalc.netfile.loader import load_network
from tests.property.brute import Layer1d, graph_dependencies, output_size
from tests.property.strategies import SETTINGS, layers_1d, smallest_input


def layer_yaml(layer: Layer1d, name: str, source: str | None) -> str:
    """Write one brute-force layer as a network-file line."""
    keys = [
        f"type: {layer.kind}",
        f"name: {name}",
        f"kernel_size: {layer.kernel}",
        f"stride: {layer.stride}",
        f"padding: [[{layer.before}, {layer.after}]]",
    ]
    if layer.kind != "avgpool":
        keys.append(f"dilation: {layer.dilation}")
    if layer.kind == "convtranspose":
        keys.append(f"output_padding: {layer.output_padding}")
    if layer.kind in ("maxpool", "avgpool"):
        keys.append(f"ceil_mode: {str(layer.ceil_mode).lower()}")
    if source is not None:
        keys.append(f"from: {source}")
    return "  - {" + ", ".join(keys) + "}\n"


def chain_size(layers: list[Layer1d], size: int) -> int:
    """Return the size a chain gives, by the brute-force model."""
    for layer in layers:
        size = output_size(layer, size)
    return size


@st.composite
def two_paths(draw: st.DrawFn) -> tuple[str, list[Layer1d], list[Layer1d], list[Layer1d]]:
    """Draw two chains from the input, cropped to one size and added, maybe followed by a layer."""
    chain = st.lists(layers_1d(max_padding=2), min_size=0, max_size=3)
    first, after = draw(chain), draw(st.lists(layers_1d(max_padding=2), max_size=1))
    shape = draw(st.sampled_from(["independent", "same strides", "up and down"]))
    if shape == "same strides" and first:  # the same jump by another route: other kernels and padding
        second = [draw(layers_1d(kinds=(layer.kind,), max_padding=2)) for layer in first]
        second = [replace(new, stride=old.stride) for new, old in zip(second, first, strict=True)]
        second = [
            replace(new, output_padding=min(new.output_padding, max(new.stride, new.dilation) - 1)) for new in second
        ]
    elif shape == "up and down":  # jump 1 with a period of s beside a jump-1 path of period 1
        s = draw(st.integers(2, 4))
        second = [Layer1d("conv", s, s, 0, 0), Layer1d("convtranspose", draw(st.integers(1, 5)), s, 0, 0)]
        first = first or [Layer1d("conv", draw(st.integers(1, 4)), 1, 0, 0)]
    else:
        second = draw(chain.filter(bool))
    size = max(smallest_input(first or [Layer1d("conv", 1, 1, 0, 0)]), smallest_input(second)) + draw(
        st.integers(0, 30)
    )
    sizes = chain_size(first, size), chain_size(second, size)
    common = min(sizes)
    text = f"input: [1, 1, {size}]\nlayers:\n"
    for path, (layers, got) in enumerate(zip((first, second), sizes, strict=True)):
        source = "input"
        for index, layer in enumerate(layers):
            text += layer_yaml(layer, f"p{path}l{index}", source)
            source = f"p{path}l{index}"
        before = draw(st.integers(0, got - common))
        text += (
            f"  - {{type: crop, name: crop{path}, from: {source}, cropping: [[{before}, {got - common - before}]]}}\n"
        )
    text += "  - {type: add, name: merged, from: [crop0, crop1]}\n"
    if after and smallest_input(after) <= common:
        text += layer_yaml(after[0], "after", None)
    else:
        after = []
    return text, first, second, after


def path_centre(network: object, layers: tuple[object, ...], name: str, jump: Fraction, period: int) -> Fraction | None:
    """Return the centre of output 0's dependencies along one path: the first output that has any, moved back."""
    index = next(i for i, layer in enumerate(layers) if layer.name == name)  # type: ignore[attr-defined]
    for o in range(period):
        cells = graph_dependencies(network, 0, index, o)
        if cells:
            return Fraction(min(cells) + max(cells), 2) - o * jump
    return None


@SETTINGS
@given(drawn=two_paths())
def test_merges_follow_every_path(drawn: tuple[str, list[Layer1d], list[Layer1d], list[Layer1d]]) -> None:
    """At the merge and after it: receptive field = widest brute-force hull, jump = its shift per output."""
    text, first, second, after = drawn
    network = load_network(text, "graph.yaml")
    result = analyze(network)
    assert result.ok, [layer.message for layer in result.failures]
    # dependencies repeat with the transposed layers' strides (and a stride-2 period checks the jump)
    period = prod(layer.stride for layer in (*first, *second, *after) if layer.kind == "convtranspose") * 2
    jumps: set[Fraction] = {
        Fraction(1)
        * prod(Fraction(layer.stride) if layer.kind != "convtranspose" else Fraction(1, layer.stride) for layer in path)
        for path in (first, second)
    }
    merged = next(i for i, layer in enumerate(result.layers) if layer.name == "merged")
    if len(jumps) == 1:
        (jump,) = jumps
        centres = {path_centre(network, result.layers, f"crop{path}", jump, period) for path in (0, 1)} - {None}
        notes = [w for w in result.layers[merged].warnings if "centres" in w]
        if len(centres) > 1:
            known = [c for c in centres if c is not None]
            spread = max(known) - min(known)
            assert notes == [f"axis L: paths misaligned: their centres are {spread} input cells apart"]
        else:
            assert notes == []
    for index in range(merged, len(result.layers)):
        layer = result.layers[index]
        if len(jumps) > 1:  # the paths step differently: no common field
            assert layer.receptive_field is None
            assert any("their jumps differ" in warning for warning in result.layers[merged].warnings)
            continue
        positions = range(60, 60 + 2 * period)
        hulls = {}
        for o in positions:
            cells = graph_dependencies(network, 0, index, o)
            if cells:
                hulls[o] = (min(cells), max(cells))
        widest = max((hi - lo + 1 for lo, hi in hulls.values()), default=0)
        assert layer.receptive_field == (widest,)
        pairs = [o for o in positions if o in hulls and o + period in hulls]
        if pairs:
            o = pairs[0]
            assert layer.jump == (Fraction(hulls[o + period][0] - hulls[o][0], period),)


def test_merged_fields_need_one_jump_and_a_period_within_the_limit() -> None:
    """Paths that step differently have no common field; a common period up to MAX_PERIOD is kept, beyond it not."""
    one = input_field()
    half = AxisField(period=2, shift=1, sets=(((0, 0),), ((0, 0),)), jump=Fraction(1, 2))
    assert merged_field([one, half]) is None

    def periodic(period: int) -> AxisField:
        return AxisField(period=period, shift=period, sets=tuple(((o, o),) for o in range(period)), jump=Fraction(1))

    kept = merged_field([periodic(MAX_PERIOD), one])
    assert kept is not None
    assert kept.period == MAX_PERIOD
    assert kept.at(MAX_PERIOD + 3) == ((MAX_PERIOD + 3, MAX_PERIOD + 3),)
    assert merged_field([periodic(MAX_PERIOD // 2), periodic(3)]) is None  # lcm 3 * 2**15 > 2**16
