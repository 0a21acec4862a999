"""convcalc sizes: accepted and same-size input sizes, compact ranges, bad ranges."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import Result

from convcalc.sizes import describe_runs

Run = Callable[..., Result]


def test_autoencoder_multiple_of_eight(run: Run) -> None:
    """Three stride-2 stages and their mirror give the input back for multiples of 8."""
    result = run("sizes", "examples/conv1d_autoencoder.yaml", "--range", "1:100")
    assert result.exit_code == 0
    assert " L      1 to 100   1 to 100   8, 16, 24, ..., 96 (every 8)" in result.stdout


def test_json_runs(run: Run) -> None:
    """JSON gives each axis's runs as [first, last, step]."""
    result = run("sizes", "examples/vgg16_features.yaml", "--range", "1:300,16:64", "--format", "json")
    data = json.loads(result.stdout)
    assert data["axes"] == [
        {"axis": "H", "range": [1, 300], "accepted": [[32, 300, 1]], "same_size": []},
        {"axis": "W", "range": [16, 64], "accepted": [[32, 64, 1]], "same_size": []},
    ]


def test_nothing_accepted(run: Run) -> None:
    """No size in the range works: exit 1 and a line saying so."""
    result = run("sizes", "examples/vgg16_features.yaml", "--range", "1:31")
    assert result.exit_code == 1
    assert result.stderr == "examples/vgg16_features.yaml: no input size in the range works on every axis\n"


@pytest.mark.parametrize(
    ("values", "text"),
    [
        ((), "none"),
        ((5,), "5"),
        (tuple(range(7, 1025)), "7 to 1024"),
        (tuple(range(32, 1025, 16)), "32, 48, 64, ..., 1024 (every 16)"),
        ((3, 5, 7), "3, 5, 7"),
        ((1, 2, 3, 10, 20), "1 to 3; 10; 20"),
        ((3, 4, 7, 8, 11, 12, 15, 16), "3, 4, 7, 8, ..., 15, 16 (every 4)"),
    ],
)
def test_compact_runs(values: tuple[int, ...], text: str) -> None:
    """Sizes print as ranges and progressions, never as a wall of numbers."""
    assert describe_runs(values) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1-1024", "convcalc: error: --range: expected low:high (such as 1:1024), got '1-1024'"),
        ("9:3", "convcalc: error: --range: expected low <= high, got '9:3'"),
        ("1:8,1:8,1:8", "convcalc: error: --range: expected one range or 2 (one per spatial axis), got 3"),
        ("1:100000000", "convcalc: error: --range: at most 10,000,000 sizes an axis, got 100,000,000"),
    ],
)
def test_bad_ranges(run: Run, value: str, message: str) -> None:
    """Malformed ranges: exit 2, one line."""
    result = run("sizes", "examples/vgg16_features.yaml", "--range", value)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
