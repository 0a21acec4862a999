"""convcalc sizes: accepted and same-size input sizes, compact ranges, bad ranges."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from convcalc.core.runs import describe_runs
from tests.property.test_sizes_properties import read_runs

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
        (tuple(v for v in range(3, 37) if v % 4 in {3, 0}), "3, 4, 7, 8, ..., 35, 36 (every 4)"),
    ],
)
def test_compact_runs(values: tuple[int, ...], text: str) -> None:
    """Sizes print as ranges and progressions, never as a wall of numbers, and read back to the same sizes."""
    assert describe_runs(values) == text
    assert read_runs(text) == list(values)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1-1024", "convcalc: error: --range: expected low:high (such as 1:1024), got '1-1024'"),
        ("9:3", "convcalc: error: --range: expected low <= high, got '9:3'"),
        ("1:8,1:8,1:8", "convcalc: error: --range: expected one range or 2 (one per spatial axis), got 3"),
        (
            "1:10000000000000000000",
            "convcalc: error: --range: at most 1,000,000,000,000,000,000 sizes an axis, got 10,000,000,000,000,000,000",
        ),
    ],
)
def test_bad_ranges(run: Run, value: str, message: str) -> None:
    """Malformed ranges: exit 2, one line."""
    result = run("sizes", "examples/vgg16_features.yaml", "--range", value)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


SIZE_RULES = [
    (
        "channels carry to the next layer's groups",
        "  - {type: conv, kernel_size: 3, out_channels: 6}\n  - {type: conv, kernel_size: 3, groups: 6, out_channels: 12}\n",
        0,
        " H      1 to 64   5 to 64    none",
    ),
    (
        "pool padding above half the kernel",
        "  - {type: conv, kernel_size: 3}\n  - {type: maxpool, kernel_size: 2, padding: 2}\n",
        1,
        "net.yaml: no input size works: layer 2: axes H, W: padding 2 is more than half the kernel 2 (torch.nn pools allow at most 1); use padding <= 1 or a kernel >= 4",
    ),
    (
        "output_padding not below the stride",
        "  - {type: convtranspose, kernel_size: 3, stride: 2, output_padding: 2}\n",
        1,
        "net.yaml: no input size works: layer 1: axes H, W: output_padding 2 must be smaller than the stride 2 or the dilation 1 (torch.nn); use output_padding <= 1",
    ),
    (
        "output_size picks the output_padding per input",
        "  - {type: convtranspose, kernel_size: 3, stride: 1, output_size: [10, 10]}\n",
        0,
        " H      1 to 64   8          none",
    ),
    (
        "output_size overrides output_padding, as forward(output_size=...) does",
        "  - {type: convtranspose, kernel_size: 3, stride: 2, padding: 1, output_padding: 2, output_size: [16, 16]}\n",
        0,
        " H      1 to 64   8          none",
    ),
    (
        "output_size with a stride",
        "  - {type: convtranspose, kernel_size: 3, stride: 2, padding: 1, output_size: [16, 16]}\n",
        0,
        " H      1 to 64   8          none",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("title", "layers", "code", "line"), SIZE_RULES, ids=[case[0] for case in SIZE_RULES])
def test_rules_that_hold_at_every_size(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, title: str, layers: str, code: int, line: str
) -> None:
    """torch.nn's size-independent rules decide before any size is tried: channels, pool padding, output_padding."""
    del title
    (tmp_path / "net.yaml").write_text("input: [1, 3, 8, 8]\nlayers:\n" + layers)
    monkeypatch.chdir(tmp_path)
    result = run("sizes", "net.yaml", "--range", "1:64")
    assert result.exit_code == code
    assert line in (result.stdout if code == 0 else result.stderr).splitlines()
