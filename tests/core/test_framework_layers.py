"""Keras 3, ONNX and JAX: convcalc's dialects agree with each framework on every case of its table.

ONNX's table has two more parts: AveragePool with dilations (opset 19 on) and LpPool.

The ONNX table is what onnxruntime 1.32 computes; each of its cases also records what ONNX shape
inference writes at opsets 21 and 22, and convcalc must warn exactly where that differs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from convcalc import NetworkSpec, Status, analyze
from tests.core.torch_cases import layer_from_case, load_cases

CASES = [
    case
    for name in ("keras_layers", "onnx_layers", "onnx_avgpool_dilations", "onnx_lppool", "jax_layers")
    for case in load_cases(f"{name}.json")
]


def test_tables_are_large_and_mixed() -> None:
    """At least 300 layers per framework, every kind."""
    for name in ("keras", "onnx", "jax"):
        cases = [c for c in CASES if c["framework"] == name]
        assert len(cases) >= 300
        assert {c["type"] for c in cases} >= {"conv", "convtranspose", "maxpool", "avgpool"}
    onnx = [c for c in CASES if c["framework"] == "onnx"]
    assert sum(c["type"] == "avgpool" and max(c["dilation"]) > 1 for c in onnx) >= 200
    assert sum(c["type"] == "lppool" and c["error"] is None for c in onnx) >= 50


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['framework']}-{i}-{c['type']}{c['rank']}d" for i, c in enumerate(CASES)]
)
def test_layer_matches_its_framework(case: dict[str, Any]) -> None:
    """The output size, or a refusal, as the framework itself gives."""
    layer = layer_from_case(case)
    (result,) = analyze(NetworkSpec(input=(1, 2, *case["input"]), layers=(layer,))).layers
    if case["error"] is None:
        assert result.status is Status.OK, result.error
        assert case["output"] == list((result.output or ())[2:])
    else:
        assert result.status is Status.INVALID, f"{case['framework']} refused: {case['error']}"


ONNX_RUN = [
    case for case in CASES if case["framework"] == "onnx" and case["error"] is None and not case.get("output_size")
]
INFERENCE_NOTE = re.compile(
    r"ax(?:is|es) ([A-Z, ]+): ONNX shape inference \(opsets? ([\d and]+)\) writes ([\d or]+), "
    r"onnxruntime 1\.32 computes (\d+) \(.+\)"
)


def _inference_notes(warnings: tuple[str, ...], names: str) -> dict[str, tuple[set[int], set[int], int]]:
    """Read the shape-inference warnings: per axis, the opsets, the sizes they write and what the runtime computes."""
    found: dict[str, tuple[set[int], set[int], int]] = {}
    for warning in warnings:
        match = INFERENCE_NOTE.fullmatch(warning)
        assert match or "shape inference" not in warning, warning
        if match:
            opsets = {int(v) for v in match[2].split(" and ")}
            sizes = {int(v) for v in match[3].split(" or ")}
            for axis in match[1].split(", "):
                assert axis in names
                found[axis] = (opsets, sizes, int(match[4]))
    return found


@pytest.mark.parametrize("case", ONNX_RUN, ids=[f"onnx-{c['type']}{c['rank']}d-{c['input']}" for c in ONNX_RUN])
def test_onnx_warns_where_shape_inference_writes_another_size(case: dict[str, Any]) -> None:
    """Where an opset's shape inference writes another size than onnxruntime computes, a warning says so.

    It names the axis, the opsets and their sizes; no other axis has one.
    """
    (result,) = analyze(NetworkSpec(input=(1, 2, *case["input"]), layers=(layer_from_case(case),))).layers
    names = "DHW"[3 - case["rank"] :] if case["rank"] > 1 else "L"
    expected = {}
    for axis, out in enumerate(case["output"]):
        other = {int(opset): sizes[axis] for opset, sizes in case["inferred"].items() if sizes[axis] != out}
        if other:
            expected[names[axis]] = (set(other), set(other.values()), out)
    assert _inference_notes(result.warnings, names) == expected


def test_onnx_table_covers_every_difference() -> None:
    """The table holds the cases the rules were read from: refusals, and both kinds of inference difference."""
    onnx = [case for case in CASES if case["framework"] == "onnx"]
    assert sum(case["error"] is not None for case in onnx) >= 100
    differ = [case for case in ONNX_RUN if any(sizes != case["output"] for sizes in case["inferred"].values())]
    assert {case["type"] for case in differ} >= {"maxpool", "avgpool", "convtranspose"}
    assert any(case["inferred"]["21"] != case["inferred"]["22"] for case in differ)


RunJson = Any


@pytest.mark.parametrize(
    ("args", "output", "padding"),
    [
        (["conv", "-i", "7", "-k", "4", "-s", "2", "-p", "same", "--framework", "keras"], [4, 4], [[1, 2], [1, 2]]),
        (["conv", "-i", "7", "-k", "4", "-s", "2", "-p", "SAME", "--framework", "tf"], [4, 4], [[1, 2], [1, 2]]),
        (
            ["conv", "-i", "7", "-k", "4", "-s", "2", "-p", "same_lower", "--framework", "onnx"],
            [4, 4],
            [[2, 1], [2, 1]],
        ),
        (
            ["conv", "--dims", "1", "-i", "7", "-k", "3", "-s", "2", "-p", "causal", "--framework", "keras"],
            [4],
            [[2, 0]],
        ),
        (["conv", "--dims", "1", "-i", "7", "-k", "3", "-p", "-2:-1", "--framework", "jax"], [2], [[-2, -1]]),
        (["conv", "-i", "7x9", "-k", "3", "-p", "1:2x0:1"], [8, 8], [[1, 2], [0, 1]]),
        (["convt", "-i", "3", "-k", "3", "-s", "2", "--framework", "keras"], [7, 7], [[0, 0], [0, 0]]),
        (["convt", "-i", "3", "-k", "3", "-s", "2", "-p", "same", "--framework", "keras"], [6, 6], [[0, 1], [0, 1]]),
        (["pool", "--dims", "1", "-i", "32", "-k", "1", "-s", "2", "--ceil", "--framework", "onnx"], [16], [[0, 0]]),
        (
            ["convt", "-i", "7x11", "-k", "3x4", "-s", "2x3", "-p", "SAME_UPPER", "-a", "1x2", "--framework", "onnx"],
            [14, 33],
            [[1, 1], [1, 2]],
        ),
        (["conv", "--dims", "1", "-i", "1", "-k", "3", "--framework", "jax"], [0], [[0, 0]]),
    ],
)
def test_framework_flag(run_json: RunJson, args: list[str], output: list[int], padding: list[list[int]]) -> None:
    """--framework applies that framework's rules; every padding word and before:after pairs are read."""
    code, data = run_json(*args)
    assert code == 0
    assert data["output"][2:] == output
    assert data["layers"][0]["padding"] == padding


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["conv", "-i", "7", "-k", "3", "-p", "1", "--framework", "keras"],
            "convcalc: error: --padding: Keras takes padding 'valid', 'same' or 'causal'; numbers need a ZeroPadding layer before it",
        ),
        (
            ["conv", "-i", "7", "-k", "3", "-p", "-1:0", "--framework", "onnx"],
            "convcalc: error: --padding: pads must not contain negative values (ONNX)",
        ),
        (
            ["conv", "-i", "7", "-k", "3", "-p", "causal", "--framework", "keras"],
            "convcalc: error: --padding: causal padding is for Conv1D only (Keras)",
        ),
        (
            ["convt", "-i", "7", "-k", "3", "-a", "1", "--framework", "jax"],
            "convcalc: error: --output-padding: lax.conv_transpose has no output_padding: give the padding pairs instead",
        ),
        (
            ["conv", "-i", "7", "-k", "3", "--framework", "caffe"],
            "convcalc: error: --framework: expected torch, keras (or tf), onnx or jax, got 'caffe'",
        ),
        (
            ["conv", "-i", "7", "-k", "3", "-p", "same_lower"],
            "convcalc: error: --padding: torch.nn takes padding 'same' or 'valid', not 'same_lower'",
        ),
        (
            ["conv", "-i", "7", "-k", "3", "-p", "1:x"],
            "convcalc: error: --padding: expected before:after per axis, such as 1:2 or 1:2x0:1, got '1:x'",
        ),
    ],
)
def test_framework_input_errors(run: Any, args: list[str], message: str) -> None:
    """What a framework does not take at all is malformed input: exit 2, one line."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_framework_refusals_exit_1(run: Any) -> None:
    """A framework's own refusal: exit 1 and its reason."""
    result = run("conv", "-i", "9", "-k", "3", "-s", "2", "-d", "2", "--framework", "keras")
    assert result.exit_code == 1
    assert "`strides > 1` not supported in conjunction with `dilation_rate > 1` (Keras)" in result.stderr
    result = run("convt", "-i", "3", "-k", "3", "-s", "2", "-a", "2", "--framework", "keras")
    assert result.exit_code == 1
    assert "`output_padding` must be strictly less than `strides` (Keras): 2 >= 2" in result.stderr


def test_framework_key_in_files(tmp_path: Any, run: Any) -> None:
    """A network file's `framework:` applies to every layer; the table says whose rules it shows."""
    path = tmp_path / "net.yaml"
    path.write_text(
        "framework: keras\ninput: [1, 3, 7, 7]\nlayers:\n"
        "  - {type: conv, kernel_size: 4, stride: 2, padding: same, expect: [1, 3, 4, 4]}\n"
        "  - {type: convtranspose, kernel_size: 3, stride: 2, padding: same, expect: [1, 3, 8, 8]}\n"
    )
    result = run("stack", str(path))
    assert result.exit_code == 0
    assert "keras rules (shapes shown channels first; Keras' own layout is channels last)" in result.stdout
    path.write_text("framework: caffe\ninput: [1, 3, 7, 7]\nlayers: []\n")
    result = run("stack", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{path}:1:12: framework: expected torch, keras (or tf), onnx or jax, got 'caffe'\n"


def test_framework_names_in_files() -> None:
    """Keras and ONNX files may use their own names: filters, strides, pool_size; kernel_shape, pads, auto_pad."""
    from convcalc.netfile.loader import load_network

    keras_text = (
        "framework: keras\ninput: [1, 3, 7, 7]\nlayers:\n"
        "  - {type: Conv2D, filters: 8, kernel_size: 4, strides: 2, padding: same}\n"
        "  - {type: MaxPooling2D, pool_size: 2, padding: same}\n"
        "  - {type: Conv2DTranspose, filters: 3, kernel_size: 3, strides: 2, padding: same}\n"
    )
    result = analyze(load_network(keras_text, "keras.yaml"))
    assert [layer.output for layer in result.layers] == [(1, 8, 4, 4), (1, 8, 2, 2), (1, 3, 4, 4)]
    onnx_text = (
        "framework: onnx\ninput: [1, 3, 7, 7]\nlayers:\n"
        "  - {type: Conv, kernel_shape: [3, 3], strides: [2, 2], pads: [0, 1, 1, 2], group: 1}\n"
        "  - {type: MaxPool, kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1}\n"
        "  - {type: ConvTranspose, kernel_shape: [2, 2], strides: [2, 2], auto_pad: SAME_UPPER}\n"
        "  - {type: AveragePool, kernel_shape: [2, 2], pads: [0, 0, 1, 1], auto_pad: NOTSET}\n"
    )
    result = analyze(load_network(onnx_text, "onnx.yaml"))
    # the AveragePool gives no strides: ONNX's default is 1 (onnxruntime 1.32: [1, 3, 4, 4]), not the kernel
    assert [layer.output for layer in result.layers] == [(1, 3, 3, 4), (1, 3, 2, 2), (1, 3, 4, 4), (1, 3, 4, 4)]
    assert result.layers[0].padding == ((0, 1), (1, 2))
