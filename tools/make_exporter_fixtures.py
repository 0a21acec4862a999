"""Export the milesial-style U-Net with torch's older TorchScript exporter and record torch's outputs.

Run in an environment with torch and onnx (tools/make_onnx_fixtures.py's):

    python tools/make_exporter_fixtures.py

The U-Net pads each upsampled tensor by its size difference from the skip connection
(`F.pad(x1, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])`), which the TorchScript exporter
writes as sizes computed from shapes: a ConstantOfShape of zeros, the pairs viewed as rows of
two, reversed by a Slice with step -1, transposed and flattened into Pad's pads. It is exported
at opset 17 with its batch, height and width open, graph only (tiny: its weights are kept),
into tests/fixtures/onnx_exporters/unet_torchscript.onnx; torch's output shape at several
inputs and its parameters go to unet_torchscript.json, which tests/importers/test_onnx_exporters.py
reads without torch.
"""

from __future__ import annotations

import io
import json
import sys
import warnings
from pathlib import Path

import onnx
import torch
import torch.nn.functional as F  # noqa: N812 - as the model's users write it
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "onnx_exporters"
SIZES = ((1, 3, 31, 47), (2, 3, 64, 64), (1, 3, 100, 57), (1, 3, 17, 9))


class Up(nn.Module):
    """Up by a transposed convolution, pad by the size difference, join the skip, convolve."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
        self.conv = nn.Conv2d(2 * width, width, 3, padding=1)

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        """Up x1, pad it to x2's size, join x2 before it."""
        x1 = self.up(x1)
        diff_y = x2.size()[2] - x1.size()[2]
        diff_x = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diff_x // 2, diff_x - diff_x // 2, diff_y // 2, diff_y - diff_y // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class UNet(nn.Module):
    """Two steps down by max pooling, two up."""

    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.inc = nn.Conv2d(3, width, 3, padding=1)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(width, 2 * width, 3, padding=1))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(2 * width, 4 * width, 3, padding=1))
        self.up1 = Up(2 * width)
        self.up2 = Up(width)
        self.outc = nn.Conv2d(width, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Down twice, up twice with the skips."""
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        return self.outc(self.up2(self.up1(x3, x2), x1))


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
    proto = onnx.load_from_string(written.getvalue())
    proto.producer_version = ""
    onnx.save(proto, str(path))
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
    model = UNet().eval()
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
    proto = onnx.load_from_string(written.getvalue())
    proto.producer_version = ""
    OUT.mkdir(parents=True, exist_ok=True)
    onnx.save(proto, str(OUT / "unet_torchscript.onnx"))
    with torch.no_grad():
        outputs = {"x".join(map(str, size)): list(model(torch.zeros(size)).shape) for size in SIZES}
    truth = {
        "torch": torch.__version__.split("+")[0],
        "params": sum(p.numel() for p in model.parameters()),
        "outputs": outputs,
    }
    (OUT / "unet_torchscript.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    print("unet_torchscript:", (OUT / "unet_torchscript.onnx").stat().st_size, "bytes", file=sys.stderr)
    export_two_images()


if __name__ == "__main__":
    main()
