"""sizes in closed form against trying every size through the whole analysis, on graphs and every example."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convcalc import NetworkSpec, Status, analyze
from convcalc.core.spec import LayerKind, LayerSpec, OtherSpec
from convcalc.design.sweep import _on_its_own, _one_by_one, sweep
from convcalc.design.ticks import quiet
from convcalc.design.trial import Walker, period
from convcalc.sources.read import read_network
from tests.property.strategies import SETTINGS

pytestmark = pytest.mark.slow  # closed forms against trials over many periods: about 25 s

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


def _by_analysis(network: NetworkSpec, axis: int, low: int, high: int) -> tuple[list[int], list[int]]:
    """Try each size through `analyze`, as sizes once did: taken when no layer is invalid or not computed."""
    network = _on_its_own(network, axis)
    accepted, same = [], []
    for size in range(low, high + 1):
        shape = (*network.input[: 2 + axis], size, *network.input[3 + axis :])
        result = analyze(replace(network, input=shape), hints=False)
        if any(layer.status in (Status.INVALID, Status.NOT_COMPUTED) for layer in result.layers):
            continue
        accepted.append(size)
        last = result.layers[-1].output if result.layers else shape
        if last is not None and len(last) == len(shape) and last[2 + axis] == size:
            same.append(size)
    return accepted, same


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_examples_match_the_analysis(path: Path) -> None:
    """Every bundled network, every axis, sizes 1 to 120: the closed form says what the analysis says."""
    network = read_network(str(path))
    for axis in range(network.rank):
        swept = sweep(network, axis, "x", 1, 120)
        assert (list(swept.accepted), list(swept.same)) == _by_analysis(network, axis, 1, 120)


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_examples_match_trials_over_many_periods(path: Path) -> None:
    """Sizes 1 to 2,000 (many periods past every bound): the closed form says what trying each size says."""
    network = read_network(str(path))
    if period(network, 0) is None:
        pytest.skip("a layer not followed in closed form: sizes are tried one by one anyway")
    for axis in range(network.rank):
        swept = sweep(network, axis, "x", 1, 2000)
        walker = Walker(_on_its_own(network, axis), axis)
        assert (list(swept.accepted), list(swept.same)) == _one_by_one(walker, range(1, 2001), quiet)


def _window(draw: st.DrawFn, channels: int) -> LayerSpec:
    kind = draw(st.sampled_from([LayerKind.CONV, LayerKind.CONV, LayerKind.CONVTRANSPOSE, LayerKind.MAXPOOL]))
    k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    p = draw(st.integers(0, k // 2))
    a = draw(st.integers(0, s - 1)) if kind is LayerKind.CONVTRANSPOSE else 0
    out = None if kind.is_pool else channels
    return LayerSpec.create(
        kind, (k,), stride=(s,), padding=((p, p),), dilation=(1,), output_padding=(a,), out_channels=out
    )


@st.composite
def two_branches(draw: st.DrawFn) -> NetworkSpec:
    """Draw a graph: two chains from the input, met by an add, a concat, or a crop to the other and a concat."""
    layers: list[LayerSpec | OtherSpec] = []
    ends = []
    for branch in "ab":
        source: tuple[str, ...] | None = ("input",)
        extra = draw(st.integers(0, 60))  # a pad that moves where the branches' sizes cross
        if extra:
            layers.append(OtherSpec(LayerKind.PAD, "pad", name=f"{branch}pad", inputs=source, amounts=((0, extra),)))
            source = None
        count = draw(st.integers(1, 3))
        for number in range(count):
            layer = _window(draw, 2)
            layers.append(replace(layer, name=f"{branch}{number}", inputs=source if number == 0 else None))
        ends.append(f"{branch}{count - 1}")
    meet = draw(st.sampled_from(["add", "concat", "crop"]))
    if meet == "crop":
        layers.append(OtherSpec(LayerKind.CROP, "crop", name="cropped", inputs=(ends[0],), to=ends[1]))
        ends[0] = "cropped"
    kind = LayerKind.ADD if meet == "add" else LayerKind.CONCAT
    layers.append(OtherSpec(kind, kind.value, name="met", inputs=tuple(ends)))
    if draw(st.booleans()):
        layers.append(_window(draw, 2))
    return NetworkSpec(input=(1, 2, 8), layers=tuple(layers))


@SETTINGS
@given(network=two_branches(), low=st.integers(1, 30), span=st.integers(0, 90))
def test_graphs_match_the_analysis(network: NetworkSpec, low: int, span: int) -> None:
    """Drawn graphs whose branches meet: the closed form says what the analysis says, size by size."""
    swept = sweep(network, 0, "L", low, low + span)
    assert (list(swept.accepted), list(swept.same)) == _by_analysis(network, 0, low, low + span)


@SETTINGS
@given(network=two_branches(), low=st.integers(1, 30), span=st.integers(100, 1500))
def test_graphs_match_trials_over_many_periods(network: NetworkSpec, low: int, span: int) -> None:
    """Drawn graphs over many periods: the closed form says what trying each size says."""
    swept = sweep(network, 0, "L", low, low + span)
    walker = Walker(network, 0)
    assert (list(swept.accepted), list(swept.same)) == _one_by_one(walker, range(low, low + span + 1), quiet)
