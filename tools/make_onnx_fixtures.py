"""Export real models to ONNX and record what onnxruntime computes: tests/fixtures/onnx/.

Run in a virtual environment of its own:

    pip install torch==2.14.1 torchvision==0.29.1 onnx onnxruntime onnxscript
    python tools/make_onnx_fixtures.py

    python tools/make_onnx_fixtures.py [MODEL ...]

The models are resnet18 and the 19 real models of tools/make_model_fixtures.py (classifiers,
segmentation, a detection backbone with its FPN, a video model, a mask head, two timm models),
at the input sizes of tests/fixtures/torch_models.json. Each model (weights=None) is exported
by torch.onnx (opset 17, the TorchScript exporter, in eval mode, so BatchNorm is folded into
the convolution before it; the batch and the spatial axes dynamic: the graph computes its
Reshape targets and Resize sizes from shapes). onnxruntime then runs it at two input sizes with
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
sys.path.insert(0, str(ROOT))

from tools.make_model_fixtures import MODELS as REAL_MODELS  # noqa: E402
from tools.onnx_runtime import every_output_shape  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "onnx"
tv = torchvision.models

MODELS: dict[str, tuple[Any, tuple[tuple[int, ...], ...]]] = {
    "resnet18": (lambda: tv.resnet18(weights=None), ((1, 3, 224, 224), (2, 3, 160, 192))),
    **{name: (build, sizes) for name, (build, sizes, _) in REAL_MODELS.items()},
}


def export(build: Any, shape: tuple[int, ...], folder: Path, *, spatial: bool = True) -> onnx.ModelProto:  # noqa: ANN401
    """Export a model with its weights, dynamic in the batch and (when `spatial`) the spatial axes."""
    model = build().eval()
    path = folder / "model.onnx"
    axes = {0: "N", **({axis: f"S{axis - 2}" for axis in range(2, len(shape))} if spatial else {})}
    with torch.no_grad():
        outputs = model(torch.zeros(shape))
    count = len(outputs) if isinstance(outputs, (tuple, list, dict)) else 1
    torch.onnx.export(
        model,
        (torch.zeros(shape),),
        str(path),
        input_names=["input"],
        output_names=[f"output{i}" for i in range(count)] if count > 1 else ["output"],
        dynamic_axes={"input": axes},
        opset_version=17,
        dynamo=False,
    )
    return onnx.load(str(path))


def node_weights(model: onnx.ModelProto) -> dict[str, int]:
    """Return how many weights each node reads from initializers (through Identity aliases), where any.

    A BatchNormalization's running mean and variance are buffers, not parameters (as torch counts).
    """
    sizes = {t.name: int(np.prod(t.dims)) for t in model.graph.initializer if len(t.dims) > 0}
    counts = {}
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in sizes:
            sizes[node.output[0]] = sizes[node.input[0]]
            continue
        inputs = node.input[:3] if node.op_type == "BatchNormalization" else node.input  # running stats: buffers
        read = sum(sizes.get(name, 0) for name in inputs if sizes.get(name, 0) > 1)
        if read:
            counts[node.name or node.output[0]] = read
    return counts


def main(argv: list[str]) -> None:
    """Export each model (or those named), record its shapes, and save its graph without the weights."""
    warnings.filterwarnings("ignore")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (build, all_sizes) in MODELS.items():
        sizes = all_sizes
        if argv and name not in argv:
            continue
        with tempfile.TemporaryDirectory() as folder:
            try:
                model = export(build, sizes[0], Path(folder))
            except torch.onnx.errors.OnnxExporterError as error:  # VGG's AdaptiveAvgPool2d((7, 7)): a fixed size
                print(f"{name}: exported at its first size only ({str(error).splitlines()[0][:90]})", file=sys.stderr)
                model = export(build, sizes[0], Path(folder), spatial=False)
                sizes = sizes[:1]
            record = {
                "torch": torch.__version__.split("+")[0],
                "onnx": onnx.__version__,
                "onnxruntime": onnxruntime.__version__,
                "weights": node_weights(model),
                "sizes": {"x".join(map(str, shape)): every_output_shape(model, shape) for shape in sizes},
            }
            weights = Path(folder) / "weights.bin"
            onnx.save(model, str(Path(folder) / "graph.onnx"), save_as_external_data=True, location=weights.name,
                      size_threshold=64)  # fmt: skip
            (OUT / f"{name}.onnx").write_bytes((Path(folder) / "graph.onnx").read_bytes())  # the weights stay behind
        (OUT / f"{name}.json").write_text(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
        print(f"{name}: {len(record['sizes'][next(iter(record['sizes']))])} tensors", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
