"""Files from torch's older TorchScript exporter (opset 17, axes open) read as torch runs the model.

tests/fixtures/onnx_exporters/ holds the milesial-style U-Net (tools/make_exporter_fixtures.py),
whose `F.pad` by the size difference the exporter writes as sizes computed from shapes, and
torch's output shape at four inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import onnx
import pytest
from onnx import TensorProto, helper

from convcalc import analyze
from convcalc.core.analysis import StackResult
from convcalc.core.cost import network_cost
from convcalc.core.errors import InputErrorGroup
from convcalc.core.spec import OtherSpec
from convcalc.importers.onnx_graph import onnx_network_data
from convcalc.importers.onnx_proto import Tensor
from convcalc.importers.onnx_shapes import Computed, Size, constant, evaluate, shape_of_sizes
from convcalc.netfile.loader import PrefixMeasure, measured_shapes
from convcalc.sources.read import read_network
from tests.core.torch_cases import FIXTURES

UNET = FIXTURES / "onnx_exporters" / "unet_torchscript.onnx"
TRUTH: dict[str, Any] = json.loads(UNET.with_suffix(".json").read_text())


def _read_at(path: Path, size: str) -> tuple[StackResult, tuple[int, ...], tuple[list[int], int]]:
    """Return a file read at an input given as 1x3x32x40, the shape, and its output and parameters."""
    shape = tuple(int(v) for v in size.split("x"))
    result = analyze(read_network(str(path), input_shape=shape))
    assert result.ok, result.failures
    return result, shape, (list(result.layers[-1].output or ()), result.total_params)


@pytest.mark.parametrize("size", sorted(TRUTH["outputs"]))
def test_the_unet_gives_torchs_output_at_every_input(size: str) -> None:
    """One file, four inputs (odd sizes among them): torch's output shape and the file's parameters at each.

    The exporter folds each BatchNorm into the convolution before it: the file holds the
    convolutions' weights and a bias each, torch's parameters less each norm's channels.
    """
    assert _read_at(UNET, size)[2] == (TRUTH["outputs"][size], TRUTH["file_params"])


def test_a_pad_by_the_size_difference_is_written_as_pad_to_the_skip() -> None:
    """Each Pad's computed pads grow the upsampled tensor to the skip's size, centred: `pad: to`."""
    data = onnx_network_data(str(UNET), (1, 3, 31, 47), PrefixMeasure(measured_shapes))
    pads = [layer for layer in data["layers"] if layer["type"] == "pad"]
    skips = ["/downs.2/conv/block/block.5/Relu", "/downs.1/conv/block/block.5/Relu", "/downs.0/conv/block/block.5/Relu"]
    assert [(layer["to"], layer["align"]) for layer in pads] == [
        (skip, "center") for skip in [*skips, "/inc/block/block.5/Relu"]
    ]


def _sizes(*values: int) -> Computed:
    return constant(list(values), [len(values)])


def _elements(computed: Computed) -> list[Any]:
    return [element.value for element in computed.elements]


def test_pads_in_torchs_order_become_onnxs_through_a_matrix() -> None:
    """[l, r, t, b] and four zeros, as rows of two, rows reversed, transposed, flattened: ONNX's order."""
    pads = evaluate("Concat", {"axis": 0}, [_sizes(1, 2, 3, 4), _sizes(0, 0, 0, 0)])
    rows = evaluate("Reshape", {}, [pads, _sizes(-1, 2)])
    assert rows.matrix == (4, 2)
    reversed_rows = evaluate("Slice", {}, [rows, _sizes(-1), _sizes(-(2**63) + 1), _sizes(0), _sizes(-1)])
    columns = evaluate("Transpose", {"perm": [1, 0]}, [reversed_rows])
    flat = evaluate("Reshape", {}, [columns, _sizes(-1)])
    assert (flat.matrix, _elements(flat)) == (None, [0, 0, 3, 1, 0, 0, 4, 2])


def test_expand_with_minus_ones_keeps_those_sizes() -> None:
    """`x.expand(n, -1, -1)`: Shape of the target, ConstantOfShape of ones, Mul by -1, Equal, Where."""
    batch = Size(tensor="x", axis=0)
    target = Computed((batch, Size(value=-1), Size(value=-1)))
    length = shape_of_sizes(target, {})
    ones = evaluate("ConstantOfShape", {"value": Tensor(dims=(1,), values=[1])}, [length])
    minus = evaluate("Mul", {}, [ones, constant([-1], [])])
    equal = evaluate("Equal", {}, [target, minus])
    chosen = evaluate("Where", {}, [equal, ones, target])
    assert [element.at(lambda _: (5, 1, 768)) for element in chosen.elements] == [5, 1, 1]


def test_integer_arithmetic_on_constants_alone_is_followed() -> None:
    """Mod of two constants (MultiheadAttention's chunk index), as ONNX's Mod with fmod 0."""
    assert _elements(evaluate("Mod", {}, [_sizes(2), _sizes(3)])) == [2]
    assert _elements(evaluate("Mod", {}, [_sizes(-7), _sizes(3)])) == [2]
    assert _elements(evaluate("Sqrt", {}, [_sizes(64)])) == [8.0]


def test_constant_of_shape_of_many_elements_is_not_a_list_of_sizes() -> None:
    """A ConstantOfShape of a data tensor's shape (a mask) is left to the layers, said in one line."""
    with pytest.raises(ValueError, match="not a short list of sizes"):
        evaluate("ConstantOfShape", {}, [_sizes(1, 4, 3, 3)])


def test_the_unoptimized_exporters_zero_bias_is_no_bias(tmp_path: Path) -> None:
    """`bias=None` written as zeros spread to the weight's channels (Shape, Constant value_ints, CastLike, Expand)."""
    weight = helper.make_tensor("w", TensorProto.FLOAT, [8, 3, 3, 3], [0.0] * 216)
    nodes = [
        helper.make_node("Shape", ["w"], ["channels"], start=0, end=1),
        helper.make_node("Constant", [], ["one"], value_ints=[1]),
        helper.make_node("Expand", ["channels", "one"], ["length"]),
        helper.make_node("Constant", [], ["zero"], value_float=0.0),
        helper.make_node("CastLike", ["zero", "x"], ["zero_like"]),
        helper.make_node("Expand", ["zero_like", "length"], ["bias"]),
        helper.make_node("Conv", ["x", "w", "bias"], ["y"], kernel_shape=[3, 3]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 9, 9])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[weight],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)]), str(path))
    result = analyze(read_network(str(path)))
    assert result.ok, result.failures
    assert (list(result.layers[-1].output or ()), result.total_params) == ([1, 8, 7, 7], 216)


TWO_IMAGES = FIXTURES / "onnx_exporters" / "two_images_torchscript.onnx"
TWO_TRUTH: dict[str, Any] = json.loads(TWO_IMAGES.with_suffix(".json").read_text())


@pytest.mark.parametrize("size", sorted(TWO_TRUTH["outputs"]))
def test_a_graph_of_several_inputs_sizes_the_others_by_the_first(size: str) -> None:
    """left, right (batch, height, width open, as left's) and hint (fixed): torch's output and parameters."""
    result, shape, counts = _read_at(TWO_IMAGES, size)
    assert dict(result.inputs) == {"left": shape, "right": shape, "hint": (1, 2, 8, 10)}
    assert counts == (TWO_TRUTH["outputs"][size], TWO_TRUTH["params"])


def test_an_input_with_an_axis_the_first_does_not_name_is_one_line(tmp_path: Path) -> None:
    """The others are sized by the first's axes of the same name: an axis only they have is said."""
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["y"])],
        "g",
        [
            helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", 3, 8, 8]),
            helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch", 3, "side", 8]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(InputErrorGroup) as caught:
        read_network(str(path), input_shape=(1, 3, 8, 8))
    assert str(caught.value) == (
        f"{path}: the graph's input 'b' has axes (side) that no axis of its first input 'a' names: "
        "convcalc sizes the others by the first's"
    )


@pytest.mark.parametrize(
    ("split", "pieces"), [([2], [(0, 2), (2, 2), (4, 1)]), ([1, 4], [(0, 1), (1, 4)]), (None, None)]
)
def test_a_split_to_a_sequence_is_read_piece_by_piece(
    tmp_path: Path, split: list[int] | None, pieces: list[tuple[int, int]] | None
) -> None:
    """torch.split/chunk unoptimized: SplitToSequence then SequenceAt, each piece the narrow it is."""
    count = len(pieces) if pieces else 5
    inputs = ["x", "split"] if split else ["x"]
    nodes = [helper.make_node("SplitToSequence", inputs, ["seq"], axis=1)]
    nodes += [
        helper.make_node("Constant", [], [f"i{k}"], value=helper.make_tensor("v", TensorProto.INT64, [], [k]))
        for k in range(count)
    ]
    nodes += [helper.make_node("SequenceAt", ["seq", f"i{k}"], [f"y{k}"]) for k in range(count)]
    nodes.append(helper.make_node("Concat", [f"y{k}" for k in range(count)], ["out"], axis=1))
    values = (
        []
        if split is None
        else [helper.make_tensor("split", TensorProto.INT64, [] if len(split) == 1 else [len(split)], split)]
    )
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 5, 4, 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)],
        initializer=values,
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    result = analyze(read_network(str(path)))
    assert result.ok, result.failures
    kept = [dict(layer.spec.arguments) for layer in result.layers if isinstance(layer.spec, OtherSpec)]
    narrows = [(keys["start"], keys["length"]) for keys in kept if "length" in keys]
    assert narrows == (pieces or [(k, 1) for k in range(5)])
    assert result.output == (1, 5, 4, 4)


def test_a_bias_gathered_from_its_table_counts_the_table(tmp_path: Path) -> None:
    """GatherND of a [9, 2] table by [16, 1] int64 indices, laid out [1, 2, 4, 4], added: 18 parameters, 16 indices."""
    table = helper.make_tensor("table", TensorProto.FLOAT, [9, 2], [0.5] * 18)
    index = helper.make_tensor("index", TensorProto.INT64, [16, 1], [k % 9 for k in range(16)])
    shape = helper.make_tensor("shape", TensorProto.INT64, [3], [4, 4, 2])
    nodes = [
        helper.make_node("GatherND", ["table", "index"], ["bias"]),
        helper.make_node("Reshape", ["bias", "shape"], ["grid"]),
        helper.make_node("Transpose", ["grid"], ["heads"], perm=[2, 0, 1]),
        helper.make_node("Unsqueeze", ["heads", "zero"], ["batched"]),
        helper.make_node("Add", ["x", "batched"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[table, index, shape, helper.make_tensor("zero", TensorProto.INT64, [1], [0])],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]), str(path))
    result = analyze(read_network(str(path)))
    assert result.ok, result.failures
    (layer,) = result.layers
    assert isinstance(layer.spec, OtherSpec)
    assert (layer.spec.type_name, layer.params, result.total_params) == ("shift", 18, 18)
    assert dict(layer.spec.arguments)["indices"] == 16


def test_a_bias_gathered_along_an_axis_counts_the_table(tmp_path: Path) -> None:
    """LeViT's attention biases ([heads, 16] gathered along axis 1 by [16, 16] indices, as TorchScript exports them).

    The bias is [2, 16, 16]: added to the attention scores, it holds 32 parameters and 256 indices.
    """
    table = helper.make_tensor("table", TensorProto.FLOAT, [2, 16], [0.5] * 32)
    index = helper.make_tensor("index", TensorProto.INT64, [16, 16], [k % 16 for k in range(256)])
    nodes = [
        helper.make_node("Constant", [], ["index_"], value=index),
        helper.make_node("Gather", ["table", "index_"], ["bias"], axis=1),
        helper.make_node("Add", ["x", "bias"], ["y"]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, [table], [1, 2, 16, 16])))
    assert result.ok, result.failures
    (layer,) = result.layers
    assert isinstance(layer.spec, OtherSpec)
    assert (layer.spec.type_name, layer.params, result.output) == ("shift", 32, (1, 2, 16, 16))
    assert dict(layer.spec.arguments)["indices"] == 256


def test_a_roll_by_nothing_leaves_out_its_empty_piece(tmp_path: Path) -> None:
    """torch.roll(x, 0, 2) as the TorchScript exporter writes it: Concat of x[:, :, 6:] (empty) and x[:, :, :6]."""
    ints = TensorProto.INT64
    nodes = [
        helper.make_node("Slice", ["x", "six", "end", "two"], ["tail"], name="tail"),
        helper.make_node("Slice", ["x", "zero", "six", "two"], ["head"], name="head"),
        helper.make_node("Concat", ["tail", "head"], ["y"], name="rolled", axis=2),
    ]
    initializers = [
        helper.make_tensor("six", ints, [1], [6]),
        helper.make_tensor("end", ints, [1], [2**62]),
        helper.make_tensor("zero", ints, [1], [0]),
        helper.make_tensor("two", ints, [1], [2]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 4, 6, 6])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [("head", (1, 4, 6, 6)), ("rolled", (1, 4, 6, 6))]


def _graph_file(tmp_path: Path, nodes: list[Any], initializers: list[Any], dims: list[Any]) -> str:
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=initializers,
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return str(path)


def test_a_bias_made_by_an_mlp_on_a_table_counts_its_weights_and_flops(tmp_path: Path) -> None:
    """Swin V2's continuous position bias: an MLP on a [1, 3, 3, 2] coordinate table (a buffer), gathered, added.

    Linear(2, 8), ReLU, Linear(8, 2) on 9 positions: 16 + 8 + 16 = 40 parameters, 2·9·2·8 + 2·9·8·2
    = 576 FLOPs; 16 indices; 16·sigmoid of it added to the scores [1, 2, 4, 4].
    """
    floats, ints = TensorProto.FLOAT, TensorProto.INT64
    initializers = [
        helper.make_tensor("coords", floats, [1, 3, 3, 2], [0.5] * 18),
        helper.make_tensor("w1", floats, [2, 8], [0.1] * 16),
        helper.make_tensor("b1", floats, [8], [0.2] * 8),
        helper.make_tensor("w2", floats, [8, 2], [0.3] * 16),
        helper.make_tensor("flat", ints, [2], [9, 2]),
        helper.make_tensor("index", ints, [16], [k % 9 for k in range(16)]),
        helper.make_tensor("grid", ints, [3], [4, 4, 2]),
        helper.make_tensor("zero", ints, [1], [0]),
        helper.make_tensor("sixteen", floats, [], [16.0]),
    ]
    nodes = [
        helper.make_node("MatMul", ["coords", "w1"], ["h"]),
        helper.make_node("Add", ["b1", "h"], ["hb"]),
        helper.make_node("Relu", ["hb"], ["r"]),
        helper.make_node("MatMul", ["r", "w2"], ["table"]),
        helper.make_node("Reshape", ["table", "flat"], ["rows"]),
        helper.make_node("Gather", ["rows", "index"], ["picked"], axis=0),
        helper.make_node("Reshape", ["picked", "grid"], ["laid"]),
        helper.make_node("Transpose", ["laid"], ["heads"], perm=[2, 0, 1]),
        helper.make_node("Unsqueeze", ["heads", "zero"], ["batched"]),
        helper.make_node("Sigmoid", ["batched"], ["squashed"]),
        helper.make_node("Mul", ["squashed", "sixteen"], ["bias"]),
        helper.make_node("Add", ["x", "bias"], ["y"], name="biased"),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 2, 4, 4])))
    assert result.ok, result.failures
    (layer,) = result.layers
    assert isinstance(layer.spec, OtherSpec)
    assert (layer.spec.type_name, layer.params, result.output) == ("shift", 40, (1, 2, 4, 4))
    assert dict(layer.spec.arguments)["indices"] == 16
    assert network_cost(result).total_flops == 576


def test_a_normalize_divides_by_the_norm_itself(tmp_path: Path) -> None:
    """F.normalize(x, dim=1): ReduceL2, Clip, Expand to x's shape, Div; the Div's broadcast is the Expand's."""
    ints = TensorProto.INT64
    nodes = [
        helper.make_node("ReduceL2", ["x", "axes"], ["norm"], name="norm", keepdims=1),
        helper.make_node("Clip", ["norm", "eps", ""], ["clipped"], name="clip"),
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Expand", ["clipped", "shape"], ["spread"], name="spread"),
        helper.make_node("Div", ["x", "spread"], ["y"], name="unit"),
    ]
    initializers = [
        helper.make_tensor("axes", ints, [1], [1]),
        helper.make_tensor("eps", TensorProto.FLOAT, [], [1e-12]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 4, 6, 6])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [
        ("norm", (1, 1, 6, 6)),
        ("clip", (1, 1, 6, 6)),
        ("unit", (1, 4, 6, 6)),
    ]


def test_a_learned_scale_stored_once_for_two_blocks_is_learned_in_both(tmp_path: Path) -> None:
    """Swin V2's logit scale: the TorchScript exporter stores equal weights once, the second an Identity of it.

    exp(clip(scale)) multiplies the scores in each block: 3 parameters each.
    """
    floats = TensorProto.FLOAT
    nodes = [
        helper.make_node("Identity", ["scale"], ["scale_again"]),
        helper.make_node("Clip", ["scale", "", "most"], ["c1"]),
        helper.make_node("Exp", ["c1"], ["e1"]),
        helper.make_node("Mul", ["x", "e1"], ["a"], name="first"),
        helper.make_node("Clip", ["scale_again", "", "most"], ["c2"]),
        helper.make_node("Exp", ["c2"], ["e2"]),
        helper.make_node("Mul", ["a", "e2"], ["y"], name="second"),
    ]
    initializers = [
        helper.make_tensor("scale", floats, [3, 1, 1], [2.3] * 3),
        helper.make_tensor("most", floats, [], [4.6]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 3, 4, 4])))
    assert result.ok, result.failures
    assert [(layer.name, layer.params) for layer in result.layers] == [("first", 3), ("second", 3)]


def test_a_channels_last_pad_is_written_channels_first(tmp_path: Path) -> None:
    """Swin's windows pad [N, H, W, C] on H and W: a Transpose to channels first, the pad, a Transpose back."""
    nodes = [helper.make_node("Pad", ["x", "pads"], ["y"], name="windows")]
    initializers = [helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 0, 0, 0, 2, 2, 0])]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 6, 6, 4])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [
        ("windows:0", (1, 4, 6, 6)),
        ("windows:1", (1, 4, 8, 8)),
        ("windows:2", (1, 8, 8, 4)),
    ]
    nodes = [helper.make_node("Pad", ["x", "pads"], ["y"], name="channels")]  # [N, C, H, W] by its channels
    initializers = [helper.make_tensor("pads", TensorProto.INT64, [8], [0, 2, 0, 0, 0, 2, 0, 1])]
    with pytest.raises(InputErrorGroup, match="it pads the batch or channel axis"):
        read_network(_graph_file(tmp_path, nodes, initializers, [1, 6, 6, 4]))


def test_a_bias_with_a_part_zeroed_is_still_the_bias(tmp_path: Path) -> None:
    """Swin V2's qkv bias: the key's third set to zero (ScatterND of the weight) before it is added: 12 parameters."""
    ints, floats = TensorProto.INT64, TensorProto.FLOAT
    nodes = [
        helper.make_node("ScatterND", ["bias", "middle", "zeros"], ["kept"]),
        helper.make_node("Add", ["x", "kept"], ["y"], name="biased"),
    ]
    initializers = [
        helper.make_tensor("bias", floats, [12], [0.5] * 12),
        helper.make_tensor("middle", ints, [4, 1], [4, 5, 6, 7]),
        helper.make_tensor("zeros", floats, [4], [0.0] * 4),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 5, 12])))
    assert result.ok, result.failures
    assert [(layer.name, layer.params) for layer in result.layers] == [("biased", 12)]


def test_a_position_embedding_built_from_parts_counts_the_parts(tmp_path: Path) -> None:
    """MViT's embedding: a space part [4, 8] tiled over 2 times, plus a time part [2, 8] unsqueezed, expanded, flattened.

    The sum added to the [1, 8, 8] tokens holds 32 + 16 = 48 parameters (not the 64 of its size).
    """
    ints, floats = TensorProto.INT64, TensorProto.FLOAT
    nodes = [
        helper.make_node("Tile", ["space", "twice"], ["tiled"]),
        helper.make_node("Unsqueeze", ["time", "one"], ["times_one"]),
        helper.make_node("Expand", ["times_one", "grid"], ["spread"]),
        helper.make_node("Reshape", ["spread", "flat"], ["times"]),
        helper.make_node("Add", ["tiled", "times"], ["embedding"]),
        helper.make_node("Add", ["x", "embedding"], ["y"], name="positioned"),
    ]
    initializers = [
        helper.make_tensor("space", floats, [4, 8], [0.1] * 32),
        helper.make_tensor("twice", ints, [2], [2, 1]),
        helper.make_tensor("time", floats, [2, 8], [0.2] * 16),
        helper.make_tensor("one", ints, [1], [1]),
        helper.make_tensor("grid", ints, [3], [2, 4, 8]),
        helper.make_tensor("flat", ints, [2], [8, 8]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 8, 8])))
    assert result.ok, result.failures
    assert [(layer.name, layer.params, layer.output) for layer in result.layers] == [("positioned", 48, (1, 8, 8))]


def test_a_convolution_of_a_constant_grid_counts_its_weights_and_flops(tmp_path: Path) -> None:
    """XCiT's Fourier encoding: Conv(1x1, 4 -> 3) of a [1, 4, 2, 2] grid made of sines, added to the data.

    12 weights and 3 biases; FlopCounterMode counts 2·(3·2·2)·4 = 96 FLOPs for the convolution.
    """
    floats = TensorProto.FLOAT
    nodes = [
        helper.make_node("Sin", ["grid"], ["waves"]),
        helper.make_node("Conv", ["waves", "w", "b"], ["encoded"], kernel_shape=[1, 1]),
        helper.make_node("Add", ["x", "encoded"], ["y"], name="encoded"),
    ]
    initializers = [
        helper.make_tensor("grid", floats, [1, 4, 2, 2], [0.5] * 16),
        helper.make_tensor("w", floats, [3, 4, 1, 1], [0.1] * 12),
        helper.make_tensor("b", floats, [3], [0.0] * 3),
    ]
    path = _graph_file(tmp_path, nodes, initializers, [1, 3, 2, 2])
    model = onnx.load(path)  # the grid is a buffer, as torch's default exporter says in its value_info
    info = helper.make_tensor_value_info("grid", floats, [1, 4, 2, 2])
    info.metadata_props.add(key="pkg.torch.export.graph_signature.InputSpec.kind", value="BUFFER")
    model.graph.value_info.append(info)
    onnx.save(model, path)
    result = analyze(read_network(path))
    assert result.ok, result.failures
    assert [(layer.name, layer.params) for layer in result.layers] == [("encoded", 15)]
    assert network_cost(result).total_flops == 96


def test_a_buffer_split_in_two_multiplies_as_constants(tmp_path: Path) -> None:
    """EVA-02's rotary table (a buffer, said so in its value_info) split into sines and cosines: no parameters."""
    floats = TensorProto.FLOAT
    nodes = [
        helper.make_node("Split", ["table"], ["sines", "cosines"], axis=1, num_outputs=2),
        helper.make_node("Mul", ["x", "sines"], ["a"], name="by_sines"),
        helper.make_node("Mul", ["a", "cosines"], ["y"], name="by_cosines"),
    ]
    initializers = [helper.make_tensor("table", floats, [5, 8], [0.5] * 40)]
    path = _graph_file(tmp_path, nodes, initializers, [1, 5, 4])
    model = onnx.load(path)
    info = helper.make_tensor_value_info("table", floats, [5, 8])
    info.metadata_props.add(key="pkg.torch.export.graph_signature.InputSpec.kind", value="BUFFER")
    model.graph.value_info.append(info)
    model.opset_import[0].version = 18
    onnx.save(model, path)
    result = analyze(read_network(path))
    assert result.ok, result.failures
    assert [(layer.name, layer.params, layer.output) for layer in result.layers] == [
        ("by_sines", 0, (1, 5, 4)),
        ("by_cosines", 0, (1, 5, 4)),
    ]


def test_a_tensor_split_run_as_a_loop_is_its_narrows(tmp_path: Path) -> None:
    """torch.tensor_split(x, (1,), dim=1) from the TorchScript exporter: a Loop of Slices into a sequence.

    Its one turn slices [0:1], the last piece [1:5] is inserted after it; read back and joined: x's shape.
    """
    ints = TensorProto.INT64
    body = helper.make_graph(
        [
            helper.make_node("Gather", ["bounds", "turn"], ["start"], axis=0),
            helper.make_node("Add", ["turn", "one"], ["next"]),
            helper.make_node("Gather", ["bounds", "next"], ["end"], axis=0),
            helper.make_node("Unsqueeze", ["start", "axis0"], ["starts"]),
            helper.make_node("Unsqueeze", ["end", "axis0"], ["ends"]),
            helper.make_node("Slice", ["x", "starts", "ends", "axis1"], ["piece"]),
            helper.make_node("SequenceInsert", ["pieces_in", "piece"], ["pieces_out"]),
            helper.make_node("Identity", ["going"], ["going_out"]),
        ],
        "turn",
        [
            helper.make_tensor_value_info("turn", ints, []),
            helper.make_tensor_value_info("going", TensorProto.BOOL, []),
            helper.make_tensor_sequence_value_info("pieces_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("going_out", TensorProto.BOOL, []),
            helper.make_tensor_sequence_value_info("pieces_out", TensorProto.FLOAT, None),
        ],
    )
    nodes = [
        helper.make_node("SequenceEmpty", [], ["empty"], dtype=TensorProto.FLOAT),
        helper.make_node("Loop", ["turns", "true", "empty"], ["split"], body=body),
        helper.make_node("Slice", ["x", "last", "end_all", "axis1"], ["rest"], name="rest"),
        helper.make_node("SequenceInsert", ["split", "rest"], ["pieces"]),
        helper.make_node("SequenceAt", ["pieces", "zero"], ["token"], name="token"),
        helper.make_node("SequenceAt", ["pieces", "one"], ["grid"], name="grid"),
        helper.make_node("Concat", ["token", "grid"], ["y"], name="joined", axis=1),
    ]
    initializers = [
        helper.make_tensor("bounds", ints, [2], [0, 1]),
        helper.make_tensor("one", ints, [], [1]),
        helper.make_tensor("zero", ints, [], [0]),
        helper.make_tensor("axis0", ints, [1], [0]),
        helper.make_tensor("axis1", ints, [1], [1]),
        helper.make_tensor("turns", ints, [], [1]),
        helper.make_tensor("true", TensorProto.BOOL, [], [True]),
        helper.make_tensor("last", ints, [1], [1]),
        helper.make_tensor("end_all", ints, [1], [2**62]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 5, 4])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [
        ("rest", (1, 4, 4)),
        ("token", (1, 1, 4)),
        ("grid", (1, 4, 4)),
        ("joined", (1, 5, 4)),
    ]


def test_an_if_on_sizes_walks_the_branch_it_takes(tmp_path: Path) -> None:
    """MViT's `_squeeze` scripted: If (a size equals 1) then Squeeze else Identity; at [1, 1, 5, 4] it squeezes."""
    ints = TensorProto.INT64
    squeeze = helper.make_graph(
        [helper.make_node("Squeeze", ["x", "axis1"], ["squeezed"], name="squeeze")],
        "then",
        [],
        [helper.make_tensor_value_info("squeezed", TensorProto.FLOAT, None)],
    )
    keep = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["kept"], name="keep")],
        "else",
        [],
        [helper.make_tensor_value_info("kept", TensorProto.FLOAT, None)],
    )
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Gather", ["shape", "one"], ["size"], axis=0),
        helper.make_node("Equal", ["size", "one"], ["single"]),
        helper.make_node("If", ["single"], ["y"], name="maybe", then_branch=squeeze, else_branch=keep),
    ]
    initializers = [helper.make_tensor("one", ints, [], [1]), helper.make_tensor("axis1", ints, [1], [1])]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 1, 5, 4])))
    assert result.ok, result.failures
    assert [(layer.name, layer.output) for layer in result.layers] == [("squeeze", (1, 5, 4)), ("maybe", (1, 5, 4))]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 3, 5, 4])))
    assert [(layer.name, layer.output) for layer in result.layers] == [("keep", (1, 3, 5, 4)), ("maybe", (1, 3, 5, 4))]


def test_a_learned_constant_times_a_number_cast_from_a_size_stays_learned(tmp_path: Path) -> None:
    """Swin V2 unoptimized: 16 · sigmoid(bias), the 16 a Cast of an integer; then a copy_ (CastLike) of the data."""
    floats, ints = TensorProto.FLOAT, TensorProto.INT64
    nodes = [
        helper.make_node("Sigmoid", ["bias"], ["squashed"]),
        helper.make_node("Cast", ["sixteen"], ["factor"], to=floats),
        helper.make_node("Mul", ["squashed", "factor"], ["scaled"]),
        helper.make_node("Add", ["x", "scaled"], ["biased"], name="biased"),
        helper.make_node("CastLike", ["biased", "x"], ["y"], name="copied"),
    ]
    initializers = [
        helper.make_tensor("bias", floats, [2, 1, 1], [0.5, 0.5]),
        helper.make_tensor("sixteen", ints, [], [16]),
    ]
    result = analyze(read_network(_graph_file(tmp_path, nodes, initializers, [1, 2, 4, 4])))
    assert result.ok, result.failures
    assert [(layer.name, layer.params, layer.output) for layer in result.layers] == [
        ("biased", 2, (1, 2, 4, 4)),
        ("copied", 0, (1, 2, 4, 4)),
    ]
