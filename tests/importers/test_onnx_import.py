"""ONNX models read as network files: every tensor's shape as onnxruntime computes it, weights as the graph holds them.

The fixtures (tests/fixtures/onnx/) come from tools/make_onnx_fixtures.py: torchvision models
exported by torch.onnx with dynamic N, H and W, run by onnxruntime 1.32 at two sizes, and
saved without their weights file.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import convcalc
from convcalc.importers.onnx_graph import onnx_network_data
from convcalc.netfile.loader import load_network, read_network
from tests.core.torch_cases import FIXTURES

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

if TYPE_CHECKING:
    from typer.testing import Result

FOLDER = FIXTURES / "onnx"
MODELS = ("resnet18", "resnet50", "mobilenet_v3_small", "squeezenet1_0")


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
        layer = layers.get(node.name or node.output[0])
        if layer is None:  # a constant, folded into the layers that read it
            assert node.op_type in ("Identity", "Constant")
            continue
        assert list(layer.output or ()) == record["sizes"][size][node.output[0]], layer.name
        assert (layer.params or 0) == record["weights"].get(layer.name, 0), layer.name
        compared += 1
    return compared


@pytest.mark.parametrize(("model", "size"), _sizes())
def test_every_tensor_as_onnxruntime_computes_it(model: str, size: str) -> None:
    """Shapes at two input sizes (the graph's axes are dynamic), and each node's weights."""
    shape = tuple(int(v) for v in size.split("x"))
    report = convcalc.report(read_network(str(FOLDER / f"{model}.onnx"), input_shape=shape))
    assert not [layer.error for layer in report.layers if layer.error]
    assert _compare(report, model, size) >= 45


@pytest.mark.parametrize("model", MODELS)
def test_the_imported_file_reads_back_the_same(model: str) -> None:
    """`convcalc import` writes a file that `stack` reads to the same shapes as the ONNX file itself."""
    from convcalc.netfile.writer import data_yaml  # noqa: PLC0415

    size = next(iter(_record(model)["sizes"]))
    shape = tuple(int(v) for v in size.split("x"))
    data = onnx_network_data(str(FOLDER / f"{model}.onnx"), shape)
    report = convcalc.report(load_network(data_yaml(data), f"{model}.yaml"))
    assert _compare(report, model, size) >= 45


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
    import random  # noqa: PLC0415

    from convcalc.core.errors import InputErrorGroup  # noqa: PLC0415
    from convcalc.netfile.loader import network_from_data  # noqa: PLC0415

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
            convcalc.report(network_from_data(onnx_network_data(str(path), (1, 3, 224, 224)), str(path)))
        except InputErrorGroup as errors:
            said.extend(str(error) for error in errors.errors)
    assert said
    assert all("\n" not in line for line in said)
