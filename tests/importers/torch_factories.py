"""Small torch models for `convcalc import torch` (imported only where torch is installed)."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn


class TinyUNet(nn.Module):  # type: ignore[misc]  # torch has no type stubs here: nn.Module is Any
    """Two levels: a strided conv down, a transposed conv up, a skip joined by cat, a head by view and Linear."""

    def __init__(self, width: int = 8, classes: int = 3) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU())
        self.down = nn.Conv2d(width, 2 * width, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
        self.fuse = nn.Conv2d(2 * width, width, 1)
        self.scale = nn.Parameter(torch.ones(width, 1, 1))
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Down, up to the skip's size, join, pool, classify."""
        skip = self.stem(x)
        deep = F.relu(self.down(skip))
        up = F.interpolate(self.up(deep), size=skip.shape[-2:], mode="nearest")
        joined = self.fuse(torch.cat([skip, up], dim=1)) * self.scale + skip
        pooled = F.adaptive_avg_pool2d(joined, 1)
        return self.head(pooled.view(pooled.size(0), -1))


class DataDependent(nn.Module):  # type: ignore[misc]  # as above
    """A block whose forward branches on a value: fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Branch on the sum."""
        if x.sum() > 0:
            return self.conv(x)
        return x


class SizeBranching(nn.Module):  # type: ignore[misc]  # as above
    """A block whose forward branches on its input's size, as timm's MobileViT does: fx's symbolic trace stops."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 1)

    def forward(self, x: torch.Tensor, steps: int = 2) -> torch.Tensor:
        """Resize to a multiple of 4 if it is not one, run the conv `steps` times, then fold 4x4 patches."""
        h, w = x.shape[-2:]
        new_h, new_w = math.ceil(h / 4) * 4, math.ceil(w / 4) * 4
        if (new_h, new_w) != (h, w):
            x = F.interpolate(x, size=(new_h, new_w), mode="bilinear")
        for _ in range(steps):
            x = self.conv(x)
        return x.reshape(x.shape[0], x.shape[1] * 16, new_h // 4, new_w // 4)


def branching() -> nn.Module:
    """Return a model with the untraceable block inside."""
    return nn.Sequential(nn.Conv2d(1, 1, 1), DataDependent())


def unknown_module() -> nn.Module:
    """Return a model with a module a network file has no type for."""
    return nn.Sequential(nn.Conv2d(4, 4, 1), nn.Flatten(2), nn.Fold((2, 2), 1))


def not_a_model() -> int:
    """Return something other than a model."""
    return 3


def frozen_sequential() -> nn.Module:
    """Return a plain nn.Sequential (its module paths are numbers) whose first convolution is frozen."""
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1))
    for parameter in model[0].parameters():
        parameter.requires_grad_(requires_grad=False)
    return model


def chatty() -> nn.Module:
    """Return a small model after printing, as factories that log do."""
    print("building the model")  # the print is the point: it must not reach the network file
    return nn.Sequential(nn.Conv2d(1, 2, 3))


def exits() -> nn.Module:
    """Call sys.exit(0), as a script's factory might."""
    raise SystemExit(0)


class SharedHead(nn.Module):  # type: ignore[misc]  # as above
    """A head run on two levels of a pyramid (as detection heads are): its modules are called twice."""

    def __init__(self) -> None:
        """Build a stem, a downsampling convolution called twice, and a head with a GroupNorm called twice."""
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.head = nn.Conv2d(8, 4, 3, padding=1)
        self.norm = nn.GroupNorm(2, 4)
        self.act = nn.ReLU()

    def forward(self, x: Any) -> Any:
        """Run the head on two levels and add them at the finer one's size."""
        fine = self.act(self.down(self.stem(x)))
        coarse = self.act(self.down(fine))
        upsampled = nn.functional.interpolate(self.norm(self.head(coarse)), scale_factor=2.0)
        return self.norm(self.head(fine)) + upsampled


class Strided(nn.Module):  # type: ignore[misc]  # as above
    """Even and odd cells of the spatial axes (patch merging's, LeViT's subsampling), two axes in one index."""

    def __init__(self) -> None:
        """Build one convolution."""
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x: Any) -> Any:  # a tensor
        """Add the even cells to the odd ones, a step of 2 on H and W."""
        y = self.conv(x)
        return torch.cat([y[:, :, ::2, 1::2], y[..., 1::2, :-1:2]], dim=1)[:, 2:]


class TabledAttention(nn.Module):  # type: ignore[misc]  # as above
    """EVA's and BEiT's ways: a qkv bias joined from parameters and a zero buffer, rotary halves, a tabled mask."""

    def __init__(self) -> None:
        """Build the projection, the biases and a position table indexed by a buffer."""
        super().__init__()
        self.qkv = nn.Linear(8, 24, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(8))
        self.v_bias = nn.Parameter(torch.zeros(8))
        self.register_buffer("k_bias", torch.zeros(8), persistent=False)
        self.table = nn.Parameter(torch.zeros(7, 2))
        self.register_buffer("index", torch.arange(16).remainder(7))

    def forward(self, x: Any) -> Any:  # a tensor
        """Attend over four tokens of eight features in two heads."""
        bias = torch.cat((self.q_bias, self.k_bias, self.v_bias))
        q, k, v = F.linear(x, self.qkv.weight, bias).reshape(1, 4, 3, 2, 4).permute(2, 0, 3, 1, 4).unbind(0)
        rotated = torch.stack([-q[..., 1::2], q[..., ::2]], -1).reshape(q.shape)
        mask = self.table[self.index].view(4, 4, 2).permute(2, 0, 1)
        return F.scaled_dot_product_attention(q + rotated, k, v, attn_mask=mask)


class Standardized(nn.Module):  # type: ignore[misc]  # as above
    """NF-ResNet's convolution: its weight standardized from a weight and a gain, both parameters."""

    def __init__(self) -> None:
        """Build the weight, the gain and the bias."""
        super().__init__()
        self.weight = nn.Parameter(torch.randn(4, 3, 3, 3))
        self.gain = nn.Parameter(torch.ones(4, 1, 1, 1))
        self.bias = nn.Parameter(torch.zeros(4))

    def forward(self, x: Any) -> Any:  # a tensor
        """Standardize each filter, scale it by its gain, and convolve."""
        flat = self.weight.reshape(1, 4, -1)
        weight = F.batch_norm(flat, None, None, training=True, momentum=0.0).reshape_as(self.weight) * self.gain
        return F.conv2d(x, weight, self.bias, padding=1)


class FourierShift(nn.Module):  # type: ignore[misc]  # as above
    """XCiT's position encoding: fixed features of the grid through a 1x1 convolution, added to the input."""

    def __init__(self) -> None:
        """Build the features (a buffer) and their projection."""
        super().__init__()
        self.register_buffer("features", torch.randn(1, 6, 8, 8))
        self.project = nn.Conv2d(6, 4, 1)

    def forward(self, x: Any) -> Any:  # a tensor
        """Add the projected features."""
        return x + self.project(self.features)


class TinyFlow(nn.Module):  # type: ignore[misc]  # as above
    """RAFT in small: two images, a coordinate grid, a look-up by grid_sample, a flow refined twice, unfolded.

    The first refinement convolves a zero flow made from the input's size alone (a constant), and
    samples at fixed coordinates; the second at coordinates the first computed.
    """

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Conv2d(3, 4, 3, stride=2, padding=1)
        self.flow_conv = nn.Conv2d(2, 4, 3, padding=1)
        self.head = nn.Conv2d(8, 2, 3, padding=1)

    def forward(self, image1: torch.Tensor, image2: torch.Tensor, updates: int = 2) -> list[torch.Tensor]:
        """Refine a flow `updates` times; return each, upsampled by unfolding 3x3 windows."""
        if image1.shape != image2.shape:
            raise ValueError("the images differ in size")
        features = self.encoder(image1) * self.encoder(image2)
        n, _, h, w = features.shape
        ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
        coords0 = torch.stack((xs, ys)).float()[None].repeat(n, 1, 1, 1)
        coords1 = coords0.clone()
        flows = []
        for _ in range(updates):
            grid = coords1.permute(0, 2, 3, 1) / max(h - 1, 1) * 2 - 1
            sampled = F.grid_sample(features, grid, align_corners=True)
            flow = coords1 - coords0
            coords1 = coords1 + self.head(torch.cat([sampled, self.flow_conv(flow)], dim=1))
            windows = F.unfold(coords1 - coords0, kernel_size=3, padding=1)
            flows.append(windows.view(n, 2, 9, h, w).mean(dim=2))
        return flows
