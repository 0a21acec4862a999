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


def main() -> None:
    """Export the U-Net and record its truth."""
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


if __name__ == "__main__":
    main()
