"""A U-Net as people write it in their own repositories: `convcalc import torch ./mymodels.py:unet`.

Each decoder step pads the upsampled tensor by its size difference from the skip before joining
them, so any input size works; convcalc writes that padding as `pad: {to: SKIP, align: center}`.
Needs torch (`pip install 'convcalc[torch]'`).
"""

# ruff: noqa: INP001 - a user's file, not a package
from itertools import pairwise

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own convention
from torch import nn


class DoubleConv(nn.Module):
    """Two 3x3 convolutions, each with batch norm and ReLU."""

    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(channels_in, channels_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels_out),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels_out, channels_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels_out),
            nn.ReLU(inplace=True),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply both convolutions."""
        return self.block(x)


class Down(nn.Module):
    """Half the size by a 2x2 max pool, then two convolutions."""

    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.pool = nn.MaxPool2d(2)
        self.conv = DoubleConv(channels_in, channels_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool, then convolve."""
        return self.conv(self.pool(x))


class Up(nn.Module):
    """Twice the size by a transposed convolution, padded to the skip's size, joined to it, two convolutions."""

    def __init__(self, channels_in: int, channels_out: int) -> None:
        super().__init__()
        self.up = nn.ConvTranspose2d(channels_in, channels_in // 2, 2, stride=2)
        self.conv = DoubleConv(channels_in, channels_out)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        """Upsample x, pad it by its size difference from the skip, join them and convolve."""
        x = self.up(x)
        rows = skip.size()[2] - x.size()[2]
        cols = skip.size()[3] - x.size()[3]
        x = F.pad(x, [cols // 2, cols - cols // 2, rows // 2, rows - rows // 2])
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """Four steps down and four up, with a 1x1 convolution to the classes."""

    def __init__(self, channels: int = 3, classes: int = 2, width: int = 64) -> None:
        super().__init__()
        widths = [width * 2**level for level in range(5)]
        self.inc = DoubleConv(channels, widths[0])
        self.downs = nn.ModuleList(Down(a, b) for a, b in pairwise(widths))
        self.ups = nn.ModuleList(Up(b, a) for b, a in pairwise(reversed(widths)))
        self.outc = nn.Conv2d(widths[0], classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Down, keeping each level's output, then up, joining each."""
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.outc(x)


def unet(classes: int = 2) -> UNet:
    """Return the U-Net for RGB images."""
    return UNet(classes=classes)
