"""sizes agrees with trying every input size one by one through the whole analysis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from convcalc import NetworkSpec, Status, analyze
from convcalc.sizes import describe_runs, runs, sweep
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
    assert swept.accepted == tuple(accepted)
    assert swept.same == tuple(same)


@given(values=st.lists(st.integers(1, 200), unique=True).map(sorted))
def test_runs_cover_exactly(values: list[int]) -> None:
    """The compact runs expand back to exactly the sizes."""
    expanded = [v for first, last, step in runs(tuple(values)) for v in range(first, last + 1, step)]
    assert expanded == values
    assert describe_runs(tuple(values)) != ""
