"""Export small models with torch's default ONNX exporter (dynamo) and record what onnxruntime computes.

Run in a virtual environment of its own:

    pip install torch==2.13.0 onnx onnxscript onnxruntime
    python tools/make_dynamo_fixtures.py

torch.onnx.export's default exporter (torch.export, then onnxscript) writes `allowzero=1` on
every Reshape, names nodes `node_<op>_<n>`, and computes sizes as the exported program does.
Each model here is exported with that exporter, in eval mode, at one input size; onnxruntime
runs it with every node's output made a graph output, and the shape of every tensor is
recorded in tests/fixtures/onnx_dynamo/MODEL.json, with torch's parameter count (the
exporter folds a BatchNorm into the convolution before it) and FlopCounterMode's FLOPs, and
the graph saved as MODEL.onnx without its weights (external data left out).
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
import onnx.external_data_helper
import onnx.numpy_helper
import onnxruntime
import torch
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tools.onnx_runtime import every_output_shape  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "onnx_dynamo"


class Classifier(nn.Module):
    """Conv, BatchNorm, ReLU, pools, a view(x.size(0), -1) and Linear layers: the classic CNN head."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(), nn.AvgPool2d(2, ceil_mode=True),
        )  # fmt: skip
        self.head = nn.Linear(16 * 4 * 4, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Features, flattened by view, then the head."""
        y = self.features(x)
        return self.head(y.view(y.size(0), -1))


class Decoder(nn.Module):
    """Transposed convolutions, an interpolation, a reshape into groups and back, and a flatten."""

    def __init__(self) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 8, 3, stride=2, padding=1, output_padding=1)
        self.conv = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Up, conv, a channel shuffle by reshape, interpolate, flatten."""
        y = self.conv(self.up(x))
        n, c, h, w = y.shape
        y = y.reshape(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        y = nn.functional.interpolate(y, scale_factor=2, mode="nearest")
        return torch.flatten(y, 1)


class Sequence1d(nn.Module):
    """1-D convolutions and pools, then a permute and a LayerNorm over channels."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv1d(2, 6, 5, stride=2), nn.ReLU(), nn.MaxPool1d(3, stride=2, padding=1))
        self.norm = nn.LayerNorm(6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Body, then channels last for the norm."""
        return self.norm(self.body(x).permute(0, 2, 1))


def _vit() -> nn.Module:
    """examples/vit_tiny.yaml's model (tools/make_attention_fixtures.py), its parameters drawn at random.

    Random values keep every bias in the file: the exporter's optimizer drops a bias that is all
    zeros (a Linear's, initialised so) and writes identical tensors once.
    """
    from tools.make_attention_fixtures import VitTiny

    model = VitTiny()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_()
    return model


MODELS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "classifier": (Classifier, (2, 3, 32, 32)),
    "decoder": (Decoder, (1, 4, 6, 10)),
    "sequence1d": (Sequence1d, (1, 2, 64)),
    "vit": (_vit, (1, 3, 64, 64)),  # MultiheadAttention, SDPA, matmuls, a class token, x[:, 0]
}


SMALL = 64
"""Tensors of at most this many elements stay in the file (Resize's scales; convcalc reads values that small)."""
WEIGHT_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16, onnx.TensorProto.DOUBLE}


def without_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """Return the graph with its weights as external data left out.

    Integer initializers (the shapes and axes a graph computes with) and small ones stay in the
    file, as the exporter wrote them.
    """
    offset = 0
    for tensor in model.graph.initializer:
        if tensor.data_type not in WEIGHT_TYPES or np.prod(tensor.dims) <= SMALL:
            continue
        length = onnx.numpy_helper.to_array(tensor).nbytes
        for name in ("float_data", "double_data", "int32_data"):
            tensor.ClearField(name)
        tensor.raw_data = b"\0"  # set_external_data asks for a raw_data field; it is cleared next
        onnx.external_data_helper.set_external_data(tensor, location="weights.bin", offset=offset, length=length)
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        offset += length
    return model


def _counts(module: nn.Module, shape: tuple[int, ...]) -> dict[str, int]:
    """Return torch's parameters and FlopCounterMode's FLOPs (attention on its counted kernels)."""
    torch.backends.mha.set_fastpath_enabled(False)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), counter:
        module(torch.zeros(shape))
    return {"params": sum(p.numel() for p in module.parameters()), "flops": int(counter.get_total_flops())}


def main() -> None:
    """Export each model, record its shapes, and save its graph without the weights."""
    warnings.filterwarnings("ignore")
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (build, shape) in MODELS.items():
        torch.manual_seed(0)
        module = build().eval()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.onnx"
            torch.onnx.export(module, (torch.zeros(shape),), str(path), input_names=["input"], dynamo=True)
            model = onnx.load(str(path))
            record = {
                "torch": torch.__version__.split("+")[0],
                "onnx": onnx.__version__,
                "onnxruntime": onnxruntime.__version__,
                "exporter": "dynamo",
                "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                "input": list(shape),
                "allowzero_reshapes": sum(
                    1
                    for n in model.graph.node
                    for a in n.attribute
                    if n.op_type == "Reshape" and a.name == "allowzero" and a.i
                ),
                "shapes": every_output_shape(model, shape, model.graph.input[0].name),
                **_counts(module, shape),
            }
            (OUT / f"{name}.onnx").write_bytes(without_weights(model).SerializeToString())
        (OUT / f"{name}.json").write_text(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
        print(
            f"{name}: {len(record['shapes'])} tensors, {record['allowzero_reshapes']} allowzero reshapes",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
