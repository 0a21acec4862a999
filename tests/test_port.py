"""convcalc port: the torch.nn code it writes gives, in PyTorch 2.13, exactly the source framework's shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import Result

from convcalc.port import to_torch, torch_snippet
from tests.test_framework_layers import CASES
from tests.torch_cases import FIXTURES, layer_from_case

Run = Callable[..., Result]
RECORDS = json.loads((FIXTURES / "port_torch.json").read_text())["records"]
BY_FRAMEWORK = {name: [c for c in CASES if c["framework"] == name] for name in ("keras", "onnx", "jax")}


def test_every_layer_with_an_output_was_run() -> None:
    """Every Keras, ONNX and JAX case with an output of at least 1 was ported and run in PyTorch."""
    expected = sum(1 for cases in BY_FRAMEWORK.values() for c in cases if c["error"] is None and min(c["output"]) >= 1)
    assert len(RECORDS) == expected >= 700


@pytest.mark.parametrize("record", RECORDS, ids=[f"{r['framework']}-{r['case']}" for r in RECORDS])
def test_ported_code_gives_the_source_shape_in_torch(record: dict[str, Any]) -> None:
    """The code is what convcalc writes today, and PyTorch ran it to the source framework's output size."""
    case = BY_FRAMEWORK[record["framework"]][record["case"]]
    shape = (1, 2, *case["input"])
    assert torch_snippet(to_torch(layer_from_case(case), shape), 2, 2) == record["python"]
    assert record["torch_output"] == case["output"]


def test_port_table(run: Run) -> None:
    """Keras same with stride 2 and an even kernel: a ZeroPad2d((1, 2, 1, 2)) before a Conv2d(padding=0)."""
    result = run("port", "--from", "keras", "conv", "-i", "7", "-k", "4", "-s", "2", "-p", "same")
    assert result.exit_code == 0
    assert result.stdout == (
        "keras conv on 7×7 → 4×4, in torch.nn:\n\n"
        "layer = nn.Sequential(\n"
        "    nn.ZeroPad2d((1, 2, 1, 2)),\n"
        "    nn.Conv2d(1, 1, kernel_size=4, stride=2, padding=0),\n"
        ")\n"
    )


def test_port_python_and_json(run: Run) -> None:
    """--format python is paste-ready; --format json carries the same code and the pads."""
    python = run("port", "--from", "keras", "convt", "-i", "3", "-k", "3", "-s", "2", "-a", "1", "--format", "python")
    assert python.stdout == (
        "from torch import nn\n\nlayer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=0, output_padding=1)\n"
    )
    data = json.loads(
        run(
            "port", "--from", "onnx", "pool", "--dims", "1", "-i", "32", "-k", "1", "-s", "2", "--ceil", "-f", "json"
        ).stdout
    )
    assert data["output"] == [1, 1, 17]
    assert data["pad_before"] == [[0, 1]]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--from", "jax", "conv", "--dims", "1", "-i", "1", "-k", "3"],
            1,
            "jax conv: no torch.nn layer gives an output of size [0]: torch.nn refuses sizes below 1",
        ),
        (
            ["--from", "keras", "--to", "onnx", "conv", "-i", "7", "-k", "3"],
            2,
            "convcalc: error: --to: port writes torch.nn layers (--to torch) for now",
        ),
        (
            ["--from", "caffe", "conv", "-i", "7", "-k", "3"],
            2,
            "convcalc: error: --from: expected torch, keras (or tf), onnx or jax, got 'caffe'",
        ),
        (
            ["--from", "keras", "conv", "-i", "7", "-k", "3", "-f", "yaml"],
            2,
            "convcalc: error: --format: expected one of table, python, json, got 'yaml'",
        ),
    ],
)
def test_port_errors(run: Run, args: list[str], code: int, message: str) -> None:
    """No exact torch.nn equivalent: exit 1 and why; malformed flags: exit 2."""
    result = run("port", *args)
    assert result.exit_code == code
    assert result.stderr == message + "\n"
