"""Files from torch's default ONNX exporter (dynamo): `allowzero=1` on every Reshape, read as ONNX says.

The fixtures (tests/fixtures/onnx_dynamo/, made by tools/make_dynamo_fixtures.py) hold each
node output's shape as onnxruntime computed it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from math import prod
from pathlib import Path
from typing import Any

import onnx
import pytest
from onnx import TensorProto, helper

from convcalc import InputErrorGroup, analyze
from convcalc.core.cost import network_cost
from convcalc.importers.onnx_graph import onnx_import
from convcalc.netfile.loader import measured_shapes, network_from_data
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
    """torch's parameters (a BatchNorm the exporter fused into its convolution too) and FlopCounterMode's FLOPs.

    The ViT's attention is written as MatMuls and its class token as a Concat with a constant.
    """
    record = _record(model)
    result = analyze(read_network(str(FOLDER / f"{model}.onnx")))
    assert result.total_params == record["params"]
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


REWRITES = "pkg.onnxscript.rewriter.rule_name"
SCOPES = "pkg.torch.onnx.name_scopes"
CALL = "pkg.torch.onnx.fx_node"


def _rewritten_model(path: Path, op: str, bias: str | None, metadata: dict[str, str]) -> str:
    """Write a Conv (3 -> 4, 3x3), or a flatten and Gemm (12 -> 4), as the exporter's optimizer leaves it."""
    conv = op == "Conv"
    shape = [4, 3, 3, 3] if conv else [4, 12]
    weight = helper.make_tensor("w.weight", TensorProto.FLOAT, shape, [0.0] * prod(shape))
    initializers = [weight] + ([helper.make_tensor(bias, TensorProto.FLOAT, [4], [1.0] * 4)] if bias else [])
    inputs = ["x" if conv else "flat", "w.weight", *([bias] if bias else [])]
    node = helper.make_node(op, inputs, ["y"], name="node")
    if not conv:
        node.attribute.append(helper.make_attribute("transB", 1))
    for key, value in metadata.items():
        node.metadata_props.add(key=key, value=value)
    nodes = [node] if conv else [helper.make_node("Flatten", ["x"], ["flat"], name="flatten"), node]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8] if conv else [1, 3, 2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializers,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    return str(path)


CONV_CALL = "%c = call_function[target=torch.ops.aten.conv2d.default](args = {}, kwargs = {{}})"
FUSED = {REWRITES: "FuseBatchNormIntoConv", SCOPES: "['', 'stem', 'stem.bn', '_native_batch_norm_legit_no_training']"}


@pytest.mark.parametrize(
    ("bias", "metadata", "layers"),
    [
        (None, FUSED, [("node", 108), ("stem.bn", 8)]),  # an untrained norm's zero shift dropped
        ("w.weight_bias", FUSED, [("node", 108), ("stem.bn", 8)]),  # the norm's shift, named from the weight
        ("w.bias", FUSED, [("node", 112), ("stem.bn", 8)]),  # the convolution's own bias kept its name
        (None, FUSED | {SCOPES: "[['"}, [("node", 108), ("node:norm", 8)]),  # scopes unreadable: named by the node
        (None, {REWRITES: "RemoveOptionalBiasFromConv"}, [("node", 108)]),  # bias=None is written as zeros too
        (None, {CALL: CONV_CALL.format("(%x, %p_w, %p_b)")}, [("node", 112)]),  # torch's call passed a bias
        (None, {CALL: CONV_CALL.format("(%x, %p_w)")}, [("node", 108)]),
    ],
)
def test_a_convolution_as_the_exporters_optimizer_left_it(
    tmp_path: Path, bias: str | None, metadata: dict[str, str], layers: list[tuple[str, int]]
) -> None:
    """A fused BatchNorm comes back after its convolution; a bias torch's call passed counts though dropped."""
    result = analyze(read_network(_rewritten_model(tmp_path / "m.onnx", "Conv", bias, metadata)))
    assert [(layer.name, layer.params) for layer in result.layers] == layers
    assert result.layers[-1].output == (1, 4, 6, 6)


@pytest.mark.parametrize(("call", "params"), [("(%x, %p_w, %p_b)", 52), ("(%x, %p_w)", 48), ("(%x, %p_w, None)", 48)])
def test_a_linear_whose_zero_bias_was_dropped(tmp_path: Path, call: str, params: int) -> None:
    """torch's linear(x, w, b): the Gemm without C still has torch's 4 biases."""
    text = f"%linear = call_function[target=torch.ops.aten.linear.default](args = {call}, kwargs = {{}})"
    metadata = {REWRITES: "RemoveOptionalBiasFromGemm", CALL: text}
    result = analyze(read_network(_rewritten_model(tmp_path / "m.onnx", "Gemm", None, metadata)))
    assert [layer.params for layer in result.layers] == [0, params]


def _graph_file(path: Path, nodes: list[Any], shape: list[int], initializers: list[Any]) -> str:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        initializers,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    return str(path)


def test_an_einsum_of_computed_tensors(tmp_path: Path) -> None:
    """MaxViT's attention products as the exporter writes them: torch.einsum's equation and FLOPs."""
    node = helper.make_node("Einsum", ["x", "x"], ["y"], name="scores", equation="bij,bkj->bik")
    result = analyze(read_network(_graph_file(tmp_path / "e.onnx", [node], [2, 3, 4], [])))
    (layer,) = result.layers
    assert (layer.output, network_cost(result).total_flops) == ((2, 3, 3), 2 * 2 * 3 * 3 * 4)


def test_an_einsum_with_a_constant_reads_it_as_a_constant_layer(tmp_path: Path) -> None:
    """A weight in an Einsum (MViT V2's relative positions, folded at export): a `constant` layer, then the einsum.

    The constant holds the weight's 20 values; the einsum is torch's bmm of [2, 3, 4] by [4, 5]: 2·2·3·4·5 FLOPs.
    """
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 5], [0.0] * 20)
    node = helper.make_node("Einsum", ["x", "w"], ["y"], name="project", equation="bij,jk->bik")
    result = analyze(read_network(_graph_file(tmp_path / "e.onnx", [node], [2, 3, 4], [weight])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output, layer.params) for layer in result.layers] == [
        ("project:0", (4, 5), 20),
        ("project:1", (2, 3, 5), 0),
    ]
    assert network_cost(result).total_flops == 240


def test_a_slice_assigned_in_forward_keeps_the_tensor_s_shape(tmp_path: Path) -> None:
    """`x[:, :, 1:] = x[:, :, 1:] * 2` exported: ScatterND(x, indices, updates) is x's shape, reading the updates."""
    ints = TensorProto.INT64
    nodes = [
        helper.make_node("Slice", ["x", "one", "end", "two"], ["tail"], name="tail"),
        helper.make_node("Add", ["tail", "tail"], ["updated"], name="twice"),
        helper.make_node("ScatterND", ["x", "where", "updated"], ["y"], name="assigned"),
    ]
    initializers = [
        helper.make_tensor("one", ints, [1], [1]),
        helper.make_tensor("end", ints, [1], [4]),
        helper.make_tensor("two", ints, [1], [2]),
        helper.make_tensor("where", ints, [1, 1, 3, 3], [0] * 9),
    ]
    result = analyze(read_network(_graph_file(tmp_path / "s.onnx", nodes, [1, 2, 4], initializers)))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [
        ("tail", (1, 2, 3)),
        ("twice", (1, 2, 3)),
        ("assigned", (1, 2, 4)),
    ]


def test_a_constant_laid_out_anew_is_still_a_constant(tmp_path: Path) -> None:
    """A table folded into one constant, viewed and unsqueezed before it is added: a shift of its 16 values."""
    table = helper.make_tensor("table", TensorProto.FLOAT, [16], [0.0] * 16)
    target = helper.make_tensor("target", TensorProto.INT64, [3], [4, 2, -1])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [0])
    nodes = [
        helper.make_node("Reshape", ["table", "target"], ["viewed"], name="view", allowzero=1),
        helper.make_node("Unsqueeze", ["viewed", "axes"], ["batched"], name="unsqueeze"),
        helper.make_node("Add", ["x", "batched"], ["y"], name="bias"),
    ]
    result = analyze(read_network(_graph_file(tmp_path / "c.onnx", nodes, [1, 4, 2, 2], [table, target, axes])))
    assert [(layer.name, layer.output, layer.params) for layer in result.layers] == [("bias", (1, 4, 2, 2), 16)]


def test_a_strided_slice_is_a_slice_to_the_end(tmp_path: Path) -> None:
    """x[..., 0::2, :] as the exporter writes it (an end past the axis): a `slice` that runs to the end at any size."""
    values = {"starts": [0], "ends": [2**63 - 1], "axes": [2], "steps": [2]}
    tensors = [helper.make_tensor(name, TensorProto.INT64, [1], value) for name, value in values.items()]
    node = helper.make_node("Slice", ["x", *values], ["y"], name="even_rows")
    path = _graph_file(tmp_path / "s.onnx", [node], [1, 4, 7, 6], tensors)
    data, _ = onnx_import(path, None, measured_shapes)
    assert data["layers"] == [{"name": "even_rows", "type": "slice", "dim": 2, "start": 0, "step": 2}]
    result = analyze(read_network(path))
    assert result.layers[0].output == (1, 4, 4, 6)
    assert result.layers[0].jump == (Fraction(2), Fraction(1))


def test_a_shifted_window_mask_scattered_at_open_axes_is_a_constant(tmp_path: Path) -> None:
    """Swin's mask as the TorchScript exporter writes it with its axes open, no value_info at all.

    ConstantOfShape of [H, W], positions from Range(0, H) expanded to [H, W, 2], ScatterND of
    ones into it: each shape by its operator's rule, at the input. Added to the data: no layer
    of its own, no parameters, at every input size.
    """
    ints = TensorProto.INT64
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], start=2),
        helper.make_node("ConstantOfShape", ["shape"], ["mask"]),
        helper.make_node("Gather", ["shape", "zero"], ["height"], axis=0),
        helper.make_node("Range", ["zero", "height", "one"], ["rows"]),
        helper.make_node("Unsqueeze", ["rows", "last"], ["column"]),
        helper.make_node("Expand", ["column", "shape"], ["grid"]),
        helper.make_node("Unsqueeze", ["grid", "last"], ["index"]),
        helper.make_node("Concat", ["index", "index"], ["indices"], axis=-1),
        helper.make_node("ConstantOfShape", ["shape"], ["ones"]),
        helper.make_node("ScatterND", ["mask", "indices", "ones"], ["scattered"]),
        helper.make_node("Add", ["x", "scattered"], ["y"], name="masked"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[
            helper.make_tensor("zero", ints, [], [0]),
            helper.make_tensor("one", ints, [], [1]),
            helper.make_tensor("last", ints, [1], [-1]),
        ],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    for shape in ((1, 4, 6, 6), (2, 4, 5, 7)):
        data, _ = onnx_import(str(path), shape, measured_shapes)
        assert [layer["name"] for layer in data["layers"]] == ["masked"]
        result = analyze(network_from_data(data))
        assert (result.output, result.total_params) == (shape, 0)


def test_a_mask_made_from_sizes_is_a_constant_not_a_bias(tmp_path: Path) -> None:
    """ConstantOfShape of computed sizes added to the data: no parameters, its shape value_info's or its own rule's."""
    nodes = [
        helper.make_node("Shape", ["x"], ["size"], name="shape"),
        helper.make_node("ConstantOfShape", ["size"], ["mask"], name="zeros"),
        helper.make_node("Add", ["x", "mask"], ["y"], name="masked"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 3, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        value_info=[helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 4, 3, 3])],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    result = analyze(read_network(str(path)))
    assert [(layer.name, layer.output, layer.params) for layer in result.layers] == [("masked", (1, 4, 3, 3), 0)]
    del graph.value_info[:]  # without the mask's shape (axes left open): ConstantOfShape's own rule gives it
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    result = analyze(read_network(str(path)))
    assert [(layer.name, layer.output, layer.params) for layer in result.layers] == [("masked", (1, 4, 3, 3), 0)]
    graph.node.insert(2, helper.make_node("Trilu", ["mask"], ["lower"], name="lower", upper=0))
    graph.node[3].input[1] = "lower"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    with pytest.raises(InputErrorGroup) as caught:  # an operator with no rule of its shape: said, not guessed
        onnx_import(str(path), None, measured_shapes)
    assert "node 'lower' (Trilu" in str(caught.value.errors[0])
