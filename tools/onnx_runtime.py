"""What onnxruntime computes for every tensor of a graph: the fixture tools' one way of asking it."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime


def every_output_shape(
    model: onnx.ModelProto, shape: tuple[int, ...], input_name: str = "input"
) -> dict[str, list[int]]:
    """Return every node output's shape as onnxruntime computes it for an input of `shape` (zeros)."""
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    known = {output.name for output in probe.graph.output}
    for node in probe.graph.node:
        for output in node.output:
            if output and output not in known:
                probe.graph.output.append(onnx.ValueInfoProto(name=output))
                known.add(output)
    session = onnxruntime.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    values = session.run(names, {input_name: np.zeros(shape, dtype=np.float32)})
    return {name: list(np.asarray(value).shape) for name, value in zip(names, values, strict=True)}
