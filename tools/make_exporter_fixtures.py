"""Export a U-Net and a model of two images with torch's older TorchScript exporter; record torch's outputs.

Run in an environment with torch and onnx (tools/make_onnx_fixtures.py's):

    python tools/make_exporter_fixtures.py

The U-Net (examples/torch/mymodels.py's, four channels wide) pads each upsampled tensor by its
size difference from the skip connection
(`F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])`), which the TorchScript exporter
writes as sizes computed from shapes: a ConstantOfShape of zeros, the pairs viewed as rows of
two, reversed by a Slice with step -1, transposed and flattened into Pad's pads. It is exported
at opset 17 with its batch, height and width open, graph only (its weights' values left out), into
tests/fixtures/onnx_exporters/unet_torchscript.onnx; torch's output shape at several inputs,
its parameters and the file's (the exporter folds each BatchNorm into the convolution before
it) go to unet_torchscript.json. TwoImages (two images of one size and a map of its own) goes
beside it. tests/importers/test_onnx_exporters.py reads them without torch.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import warnings
from pathlib import Path

import onnx
import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "onnx_exporters"
SIZES = ((1, 3, 31, 47), (2, 3, 64, 64), (1, 3, 100, 57), (1, 3, 35, 19))


def _graph_only(written: bytes) -> onnx.ModelProto:
    """Return an export without its weights' values (float initializers over 1 kB emptied) or torch's version."""
    proto = onnx.load_from_string(written)
    for tensor in proto.graph.initializer:
        if tensor.data_type == onnx.TensorProto.FLOAT and len(tensor.raw_data) > 1024:
            tensor.ClearField("raw_data")
    proto.producer_version = ""
    return proto


def _unet() -> nn.Module:
    """Return examples/torch/mymodels.py's U-Net (the milesial U-Net as people write it), four channels wide."""
    spec = importlib.util.spec_from_file_location("mymodels", ROOT / "examples" / "torch" / "mymodels.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(spec)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.UNet(width=4).eval()


class TwoImages(nn.Module):
    """Two images of one size through encoders of their own, added, and a map of its own size beside."""

    def __init__(self) -> None:
        super().__init__()
        self.left = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.right = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.head = nn.Conv2d(4, 6, 3, padding=1)
        self.hint = nn.Linear(2 * 8 * 10, 6)

    def forward(self, left: torch.Tensor, right: torch.Tensor, hint: torch.Tensor) -> torch.Tensor:
        """Join the images' features, pool them, add the hint's."""
        pooled = self.head(self.left(left) + self.right(right)).mean(dim=(2, 3))
        return pooled + self.hint(hint.flatten(1))


def export_two_images() -> None:
    """Export TwoImages with its images' batch, height and width open (the hint's fixed) and record torch's outputs."""
    model = TwoImages().eval()
    image, hint = (1, 3, 32, 40), (1, 2, 8, 10)
    axes = {0: "batch", 2: "height", 3: "width"}
    path = OUT / "two_images_torchscript.onnx"
    written = io.BytesIO()
    torch.onnx.export(
        model,
        (torch.zeros(image), torch.zeros(image), torch.zeros(hint)),
        written,
        dynamo=False,
        opset_version=17,
        input_names=["left", "right", "hint"],
        dynamic_axes={"left": axes, "right": axes},
    )
    onnx.save(_graph_only(written.getvalue()), str(path))
    sizes = ((1, 3, 32, 40), (1, 3, 17, 9))
    with torch.no_grad():
        outputs = {
            "x".join(map(str, size)): list(model(torch.zeros(size), torch.zeros(size), torch.zeros(hint)).shape)
            for size in sizes
        }
    truth = {"torch": torch.__version__.split("+")[0], "params": sum(p.numel() for p in model.parameters())}
    (OUT / "two_images_torchscript.json").write_text(json.dumps(truth | {"outputs": outputs}, indent=1) + "\n")


def main() -> None:
    """Export the U-Net and the model of two images, and record their truth."""
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    model = _unet()
    written = io.BytesIO()
    torch.onnx.export(
        model,
        (torch.zeros(SIZES[0]),),
        written,
        dynamo=False,
        opset_version=17,
        input_names=["input"],
        dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}},
    )
    OUT.mkdir(parents=True, exist_ok=True)
    onnx.save(_graph_only(written.getvalue()), str(OUT / "unet_torchscript.onnx"))
    with torch.no_grad():
        outputs = {"x".join(map(str, size)): list(model(torch.zeros(size)).shape) for size in SIZES}
    folded = sum(m.num_features for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    truth = {
        "torch": torch.__version__.split("+")[0],
        "params": sum(p.numel() for p in model.parameters()),
        "file_params": sum(p.numel() for p in model.parameters()) - folded,  # each BatchNorm's 2C: its conv's C bias
        "outputs": outputs,
    }
    (OUT / "unet_torchscript.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    print("unet_torchscript:", (OUT / "unet_torchscript.onnx").stat().st_size, "bytes", file=sys.stderr)
    export_two_images()


if __name__ == "__main__":
    main()
