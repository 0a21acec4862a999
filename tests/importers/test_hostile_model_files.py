"""Model files made to break the readers: each is one line and exit 2, never an internal error or a hang."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from convcalc import InputErrorGroup
from convcalc.importers import keras_archive
from convcalc.importers.keras_config import keras_import, keras_network_data
from convcalc.importers.onnx_graph import onnx_import
from tests.core.torch_cases import FIXTURES

KERAS = FIXTURES / "keras"
CONFIG = json.loads(zipfile.ZipFile(KERAS / "vgg16_top.keras").read("config.json"))


def _archive(config: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("config.json", config)
    return buffer.getvalue()


def _refusal(data: bytes) -> str:
    with pytest.raises(InputErrorGroup) as caught:
        keras_import("m.keras", None, None, data)
    (error,) = caught.value.errors
    return str(error)


def test_an_encrypted_config_is_refused() -> None:
    """The encryption bit set on config.json (local header and central directory): refused, not RuntimeError."""
    data = bytearray(_archive(json.dumps(CONFIG).encode()))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flags_at
        data[at : at + 2] = struct.pack("<H", struct.unpack("<H", data[at : at + 2])[0] | 1)
    assert _refusal(bytes(data)) == "m.keras: config.json is encrypted: a .keras file's is not"


def test_a_zip_bomb_is_refused_by_its_declared_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """A config declaring more than the limit is refused before a byte is expanded."""
    monkeypatch.setattr(keras_archive, "MAX_CONFIG_BYTES", 10_000)
    bomb = _archive(b" " * 50_000, zipfile.ZIP_BZIP2)
    assert _refusal(bomb) == "m.keras: config.json would expand to 50,000 bytes, over the 10,000 read"


def test_a_zip_bomb_that_lies_about_its_size_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The central directory says 100 bytes; expanding stops one byte past the limit, whatever follows."""
    monkeypatch.setattr(keras_archive, "MAX_CONFIG_BYTES", 10_000)
    data = bytearray(_archive(b" " * 50_000, zipfile.ZIP_BZIP2))
    at = data.index(b"PK\x01\x02") + 24  # the central directory's uncompressed size
    data[at : at + 4] = struct.pack("<I", 100)
    assert _refusal(bytes(data)).startswith("m.keras: ")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\0" * 40,
        _archive(b"{}")[:-30],
        _archive(json.dumps(CONFIG).encode())[:200] + b"\0" * 200 + _archive(json.dumps(CONFIG).encode())[400:],
        _archive(b"\xff\xfe not utf-8"),
        _archive(b"[" * 100_000 + b"]" * 100_000),
    ],
    ids=["header only", "truncated", "bytes zeroed", "not utf-8", "nested 100,000 deep"],
)
def test_malformed_archives_are_one_line(data: bytes) -> None:
    """Broken archives and configs: one error naming the file."""
    assert _refusal(data).startswith("m.keras: ")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("config", "layers", 1, "inbound_nodes"), 3.5),
        (("config", "layers", 1, "inbound_nodes", 0), {"args": [{"config": {"keras_history": [1]}}]}),
        (("config", "layers"), [1, 2]),
        (("config", "layers", 2, "config"), "conv"),
        (("config", "layers", 0, "config", "batch_shape"), [None, "same", 3, 3]),
    ],
)
def test_configs_of_the_wrong_form_are_one_line(path: tuple[object, ...], value: object) -> None:
    """A value of another JSON type than Keras writes: one line, on the model or the layer."""
    config = json.loads(json.dumps(CONFIG))
    place = config
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    with pytest.raises(InputErrorGroup) as caught:
        keras_network_data(config, "m.json", None)
    assert all(str(error).startswith("m.json: ") for error in caught.value.errors)


def test_an_onnx_double_sent_as_a_varint_is_not_a_model() -> None:
    """TensorProto.double_data (field 10) as a varint: 'not an ONNX model', not a TypeError."""
    tensor = bytes([0x50, 0x07])  # field 10, wire type 0, value 7
    initializer = bytes([0x2A, len(tensor)]) + tensor  # GraphProto.initializer (field 5)
    graph = bytes([0x3A, len(initializer)]) + initializer  # ModelProto.graph (field 7)
    with pytest.raises(InputErrorGroup) as caught:
        onnx_import("m.onnx", None, None, graph)
    assert str(caught.value.errors[0]).startswith("m.onnx: not an ONNX model")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["model.onnx", "model.keras"])
@pytest.mark.parametrize("command", ["stack", "import"])
def test_a_fifo_or_device_named_as_a_model_is_refused_at_once(tmp_path: Path, name: str, command: str) -> None:
    """A FIFO named .onnx/.keras would block; /dev/zero behind such a name would fill memory."""
    os.mkfifo(tmp_path / name)
    (tmp_path / f"zero-{name}").symlink_to("/dev/zero")
    for file, kind in ((name, "a FIFO (named pipe)"), (f"zero-{name}", "a device")):
        done = subprocess.run(
            [sys.executable, "-m", "convcalc", command, file],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=tmp_path,
            check=False,
        )
        assert (done.returncode, done.stderr) == (2, f"{file}: is {kind}, not a file\n")


def _control_flow_files() -> dict[str, tuple[Any, str]]:
    """Graphs whose Loop, If, sequences and constants convcalc does not follow: each with the refusal expected."""
    from onnx import TensorProto, helper

    ints, floats, booleans = TensorProto.INT64, TensorProto.FLOAT, TensorProto.BOOL
    turn_inputs = [
        helper.make_tensor_value_info("i", ints, []),
        helper.make_tensor_value_info("c", booleans, []),
        helper.make_tensor_sequence_value_info("s", floats, None),
    ]
    turn_outputs = [helper.make_tensor_value_info("c", booleans, []), helper.make_tensor_value_info("r", floats, None)]
    relu_body = helper.make_graph([helper.make_node("Relu", ["x"], ["r"])], "b", turn_inputs, turn_outputs)
    branch = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["a"])], "t", [], [helper.make_tensor_value_info("a", floats, None)]
    )
    count = [helper.make_tensor("n", ints, [], [2]), helper.make_tensor("t", booleans, [], [True])]
    zero = helper.make_tensor("zero", ints, [], [0])
    empty = helper.make_node("SequenceEmpty", [], ["e"])
    loop = [
        empty,
        helper.make_node("Loop", ["n", "t", "e"], ["seq"], name="loop", body=relu_body),
        helper.make_node("SequenceAt", ["seq", "zero"], ["y"]),
    ]
    branching = [
        helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
        helper.make_node("Greater", ["s", "zf"], ["c"]),
        helper.make_node("If", ["c"], ["y"], name="branch", then_branch=branch, else_branch=branch),
    ]
    inserting = [
        empty,
        helper.make_node("SequenceInsert", ["e", "x", "zero"], ["s"], name="insert"),
        helper.make_node("SequenceAt", ["s", "zero"], ["y"]),
    ]
    splitting = [
        helper.make_node("Split", ["table"], ["a", "b"], name="split", axis=7),
        helper.make_node("Add", ["x", "a"], ["y"]),
    ]
    return {
        "loop": (
            (loop, [*count, zero]),
            "node 'loop' (Loop, domain ai.onnx, opset 18): in a Loop: a Relu of these operands is not followed",
        ),
        "if": (
            (branching, [helper.make_tensor("zf", floats, [], [0.0])]),
            (
                "node 'branch' (If, domain ai.onnx, opset 18): its condition ('c') is computed from the data, not "
                "from constants or shapes"
            ),
        ),
        "scatter": (
            (
                [helper.make_node("ScatterND", ["x", "idx"], ["y"], name="scatter")],
                [helper.make_tensor("idx", ints, [1, 1], [0])],
            ),
            (
                "node 'scatter' (ScatterND, domain ai.onnx, opset 18): a scatter into a constant, or without "
                "updates, is not followed"
            ),
        ),
        "insert": (
            (inserting, [zero]),
            (
                "node 'insert' (SequenceInsert, domain ai.onnx, opset 18): an insertion at a position is not "
                "followed (convcalc follows appending)"
            ),
        ),
        "split": (
            (splitting, [helper.make_tensor("table", floats, [6], [0.0] * 6)]),
            "node 'split' (Split, domain ai.onnx, opset 18): axis 7 is out of range for a constant of shape [6]",
        ),
    }


@pytest.mark.parametrize("case", ["loop", "if", "scatter", "insert", "split"])
def test_control_flow_not_followed_is_one_line_and_exit_2(run: Any, tmp_path: Path, case: str) -> None:
    """A Loop whose turn is not slicing, an If on data, a scatter without updates: one line each, exit 2."""
    from onnx import TensorProto, helper

    (nodes, initializers), message = _control_flow_files()[case]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        initializer=initializers,
    )
    path = tmp_path / f"{case}.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]).SerializeToString())
    result = run("stack", str(path))
    assert result.exit_code == 2
    assert f"{path}: {message}" in result.stderr.splitlines()
    assert "Traceback" not in result.output
