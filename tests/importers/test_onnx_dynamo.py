"""Files from torch's default ONNX exporter (dynamo): `allowzero=1` on every Reshape, read as ONNX says.

The fixtures (tests/fixtures/onnx_dynamo/, made by tools/make_dynamo_fixtures.py) hold each
node output's shape as onnxruntime computed it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnx
import pytest
from onnx import TensorProto, helper

from convcalc import InputErrorGroup, analyze
from convcalc.core.cost import network_cost
from convcalc.importers.onnx_graph import onnx_import
from convcalc.netfile.loader import measured_shapes
from convcalc.sources.read import read_network
from tests.core.torch_cases import FIXTURES

FOLDER = FIXTURES / "onnx_dynamo"
MODELS = sorted(path.stem for path in FOLDER.glob("*.json"))


def _record(model: str) -> dict[str, Any]:
    return dict(json.loads((FOLDER / f"{model}.json").read_text()))


def test_the_fixtures_come_from_the_dynamo_exporter() -> None:
    """Four models, three of them with allowzero=1 Reshapes, as the exporter writes them."""
    assert MODELS == ["classifier", "decoder", "sequence1d", "vit"]
    assert [_record(model)["allowzero_reshapes"] for model in MODELS] == [1, 3, 0, 11]
    assert {_record(model)["exporter"] for model in MODELS} == {"dynamo"}


@pytest.mark.parametrize("model", MODELS)
def test_every_node_as_onnxruntime_computes_it(model: str) -> None:
    """Each node's output shape is onnxruntime's, Reshapes with allowzero=1 included."""
    record = _record(model)
    result = analyze(read_network(str(FOLDER / f"{model}.onnx")))
    assert [layer.error for layer in result.layers if layer.error] == []
    graph = onnx.load(str(FOLDER / f"{model}.onnx"), load_external_data=False).graph
    by_name = {layer.name: layer for layer in result.layers}
    compared = 0
    for node in graph.node:
        layer = by_name.get(node.name)
        if layer is None:
            continue
        assert list(layer.output or ()) == record["shapes"][node.output[0]], node.name
        compared += 1
    assert compared == len(record["shapes"])


@pytest.mark.parametrize("model", MODELS)
def test_the_file_counts_what_torch_counts(model: str) -> None:
    """torch's parameters (but a BatchNorm's, folded into its convolution) and FlopCounterMode's FLOPs.

    The ViT's attention is written as MatMuls and its class token as a Concat with a constant.
    """
    record = _record(model)
    result = analyze(read_network(str(FOLDER / f"{model}.onnx")))
    folded = 2 * 8 if model == "classifier" else 0  # BatchNorm2d(8)'s weight and bias
    assert result.total_params == record["params"] - folded
    assert network_cost(result).total_flops == record["flops"]


def _reshape_model(path: Path, target: list[int], *, allowzero: int) -> str:
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape", allowzero=allowzero)]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [helper.make_tensor("shape", TensorProto.INT64, [len(target)], target)],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), str(path))
    return str(path)


def test_a_zero_copies_an_axis_only_without_allowzero(tmp_path: Path) -> None:
    """[0, 3, -1]: a copy of axis 0 without allowzero; with allowzero=1 an empty axis, refused in one line."""
    plain = _reshape_model(tmp_path / "plain.onnx", [0, 3, -1], allowzero=0)
    assert analyze(read_network(plain)).layers[0].output == (2, 3, 20)
    zero = _reshape_model(tmp_path / "zero.onnx", [0, 3, -1], allowzero=1)
    with pytest.raises(InputErrorGroup) as caught:
        onnx_import(zero, None, measured_shapes)
    line = (
        f"{zero}: node 'reshape' (Reshape, domain ai.onnx, opset 14): allowzero=1 and a 0 in its shape: "
        "an axis of size 0 (an empty tensor)"
    )
    assert [str(error) for error in caught.value.errors] == [line]
    same = _reshape_model(tmp_path / "same.onnx", [2, 3, -1], allowzero=1)
    assert analyze(read_network(same)).layers[0].output == (2, 3, 20)
