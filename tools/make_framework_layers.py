"""Generate tests/fixtures/{keras,jax}_layers.json: random layers as each framework sizes them.

Run with the frameworks installed (pip install jax jaxlib keras):

    python tools/make_framework_layers.py [--count 320] [--seed 11]

Keras 3 answers with compute_output_shape (JAX backend), JAX with jax.eval_shape on
lax.conv_general_dilated, lax.conv_transpose and lax.reduce_window. Each case records the
layer, the input's spatial sizes and the output's, or the error. The tests need neither.
The ONNX table comes from tools/make_onnx_layers.py (onnxruntime runs every layer).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.simplefilter("ignore")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
from jax import lax  # noqa: E402

ROOT = Path(__file__).parent.parent
KINDS = ("conv", "convtranspose", "maxpool", "avgpool")


def axes(rng: random.Random, rank: int, low: int, high: int) -> list[int]:
    """Draw per-axis values, often equal across axes."""
    return [rng.randint(low, high)] * rank if rng.random() < 0.5 else [rng.randint(low, high) for _ in range(rank)]


def draw(rng: random.Random, framework: str) -> dict[str, Any]:
    """Draw one layer near the edges of what the framework accepts."""
    kind = rng.choice(KINDS)
    rank = rng.choice((1, 2, 2, 3))
    case: dict[str, Any] = {
        "framework": framework,
        "type": kind,
        "rank": rank,
        "kernel_size": axes(rng, rank, 1, 5),
        "stride": axes(rng, rank, 1, 4),
        "dilation": [1] * rank,
        "output_padding": None,
        "ceil_mode": False,
    }
    if (kind in ("conv", "convtranspose") or (kind == "maxpool" and framework != "keras")) and rng.random() < 0.5:
        case["dilation"] = axes(rng, rank, 1, 3)
    words = {
        "keras": ["valid", "same"],
        "jax": ["SAME", "SAME_LOWER", "VALID"],
    }
    if framework == "keras" or rng.random() < 0.4:
        case["padding"] = rng.choice(words[framework])
        if framework == "keras" and kind == "conv" and rank == 1 and rng.random() < 0.3:
            case["padding"] = "causal"
    else:
        low = -2 if framework == "jax" else 0
        case["padding"] = [[rng.randint(low, 3), rng.randint(low, 3)] for _ in range(rank)]
    if kind == "convtranspose" and framework != "jax" and rng.random() < 0.6:
        case["output_padding"] = axes(rng, rank, 0, 3)
    if (
        kind == "convtranspose"
        and framework == "jax"
        and isinstance(case["padding"], str)
        and case["padding"] == "SAME_LOWER"
    ):
        case["padding"] = "SAME"
    case["input"] = axes(rng, rank, 1, 6 if rank == 3 else 12)
    return case


def run_keras(case: dict[str, Any]) -> list[int]:
    """Size a layer with Keras 3's compute_output_shape (channels last)."""
    rank, kind = case["rank"], case["type"]
    L = keras.layers  # noqa: N806
    common = {"strides": case["stride"], "padding": case["padding"]}
    if kind == "conv":
        layer = getattr(L, f"Conv{rank}D")(2, case["kernel_size"], dilation_rate=case["dilation"], **common)
    elif kind == "convtranspose":
        layer = getattr(L, f"Conv{rank}DTranspose")(
            2, case["kernel_size"], dilation_rate=case["dilation"], output_padding=case["output_padding"], **common
        )
    else:
        name = "MaxPooling" if kind == "maxpool" else "AveragePooling"
        layer = getattr(L, f"{name}{rank}D")(case["kernel_size"], **common)
    shape = layer.compute_output_shape((1, *case["input"], 3))
    return [int(v) for v in shape[1:-1]]


def run_jax(case: dict[str, Any]) -> list[int]:
    """Size a layer with jax.eval_shape on the lax operations."""
    rank, kind = case["rank"], case["type"]
    padding = case["padding"] if isinstance(case["padding"], str) else [tuple(p) for p in case["padding"]]
    if kind == "conv":
        x = jax.ShapeDtypeStruct((1, 1, *case["input"]), jnp.float32)
        w = jax.ShapeDtypeStruct((1, 1, *case["kernel_size"]), jnp.float32)
        return list(
            jax.eval_shape(
                lambda x, w: lax.conv_general_dilated(x, w, case["stride"], padding, rhs_dilation=case["dilation"]),
                x,
                w,
            ).shape[2:]
        )
    if kind == "convtranspose":
        spec = ("N" + "DHW"[3 - rank :] + "C", "DHW"[3 - rank :] + "IO", "N" + "DHW"[3 - rank :] + "C")
        x = jax.ShapeDtypeStruct((1, *case["input"], 1), jnp.float32)
        w = jax.ShapeDtypeStruct((*case["kernel_size"], 1, 1), jnp.float32)

        def fn(x: Any, w: Any) -> Any:  # noqa: ANN401 - jax arrays
            return lax.conv_transpose(
                x, w, case["stride"], padding, rhs_dilation=case["dilation"], dimension_numbers=spec
            )

        return list(jax.eval_shape(fn, x, w).shape[1:-1])
    x = jax.ShapeDtypeStruct((1, 1, *case["input"]), jnp.float32)
    window = (1, 1, *case["kernel_size"])
    strides = (1, 1, *case["stride"])
    pads = padding if isinstance(padding, str) else [(0, 0), (0, 0), *padding]
    dil = (1, 1, *case["dilation"])
    return list(
        jax.eval_shape(
            lambda x: lax.reduce_window(x, -jnp.inf, lax.max, window, strides, pads, window_dilation=dil), x
        ).shape[2:]
    )


RUNNERS = {"keras": run_keras, "jax": run_jax}


def main() -> None:
    """Write one fixture file per framework."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--seed", type=int, default=11)
    options = parser.parse_args()
    versions = {"keras": keras.__version__, "jax": jax.__version__}
    for framework, runner in RUNNERS.items():
        rng = random.Random(f"{options.seed}-{framework}")
        cases = []
        for _ in range(options.count):
            case = draw(rng, framework)
            try:
                case["output"], case["error"] = runner(case), None
            except Exception as error:  # noqa: BLE001 - every framework raises its own kinds
                case["output"], case["error"] = None, str(error).splitlines()[0][:300]
            cases.append(case)
        out = ROOT / "tests" / "fixtures" / f"{framework}_layers.json"
        out.write_text(
            json.dumps({framework: versions[framework], "seed": options.seed, "cases": cases}, indent=0) + "\n"
        )
        refused = sum(c["error"] is not None for c in cases)
        print(f"{len(cases)} {framework} cases ({refused} refused) from {framework} {versions[framework]} -> {out}")


if __name__ == "__main__":
    main()
