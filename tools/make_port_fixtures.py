"""Generate tests/fixtures/port_<target>.json: the code `convcalc port` writes, run in the target framework.

For every layer of the fixture tables (torch, Keras, ONNX, JAX) that convcalc can port to the
target framework, it asks convcalc for the code, runs that code on a zero tensor in the
target framework and records the shape that comes out. The tests check that the code is
still what convcalc writes and that the target's shape is the source framework's.

Run from the checkout, in an environment that has the target framework:

    python tools/make_port_fixtures.py --to torch          # pip install torch==2.13.0
    python tools/make_port_fixtures.py --to keras onnx jax  # pip install keras jax onnx onnxruntime
"""

from __future__ import annotations

import argparse
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

from convcalc.core.errors import LayerError  # noqa: E402
from convcalc.core.spec import Framework, LayerKind  # noqa: E402
from convcalc.design.port import Ported, port  # noqa: E402
from convcalc.render.code import snippet  # noqa: E402
from tools.cases import case_input, layer_from_case, load_cases  # noqa: E402

SOURCES = ("torch", "keras", "onnx", "jax")


def run_torch(code: str, ported: Ported, shape: tuple[int, ...]) -> tuple[list[int], str]:
    """Run torch.nn code on zeros (N, C, *spatial)."""
    import torch

    del ported
    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102 - the code under test, written by convcalc
    with torch.no_grad():
        out = scope["layer"](torch.zeros(*shape))
    return list(out.shape[2:]), torch.__version__


def run_keras(code: str, ported: Ported, shape: tuple[int, ...]) -> tuple[list[int], str]:
    """Run Keras 3 code on zeros (N, *spatial, C), channels last."""
    import keras
    import numpy as np

    del ported
    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102
    out = scope["layer"](np.zeros((shape[0], *shape[2:], shape[1]), "float32"))
    return [int(v) for v in out.shape[1:-1]], keras.__version__


def _weight_shape(ported: Ported, shape: tuple[int, ...]) -> tuple[int, ...]:
    layer = ported.layer
    out_channels = layer.out_channels or shape[1]
    if layer.kind is LayerKind.CONVTRANSPOSE:
        return (shape[1], out_channels // layer.groups, *layer.kernel_size)
    return (out_channels, shape[1] // layer.groups, *layer.kernel_size)


def run_onnx(code: str, ported: Ported, shape: tuple[int, ...]) -> tuple[list[int], str]:
    """Build the nodes into a graph (weight w as an initializer) and run it in onnxruntime."""
    import numpy as np
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102
    inits = []
    if not ported.layer.kind.is_pool:
        inits.append(numpy_helper.from_array(np.zeros(_weight_shape(ported, shape), "float32"), "w"))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None] * len(shape))
    graph = helper.make_graph(scope["nodes"], "ported", [x], [y], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)], ir_version=10)
    onnx.checker.check_model(model)
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    out = session.run(None, {"x": np.zeros(shape, "float32")})[0]
    return list(out.shape[2:]), f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}"


def run_jax(code: str, ported: Ported, shape: tuple[int, ...]) -> tuple[list[int], str]:
    """Run the lax function on zeros (N, C, *spatial) and a zero weight."""
    import jax
    import jax.numpy as jnp

    scope: dict[str, Any] = {}
    exec(code, scope)  # noqa: S102
    x = jnp.zeros(shape)
    weights = () if ported.layer.kind.is_pool else (jnp.zeros(_weight_shape(ported, shape)),)
    out = scope["layer"](x, *weights)
    return [int(v) for v in out.shape[2:]], jax.__version__


RUNNERS = {"torch": run_torch, "keras": run_keras, "onnx": run_onnx, "jax": run_jax}


def main() -> None:
    """Write one fixture file per target framework."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", nargs="+", choices=list(RUNNERS), required=True)
    options = parser.parse_args()
    for target in options.to:
        records: list[dict[str, Any]] = []
        failures: list[str] = []
        version = ""
        for source in SOURCES:
            for index, case in enumerate(load_cases(f"{source}_layers.json")):
                if case["error"] is not None:
                    continue
                shape = case_input(case)
                try:
                    ported = port(layer_from_case(case), shape, Framework(target))
                except LayerError:
                    continue
                code = snippet(ported, shape[1], ported.layer.out_channels or shape[1])
                try:
                    out, version = RUNNERS[target](code, ported, shape)
                except Exception as error:  # noqa: BLE001 - report every failure, then stop
                    failures.append(f"{source} case {index}: {str(error).splitlines()[-1][:200]}\n{code}")
                    continue
                if out != list(ported.output):
                    failures.append(
                        f"{source} case {index}: {target} gave {out}, convcalc {list(ported.output)}\n{code}"
                    )
                records.append({"from": source, "case": index, "python": code, "output": out})
        if failures:
            print("\n".join(failures[:12]))
            sys.exit(f"{len(failures)} ported layers failed in {target}")
        path = ROOT / "tests" / "fixtures" / f"port_{target}.json"
        path.write_text(json.dumps({"target": version, "records": records}, indent=0) + "\n")
        print(f"{len(records)} ported layers run in {target} ({version}) -> {path}")


if __name__ == "__main__":
    main()
