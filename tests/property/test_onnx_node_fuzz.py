"""Drawn ONNX nodes of every operator convcalc reads, each unlike its schema in some way.

Inputs left out or of the wrong kind, attributes missing, of another type or out of range,
input tensors of every rank: the importer catches only its own not-followed error, so each
node must be read or refused in one line (an InputErrorGroup), never raise anything else.
"""

from __future__ import annotations

import contextlib
import os
from math import prod
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc.core.errors import ConvcalcError
from convcalc.importers import onnx_graph
from convcalc.importers.onnx_shapes import SHAPE_OPERATORS
from convcalc.netfile.loader import PrefixMeasure, measured_shapes

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper  # noqa: E402

pytestmark = pytest.mark.slow  # thousands of graphs

OPERATORS = sorted(
    onnx_graph.WINDOWS
    | {"LRN", *(name.capitalize() for name in onnx_graph.SHAPE_KEEPING)}
    | onnx_graph.ELEMENTWISE
    | onnx_graph.REDUCTIONS
    | onnx_graph.REARRANGING
    | onnx_graph.GLOBAL_POOLS
    | set(SHAPE_OPERATORS)
    | {"Gemm", "MatMul", "Resize", "Upsample", "Pad", "Split", "Slice", "Concat", "PRelu", "Constant", "Gather"}
)
INTS = st.lists(st.integers(-3, 9), min_size=1, max_size=8)  # helper cannot type an empty list
ATTRIBUTES = {
    name: st.one_of(INTS, st.integers(-9, 9), st.sampled_from(["x", "DCR", "nearest", "linear", "cubic"]), st.just(2.5))
    for name in onnx_graph.ATTRIBUTE_TYPES
}
CONSTANTS = {  # name: (dims, element type)
    "w": ([4, 4, 3, 3], TensorProto.FLOAT),
    "v": ([8], TensorProto.FLOAT),
    "m": ([8, 5], TensorProto.FLOAT),
    "c": ([2], TensorProto.INT64),
    "c4": ([4], TensorProto.INT64),
    "e": ([0], TensorProto.INT64),
    "z": ([], TensorProto.INT64),
}
TENSORS = st.sampled_from(["a", "x", "", "nowhere", *CONSTANTS])
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1500")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


@st.composite
def graphs(draw: st.DrawFn) -> bytes:
    """One node after a first (Relu, Shape, Identity or Flatten of the input), constants beside them."""
    op = draw(st.sampled_from(OPERATORS))
    inputs = ["a", *draw(st.lists(TENSORS, max_size=5))]
    attributes: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(sorted(ATTRIBUTES)), max_size=3, unique=True)):
        attributes[name] = draw(ATTRIBUTES[name])
    outputs = ["y", *(f"y{i}" for i in range(draw(st.integers(0, 2))))]
    node = helper.make_node(op, inputs, outputs, **attributes)
    first = helper.make_node(draw(st.sampled_from(["Relu", "Shape", "Identity", "Flatten"])), ["x"], ["a"])
    dims = draw(st.sampled_from([[4], [1, 4], [1, 4, 8], [1, 4, 8, 8], [1, 4, 8, 8, 8], [1, 4, 1, 1], [2, 3, 5, 7]]))
    constants = []
    for name, (shape, kind) in CONSTANTS.items():
        values = draw(st.lists(st.integers(-1, 8), min_size=prod(shape), max_size=prod(shape)))
        constants.append(
            helper.make_tensor(name, kind, shape, [float(v) for v in values] if kind == TensorProto.FLOAT else values)
        )
    graph = helper.make_graph(
        [first, node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=constants,
    )
    opset = draw(st.sampled_from([11, 13, 17, 18]))
    return bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString())


@FUZZ
@given(graphs())
def test_a_node_unlike_its_schema_is_read_or_refused_in_a_line(data: bytes) -> None:
    with contextlib.suppress(ConvcalcError):  # refused in a line: what the test allows
        onnx_graph.onnx_import("drawn.onnx", None, PrefixMeasure(measured_shapes), data)
