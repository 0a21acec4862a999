"""Generate tests/fixtures/port_values.json: ported layers compute the source layer's values, not just its shape.

Needs the four frameworks in one environment:

    pip install torch==2.13.0 keras jax onnx onnxruntime
    python tools/check_port_values.py

For every layer of the four fixture tables and every target framework convcalc ports it to,
the source layer runs in its own framework and the ported code in the target, on the same
random input and the same weights (converted to each framework's layout; no bias). The record
says how far apart the outputs are and which notes convcalc printed. The record also keeps a
digest of the code that ran. The tests check that convcalc still writes that code for every
record, that every port without a note is equal and that every difference has a note that
explains it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.simplefilter("ignore")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402
import torch  # noqa: E402
from jax import lax  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from convcalc.core.errors import LayerError  # noqa: E402
from convcalc.core.spec import Framework  # noqa: E402
from convcalc.design.port import port  # noqa: E402
from convcalc.render.code import snippet  # noqa: E402
from tools.cases import case_input, layer_from_case, load_cases  # noqa: E402
from tools.make_onnx_layers import node as onnx_node  # noqa: E402

SOURCES = ("torch", "keras", "onnx", "jax")
TOLERANCE = 1e-4
LOWEST = np.finfo(np.float32).min


def weight_of(case: dict[str, Any], shape: tuple[int, ...]) -> np.ndarray | None:
    """Random weights in torch.nn's layout: (out, in/g, *k), or (in, out/g, *k) for a transposed layer."""
    kind, groups = case["type"], case.get("groups", 1)
    if kind.endswith("pool"):
        return None
    out = case.get("out_channels") or shape[1]
    rng = np.random.default_rng(7)
    dims = (shape[1], out // groups) if kind == "convtranspose" else (out, shape[1] // groups)
    return rng.standard_normal((*dims, *case["kernel_size"])).astype("float32")


def keras_kernel(weight: np.ndarray) -> np.ndarray:
    """torch.nn's (a, b, *k) as Keras' (*k, b, a): a convolution's (*k, in/g, out), a transposed one's (*k, out, in)."""
    rank = weight.ndim - 2
    return np.transpose(weight, (*range(2, 2 + rank), 1, 0))


def to_keras(x: np.ndarray) -> np.ndarray:
    """Move channels last."""
    return np.moveaxis(x, 1, -1)


def from_keras(y: Any) -> np.ndarray:  # noqa: ANN401 - a backend array
    """Move channels first."""
    return np.moveaxis(np.asarray(y), -1, 1)


def run_onnx_nodes(nodes: list[Any], x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run nodes from x (and w) to y in onnxruntime."""
    inits = [] if weight is None else [numpy_helper.from_array(weight, "w")]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None] * x.ndim)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def source_torch(case: dict[str, Any], x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run a torch.nn table case."""
    rank, kind = case["rank"], case["type"]
    padding = case["padding"]
    padding = padding if isinstance(padding, str) else tuple(padding)
    common = {"stride": tuple(case["stride"])}
    if kind == "conv":
        module = getattr(torch.nn, f"Conv{rank}d")(
            x.shape[1], weight.shape[0], tuple(case["kernel_size"]), padding=padding,  # type: ignore[union-attr]
            dilation=tuple(case["dilation"]), groups=case.get("groups", 1), bias=False, **common,
        )  # fmt: skip
    elif kind == "convtranspose":
        module = getattr(torch.nn, f"ConvTranspose{rank}d")(
            x.shape[1], weight.shape[1] * case.get("groups", 1), tuple(case["kernel_size"]), padding=padding,  # type: ignore[union-attr]
            output_padding=tuple(case.get("output_padding") or [0] * rank), dilation=tuple(case["dilation"]),
            groups=case.get("groups", 1), bias=False, **common,
        )  # fmt: skip
    elif kind == "maxpool":
        module = getattr(torch.nn, f"MaxPool{rank}d")(
            tuple(case["kernel_size"]), padding=padding, dilation=tuple(case["dilation"]),
            ceil_mode=case.get("ceil_mode", False), **common,
        )  # fmt: skip
    else:
        module = getattr(torch.nn, f"AvgPool{rank}d")(
            tuple(case["kernel_size"]), padding=padding, ceil_mode=case.get("ceil_mode", False), **common
        )
    if weight is not None:
        module.weight.data = torch.tensor(weight)
    with torch.no_grad():
        if kind == "convtranspose" and case.get("output_size"):
            return module(torch.tensor(x), output_size=case["output_size"]).numpy()
        return module(torch.tensor(x)).numpy()


def source_keras(case: dict[str, Any], x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run a Keras table case (channels last inside)."""
    rank, kind = case["rank"], case["type"]
    layers = keras.layers
    common = {"strides": case["stride"], "padding": case["padding"]}
    if kind == "conv":
        layer = getattr(layers, f"Conv{rank}D")(
            weight.shape[0],
            case["kernel_size"],
            dilation_rate=case["dilation"],
            use_bias=False,
            **common,  # type: ignore[union-attr]
        )
    elif kind == "convtranspose":
        layer = getattr(layers, f"Conv{rank}DTranspose")(
            weight.shape[1], case["kernel_size"], dilation_rate=case["dilation"],  # type: ignore[union-attr]
            output_padding=case["output_padding"], use_bias=False, **common,
        )  # fmt: skip
    else:
        name = "MaxPooling" if kind == "maxpool" else "AveragePooling"
        layer = getattr(layers, f"{name}{rank}D")(case["kernel_size"], **common)
    if weight is not None:
        layer.build(to_keras(x).shape)
        layer.set_weights([keras_kernel(weight)])
    return from_keras(layer(to_keras(x)))


def source_onnx(case: dict[str, Any], x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run an ONNX table case in onnxruntime."""
    return run_onnx_nodes([onnx_node(case)], x, weight)


def source_jax(case: dict[str, Any], x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run a JAX table case (a transposed layer with transpose_kernel=True, as the ported code)."""
    rank, kind = case["rank"], case["type"]
    padding = case["padding"] if isinstance(case["padding"], str) else [tuple(p) for p in case["padding"]]
    spatial = "DHW"[3 - rank :]
    if kind == "conv":
        return np.asarray(
            lax.conv_general_dilated(
                jnp.array(x), jnp.array(weight), case["stride"], padding, rhs_dilation=case["dilation"]
            )
        )
    if kind == "convtranspose":
        numbers = (f"NC{spatial}", f"OI{spatial}", f"NC{spatial}")
        return np.asarray(
            lax.conv_transpose(
                jnp.array(x), jnp.array(weight), case["stride"], padding, rhs_dilation=case["dilation"],
                dimension_numbers=numbers, transpose_kernel=True,
            )
        )  # fmt: skip
    window, strides = (1, 1, *case["kernel_size"]), (1, 1, *case["stride"])
    pads = padding if isinstance(padding, str) else [(0, 0), (0, 0), *padding]
    if kind == "maxpool":
        dilation = (1, 1, *case["dilation"])
        return np.asarray(
            lax.reduce_window(jnp.array(x), -jnp.inf, lax.max, window, strides, pads, window_dilation=dilation)
        )
    total = lax.reduce_window(jnp.array(x), 0.0, lax.add, window, strides, pads)
    return np.asarray(total) / float(np.prod(case["kernel_size"]))


def run_target(code: str, target: str, x: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """Run the ported code with the same input and weights."""
    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102 - the code under test, written by convcalc
    if target == "torch":
        module = scope["layer"]
        if weight is not None:
            conv = next(m for m in module.modules() if hasattr(m, "weight"))
            conv.weight.data = torch.tensor(weight)
            if conv.bias is not None:
                conv.bias.data.zero_()
        with torch.no_grad():
            return module(torch.tensor(x)).numpy()
    if target == "keras":
        layer = scope["layer"]
        layer(to_keras(x))  # builds it
        if weight is not None:
            inner = layer.layers if isinstance(layer, keras.Sequential) else [layer]
            conv = next(item for item in inner if item.weights)
            conv.set_weights([keras_kernel(weight)] + [np.zeros(w.shape, "float32") for w in conv.get_weights()[1:]])
        return from_keras(layer(to_keras(x)))
    if target == "onnx":
        return run_onnx_nodes(scope["nodes"], x, weight)
    layer = scope["layer"]
    return np.asarray(layer(jnp.array(x)) if weight is None else layer(jnp.array(x), jnp.array(weight)))


def runtime_quirk(source: str, case: dict[str, Any]) -> str | None:
    """Name a source layer whose own runtime computes something other than its framework's rules."""
    pads = case["padding"]
    explicit = source == "jax" and not isinstance(pads, str)
    if explicit and case["type"] == "conv" and any(min(p) < 0 < max(p) for p in pads):
        return "lax.conv_general_dilated cropping one side and padding the other: values vary from run to run"
    return None


SOURCE_RUNNERS = {"torch": source_torch, "keras": source_keras, "onnx": source_onnx, "jax": source_jax}


def code_digest(written: str) -> str:
    """Return a short digest of the ported code that ran: the tests recompute it from today's code."""
    return hashlib.sha256(written.encode()).hexdigest()[:16]


def main() -> None:  # noqa: C901 - one loop over sources and targets
    """Write the fixture file."""
    records = []
    skipped = varying = 0
    quirks: dict[str, int] = {}
    rng = np.random.default_rng(11)
    for source in SOURCES:
        for index, case in enumerate(load_cases(f"{source}_layers.json")):
            if case["error"] is not None:
                continue
            shape = case_input(case)
            x = rng.standard_normal(shape).astype("float32")
            quirk = runtime_quirk(source, case)
            if quirk:
                quirks[quirk] = quirks.get(quirk, 0) + 1
                continue
            weight = weight_of(case, shape)
            try:
                expected = SOURCE_RUNNERS[source](case, x, weight)
                again = SOURCE_RUNNERS[source](case, x, weight)
            except Exception:  # noqa: BLE001 - onnxruntime refuses some layers shape inference accepts
                skipped += 1
                continue
            if not np.array_equal(expected, again, equal_nan=True):
                varying += 1  # lax.conv_general_dilated with negative padding: values vary from run to run
                continue
            if list(expected.shape[2:]) != list(case["output"][2:] if source == "torch" else case["output"]):
                skipped += 1  # the runtime sizes it differently from the framework's own shape rules
                continue
            for target in ("torch", "keras", "onnx", "jax"):
                try:
                    ported = port(layer_from_case(case), shape, Framework(target))
                except LayerError:
                    continue
                written = snippet(ported, shape[1], ported.layer.out_channels or shape[1])
                got = run_target(written, target, x, weight)
                if got.shape != expected.shape:
                    msg = f"{source} case {index} to {target}: shape {got.shape}, source {expected.shape}"
                    raise AssertionError(msg)
                # a window that reads only padding: -inf in lax and torch.nn, the lowest float in onnxruntime
                expected, got = (np.where(a <= LOWEST, -np.inf, a) for a in (expected, got))
                finite = np.isfinite(expected) & np.isfinite(got)
                same_inf = np.array_equal(np.isfinite(expected), np.isfinite(got))
                diff = float(np.abs(expected - got)[finite].max(initial=0.0)) if same_inf else float("inf")
                records.append(
                    {
                        "from": source,
                        "case": index,
                        "to": target,
                        "code": code_digest(written),
                        "max_diff": diff,
                        "notes": list(ported.notes),
                    }
                )
    versions = {
        "torch": torch.__version__,
        "keras": keras.__version__,
        "onnxruntime": onnxruntime.__version__,
        "jax": __import__("jax").__version__,
    }
    path = ROOT / "tests" / "fixtures" / "port_values.json"
    summary = {"versions": versions, "tolerance": TOLERANCE, "skipped": skipped, "varying": varying, "quirks": quirks}
    path.write_text(json.dumps({**summary, "records": records}, indent=0) + "\n")
    differ = [r for r in records if r["max_diff"] > TOLERANCE]
    unexplained = [r for r in differ if not r["notes"]]
    print(
        f"{len(records)} ports compared ({skipped} source layers the runtime refused or sized differently, "
        f"{varying} whose values vary from run to run)"
    )
    for quirk, count in quirks.items():
        print(f"  left out, {count} source layers: {quirk}")
    print(f"{len(records) - len(differ)} equal, {len(differ)} differ, {len(unexplained)} of them without a note")
    for record in unexplained[:10]:
        print("  ", record)


if __name__ == "__main__":
    main()
