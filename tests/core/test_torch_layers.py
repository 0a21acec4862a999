"""Single layers: convcalc agrees with PyTorch 2.13 on every case of the fixture table."""

from __future__ import annotations

from typing import Any

import pytest

from convcalc import NetworkSpec, Status, analyze
from tests.core.torch_cases import expected_reason, layer_from_case, load_cases

CASES = load_cases("torch_layers.json")


def test_table_is_large_and_mixed() -> None:
    """The table covers every kind, every rank, and both accepted and refused layers."""
    assert len(CASES) >= 500
    kinds = {(c["type"], c["rank"], c["error"] is None) for c in CASES}
    assert len(kinds) == 4 * 3 * 2


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['type']}{c['rank']}d" for i, c in enumerate(CASES)])
def test_layer_matches_pytorch(case: dict[str, Any]) -> None:
    """Output shape, or refusal with the same reason, as torch.nn gives."""
    network = NetworkSpec(input=tuple(case["input"]), layers=(layer_from_case(case),))
    (layer,) = analyze(network).layers
    if case["error"] is None:
        assert layer.status is Status.OK, layer.error
        assert case["output"] == list(layer.output or ())
    else:
        assert layer.status is Status.INVALID
        assert expected_reason(case["error"]) in (layer.error or "")


LP_CASES = load_cases("torch_lppool.json")


def test_the_lppool_table_covers_each_rank() -> None:
    """LPPool1d/2d/3d, accepted and refused, with several norm_types."""
    assert {(c["rank"], c["error"] is None) for c in LP_CASES} == {(r, ok) for r in (1, 2, 3) for ok in (True, False)}
    assert len({c["norm_type"] for c in LP_CASES}) >= 3


@pytest.mark.parametrize("case", LP_CASES, ids=[f"{i}-lppool{c['rank']}d" for i, c in enumerate(LP_CASES)])
def test_lppool_matches_pytorch(case: dict[str, Any]) -> None:
    """torch.nn.LPPool: an average pool of x**p without padding; its shape or refusal as torch.nn gives."""
    test_layer_matches_pytorch(case)
