"""ONNX models read as network files: every tensor's shape as onnxruntime computes it, weights as the graph holds them.

The fixtures (tests/fixtures/onnx/) come from tools/make_onnx_fixtures.py: resnet18 and the 19
real models of torch_models.json (classifiers, segmentation, a detection backbone with FPN, a
video model, timm models) exported by torch.onnx with the batch and spatial axes dynamic, run
by onnxruntime 1.32 at each input size, and saved without their weights file. Their graphs
compute Reshape targets, Resize sizes and Slice ends from shapes (Shape -> Gather -> Concat).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import convcalc
from convcalc.importers.onnx_graph import SHAPE_KEEPING, onnx_import, onnx_network_data
from convcalc.importers.onnx_shapes import SHAPE_OPERATORS
from convcalc.netfile.loader import load_network, measured_shapes
from convcalc.sources.read import read_network
from tests.core.torch_cases import FIXTURES
from tools.compare_models import Comparison, _compare_field, fixture

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

if TYPE_CHECKING:
    from typer.testing import Result

FOLDER = FIXTURES / "onnx"
MODELS = sorted(path.stem for path in FOLDER.glob("*.json"))
TORCH_RECORDS = fixture()


def _record(model: str) -> dict[str, Any]:
    return dict(json.loads((FOLDER / f"{model}.json").read_text()))


def _sizes() -> list[tuple[str, str]]:
    return [(model, size) for model in MODELS for size in _record(model)["sizes"]]


def _compare(report: convcalc.Report, model: str, size: str) -> int:
    """Assert every node's output equals onnxruntime's and its weights the graph's; return how many layers."""
    graph = onnx.load(str(FOLDER / f"{model}.onnx"), load_external_data=False).graph
    record = _record(model)
    layers = {layer.name: layer for layer in report.layers}
    compared = 0
    for node in graph.node:
        name = node.name or node.output[0]
        if node.op_type == "Split":  # a layer per output: name:0, name:1, ...
            for i, output in enumerate(node.output):
                assert list(layers[f"{name}:{i}"].output or ()) == record["sizes"][size][output], name
            compared += 1
            continue
        layer = layers.get(name)
        if layer is None:  # a constant or a size computed from shapes, folded into the layers that read them
            assert node.op_type in ("Identity", "Constant", *SHAPE_OPERATORS), name
            continue
        assert list(layer.output or ()) == record["sizes"][size][node.output[0]], layer.name
        assert (layer.params or 0) == record["weights"].get(layer.name, 0), layer.name
        compared += 1
    return compared


def test_the_fixtures_hold_the_real_models() -> None:
    """resnet18 and every model of torch_models.json were exported, most at several sizes."""
    assert set(MODELS) == {"resnet18", *TORCH_RECORDS}
    assert sum(len(_record(model)["sizes"]) > 1 for model in MODELS) >= 19


@pytest.mark.parametrize(("model", "size"), _sizes())
def test_every_tensor_as_onnxruntime_computes_it(model: str, size: str) -> None:
    """Shapes at every input size (the graph's axes are dynamic), and each node's weights."""
    shape = tuple(int(v) for v in size.split("x"))
    report = convcalc.report(read_network(str(FOLDER / f"{model}.onnx"), input_shape=shape))
    assert not [layer.error for layer in report.layers if layer.error]
    assert _compare(report, model, size) >= 10


@pytest.mark.parametrize("model", MODELS)
def test_the_imported_file_holds_at_every_size(model: str) -> None:
    """`convcalc import` at one size writes a file that gives onnxruntime's shapes at every size.

    The sizes the graph computes from shapes are written as what they mean (a 0 that copies an
    axis, a -1, an unflatten or a Flatten, a `to:` another layer), not as numbers of one input.
    """
    from convcalc.netfile.writer import data_yaml

    sizes = list(_record(model)["sizes"])
    first = tuple(int(v) for v in sizes[0].split("x"))
    data, dynamic = onnx_import(str(FOLDER / f"{model}.onnx"), first, measured_shapes)
    assert dynamic == []
    text = data_yaml(data)
    for size in sizes:
        shape = tuple(int(v) for v in size.split("x"))
        report = convcalc.report(load_network(text, f"{model}.yaml", input_shape=shape))
        assert _compare(report, model, size) >= 10


def _module_path(scopes: list[str]) -> str:
    """Return a module's path from the exporter's scopes: ['features', 'features.1', 'block', 'block.4'] -> features.1.block.4."""
    path, before = "", ""
    for scope in scopes:
        tail = scope[len(before) :] if before and scope.startswith(before + ".") else f".{scope}"
        path, before = (path + tail).lstrip("."), scope
    return path


def _module_outputs(model: str) -> dict[str, str]:
    """Return each module's output node: the last node directly in its scope ('/layer1/layer1.0/Relu_2')."""
    graph = onnx.load(str(FOLDER / f"{model}.onnx"), load_external_data=False).graph
    found = {}
    for node in graph.node:
        parts = node.name.split("/")
        if len(parts) >= 3 and node.op_type not in ("Constant", "Identity", *SHAPE_OPERATORS):
            found[_module_path(parts[1:-1])] = node.name
    return found


@pytest.mark.parametrize("model", sorted(set(TORCH_RECORDS) - {"vgg11_bn"}))  # vgg: exported at 224 only
def test_receptive_fields_equal_autograd(model: str) -> None:
    """The field of each module's output equals what autograd measured on the torch model (torch_models.json)."""
    record = TORCH_RECORDS[model]
    shape = tuple(record["receptive_field_input"])
    report = convcalc.report(read_network(str(FOLDER / f"{model}.onnx"), input_shape=shape))
    layers = {layer.name: layer for layer in report.layers}
    outputs = _module_outputs(model)
    found = Comparison(model)
    for key, measured in record["receptive_fields"].items():
        node = outputs.get(key)
        if node is not None and node in layers:
            _compare_field(key, layers[node], measured, found)
    assert found.differences == []
    assert found.fields + found.bounded >= 8


def test_import_writes_a_file_that_check_passes(run: Callable[..., Result], tmp_path: Path) -> None:
    """import -o with --expect, then check: the CI job of a model repository."""
    out = tmp_path / "resnet18.yaml"
    result = run("import", str(FOLDER / "resnet18.onnx"), "--input", "1,3,224,224", "--expect", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# ")
    assert "framework: onnx" in text
    assert '{name: "/conv1/Conv", type: "Conv", kernel_shape: [7, 7]' in text
    assert "expect: [1, 1000]" in text
    checked = run("check", str(out))
    assert checked.exit_code == 0
    assert "every shape as expected" in checked.stdout
    wrong = run("check", str(out), "--input", "1,3,192,192")
    assert wrong.exit_code == 1  # the expect lines hold the import's sizes


def test_stack_reads_an_onnx_file(run: Callable[..., Result]) -> None:
    """stack MODEL.onnx --input: the table of the graph, names from its nodes."""
    result = run("stack", str(FOLDER / "mobilenet_v3_small.onnx"), "--input", "1,3,224,224", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["layers"][-1]["output"] == [1, 1000]
    assert any(layer["name"] == "/features/features.0/features.0.0/Conv" for layer in data["layers"])


def _model(nodes: list[Any], initializers: list[Any] | None = None, dims: list[Any] | None = None) -> Any:
    value = helper.make_tensor_value_info("x", TensorProto.FLOAT, dims or [1, 4, 8, 8])
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [value], [out], initializer=initializers or [])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _saved(model: Any, tmp_path: Path, name: str = "m.onnx") -> str:
    path = tmp_path / name
    onnx.save(model, str(path))
    return str(path)


@pytest.mark.parametrize("name", sorted(SHAPE_KEEPING))
def test_every_shape_keeping_name_of_the_kinds_is_imported(name: str, tmp_path: Path) -> None:
    """An ONNX name core/kinds/identity.py declares is read with no line of the importer's own."""
    keeping = SHAPE_KEEPING[name]
    attributes: dict[str, Any] = {key: 1 for key, what in keeping.keys.items() if what == "int"}
    node = helper.make_node(name.capitalize(), ["x"], ["y"], name="n", **attributes)
    data = onnx_network_data(_saved(_model([node]), tmp_path))
    assert data["layers"] == [{"name": "n", "type": name.capitalize(), **attributes}]
    assert network_from_data_at(data, (1, 4, 8, 8)).layers[0].kind.value == "identity"


def test_an_unsupported_operator_is_one_line(run: Callable[..., Result], tmp_path: Path) -> None:
    """The node, its operator, domain and opset, exit 2; every such node is said."""
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="act"),
        helper.make_node("NonZero", ["a"], ["b"], name="where"),
        helper.make_node("TopK", ["b", "k"], ["y", "i"], name="top"),
    ]
    k = helper.make_tensor("k", TensorProto.INT64, [1], [3])
    result = run("stack", _saved(_model(nodes, [k]), tmp_path))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "node 'where' (NonZero, domain ai.onnx, opset 17): convcalc does not follow this operator" in lines[0]
    assert "'top' (TopK" in lines[1]
    assert "Traceback" not in result.output


def test_the_bad_inputs_say_why(run: Callable[..., Result], tmp_path: Path) -> None:
    """Dynamic axes without --input, a file that is not ONNX, --input of another rank, a missing file."""
    dynamic = _saved(_model([helper.make_node("Relu", ["x"], ["y"])], dims=["N", 4, "H", 8]), tmp_path)
    garbage = tmp_path / "junk.onnx"
    garbage.write_bytes(b"\x91not a protobuf at all\xff")
    for args, message in (
        (("import", dynamic), "has dynamic axes (N, H): give its shape with --input"),
        (("stack", str(garbage)), "not an ONNX model"),
        (("import", dynamic, "--input", "1,4,8"), "gives 3 values but the graph's input 'x' has 4 axes"),
        (("check", str(tmp_path / "absent.onnx")), "no such file"),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.output


def test_constants_fold_into_the_layers_that_read_them(tmp_path: Path) -> None:
    """A learnable scale counts its weights; a scalar does not; Reshape, Squeeze, Resize, Split, Pad by constants."""
    ints = TensorProto.INT64
    initializers = [
        helper.make_tensor("gamma", TensorProto.FLOAT, [4, 1, 1], [1.0] * 4),
        helper.make_tensor("six", TensorProto.FLOAT, [], [6.0]),
        helper.make_tensor("scales", TensorProto.FLOAT, [4], [1, 1, 2, 2]),
        helper.make_tensor("pads", ints, [8], [0, 0, 1, 2, 0, 0, 1, 2]),
        helper.make_tensor("split", ints, [2], [1, 3]),
        helper.make_tensor("shape", ints, [3], [0, 0, -1]),
        helper.make_tensor("axes", ints, [1], [1]),
    ]
    nodes = [
        helper.make_node("Mul", ["x", "gamma"], ["a"], name="layer_scale"),
        helper.make_node("Div", ["a", "six"], ["b"], name="by_six"),
        helper.make_node("Resize", ["b", "", "scales"], ["c"], name="up", mode="nearest"),
        helper.make_node("Pad", ["c", "pads"], ["d"], name="pad"),
        helper.make_node("Split", ["d", "split"], ["e0", "e1"], name="split", axis=1),
        helper.make_node("Add", ["e1", "e1"], ["f"], name="twice"),
        helper.make_node("Reshape", ["f", "shape"], ["g"], name="rows"),
        helper.make_node("Unsqueeze", ["g", "axes"], ["y"], name="more"),
    ]
    report = convcalc.report(read_network(_saved(_model(nodes, initializers), tmp_path)))
    got = {layer.name: (list(layer.output or ()), layer.params) for layer in report.layers}
    assert got["layer_scale"] == ([1, 4, 8, 8], 4)
    assert got["by_six"] == ([1, 4, 8, 8], 0)
    assert got["up"][0] == [1, 4, 16, 16]
    assert got["pad"][0] == [1, 4, 18, 20]
    assert got["split:0"][0] == [1, 1, 18, 20]
    assert got["split:1"][0] == [1, 3, 18, 20]
    assert got["rows"][0] == [1, 3, 360]
    assert got["more"][0] == [1, 1, 3, 360]


def test_a_group_norm_as_exported_holds_only_its_affine(tmp_path: Path) -> None:
    """GroupNorm(2, 4): a Reshape, InstanceNormalization of ones and zeros, a Reshape back, then Mul and Add.

    torch counts 8 parameters (the affine); the normalization's scale and bias of the groups are
    the exporter's constants. An InstanceNormalization of the channels themselves holds 2 per channel.
    """
    floats = TensorProto.FLOAT
    initializers = [
        helper.make_tensor("grouped", TensorProto.INT64, [3], [0, 2, -1]),
        helper.make_tensor("back", TensorProto.INT64, [4], [1, 4, 8, 8]),
        helper.make_tensor("ones", floats, [2], [1.0, 1.0]),
        helper.make_tensor("zeros", floats, [2], [0.0, 0.0]),
        helper.make_tensor("weight", floats, [4, 1, 1], [1.0, 2.0, 3.0, 4.0]),
        helper.make_tensor("bias", floats, [4, 1, 1], [0.1, 0.2, 0.3, 0.4]),
        helper.make_tensor("scale", floats, [4], [1.0, 2.0, 3.0, 4.0]),
        helper.make_tensor("shift", floats, [4], [0.1, 0.2, 0.3, 0.4]),
    ]
    nodes = [
        helper.make_node("Reshape", ["x", "grouped"], ["a"], name="group"),
        helper.make_node("InstanceNormalization", ["a", "ones", "zeros"], ["b"], name="norm"),
        helper.make_node("Reshape", ["b", "back"], ["c"], name="ungroup"),
        helper.make_node("Mul", ["c", "weight"], ["d"], name="affine_scale"),
        helper.make_node("Add", ["d", "bias"], ["e"], name="affine_shift"),
        helper.make_node("InstanceNormalization", ["e", "scale", "shift"], ["y"], name="instance"),
    ]
    report = convcalc.report(read_network(_saved(_model(nodes, initializers), tmp_path)))
    got = {layer.name: (list(layer.output or ()), layer.params) for layer in report.layers}
    assert got["norm"] == ([1, 2, 128], 0)
    assert got["affine_scale"][1] + got["affine_shift"][1] == 8
    assert got["instance"] == ([1, 4, 8, 8], 8)


def test_reading_needs_no_onnx_package(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is decoded by convcalc itself: without the onnx package, stack reads it all the same."""
    monkeypatch.setitem(sys.modules, "onnx", None)
    result = run("stack", str(FOLDER / "resnet18.onnx"), "--input", "1,3,224,224", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["layers"][-1]["output"] == [1, 1000]


def test_a_truncated_file_is_not_a_model(run: Callable[..., Result], tmp_path: Path) -> None:
    """Every cut of a real file (and its bytes shuffled) is read or refused in one line: never a traceback."""
    data = (FOLDER / "squeezenet1_0.onnx").read_bytes()
    path = tmp_path / "cut.onnx"
    for end in (1, 7, 100, len(data) // 3, len(data) - 5):
        path.write_bytes(data[:end])
        result = run("stack", str(path), "--input", "1,3,224,224")
        assert result.exit_code in (0, 1, 2), end
        assert "Traceback" not in result.output
        assert "internal error" not in result.output


def test_corrupted_files_are_refused_in_a_line(tmp_path: Path) -> None:
    """Bytes of a real model changed at random: read, or refused with located lines; nothing else escapes."""
    import random

    from convcalc.core.errors import InputErrorGroup
    from convcalc.netfile.loader import network_from_data

    rng = random.Random(3)  # noqa: S311 - reproducible mutations
    data = (FOLDER / "mobilenet_v3_small.onnx").read_bytes()
    path = tmp_path / "mutated.onnx"
    said: list[str] = []
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path.write_bytes(bytes(mutated))
        try:
            network = onnx_network_data(str(path), (1, 3, 224, 224), measured_shapes)
            convcalc.report(network_from_data(network, str(path)))
        except InputErrorGroup as errors:
            said.extend(str(error) for error in errors.errors)
    assert said
    assert all("\n" not in line for line in said)


def _int64(name: str, values: list[int], dims: list[int] | None = None) -> Any:
    return helper.make_tensor(name, TensorProto.INT64, [len(values)] if dims is None else dims, values)


def _shape_nodes(source: str, axes: list[int], prefix: str) -> list[Any]:
    """Shape(source) -> Gather(axis) -> Unsqueeze for each axis, as dynamic exports compute sizes."""
    nodes = [helper.make_node("Shape", [source], [f"{prefix}shape"], name=f"{prefix}Shape")]
    for axis in axes:
        nodes += [
            helper.make_node("Constant", [], [f"{prefix}i{axis}"], value=_int64("v", [axis], [])),
            helper.make_node("Gather", [f"{prefix}shape", f"{prefix}i{axis}"], [f"{prefix}g{axis}"], axis=0),
            helper.make_node("Unsqueeze", [f"{prefix}g{axis}", "zero"], [f"{prefix}u{axis}"]),
        ]
    return nodes


def test_sizes_computed_from_shapes_are_written_as_they_mean(tmp_path: Path) -> None:
    """Shape -> Gather -> Concat into a Reshape (0, -1, unflatten, Flatten) and a Resize (`to:`), at any size."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        *_shape_nodes("c", [0, 1, 2, 3], "a"),
        helper.make_node("Div", ["ag1", "two"], ["half"]),
        helper.make_node("Concat", ["au0", "two", "half", "au2", "au3"], ["split_to"], axis=0),
        helper.make_node("Reshape", ["c", "split_to"], ["s"], name="split"),
        helper.make_node("Transpose", ["s"], ["t"], name="swap", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Concat", ["au0", "minus", "au2", "au3"], ["merge_to"], axis=0),
        helper.make_node("Reshape", ["t", "merge_to"], ["m"], name="merge"),
        helper.make_node("MaxPool", ["m"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        *_shape_nodes("c", [2, 3], "b"),
        helper.make_node("Shape", ["p"], ["pshape"]),
        helper.make_node("Slice", ["pshape", "zero", "two"], ["nc"]),
        helper.make_node("Concat", ["nc", "bu2", "bu3"], ["sizes"], axis=0),
        helper.make_node("Resize", ["p", "", "", "sizes"], ["r"], name="up", mode="nearest"),
        helper.make_node("Concat", ["au0", "minus"], ["flat_to"], axis=0),
        helper.make_node("Reshape", ["r", "flat_to"], ["y"], name="rows"),
    ]
    initializers = [
        helper.make_tensor("w", TensorProto.FLOAT, [8, 4, 3, 3], [0.0] * 288),
        _int64("zero", [0]), _int64("two", [2]), _int64("minus", [-1]),
    ]  # fmt: skip
    path = _saved(_model(nodes, initializers, dims=["N", 4, "H", "W"]), tmp_path)
    data, dynamic = onnx_import(path, (1, 4, 8, 8), measured_shapes)
    layers = {layer["name"]: layer for layer in data["layers"]}
    assert dynamic == []
    assert layers["split"] == {"name": "split", "type": "unflatten", "dim": 1, "sizes": [2, 4]}
    assert {k: layers["merge"][k] for k in ("type", "start_dim", "end_dim")} == {
        "type": "Flatten",
        "start_dim": 1,
        "end_dim": 2,
    }
    assert layers["up"]["to"] == "conv"
    assert layers["rows"]["shape"] == [0, -1]
    for shape in ((1, 4, 8, 8), (3, 4, 10, 14)):
        report = convcalc.report(network_from_data_at(data, shape))
        outputs = {layer.name: list(layer.output or ()) for layer in report.layers}
        n, _, h, w = shape
        assert outputs["split"] == [n, 2, 4, h, w]
        assert outputs["merge"] == [n, 8, h, w]
        assert outputs["up"] == [n, 8, h, w]
        assert outputs["rows"] == [n, 8 * h * w]


def network_from_data_at(data: dict[str, Any], shape: tuple[int, ...]) -> Any:
    """Read imported data at another input shape."""
    from convcalc.netfile.loader import network_from_data

    return network_from_data(data, "<import>", input_shape=shape)


def test_a_size_no_key_can_say_is_written_at_the_input_and_said(run: Callable[..., Result], tmp_path: Path) -> None:
    """A Reshape to [N, H, W, C] (no 0, one -1) and a Slice to the end of a spatial axis: numbers, said on stderr."""
    nodes = [
        *_shape_nodes("x", [0, 1, 2, 3], "a"),
        helper.make_node("Concat", ["au0", "au2", "au3", "au1"], ["to"], axis=0),
        helper.make_node("Reshape", ["x", "to"], ["r"], name="nhwc"),
        helper.make_node("Slice", ["r", "one", "big", "one"], ["y"], name="crop"),
    ]
    initializers = [_int64("zero", [0]), _int64("one", [1]), _int64("big", [2**62])]
    path = _saved(_model(nodes, initializers, dims=["N", 4, "H", "W"]), tmp_path)
    result = run("import", path, "--input", "2,4,6,10")
    assert result.exit_code == 0, result.output
    assert '{name: "nhwc", type: "Reshape", shape: [2, 6, 10, 4]}' in result.stdout
    assert '{name: "crop", type: "narrow", dim: 1, start: 1, length: 5}' in result.stdout
    said = result.stderr.strip().splitlines()
    assert len(said) == 2
    assert (
        "layer 'nhwc': sizes computed from the input's shape are written as they are at the input [2, 4, 6, 10]"
        in said[0]
    )
    assert "layer 'crop'" in said[1]
    stacked = run("stack", path, "--input", "1,4,7,9", "--format", "json")
    assert json.loads(stacked.stdout)["layers"][-1]["output"] == [1, 6, 9, 4]  # read at its own input: exact


def test_shape_arithmetic_not_followed_is_one_line(run: Callable[..., Result], tmp_path: Path) -> None:
    """A Reshape to a Range over a computed size (an index grid, not sizes): the node, its operator and why, exit 2."""
    nodes = [
        *_shape_nodes("x", [2], "a"),
        helper.make_node("Range", ["zero_s", "ag2", "one_s"], ["steps"], name="range"),
        helper.make_node("Reshape", ["x", "steps"], ["y"], name="reshape"),
    ]
    initializers = [_int64("zero", [0]), _int64("zero_s", [0], []), _int64("one_s", [1], [])]
    path = _saved(_model(nodes, initializers, dims=["N", 4, "H", "W"]), tmp_path)
    result = run("stack", path, "--input", "1,4,8,8")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "node 'reshape' (Reshape, domain ai.onnx, opset 17): its shape ('steps') is a tensor computed" in lines[0]
    assert "Traceback" not in result.output


def test_nodes_unlike_their_schema_say_what_they_lack(run: Callable[..., Result], tmp_path: Path) -> None:
    """An input, an attribute or an attribute's type missing against ONNX's schema: one line each, exit 2."""
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 4, 3, 3], [0.0] * 144)
    cases = [
        (helper.make_node("Conv", ["x"], ["y"]), "it has no input 2, which ONNX's Conv needs"),
        (
            helper.make_node("Conv", ["x", "w"], ["y"], group="two"),
            "its attribute group is a string, where ONNX's schema has an integer",
        ),
        (
            helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=2.5),
            "its attribute kernel_shape is a number with a fraction, where ONNX's schema has a list of integers",
        ),
        (
            helper.make_node("DepthToSpace", ["x"], ["y"]),
            "its attribute blocksize is missing, which ONNX's DepthToSpace needs",
        ),
        (helper.make_node("Concat", ["x", "x"], ["y"]), "its attribute axis is missing, which ONNX's Concat needs"),
        (helper.make_node("Split", ["x"], ["y"], axis=1, split=[1, 3]), "it splits into 2 pieces but has 1 outputs"),
        (helper.make_node("Pad", ["x"], ["y"], pads=[0, 0, 1]), "its pads [0, 0, 1] are not two per axis"),
    ]
    for node, message in cases:
        result = run("stack", _saved(_model([node], [weight]), tmp_path))
        assert result.exit_code == 2, (message, result.output)
        assert message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_a_fault_in_the_reader_is_not_called_bad_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The importer catches only its own not-followed error: a KeyError of its own code is a bug (exit 70)."""
    from convcalc.cli.entry import main
    from convcalc.importers import onnx_graph

    def broken(*_: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setitem(onnx_graph.READERS, "Conv", broken)
    weight = helper.make_tensor("w", TensorProto.FLOAT, [4, 4, 3, 3], [0.0] * 144)
    path = _saved(_model([helper.make_node("Conv", ["x", "w"], ["y"])], [weight]), tmp_path)
    assert main(["stack", path]) == 70
    assert "internal error in `convcalc stack` (KeyError)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("indices", "message"),
    [
        ([0, 1, 2, 3], None),
        ([0, 2, 1, 3], "a Gather other than a flat tensor laid out in a shape (as_strided) is not followed"),
    ],
    ids=["as_strided", "shuffled"],
)
def test_a_gather_that_lays_a_flat_tensor_out_is_a_reshape(
    run: Callable[..., Result], tmp_path: Path, indices: list[int], message: str | None
) -> None:
    """torch's default exporter writes ConvNeXt's as_strided as a Gather of the flat tensor by 0..n-1 in a shape."""
    nodes = [
        helper.make_node("GlobalAveragePool", ["x"], ["pooled"], name="pool"),
        helper.make_node("Reshape", ["pooled", "flat_shape"], ["flat"], name="flat", allowzero=1),
        helper.make_node("Gather", ["flat", "where"], ["y"], name="as_strided", axis=0),
    ]
    constants = [_int64("flat_shape", [-1]), _int64("where", indices, [1, 4, 1, 1])]
    result = run("stack", _saved(_model(nodes, constants, [1, 4, 8, 8]), tmp_path), "-f", "json")
    if message is None:
        assert result.exit_code == 0, result.stderr
        layers = json.loads(result.stdout)["layers"]
        assert [(layer["name"], layer["output"]) for layer in layers[-2:]] == [
            ("flat", [4]),
            ("as_strided", [1, 4, 1, 1]),
        ]
    else:
        assert result.exit_code == 2
        assert message in result.stderr


def test_weights_embedded_in_the_file_are_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4 MiB weight inside the file: its bytes are skipped by their length (what is read is the graph's)."""
    from convcalc.importers import onnx_proto

    weight = helper.make_tensor("w", TensorProto.FLOAT, [1024, 1024], bytes(4 << 20), raw=True)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="linear")]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[weight],
    )
    path = _saved(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path)
    read: list[int] = []
    plain = os.pread

    def spied(handle: int, count: int, offset: int) -> bytes:
        found = plain(handle, count, offset)
        read.append(len(found))
        return found

    monkeypatch.setattr(onnx_proto.os, "pread", spied)  # every read of the file goes through it
    report = convcalc.report(path)
    assert (report.result.output, report.result.total_params) == ((1, 8, 1024), 1024 * 1024)
    assert sum(read) < 1 << 16  # of a file of over 4 MiB
