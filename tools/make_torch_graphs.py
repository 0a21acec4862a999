"""Generate tests/fixtures/torch_graphs.json: every layer's shape in graph networks, as PyTorch gives it.

Run with PyTorch and PyYAML installed (pip install torch==2.13.0 pyyaml):

    python tools/make_torch_graphs.py

It reads the example files that use `from:` or layers around the convolutions (the U-Net,
ResNet-18 and the MNIST classifier), builds each layer with torch.nn (the `type` is the
torch.nn class name; add, concat and crop are the tensor operations), runs a zero tensor
through and records every layer's output shape.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

ROOT = Path(__file__).parent.parent
FILES = ("unet.yaml", "resnet18.yaml", "mnist_classifier.yaml")
OURS = {"type", "name", "from", "expect"}


def module(layer: dict[str, Any], channels: int) -> nn.Module:
    """Build the torch.nn module a layer names, giving convolutions their input channels."""
    cls = getattr(nn, layer["type"])
    kwargs = {k: v for k, v in layer.items() if k not in OURS}
    if layer["type"].startswith(("Conv", "ConvTranspose")):
        kwargs.setdefault("out_channels", channels)
        return cls(channels, **kwargs)
    return cls(**kwargs)


def run(network: dict[str, Any]) -> list[list[int]]:
    """Run the network layer by layer; return every layer's output shape."""
    outputs: dict[str, torch.Tensor] = {"input": torch.zeros(*network["input"])}
    previous = "input"
    shapes = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, layer in enumerate(network["layers"], start=1):
            sources = layer.get("from", previous)
            sources = sources if isinstance(sources, list) else [sources]
            tensors = [outputs[str(s)] for s in sources]
            kind = layer["type"]
            if kind == "add":
                y = tensors[0]
                for t in tensors[1:]:
                    y = y + t
            elif kind == "concat":
                y = torch.cat(tensors, dim=layer.get("dim", 1))
            elif kind == "crop":
                target = outputs[layer["to"]].shape[2:]
                x = tensors[0]
                starts = [(have - want) // 2 for have, want in zip(x.shape[2:], target, strict=True)]
                y = x[..., starts[0] : starts[0] + target[0], starts[1] : starts[1] + target[1]]
            else:
                y = module(layer, tensors[0].shape[1])(tensors[0])
            name = str(layer.get("name", index))
            outputs[name] = outputs[str(index)] = y
            previous = str(index)
            shapes.append(list(y.shape))
    return shapes


def main() -> None:
    """Write the fixture file."""
    cases = []
    for file in FILES:
        network = yaml.safe_load((ROOT / "examples" / file).read_text())
        cases.append({"source": f"examples/{file}", "shapes": run(network)})
    out = ROOT / "tests" / "fixtures" / "torch_graphs.json"
    out.write_text(json.dumps({"torch": torch.__version__, "cases": cases}) + "\n")
    print(f"{len(cases)} networks from torch {torch.__version__} -> {out}")


if __name__ == "__main__":
    main()
