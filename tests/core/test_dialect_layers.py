"""The layers around convolutions in Keras', ONNX's and JAX's own names and keys, sized as each framework does."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from convcalc import Status, analyze
from convcalc.netfile.loader import load_network
from tests.core.torch_cases import FIXTURES

CASES = json.loads((FIXTURES / "dialect_layers.json").read_text())["cases"]


def _text(case: dict[str, Any]) -> str:
    layer = dict(case["layer"])
    if case["inputs"] == 2:
        layer["from"] = ["input", "input"]
    return yaml.safe_dump({"framework": case["framework"], "input": case["input"], "layers": [layer]})


@pytest.mark.parametrize("case", CASES, ids=[f"{c['framework']} {c['layer']} {c['input']}" for c in CASES])
def test_dialect_layers_as_the_framework(case: dict[str, Any]) -> None:
    """ONNX 1.23 shape inference, Keras 3.15 compute_output_shape, JAX 0.10 eval_shape: the same shape, or a refusal."""
    (result,) = analyze(load_network(_text(case), "net.yaml")).layers
    if case["output"] is None:
        assert result.status is Status.INVALID, result.output
        return
    assert result.status is Status.OK, result.error
    assert list(result.output or ()) == case["output"]
    if "params" in case:
        assert result.params == case["params"]


def test_every_dialect_type_is_checked() -> None:
    """The fixture exercises each framework's types, and refusals as well as shapes."""
    types = {(c["framework"], c["layer"]["type"].rstrip("123D")) for c in CASES}
    assert {t for f, t in types if f == "onnx"} >= {"Transpose", "Reshape", "Flatten", "Concat", "ReduceMean"}
    assert {t for f, t in types if f == "keras"} >= {"Concatenate", "UpSampling", "LayerNormalization"}
    assert {t for f, t in types if f == "jax"} == {"transpose", "concatenate", "mean", "max"}


@pytest.mark.parametrize(
    ("framework", "layer", "output"),
    [
        ("onnx", "{type: Concat, axis: 2, from: [input, input]}", (1, 4, 12, 5)),
        ("onnx", "{type: concat, dim: 1, from: [input, input]}", (1, 8, 6, 5)),  # torch's keys: torch's layer
        ("onnx", "{type: Flatten}", (1, 120)),
        ("onnx", "{type: flatten, start_dim: 2}", (1, 4, 30)),
        ("jax", "{type: transpose, axes: [0, 3, 2, 1]}", (1, 5, 6, 4)),
        ("jax", "{type: transpose, dim0: 1, dim1: 2}", (1, 6, 4, 5)),
        ("jax", "{type: mean, axis: [1]}", (1, 6, 5)),
        ("jax", "{type: mean, dim: 1, keepdim: true}", (1, 1, 6, 5)),
    ],
)
def test_a_name_both_use_follows_its_keys(framework: str, layer: str, output: tuple[int, ...]) -> None:
    """In a framework's file a shared name is the framework's layer, unless the keys given are torch's."""
    text = f"framework: {framework}\ninput: [1, 4, 6, 5]\nlayers:\n  - {layer}\n"
    (result,) = analyze(load_network(text, "net.yaml")).layers
    assert result.output == output
