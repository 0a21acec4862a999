"""Generate tests/fixtures/onnx_layers.json: random ONNX layers as onnxruntime computes them.

Run with onnx and onnxruntime installed (pip install onnx onnxruntime):

    python tools/make_onnx_layers.py [--count 480] [--seed 11]
    python tools/make_onnx_layers.py --dilated-average --count 300 --out tests/fixtures/onnx_avgpool_dilations.json
    python tools/make_onnx_layers.py --lppool --count 200 --out tests/fixtures/onnx_lppool.json

Each case is one Conv, ConvTranspose, MaxPool or AveragePool node, drawn near the edges of what
the operator spec allows (pads as large as the kernel, ceil_mode, auto_pad with dilation or
output_padding, output_shape). onnxruntime runs it on zeros: `output` is the shape it computes,
`error` its refusal (at session creation or at run time). `inferred` records what ONNX shape
inference (strict mode) writes for the same node at opsets 21 and 22, a size or the error, so the
tests can check convcalc's warnings where the versions disagree. The tests need neither package.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, shape_inference

warnings.simplefilter("ignore")
ort.set_default_logger_severity(4)  # the refusals are recorded, not logged

ROOT = Path(__file__).parent.parent
KINDS = ("conv", "convtranspose", "maxpool", "avgpool")
OPSETS = (21, 22)
RUNTIME_OPSET = 21


def axes(rng: random.Random, rank: int, low: int, high: int) -> list[int]:
    """Draw per-axis values, often equal across axes."""
    return [rng.randint(low, high)] * rank if rng.random() < 0.5 else [rng.randint(low, high) for _ in range(rank)]


def draw(rng: random.Random, *, dilated_average: bool = False, lp: bool = False) -> dict[str, Any]:
    """Draw one layer near the edges of what the operator spec allows (an AveragePool with dilations, if asked)."""
    kind = "lppool" if lp else "avgpool" if dilated_average else rng.choice(KINDS)
    rank = rng.choice((1, 2, 2, 3))
    kernel = axes(rng, rank, 1, 5)
    case: dict[str, Any] = {
        "framework": "onnx",
        "type": kind,
        "rank": rank,
        "kernel_size": kernel,
        "stride": axes(rng, rank, 1, 4),
        "dilation": axes(rng, rank, 1, 3)
        if dilated_average or (kind != "avgpool" and rng.random() < 0.5)
        else [1] * rank,
        "output_padding": None,
        "ceil_mode": kind.endswith("pool") and rng.random() < 0.5,
    }
    if rng.random() < 0.4:
        case["padding"] = rng.choice(["SAME_UPPER", "SAME_LOWER", "VALID"])
    else:
        high = max(kernel) + 1 if kind.endswith("pool") else 3
        case["padding"] = [[rng.randint(0, high), rng.randint(0, high)] for _ in range(rank)]
    case["input"] = axes(rng, rank, 1, 6 if rank == 3 else 12)
    if kind == "lppool":
        case["norm_type"] = rng.choice((1, 2, 3))
    if kind == "convtranspose" and rng.random() < 0.6:
        case["output_padding"] = axes(rng, rank, 0, 3)
    if kind == "convtranspose" and rng.random() < 0.2:
        natural = [
            s * (i - 1) + d * (k - 1) + 1
            for i, k, s, d in zip(case["input"], kernel, case["stride"], case["dilation"], strict=True)
        ]
        case["output_size"] = [max(1, n + rng.randint(-3, 2)) for n in natural]
    return case


def node(case: dict[str, Any]) -> Any:  # noqa: ANN401 - an onnx NodeProto
    """Return the ONNX node a case describes, from x (and the weight w) to y."""
    kind = case["type"]
    op = {"conv": "Conv", "convtranspose": "ConvTranspose", "maxpool": "MaxPool", "avgpool": "AveragePool",
          "lppool": "LpPool"}[kind]  # fmt: skip
    attrs: dict[str, Any] = {"kernel_shape": case["kernel_size"], "strides": case["stride"]}
    if kind != "avgpool" or any(d != 1 for d in case["dilation"]):  # AveragePool's dilations: opset 19 on
        attrs["dilations"] = case["dilation"]
    if isinstance(case["padding"], str):
        attrs["auto_pad"] = case["padding"]
    else:
        attrs["pads"] = [p[0] for p in case["padding"]] + [p[1] for p in case["padding"]]
    if case["output_padding"] is not None:
        attrs["output_padding"] = case["output_padding"]
    if case.get("output_size") is not None:
        attrs["output_shape"] = case["output_size"]
    if kind.endswith("pool"):
        attrs["ceil_mode"] = int(case["ceil_mode"])
    if kind == "lppool":
        attrs["p"] = case["norm_type"]
    inputs = ["x"] if kind.endswith("pool") else ["x", "w"]
    return helper.make_node(op, inputs, ["y"], **attrs)


def model(case: dict[str, Any], opset: int) -> onnx.ModelProto:
    """Return a one-node model of the case at an opset."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, *case["input"]])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    inits = []
    if case["type"] in ("conv", "convtranspose"):
        w = [2, 2, *case["kernel_size"]]
        inits.append(helper.make_tensor("w", TensorProto.FLOAT, w, [0.0] * math.prod(w)))
    graph = helper.make_graph([node(case)], "g", [x], [y], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=10)


def first_line(error: Exception) -> str:
    """Return the reason in an error's message: the runtime's status message, or the check that failed."""
    text = " ".join(line.strip() for line in str(error).splitlines() if line.strip()) or type(error).__name__
    text = text.split("Status Message: ")[-1]
    if " was false." in text:  # an ORT_ENFORCE: its sentence, not the C++ signature and condition before it
        text = text.split(" was false.")[-1].strip()
    return text[:300]


def run_runtime(case: dict[str, Any]) -> list[int]:
    """Return the spatial output shape onnxruntime computes on zeros (raises its refusal)."""
    session = ort.InferenceSession(model(case, RUNTIME_OPSET).SerializeToString(), providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"x": np.zeros([1, 2, *case["input"]], dtype=np.float32)})
    return [int(v) for v in y.shape[2:]]


def infer(case: dict[str, Any], opset: int) -> list[int] | str:
    """Return what ONNX shape inference writes at an opset: the spatial sizes, or its error."""
    try:
        inferred = shape_inference.infer_shapes(model(case, opset), strict_mode=True)
    except Exception as error:  # noqa: BLE001 - onnx raises several kinds
        return first_line(error)
    dims = inferred.graph.output[0].type.tensor_type.shape.dim
    if not dims or any(not d.HasField("dim_value") for d in dims):
        return "no size inferred"
    return [d.dim_value for d in dims][2:]


def main() -> None:
    """Write the fixture file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=480)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "onnx_layers.json")
    parser.add_argument(
        "--dilated-average",
        action="store_true",
        help="AveragePool with dilations only (write onnx_avgpool_dilations.json)",
    )
    parser.add_argument("--lppool", action="store_true", help="LpPool only (write onnx_lppool.json)")
    options = parser.parse_args()
    variant = "-dilated-average" if options.dilated_average else "-lppool" if options.lppool else ""
    rng = random.Random(f"{options.seed}-onnxruntime{variant}")
    cases = []
    for _ in range(options.count):
        case = draw(rng, dilated_average=options.dilated_average, lp=options.lppool)
        try:
            case["output"], case["error"] = run_runtime(case), None
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own kinds
            case["output"], case["error"] = None, first_line(error)
        if case["output"] is not None and min(case["output"]) < 1:
            case["output"], case["error"] = None, f"output shape {case['output']} is empty"
        case["inferred"] = {str(opset): infer(case, opset) for opset in OPSETS}
        cases.append(case)
    out = options.out
    versions = {"onnx": onnx.__version__, "onnxruntime": ort.__version__, "opset": RUNTIME_OPSET}
    out.write_text(json.dumps({**versions, "seed": options.seed, "cases": cases}, indent=0) + "\n")
    refused = sum(c["error"] is not None for c in cases)
    differ = sum(c["inferred"][str(RUNTIME_OPSET)] != (c["output"] or c["inferred"][str(RUNTIME_OPSET)]) for c in cases)
    print(f"{len(cases)} cases ({refused} refused, {differ} where opset-21 inference differs) -> {out}")


if __name__ == "__main__":
    main()
