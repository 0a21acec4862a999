"""The shape cases the frameworks' own test suites state, answered as each framework answers them.

tests/fixtures/suites/ (tools/make_suite_fixtures.py) holds ONNX's backend node tests and
shape-inference tests for Conv, ConvTranspose, MaxPool, AveragePool and LpPool, Keras 3's layer
tests for Conv, ConvTranspose, MaxPooling and AveragePooling, and PyTorch's module tests for
ConvNd, ConvTransposeNd and the pools, with the output each states. An ONNX
shape-inference case may state what inference writes where onnxruntime computes another size
(a ceil-mode pool's last window at opset 21): convcalc answers onnxruntime's size and warns
with the size inference writes.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest

from convcalc import InputErrorGroup, analyze
from convcalc.core.analysis import LayerResult, Status
from convcalc.netfile.loader import network_from_data
from tests.core.torch_cases import FIXTURES

FOLDER = FIXTURES / "suites"
ONNX = [case for name in ("onnx_backend", "onnx_shape_inference") for case in
        json.loads((FOLDER / f"{name}.json").read_text())["cases"]]  # fmt: skip
TORCH = json.loads((FOLDER / "torch_modules.json").read_text())["cases"]
KERAS = json.loads((FOLDER / "keras_layers.json").read_text())["cases"]
KERAS_OPS = json.loads((FOLDER / "keras_ops.json").read_text())["cases"]
ONNX_KEYS = ("kernel_shape", "strides", "pads", "auto_pad", "dilations", "ceil_mode", "count_include_pad", "group",
             "output_padding", "output_shape", "p")  # fmt: skip
INFERENCE = re.compile(r"ax(?:is|es) [A-Z, ]+: ONNX shape inference \(opsets? [\d and]+\) writes ([\d or]+),")

# torch.nn's constructors, positional arguments in order (torch 2.13)
SIGNATURES = {
    "Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
             "padding_mode"),
    "ConvTranspose": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
                      "bias", "dilation", "padding_mode"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    "LPPool": ("norm_type", "kernel_size", "stride", "ceil_mode"),
}  # fmt: skip


def _only_layer(data: dict[str, Any]) -> LayerResult:
    (layer,) = analyze(network_from_data(data, "suite")).layers
    return layer


def test_the_suites_are_recorded() -> None:
    """ONNX's backend and shape-inference cases and torch's module samples, every operator."""
    assert len(ONNX) >= 100
    assert len(TORCH) >= 60
    assert len(KERAS) >= 40
    assert {c["op"] for c in KERAS_OPS} == {"conv", "conv_transpose", "max_pool", "average_pool"}
    assert {c["op"] for c in ONNX} == {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"}
    assert {re.sub(r"\dd$", "", c["module"]) for c in TORCH} == set(SIGNATURES)


@pytest.mark.parametrize("case", ONNX, ids=[f"{c['suite'].split()[1]}-{c['name']}" for c in ONNX])
def test_onnx_suite_case(case: dict[str, Any]) -> None:
    """onnxruntime's answer (its size or its refusal); where the suite states another size, a warning says it.

    Every backend node test states what onnxruntime computes. A shape-inference test states what
    inference writes, which differs from onnxruntime for 14 of the 47: dilated SAME pools
    (inference pads for the dilated kernel), pads not smaller than the kernel, SAME with dilation
    in a Conv, a SAME MaxPool whose padding would be negative, and ConvTranspose output_shapes
    onnxruntime finds inconsistent; convcalc warns with inference's size or refuses as
    onnxruntime refuses.
    """
    attributes = case["attributes"]
    layer: dict[str, Any] = {"type": case["op"], **{k: v for k, v in attributes.items() if k in ONNX_KEYS}}
    if case["weight"] is not None:
        weight = case["weight"]
        groups = int(attributes.get("group", 1))
        layer["out_channels"] = weight[0] if case["op"] == "Conv" else weight[1] * groups
        layer.setdefault("kernel_shape", weight[2:])
    if layer.get("auto_pad") == "NOTSET":
        del layer["auto_pad"]
    result = _only_layer({"framework": "onnx", "input": case["input"], "layers": [layer]})
    runtime = case["runtime"]
    if isinstance(runtime, str):  # onnxruntime refuses the node
        assert result.status is Status.INVALID, runtime
        assert case["suite"] == "onnx shape inference tests"
        return
    assert result.status is Status.OK, result.error
    assert list(result.output or ()) == runtime
    if case["output"] != runtime:
        written = {int(size) for warning in result.warnings for found in INFERENCE.findall(warning)
                   for size in found.split(" or ")}  # fmt: skip
        differing = [stated for stated, got in zip(case["output"], runtime, strict=True) if stated != got]
        assert differing, case["output"]
        assert set(differing) <= written, (case["output"], result.warnings)


def _torch_layer(case: dict[str, Any]) -> dict[str, Any]:
    module = case["module"]
    base = module[:-2]
    keys = dict(zip(SIGNATURES[base], case["args"], strict=False)) | case["kwargs"]
    keys.pop("return_indices", None)
    keys.pop("divisor_override", None)
    return {"type": module, **{k: v for k, v in keys.items() if v is not None}}


@pytest.mark.parametrize("case", TORCH, ids=[c["name"] for c in TORCH])
def test_torch_module_case(case: dict[str, Any]) -> None:
    """torch's own answer for each sample of its module tests (an unbatched input gets a batch of 1)."""
    rank = int(case["module"][-2])
    shape = case["input"] if len(case["input"]) == rank + 2 else [1, *case["input"]]
    layer = _torch_layer(case)
    try:
        result = _only_layer({"input": shape, "layers": [layer]})
    except InputErrorGroup:  # a constructor torch refuses too
        result = None
    if result is None:
        assert case["error"] is not None
        return
    if case["error"] is not None:
        assert result.status is Status.INVALID, case["error"]
        return
    assert result.status is Status.OK, result.error
    assert list(result.output or ())[-len(case["output"]) :] == case["output"]


def test_the_signatures_are_torchs() -> None:
    """The positional orders above are torch.nn's (checked when torch is installed)."""
    torch = pytest.importorskip("torch")
    for base, names in SIGNATURES.items():
        parameters = list(inspect.signature(getattr(torch.nn, f"{base}2d")).parameters)
        assert tuple(parameters[: len(names)]) == names, base


KERAS_SHAPE_KEYS = {"filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "output_padding",
                    "pool_size", "use_bias"}  # fmt: skip
"""The arguments of Keras' layers that decide shapes (or parameters); the rest (initializers, LoRA) do not."""


def _channels_first(shape: list[int]) -> list[int]:
    return [shape[0], shape[-1], *shape[1:-1]]


@pytest.mark.parametrize("case", KERAS, ids=[c["name"] for c in KERAS])
def test_keras_layer_case(case: dict[str, Any]) -> None:
    """The output each Keras layer test expects (channels-last shapes read channels first)."""
    kwargs = dict(case["kwargs"])
    last = kwargs.pop("data_format", "channels_last") != "channels_first"
    kwargs = {
        key: value for key, value in kwargs.items() if key in KERAS_SHAPE_KEYS and value is not None
    }  # None: Keras' default
    shape = _channels_first(case["input"]) if last else case["input"]
    result = _only_layer({"framework": "keras", "input": shape, "layers": [{"type": case["layer"], **kwargs}]})
    assert result.status is Status.OK, result.error
    expected = _channels_first(case["output"]) if last else case["output"]
    assert list(result.output or ()) == expected


OPS_SIGNATURES = {  # keras.ops' arguments after the input (and the kernel), in order
    "conv": ("strides", "padding", "data_format", "dilation_rate"),
    "conv_transpose": ("strides", "padding", "output_padding", "data_format", "dilation_rate"),
    "max_pool": ("pool_size", "strides", "padding", "data_format"),
    "average_pool": ("pool_size", "strides", "padding", "data_format"),
}


@pytest.mark.parametrize("case", KERAS_OPS, ids=[c["name"] for c in KERAS_OPS])
def test_keras_ops_case(case: dict[str, Any]) -> None:
    """keras.ops' shape for each call of its tests.

    Convolutions by lax's rules (a stride with a dilation is allowed), transposed convolutions
    and pools by Keras' (`--framework jax` and `keras`, as README says).
    """
    op = case["op"]
    given = dict(zip(OPS_SIGNATURES[op], case["args"], strict=False)) | case["kwargs"]
    last = given.get("data_format") in (None, "channels_last")
    rank = len(case["input"]) - 2
    layer: dict[str, Any] = {"padding": str(given.get("padding", "valid")).lower()}
    if op in ("conv", "conv_transpose"):
        kernel = case["kernel"]
        layer |= {"type": "conv" if op == "conv" else "convtranspose", "kernel_size": kernel[:rank],
                  "out_channels": kernel[-1] if op == "conv" else kernel[-2]}  # fmt: skip
        layer |= {"stride": given.get("strides", 1), "dilation": given.get("dilation_rate", 1)}
        if given.get("output_padding") is not None:
            layer["output_padding"] = given["output_padding"]
    else:
        pool = given["pool_size"]
        layer |= {"type": "maxpool" if op == "max_pool" else "avgpool", "kernel_size": pool}
        layer["stride"] = given.get("strides") or pool
    framework = "jax" if op == "conv" else "keras"
    shape = _channels_first(case["input"]) if last else case["input"]
    result = _only_layer({"framework": framework, "input": shape, "layers": [layer]})
    assert result.status is Status.OK, result.error
    assert list(result.output or ()) == (_channels_first(case["output"]) if last else case["output"])
