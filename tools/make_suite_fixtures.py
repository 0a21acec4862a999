"""Record the single-layer shape cases the frameworks' own test suites state: tests/fixtures/suites/.

Run in a virtual environment of its own:

    pip install torch==2.13.0 onnx==1.17.0 onnxruntime expecttest parameterized pytest
    python tools/make_suite_fixtures.py [--onnx-tests PATH/onnx/test/shape_inference_test.py]

and, for Keras' tests, in another (the layer test files of a Keras checkout in a folder):

    pip install keras jax jaxlib pytest absl-py
    KERAS_BACKEND=jax python tools/make_suite_fixtures.py --keras-tests FOLDER

Each ONNX case also records what onnxruntime computes for the node (`runtime`: the output
shape, or its refusal), which is what convcalc's ONNX rules answer.

- `onnx_backend.json`: ONNX's backend node tests (onnx.backend.test.case.node) for Conv,
  ConvTranspose, MaxPool, AveragePool and LpPool: each test's model and the output it states.
- `onnx_shape_inference.json`: ONNX's shape-inference tests for those operators (onnx's
  onnx/test/shape_inference_test.py, shipped in the onnx 1.17 wheel), run with their assertion
  replaced by a recorder: the node, its input shapes and the output shape each test states.
- `keras_layers.json`: Keras 3's layer tests for Conv, ConvTranspose, MaxPooling and
  AveragePooling (conv_test.py, conv_transpose_test.py, max_pooling_test.py,
  average_pooling_test.py): each run_layer_test's layer, arguments, input and expected output.
- `keras_ops.json`: keras.ops' shape tests (ops/nn_test.py) for conv, conv_transpose,
  max_pool and average_pool: each call's input, kernel, arguments and the shape it gives.
- `torch_modules.json`: PyTorch's module tests (torch.testing._internal.common_modules) for
  ConvNd, ConvTransposeNd, MaxPoolNd, AvgPoolNd and LPPoolNd: each sample's constructor
  arguments and input, and the shape the module gives (or the error it raises).

The tests read the files with no framework installed (tests/core/test_framework_suites.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
OUT = ROOT / "tests" / "fixtures" / "suites"
OPERATORS = ("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool")
MODULES = tuple(
    f"{base}{rank}d" for base in ("Conv", "ConvTranspose", "MaxPool", "AvgPool", "LPPool") for rank in (1, 2, 3)
)


def _attributes(node: Any) -> dict[str, Any]:  # noqa: ANN401 - an onnx NodeProto
    import onnx

    values = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    plain = {name: value.decode() if isinstance(value, bytes) else value for name, value in values.items()}
    return {name: value if isinstance(value, int | float | str) else list(value) for name, value in plain.items()}


def _dims(value_info: Any) -> list[int] | None:  # noqa: ANN401
    dims = value_info.type.tensor_type.shape.dim
    if not dims or any(not d.HasField("dim_value") for d in dims):
        return None
    return [d.dim_value for d in dims]


def runtime(case: dict[str, Any]) -> list[int] | str:
    """Return what onnxruntime computes for a case's node on zeros (its output shape), or its refusal."""
    import numpy as np
    import onnxruntime
    from onnx import TensorProto, helper

    onnxruntime.set_default_logger_severity(4)
    inputs = ["x"] + (["w"] if case["weight"] else [])
    node = helper.make_node(case["op"], inputs, ["y"], **case["attributes"])
    weights = []
    if case["weight"]:
        weights = [helper.make_tensor("w", TensorProto.FLOAT, case["weight"], [0.0] * int(np.prod(case["weight"])))]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, case["input"])
    graph = helper.make_graph([node], "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", case["opset"] or 21)], ir_version=10)
    try:
        session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        (y,) = session.run(None, {"x": np.zeros(case["input"], dtype=np.float32)})[:1]
    except Exception as error:  # noqa: BLE001 - onnxruntime raises its own kinds
        return str(error).split("Status Message: ")[-1].splitlines()[0][:200]
    return [int(v) for v in y.shape]


def _opset(model: Any) -> int:  # noqa: ANN401
    return next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)


def onnx_backend() -> list[dict[str, Any]]:
    """Return ONNX's backend node tests for the window operators: node, input shapes, the output stated."""
    import onnx.backend.test.case.node as node_cases

    cases = []
    for case in node_cases.collect_testcases(None):
        graph = case.model.graph
        nodes = [n for n in graph.node if n.op_type in OPERATORS]
        if len(graph.node) != 1 or not nodes:
            continue
        (node,) = nodes
        inputs, outputs = case.data_sets[0]
        cases.append({
            "suite": "onnx backend node tests",
            "name": case.name,
            "op": node.op_type,
            "opset": _opset(case.model),
            "attributes": _attributes(node),
            "input": list(inputs[0].shape),
            "weight": list(inputs[1].shape) if node.op_type in ("Conv", "ConvTranspose") else None,
            "output": list(outputs[0].shape),
            "error": None,
        })  # fmt: skip
    return cases


def onnx_shape_inference(path: Path) -> list[dict[str, Any]]:
    """Return the cases ONNX's shape-inference tests state for the window operators, by running them."""
    spec = importlib.util.spec_from_file_location("onnx_shape_inference_test", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    helper_class = module.TestShapeInferenceHelper
    recorded: list[tuple[str, Any, list[Any], dict[str, Any]]] = []
    current = [""]

    def record(self: Any, graph: Any, vis: list[Any], **kwargs: Any) -> None:  # noqa: ANN401, ARG001
        recorded.append((current[0], graph, vis, kwargs))

    helper_class._assert_inferred = record  # noqa: SLF001 - the suite's own assertion, replaced by a recorder
    suite = module.TestShapeInference
    names = sorted(n for n in dir(suite) if n.startswith("test_") and any(w in n for w in ("conv", "pool")))
    for name in names:
        current[0] = name
        try:
            getattr(suite(name), name)()
        except Exception as error:  # noqa: BLE001 - a test that expects a refusal asserts it itself
            print(f"{name}: {type(error).__name__}", file=sys.stderr)
    cases = []
    for name, graph, vis, kwargs in recorded:
        nodes = [n for n in graph.node if n.op_type in OPERATORS]
        if len(nodes) != 1:
            continue
        (node,) = nodes
        shapes = {v.name: _dims(v) for v in [*graph.value_info, *graph.input]}
        expected = {v.name: _dims(v) for v in vis}
        out = expected.get(node.output[0])
        inputs = [shapes.get(name) for name in node.input]
        kernel = _attributes(node).get("kernel_shape")
        if len(inputs) > 1 and inputs[1] is None and kernel:  # a weight of open spatial sizes: the kernel's
            weight = next(v for v in [*graph.value_info, *graph.input] if v.name == node.input[1])
            channels = [d.dim_value for d in weight.type.tensor_type.shape.dim][:2]
            inputs[1] = [*channels, *kernel] if all(channels) else None
        if out is None or not inputs or inputs[0] is None:
            continue
        opsets = kwargs.get("opset_imports") or []
        cases.append({
            "suite": "onnx shape inference tests",
            "name": name,
            "op": node.op_type,
            "opset": next((o.version for o in opsets if o.domain in ("", "ai.onnx")), None),
            "attributes": _attributes(node),
            "input": inputs[0],
            "weight": inputs[1] if node.op_type in ("Conv", "ConvTranspose") and len(inputs) > 1 else None,
            "output": out,
            "error": None,
        })  # fmt: skip
    return cases


KERAS_LAYERS = {f"{base}{rank}D" for base in ("Conv", "MaxPooling", "AveragePooling") for rank in (1, 2, 3)}
KERAS_LAYERS |= {f"Conv{rank}DTranspose" for rank in (1, 2, 3)}
KERAS_TESTS = ("conv_test.py", "conv_transpose_test.py", "max_pooling_test.py", "average_pooling_test.py")


def keras_layers(folder: Path) -> list[dict[str, Any]]:
    """Return the cases Keras 3's layer tests state (run_layer_test's class, arguments, input and output shapes).

    `folder` holds the test files of a Keras checkout (keras/src/layers/convolutional and
    pooling); each test runs with run_layer_test replaced by a recorder, on the JAX backend.
    """
    from keras.src import testing

    recorded: list[dict[str, Any]] = []

    def record(self: Any, layer_cls: Any, init_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> None:  # noqa: ANN401, ARG001
        name = layer_cls.__name__
        if name in KERAS_LAYERS and kwargs.get("input_shape") and kwargs.get("expected_output_shape"):
            recorded.append({
                "suite": "keras layer tests",
                "name": f"{current[0]}-{len(recorded)}",
                "layer": name,
                "kwargs": {k: _plain(v) for k, v in (init_kwargs or {}).items()},
                "input": list(kwargs["input_shape"]),
                "output": list(kwargs["expected_output_shape"]),
                "error": None,
            })  # fmt: skip

    testing.TestCase.run_layer_test = record
    current = [""]
    for file in KERAS_TESTS:
        spec = importlib.util.spec_from_file_location(f"keras_suite_{file[:-3]}", folder / file)
        if spec is None or spec.loader is None:
            raise SystemExit(f"cannot load {folder / file}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for case_class in [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, testing.TestCase)]:
            for method in sorted(n for n in dir(case_class) if n.startswith("test_")):
                current[0] = f"{file[:-8]}.{method}"
                try:
                    getattr(case_class(method), method)()
                except BaseException as error:  # noqa: BLE001 - tests of other things may fail or skip here
                    print(f"{method}: {type(error).__name__}", file=sys.stderr)
    return recorded


KERAS_OPS = ("conv", "conv_transpose", "max_pool", "average_pool")


def keras_ops(folder: Path) -> list[dict[str, Any]]:
    """Return the calls keras.ops' shape tests make of conv, conv_transpose, max_pool and average_pool.

    nn_test.py's static- and dynamic-shape tests run with those functions wrapped: each call on
    symbolic tensors of known sizes is recorded with the shape keras.ops gives (which the test
    then asserts).
    """
    from keras.src.ops import nn

    recorded: list[dict[str, Any]] = []
    current = [""]

    def wrapped(name: str, original: Any) -> Any:  # noqa: ANN401
        def call(inputs: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
            out = original(inputs, *args, **kwargs)
            kernel = args[0] if name.startswith("conv") and args else None
            shapes = [list(getattr(t, "shape", ())) for t in (inputs, kernel, out) if t is not None]
            if all(None not in shape for shape in shapes) and hasattr(out, "shape"):
                recorded.append({
                    "suite": "keras.ops tests",
                    "name": f"{current[0]}-{len(recorded)}",
                    "op": name,
                    "input": shapes[0],
                    "kernel": shapes[1] if kernel is not None else None,
                    "args": [_plain(a) for a in args[1 if kernel is not None else 0 :]],
                    "kwargs": {k: _plain(v) for k, v in kwargs.items()},
                    "output": shapes[-1],
                    "error": None,
                })  # fmt: skip
            return out

        return call

    for name in KERAS_OPS:
        setattr(nn, name, wrapped(name, getattr(nn, name)))
    spec = importlib.util.spec_from_file_location("keras_suite_nn_test", folder / "nn_test.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {folder / 'nn_test.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for class_name in ("NNOpsStaticShapeTest", "NNOpsDynamicShapeTest"):
        case_class = getattr(module, class_name)
        for method in ("test_conv", "test_conv_transpose", "test_max_pool", "test_average_pool"):
            current[0] = f"{class_name}.{method}"
            try:
                getattr(case_class(method), method)()
            except BaseException as error:  # noqa: BLE001 - a test of other things may fail; its calls are recorded
                print(f"{current[0]}: {type(error).__name__}: {error}", file=sys.stderr)
    return recorded


def _plain(value: Any) -> Any:  # noqa: ANN401 - a constructor argument
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def torch_modules() -> list[dict[str, Any]]:
    """Return PyTorch's module test samples for the window modules: arguments, input, and torch's own answer."""
    import torch
    from torch.testing._internal.common_modules import module_db

    cases = []
    for info in module_db:
        cls = info.module_cls
        if cls.__name__ not in MODULES:
            continue
        samples = info.module_inputs_func(info, device="cpu", dtype=torch.float32, requires_grad=False, training=False)
        for number, sample in enumerate(samples):
            args, kwargs = sample.constructor_input.args, dict(sample.constructor_input.kwargs)
            forward = sample.forward_input.args
            if (
                not forward
                or not isinstance(forward[0], torch.Tensor)
                or any(not isinstance(v, int | float | bool | str | tuple | list) for v in [*args, *kwargs.values()])
            ):
                continue
            case = {
                "suite": "torch module tests",
                "name": f"{cls.__name__}-{number}",
                "module": cls.__name__,
                "args": _plain(list(args)),
                "kwargs": {k: _plain(v) for k, v in kwargs.items()},
                "input": list(forward[0].shape),
            }
            try:
                with warnings.catch_warnings(), torch.no_grad():
                    warnings.simplefilter("ignore")
                    out = cls(*args, **kwargs)(*forward, **sample.forward_input.kwargs)
                    out = out[0] if isinstance(out, tuple) else out  # return_indices: the values, then the indices
                case |= {"output": list(out.shape), "error": None}
            except (RuntimeError, ValueError, TypeError) as error:
                case |= {"output": None, "error": str(error).splitlines()[0][:200]}
            cases.append(case)
    return cases


def main() -> None:
    """Write each suite's cases that its framework can run here."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnx-tests", type=Path, help="onnx/test/shape_inference_test.py (from the onnx 1.17 wheel)")
    parser.add_argument("--keras-tests", type=Path, help="a folder with Keras' conv and pooling *_test.py files")
    options = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore")
    written: dict[str, Any] = {}
    if not options.keras_tests:
        written |= {"onnx_backend.json": onnx_backend, "torch_modules.json": torch_modules}
    if options.keras_tests:  # in a Keras environment of its own (KERAS_BACKEND=jax)
        written["keras_layers.json"] = lambda: keras_layers(options.keras_tests)
        written["keras_ops.json"] = lambda: keras_ops(options.keras_tests)
    if options.onnx_tests:
        written["onnx_shape_inference.json"] = lambda: onnx_shape_inference(options.onnx_tests)
    for file, make in written.items():
        cases = make()
        for case in cases if file.startswith("onnx") else ():
            case["runtime"] = runtime(case)
        (OUT / file).write_text(json.dumps({"cases": cases}, indent=0, sort_keys=True) + "\n")
        print(f"{file}: {len(cases)} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
