"""Export real models to ONNX and record what onnxruntime computes: tests/fixtures/onnx/.

Run in a virtual environment of its own:

    pip install torch==2.14.1 torchvision==0.29.1 onnx onnxruntime onnxscript
    python tools/make_onnx_fixtures.py

Each model (weights=None) is exported by torch.onnx (opset 17, the TorchScript exporter, with
the batch, height and width as dynamic axes). onnxruntime then runs it at two input sizes with
every node's output made a graph output, and the shape of every tensor is recorded, with the
number of weights each node reads from initializers (a shared one counted at each use), in
MODEL.json. The graph itself is saved as MODEL.onnx with its weights as external data that is
left out (the initializers keep their shapes), so the files stay small, as a graph without its
weights file is.
"""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime
import torch
import torchvision

ROOT = Path(__file__).parent.parent
OUT = ROOT / "tests" / "fixtures" / "onnx"
tv = torchvision.models

MODELS: dict[str, tuple[Any, tuple[tuple[int, ...], ...]]] = {
    "resnet18": (tv.resnet18, ((1, 3, 224, 224), (2, 3, 160, 192))),
    "resnet50": (tv.resnet50, ((1, 3, 224, 224), (1, 3, 320, 256))),
    "mobilenet_v3_small": (tv.mobilenet_v3_small, ((1, 3, 224, 224), (1, 3, 192, 256))),
    "squeezenet1_0": (tv.squeezenet1_0, ((1, 3, 224, 224), (1, 3, 256, 200))),
}


def export(name: str, build: Any, shape: tuple[int, ...], folder: Path) -> onnx.ModelProto:  # noqa: ANN401
    """Export a model with its weights, dynamic in N, H and W."""
    model = build(weights=None).eval()
    path = folder / f"{name}.onnx"
    axes = {0: "N", 2: "H", 3: "W"}
    torch.onnx.export(
        model,
        (torch.zeros(shape),),
        str(path),
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": axes},
        opset_version=17,
        dynamo=False,
    )
    return onnx.load(str(path))


def shapes(model: onnx.ModelProto, shape: tuple[int, ...]) -> dict[str, list[int]]:
    """Return every node output's shape as onnxruntime computes it for an input of `shape`."""
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
    values = session.run(names, {"input": np.zeros(shape, dtype=np.float32)})
    return {name: list(np.asarray(value).shape) for name, value in zip(names, values, strict=True)}


def node_weights(model: onnx.ModelProto) -> dict[str, int]:
    """Return how many weights each node reads from initializers (through Identity aliases), where any."""
    sizes = {t.name: int(np.prod(t.dims)) for t in model.graph.initializer if len(t.dims) > 0}
    counts = {}
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in sizes:
            sizes[node.output[0]] = sizes[node.input[0]]
            continue
        read = sum(sizes.get(name, 0) for name in node.input[1:] if sizes.get(name, 0) > 1)
        if read:
            counts[node.name or node.output[0]] = read
    return counts


def main() -> None:
    """Export each model, record its shapes, and save its graph without the weights."""
    warnings.filterwarnings("ignore")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (build, sizes) in MODELS.items():
        with tempfile.TemporaryDirectory() as folder:
            model = export(name, build, sizes[0], Path(folder))
            record = {
                "torch": torch.__version__.split("+")[0],
                "onnx": onnx.__version__,
                "onnxruntime": onnxruntime.__version__,
                "weights": node_weights(model),
                "sizes": {"x".join(map(str, shape)): shapes(model, shape) for shape in sizes},
            }
            weights = Path(folder) / "weights.bin"
            onnx.save(model, str(Path(folder) / "graph.onnx"), save_as_external_data=True, location=weights.name,
                      size_threshold=64)  # fmt: skip
            (OUT / f"{name}.onnx").write_bytes((Path(folder) / "graph.onnx").read_bytes())  # the weights stay behind
        (OUT / f"{name}.json").write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {len(record['sizes'][next(iter(record['sizes']))])} tensors", file=sys.stderr)


if __name__ == "__main__":
    main()
