"""Generate tests/fixtures/torch_graphs.json: every layer's shape in graph networks, as PyTorch gives it.

Run with PyTorch and PyYAML installed (pip install torch==2.13.0 pyyaml):

    python tools/make_torch_graphs.py

It reads the example files that use `from:` or layers around the convolutions (the U-Net,
ResNet-18, the MNIST classifier, a squeeze-excitation block, DeepLabV3's pyramid pooling),
builds each layer with torch.nn (the `type` is the torch.nn class name; add, mul, sub, div,
concat and crop are the tensor operations, broadcast as torch broadcasts), runs a zero tensor
through at the file's input size and at others, and records every layer's output shape.
It also records random pairs of shapes through `a * b` (the broadcast shape, or torch's refusal),
Conv2d in every padding mode, and random permutes, transposes, views, unflattens, squeezes and unsqueezes.
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

ROOT = Path(__file__).parent.parent
FILES = (
    "unet.yaml",
    "resnet18.yaml",
    "mnist_classifier.yaml",
    "squeeze_excitation.yaml",
    "aspp_pooling.yaml",
    "fpn_top_down.yaml",
    "modern_blocks.yaml",
    "channels_last.yaml",
)
SIZES = {
    "squeeze_excitation.yaml": (56, 17, 224),
    "aspp_pooling.yaml": (33, 65, 7),
    "fpn_top_down.yaml": (224, 220, 250, 256, 300, 37),
}
"""Other spatial sizes to run a file at (the first is its own)."""
ELEMENTWISE = {"add": torch.add, "mul": torch.mul, "sub": torch.sub, "div": torch.div}
SHAPE_KEEPING = {"StochasticDepth", "DropPath"}  # torchvision's and timm's, identities for shapes
OURS = {"type", "name", "from", "expect"}


def module(layer: dict[str, Any], channels: int) -> nn.Module:
    """Build the torch.nn module a layer names, giving convolutions their input channels."""
    cls = getattr(nn, layer["type"])
    kwargs = {k: v for k, v in layer.items() if k not in OURS}
    if layer["type"].startswith(("Conv", "ConvTranspose")):
        kwargs.setdefault("out_channels", channels)
        return cls(channels, **kwargs)
    return cls(**kwargs)


ONE_INPUT = {  # tensor operations on one input, as convcalc's layer types name them
    "scale": lambda x, layer: x * nn.Parameter(torch.ones(*layer["shape"])),  # ConvNeXt's layer scale
    "chunk": lambda x, layer: torch.chunk(x, layer["chunks"], dim=layer.get("dim", 0))[layer["index"]],
    "narrow": lambda x, layer: torch.narrow(x, layer["dim"], layer["start"], layer["length"]),
    "permute": lambda x, layer: x.permute(*layer["dims"]),
    "transpose": lambda x, layer: x.transpose(layer["dim0"], layer["dim1"]),
    "view": lambda x, layer: x.view(*layer["shape"]),
    "reshape": lambda x, layer: x.reshape(*layer["shape"]),
    "unflatten": lambda x, layer: x.unflatten(layer["dim"], layer["sizes"]),
    "contiguous": lambda x, _: x.contiguous(),
    "squeeze": lambda x, layer: torch.squeeze(x, tuple(layer["dim"])) if "dim" in layer else torch.squeeze(x),
    "unsqueeze": lambda x, layer: torch.unsqueeze(x, layer["dim"]),
    "flatten": lambda x, layer: torch.flatten(x, layer.get("start_dim", 1), layer.get("end_dim", -1)),
}


def operation(layer: dict[str, Any], tensors: list[torch.Tensor], outputs: dict[str, torch.Tensor]) -> Any:  # noqa: ANN401
    """Return the output of a layer that is a tensor operation, not a torch.nn module; None for a module."""
    kind, x = layer["type"], tensors[0]
    if kind in ELEMENTWISE:
        for t in tensors[1:]:
            x = ELEMENTWISE[kind](x, t)
        return x
    if kind in SHAPE_KEEPING:
        return x
    if kind in ONE_INPUT:
        return ONE_INPUT[kind](x, layer)
    if kind in ("mean", "sum", "amax", "amin"):
        dims = layer["dim"] if isinstance(layer["dim"], list) else [layer["dim"]]
        return getattr(torch, kind)(x, dim=dims, keepdim=layer.get("keepdim", False))
    if "to" in layer and kind in ("Upsample", "interpolate"):  # F.interpolate(x, size=y.shape[2:])
        size = outputs[str(layer["to"])].shape[2:]
        return nn.functional.interpolate(x, size=size, mode=layer.get("mode", "nearest"))
    if kind in ("concat", "cat"):
        return torch.cat(tensors, dim=layer.get("dim", 1))
    if kind == "crop":
        target = outputs[layer["to"]].shape[2:]
        starts = [(have - want) // 2 for have, want in zip(x.shape[2:], target, strict=True)]
        return x[..., starts[0] : starts[0] + target[0], starts[1] : starts[1] + target[1]]
    return None


def run(network: dict[str, Any]) -> tuple[list[list[int]], list[int]]:
    """Run the network layer by layer; return every layer's output shape and parameter count."""
    outputs: dict[str, torch.Tensor] = {"input": torch.zeros(*network["input"])}
    previous = "input"
    shapes = []
    params: list[int] = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, layer in enumerate(network["layers"], start=1):
            sources = layer.get("from", previous)
            sources = sources if isinstance(sources, list) else [sources]
            tensors = [outputs[str(s)] for s in sources]
            y, count = operation(layer, tensors, outputs), 0
            if layer["type"] == "scale":
                count = int(torch.ones(*layer["shape"]).numel())
            if y is None:
                built = module(layer, tensors[0].shape[1])
                y = built(tensors[0])
                count = sum(p.numel() for p in built.parameters())
            name = str(layer.get("name", index))
            outputs[name] = outputs[str(index)] = y
            previous = str(index)
            shapes.append(list(y.shape))
            params.append(count)
    return shapes, params


def broadcasts(count: int = 300) -> list[dict[str, Any]]:
    """Return random shape pairs with torch's broadcast shape of `a * b`, or None where torch refuses."""
    rng = random.Random(14)
    cases = []
    for _ in range(count):
        rank = rng.randint(1, 5)
        a = [rng.choice((1, 1, 2, 3, 4)) for _ in range(rank)]
        b = [rng.choice((1, d, d, 2)) for d in a[rng.randint(0, rank - 1) :]]
        pair = (a, b) if rng.random() < 0.5 else (b, a)
        try:
            shape = list((torch.zeros(*pair[0]) * torch.zeros(*pair[1])).shape)
        except RuntimeError:
            shape = None
        cases.append({"a": pair[0], "b": pair[1], "shape": shape})
    return cases


def padding_modes() -> list[dict[str, Any]]:
    """Return Conv2d layers in every padding mode on small inputs: torch's output shape, or None where it refuses."""
    cases = []
    for mode in ("zeros", "reflect", "replicate", "circular"):
        for padding in range(5):
            for size in range(1, 6):
                for kernel in (1, 3):
                    conv = nn.Conv2d(1, 1, kernel, padding=padding, padding_mode=mode)
                    try:
                        with torch.no_grad():
                            shape = list(conv(torch.zeros(1, 1, size, size)).shape)
                    except RuntimeError:
                        shape = None
                    cases.append({"mode": mode, "padding": padding, "size": size, "kernel": kernel, "shape": shape})
    return cases


def rearrangements(count: int = 300) -> list[dict[str, Any]]:
    """Return random permutes, transposes, views and unflattens: torch's output shape, or None where it refuses."""
    rng = random.Random(15)
    cases = []
    for _ in range(count):
        shape = [rng.choice((1, 2, 3, 4, 6)) for _ in range(rng.randint(3, 5))]  # N, C and 1 to 3 spatial
        rank = len(shape)
        op = rng.choice(("permute", "transpose", "view", "reshape", "unflatten"))
        case: dict[str, Any] = {"type": op, "input": shape}
        if op == "permute":
            dims = rng.sample(range(-rank, rank), rank) if rng.random() < 0.2 else rng.sample(range(rank), rank)
            case["dims"] = dims if rng.random() < 0.9 else dims[:-1]
        elif op == "transpose":
            case["dim0"], case["dim1"] = rng.randint(-rank - 1, rank), rng.randint(-rank, rank - 1)
        elif op in ("view", "reshape"):
            total = int(torch.zeros(*shape).numel())
            sizes = [d for d in (1, 2, 3, 4, 6, 8, 12) if total % d == 0]
            wanted = [rng.choice(sizes) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.5:
                wanted[rng.randrange(len(wanted))] = -1
            case["shape"] = wanted
        else:
            case["dim"] = rng.randint(-rank, rank - 1)
            size = shape[case["dim"]]
            case["sizes"] = rng.choice(([size], [1, size], [-1, 1], [2, -1], [size, 1, 1], [3, -1], [-1, -1]))
        x = torch.zeros(*shape)
        try:
            y = ONE_INPUT[op](x, case)
            case["output"] = list(y.shape)
        except (RuntimeError, IndexError, ValueError):
            case["output"] = None
        cases.append(case)
    return cases


def squeezes(count: int = 100) -> list[dict[str, Any]]:
    """Return random squeezes and unsqueezes: torch's output shape, or None where it refuses."""
    rng = random.Random(16)
    cases = []
    for _ in range(count):
        shape = [rng.choice((1, 1, 2, 3)) for _ in range(rng.randint(3, 5))]
        rank = len(shape)
        op = rng.choice(("squeeze", "unsqueeze"))
        case: dict[str, Any] = {"type": op, "input": shape}
        if op == "squeeze" and rng.random() < 0.2:
            pass  # every axis of size 1
        elif op == "squeeze":
            case["dim"] = rng.sample(range(-rank, rank), rng.randint(1, 2))
        else:
            case["dim"] = rng.randint(-rank - 2, rank + 1)  # torch.unsqueeze takes one axis
        try:
            case["output"] = list(ONE_INPUT[op](torch.zeros(*shape), case).shape)
        except (RuntimeError, IndexError, ValueError):
            case["output"] = None
        cases.append(case)
    return cases


def main() -> None:
    """Write the fixture file."""
    cases = []
    for file in FILES:
        network = yaml.safe_load((ROOT / "examples" / file).read_text())
        shapes, params = run(network)
        cases.append({"source": f"examples/{file}", "shapes": shapes, "params": params})
        for size in SIZES.get(file, ())[1:]:
            shape = [*network["input"][:2], size, size]
            shapes, params = run({**network, "input": shape})
            cases.append({"source": f"examples/{file}", "input": shape, "shapes": shapes, "params": params})
    out = ROOT / "tests" / "fixtures" / "torch_graphs.json"
    out.write_text(
        json.dumps(
            {
                "torch": torch.__version__,
                "cases": cases,
                "broadcast": broadcasts(),
                "padding_modes": padding_modes(),
                "rearrangements": rearrangements() + squeezes(),
            }
        )
        + "\n"
    )
    print(f"{len(cases)} networks from torch {torch.__version__} -> {out}")


if __name__ == "__main__":
    main()
