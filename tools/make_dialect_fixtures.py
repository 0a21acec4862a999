"""Generate tests/fixtures/dialect_layers.json: the layers around convolutions as Keras, ONNX and JAX size them.

Run with the frameworks installed (pip install onnx keras jax jaxlib):

    python tools/make_dialect_fixtures.py [--count 60] [--seed 14]

Each case is one layer of a `framework: keras|onnx|jax` network file (its type and keys as
that framework names them) on a random input, with the output shape the framework gives, or
None where it refuses: ONNX by strict shape inference of a one-node model, Keras 3 by
compute_output_shape on the channels-last input (written back channels-first, as convcalc
shows Keras shapes), JAX by jax.eval_shape of the jax.numpy function.
"""

from __future__ import annotations

import argparse
import functools
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
import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dialect_layers.json"


def _onnx_shape(op: str, attributes: dict[str, Any], shapes: list[list[int]], extra: list[Any]) -> list[int] | None:
    """Return ONNX's inferred output shape of one node (opset 21), or None where inference refuses."""
    inputs = [helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, s) for i, s in enumerate(shapes)]
    names = [f"x{i}" for i in range(len(shapes))]
    initializers = []
    for i, value in enumerate(extra):  # Reshape's shape, the reductions' axes: inputs in opset 21
        name = f"c{i}"
        initializers.append(helper.make_tensor(name, TensorProto.INT64, [len(value)], value))
        names.append(name)
    node = helper.make_node(op, names, ["y"], **attributes)
    graph = helper.make_graph([node], "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              initializer=initializers)  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    except Exception:  # noqa: BLE001 - any refusal of inference
        return None
    (out,) = inferred.graph.output
    dims = out.type.tensor_type.shape.dim
    if not dims or any(not d.HasField("dim_value") or d.dim_value < 1 for d in dims):
        return None
    return [d.dim_value for d in dims]


def onnx_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:  # noqa: C901 - one branch an operator
    """Random ONNX nodes: Transpose, Reshape, Flatten, Concat, reductions, global pools, depth and space."""
    cases = []
    for _ in range(count):
        rank = rng.randint(1, 3)
        shape = [1, rng.choice((2, 4, 8, 12)), *(rng.choice((2, 3, 4, 6)) for _ in range(rank))]
        op = rng.choice(("Transpose", "Reshape", "Flatten", "Concat", "ReduceMean", "ReduceMax", "GlobalAveragePool",
                         "GlobalMaxPool", "DepthToSpace", "SpaceToDepth", "LayerNormalization"))  # fmt: skip
        layer: dict[str, Any] = {"type": op}
        attributes: dict[str, Any] = {}
        extra: list[Any] = []
        shapes = [shape]
        if op == "Transpose":
            perm = rng.sample(range(len(shape)), len(shape))
            layer["perm"] = attributes["perm"] = perm
        elif op == "Reshape":
            wanted = rng.choice(([0, 0, -1], [0, -1], [1, -1], [0, 0, 2, -1], [-1], [0, 3, -1]))
            layer["shape"] = wanted
            extra = [wanted]
        elif op == "Flatten":
            layer["axis"] = attributes["axis"] = rng.randint(-len(shape), len(shape))
        elif op == "Concat":
            layer["axis"] = attributes["axis"] = rng.choice((1, -1, 2))
            shapes = [shape, shape]
        elif op in ("ReduceMean", "ReduceMax"):
            axes = rng.sample(range(len(shape)), rng.randint(1, len(shape) - 1))
            layer["axes"] = axes
            keep = rng.choice((0, 1, None))
            if keep is not None:
                layer["keepdims"] = attributes["keepdims"] = keep
            extra = [axes]
        elif op in ("DepthToSpace", "SpaceToDepth"):
            if rank != 2:
                shape = [1, shape[1], 4, 6]
                shapes = [shape]
            layer["blocksize"] = attributes["blocksize"] = rng.choice((1, 2, 3))
        elif op == "LayerNormalization":
            layer["axis"] = attributes["axis"] = rng.randint(-len(shape), len(shape) - 1)
            extra_inputs = shape[attributes["axis"] % len(shape) :]
            shapes = [shape, extra_inputs, extra_inputs]
        output = _onnx_shape(op, attributes, shapes, extra)
        inputs = len(shapes) if op == "Concat" else 1
        cases.append({"framework": "onnx", "input": shape, "layer": layer, "inputs": inputs, "output": output})
    return cases


def keras_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Random Keras layers: Concatenate, global pools, UpSampling, LayerNormalization (channels-last inside)."""
    cases = []
    for _ in range(count):
        rank = rng.randint(1, 3)
        spatial = [rng.choice((2, 3, 5, 8)) for _ in range(rank)]
        channels = rng.choice((2, 4, 8))
        kind = rng.choice(
            ("Concatenate", "GlobalAveragePooling", "GlobalMaxPooling", "UpSampling", "LayerNormalization")
        )
        layer: dict[str, Any] = {}
        args: dict[str, Any] = {}
        inputs = 1
        if kind == "Concatenate":
            layer["type"] = "Concatenate"
            axis = rng.choice((-1, 1, rank + 1, None))
            if axis is not None:
                layer["axis"] = args["axis"] = axis
            inputs = 2
            built = keras.layers.Concatenate(**args)
        elif kind.startswith("Global"):
            layer["type"] = f"{kind}{rank}D"
            if rng.random() < 0.5:
                layer["keepdims"] = args["keepdims"] = True
            built = getattr(keras.layers, layer["type"])(**args)
        elif kind == "UpSampling":
            layer["type"] = f"UpSampling{rank}D"
            size = [rng.randint(1, 3) for _ in range(rank)]
            layer["size"] = args["size"] = size if rank > 1 else size[0]
            if rank == 2 and rng.random() < 0.5:
                layer["interpolation"] = args["interpolation"] = "bilinear"
            built = getattr(keras.layers, layer["type"])(**args)
        else:
            layer["type"] = "LayerNormalization"
            axis = rng.choice((-1, 1, [1, -1], None))
            if axis is not None:
                layer["axis"] = args["axis"] = axis
            built = keras.layers.LayerNormalization(**args)
        shape = (1, *spatial, channels)
        try:
            out = built.compute_output_shape([shape, shape] if inputs == 2 else shape)
            out = list(out)
            built.build([shape, shape] if inputs == 2 else shape)
            params = int(built.count_params())
            output: list[int] | None = [out[0], out[-1], *out[1:-1]] if len(out) > 2 else out
        except Exception:  # noqa: BLE001 - any refusal
            output, params = None, 0
        cases.append({"framework": "keras", "input": [1, channels, *spatial], "layer": layer, "inputs": inputs,
                      "output": output, "params": params})  # fmt: skip
    return cases


def jax_cases(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Random jax.numpy calls: transpose, concatenate, mean, max."""
    cases = []
    for _ in range(count):
        rank = rng.randint(1, 3)
        shape = [1, rng.choice((2, 4)), *(rng.choice((2, 3, 5)) for _ in range(rank))]
        kind = rng.choice(("transpose", "concatenate", "mean", "max"))
        layer: dict[str, Any] = {"type": kind}
        x = jax.ShapeDtypeStruct(tuple(shape), jnp.float32)
        inputs = 1
        if kind == "transpose":
            layer["axes"] = rng.sample(range(len(shape)), len(shape))
            fn = functools.partial(jnp.transpose, axes=layer["axes"])
        elif kind == "concatenate":
            layer["axis"] = rng.choice((0, 1, -1))
            inputs = 2
            fn = functools.partial(lambda a, axis: jnp.concatenate([a, a], axis=axis), axis=layer["axis"])
        else:
            layer["axis"] = rng.sample(range(len(shape)), rng.randint(1, len(shape) - 1))
            layer["keepdims"] = rng.random() < 0.5
            fn = functools.partial(getattr(jnp, kind), axis=tuple(layer["axis"]), keepdims=layer["keepdims"])

        try:
            output: list[int] | None = list(jax.eval_shape(fn, x).shape)
        except Exception:  # noqa: BLE001 - any refusal
            output = None
        cases.append({"framework": "jax", "input": shape, "layer": layer, "inputs": inputs, "output": output})
    return cases


def main() -> None:
    """Write the fixture file."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [*onnx_cases(rng, args.count), *keras_cases(rng, args.count), *jax_cases(rng, args.count)]
    versions = {"onnx": onnx.__version__, "keras": keras.__version__, "jax": jax.__version__}
    OUT.write_text(json.dumps({"versions": versions, "cases": cases}, indent=1) + "\n")
    print(f"{len(cases)} cases ({versions}) -> {OUT}")


if __name__ == "__main__":
    main()
