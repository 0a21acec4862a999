"""Model files made to be slow or large to read, for the tests and benchmarks/hostile.py (needs onnx to write)."""

from __future__ import annotations

from pathlib import Path

from onnx import TensorProto, helper, save


def view_blocks(path: Path, blocks: int) -> str:
    """Write a graph of `blocks` x (Relu, Shape, Gather, Concat, Reshape to [N, -1], Reshape back); return its path.

    Each Reshape's target is computed from a tensor's shape, so reading it measures the layers so
    far once per block (`x.view(x.size(0), -1)` as torch's TorchScript exporter writes it).
    """
    nodes = []
    inits = [
        helper.make_tensor("zero", TensorProto.INT64, [1], [0]),
        helper.make_tensor("m1", TensorProto.INT64, [1], [-1]),
        helper.make_tensor("back", TensorProto.INT64, [4], [0, 2, 4, 4]),
    ]
    previous = "x"
    for i in range(blocks):
        nodes += [
            helper.make_node("Relu", [previous], [f"r{i}"], name=f"relu{i}"),
            helper.make_node("Shape", [f"r{i}"], [f"s{i}"]),
            helper.make_node("Gather", [f"s{i}", "zero"], [f"g{i}"], axis=0),
            helper.make_node("Concat", [f"g{i}", "m1"], [f"c{i}"], axis=0),
            helper.make_node("Reshape", [f"r{i}", f"c{i}"], [f"v{i}"], name=f"view{i}"),
            helper.make_node("Reshape", [f"v{i}", "back"], [f"b{i}"], name=f"back{i}"),
        ]
        previous = f"b{i}"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 4, 4])
    graph = helper.make_graph(
        nodes, "g", [x], [helper.make_tensor_value_info(previous, TensorProto.FLOAT, None)], inits
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return str(path)
