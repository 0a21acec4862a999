"""sizes agrees with trying every input size one by one through the whole analysis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from convcalc import NetworkSpec, Status, analyze
from convcalc.core.runs import describe_runs, runs
from convcalc.design.sweep import sweep
from tests.property.brute import Layer1d
from tests.property.strategies import SETTINGS, layers_1d, network


@SETTINGS
@given(
    layers=st.lists(layers_1d(max_padding=3), min_size=1, max_size=4), low=st.integers(1, 20), span=st.integers(0, 40)
)
def test_sweep_matches_one_by_one(layers: list[Layer1d], low: int, span: int) -> None:
    """Accepted sizes are those every layer takes; same sizes are those whose output equals the input."""
    net = network(layers, 8)
    swept = sweep(net, 0, "L", low, low + span)
    accepted, same = [], []
    for size in range(low, low + span + 1):
        result = analyze(NetworkSpec(input=(1, 1, size), layers=net.layers))
        if all(
            layer.status is not Status.INVALID and layer.status is not Status.NOT_COMPUTED for layer in result.layers
        ):
            accepted.append(size)
            if result.layers[-1].output == (1, 1, size):
                same.append(size)
    assert tuple(swept.accepted) == tuple(accepted)
    assert tuple(swept.same) == tuple(same)


@st.composite
def size_sets(draw: st.DrawFn) -> list[int]:
    """Draw sizes as networks accept them: runs, progressions, periodic patterns, with stray sizes."""
    period = draw(st.integers(1, 24))
    residues = draw(st.sets(st.integers(0, period - 1), min_size=1))
    first = draw(st.integers(1, 50))
    last = first + draw(st.integers(0, 12)) * period + draw(st.integers(0, period - 1))
    values = {v for v in range(first, last + 1) if (v - first) % period in residues}
    values |= draw(st.sets(st.integers(1, 400), max_size=draw(st.sampled_from([0, 0, 2, 6]))))
    return sorted(values)


@given(values=size_sets())
def test_runs_cover_exactly(values: list[int]) -> None:
    """The compact runs expand back to exactly the sizes."""
    expanded = [v for first, last, step in runs(tuple(values)) for v in range(first, last + 1, step)]
    assert expanded == values
    assert read_runs(describe_runs(tuple(values))) == values


def read_runs(text: str) -> list[int]:
    """Read describe_runs' words back into sizes, independently of how they were written."""
    if text == "none":
        return []
    sizes: set[int] = set()
    for part in text.split("; "):
        if " to " in part:
            first, last = map(int, part.split(" to "))
            sizes.update(range(first, last + 1))
            continue
        listed, _, every = part.partition(" (every ")
        items = listed.split(", ")
        if not every:
            sizes.update(map(int, items))
            continue
        period = int(every.rstrip(")"))
        head = [int(item) for item in items[: items.index("...")]]
        last = int(items[-1])
        residues = {(value - head[0]) % period for value in head}
        sizes.update(v for v in range(head[0], last + 1) if (v - head[0]) % period in residues)
    return sorted(sizes)
