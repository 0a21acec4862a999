"""Generate tests/fixtures/torch_stacks.json: whole stacks as PyTorch computes them.

Run with PyTorch and PyYAML installed (pip install torch==2.13.0 pyyaml):

    python tools/make_torch_stacks.py [--count 150] [--seed 7]

Two sources of stacks: every network file under examples/, and random mixed stacks of
conv, transposed conv and pool layers. For each layer it records the output shape PyTorch
produces (or the error it raises), and, per spatial axis, the receptive field and jump
measured with autograd: a 1-D copy of the stack with all-ones weights (a pool becomes an
all-ones convolution with the same window) is run on a long input, and the gradient of
each output in the middle shows exactly which inputs it depends on.
"""

from __future__ import annotations

import argparse
import json
import random
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn

ROOT = Path(__file__).parent.parent
CLASSES = {
    "conv": "Conv",
    "convtranspose": "ConvTranspose",
    "maxpool": "MaxPool",
    "avgpool": "AvgPool",
}


def kind_of(layer: dict[str, Any]) -> str:
    """Return the short kind of a layer's type (conv, convtranspose, maxpool, avgpool)."""
    name = str(layer["type"]).lower()
    return name[:-2] if name[-2:] in ("1d", "2d", "3d") else name


def per_axis(value: Any, rank: int) -> list[Any]:  # noqa: ANN401 - int or list, as in the files
    """Broadcast a scalar over the axes."""
    return list(value) if isinstance(value, list) else [value] * rank


def module_for(layer: dict[str, Any], rank: int, channels: int) -> tuple[nn.Module, int]:
    """Build the torch.nn module of a layer; return it and its output channels."""
    kind = kind_of(layer)
    cls = getattr(nn, f"{CLASSES[kind]}{rank}d")
    k = layer["kernel_size"]
    if kind in ("conv", "convtranspose"):
        out = layer.get("out_channels", channels)
        kwargs = {
            "stride": layer.get("stride", 1),
            "padding": layer.get("padding", 0),
            "dilation": layer.get("dilation", 1),
            "groups": layer.get("groups", 1),
            "bias": layer.get("bias", True),
        }
        if kind == "convtranspose":
            kwargs["output_padding"] = layer.get("output_padding", 0)
        return cls(channels, out, k, **kwargs), out
    kwargs = {
        "stride": layer.get("stride"),
        "padding": layer.get("padding", 0),
        "ceil_mode": layer.get("ceil_mode", False),
    }
    if kind == "maxpool":
        kwargs["dilation"] = layer.get("dilation", 1)
    return cls(k, **kwargs), channels


def shapes(network: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the stack in torch.nn and record each layer's output shape or error."""
    x = torch.zeros(*network["input"])
    rank = x.dim() - 2
    records = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for layer in network["layers"]:
            try:
                module, _ = module_for(layer, rank, x.shape[1])
                x = module(x)
                if 0 in x.shape[2:]:
                    # some CPU kernels return an empty tensor where slow_conv_transpose refuses
                    # "Output size is too small"; the contract calls every size below 1 invalid
                    records.append({"output": None, "error": f"empty output {list(x.shape)}: Output size is too small"})
                    break
                records.append({"output": list(x.shape), "error": None})
            except (RuntimeError, ValueError, TypeError) as error:
                records.append({"output": None, "error": str(error).splitlines()[0]})
                break
    return records


def axis_stack(layers: list[dict[str, Any]], rank: int, axis: int) -> list[nn.Module]:
    """Return 1-D all-ones modules with the geometry of one axis of each layer."""
    modules: list[nn.Module] = []
    for layer in layers:
        kind = kind_of(layer)
        k = per_axis(layer["kernel_size"], rank)[axis]
        default_stride = layer["kernel_size"] if kind.endswith("pool") else 1
        s = per_axis(layer.get("stride") or default_stride, rank)[axis]
        padding = layer.get("padding", 0)
        if padding == "same":
            d = per_axis(layer.get("dilation", 1), rank)[axis]
            p = d * (k - 1) // 2
        elif padding == "valid":
            p = 0
        else:
            p = per_axis(padding, rank)[axis]
        d = per_axis(layer.get("dilation", 1), rank)[axis]
        if kind == "convtranspose":
            module: nn.Module = nn.ConvTranspose1d(1, 1, k, s, p, dilation=d, bias=False)
        else:
            module = nn.Conv1d(1, 1, k, s, p, dilation=d, bias=False)
        nn.init.ones_(module.weight)
        modules.append(module)
    return modules


def measure(layers: list[dict[str, Any]], rank: int, axis: int) -> tuple[int, Fraction | None]:  # noqa: C901
    """Measure the receptive field and jump of the last layer along one axis with autograd."""
    modules = axis_stack(layers, rank, axis)
    period = 1
    for layer in layers:
        if kind_of(layer) == "convtranspose":
            period *= per_axis(layer.get("stride", 1), rank)[axis]
    size = 4096
    while True:
        x = torch.ones(1, 1, size, requires_grad=True)
        y = x
        for module in modules:
            y = module(y)
        n = y.shape[-1]
        middle = n // 2
        if middle + 2 * period >= n:
            size *= 4
            continue
        hulls = {}
        clipped = False
        for o in range(middle, middle + 2 * period):
            (grad,) = torch.autograd.grad(y[0, 0, o], x, retain_graph=True)
            used = torch.nonzero(grad[0, 0]).flatten().tolist()
            if used:
                if used[0] == 0 or used[-1] == size - 1:
                    clipped = True
                hulls[o] = (used[0], used[-1])
        if not clipped:
            break
        size *= 4
    widest = max((hi - lo + 1 for lo, hi in hulls.values()), default=0)
    pairs = [o for o in hulls if o + period in hulls]
    if not pairs:  # no output depends on any input: nothing to measure the jump with
        return widest, None
    return widest, Fraction(hulls[pairs[0] + period][0] - hulls[pairs[0]][0], period)


def fields(network: dict[str, Any], records: list[dict[str, Any]]) -> None:
    """Add receptive_field and jump to every valid layer's record."""
    rank = len(network["input"]) - 2
    for depth, record in enumerate(records, start=1):
        if record["output"] is None:
            return
        measured = [measure(network["layers"][:depth], rank, axis) for axis in range(rank)]
        record["receptive_field"] = [rf for rf, _ in measured]
        record["jump"] = [None if jump is None else str(jump) for _, jump in measured]


def random_stack(rng: random.Random) -> dict[str, Any]:
    """Draw a mixed stack of 2 to 6 layers on a 1-D or 2-D input."""
    rank = rng.choice((1, 2))
    layers = []
    for _ in range(rng.randint(2, 6)):
        kind = rng.choice(("conv", "conv", "convtranspose", "maxpool", "avgpool"))
        k = rng.randint(1, 5)
        layer: dict[str, Any] = {"type": kind, "kernel_size": k, "stride": rng.randint(1, 3)}
        if kind in ("maxpool", "avgpool"):
            layer["padding"] = rng.randint(0, k // 2)
            layer["ceil_mode"] = rng.random() < 0.3
        else:
            layer["padding"] = rng.randint(0, 3)
            layer["out_channels"] = rng.choice((2, 4))
            layer["dilation"] = rng.randint(1, 2)
            if kind == "convtranspose":
                layer["output_padding"] = rng.randint(0, max(layer["stride"], layer["dilation"]) - 1)
        if kind == "maxpool":
            layer["dilation"] = rng.randint(1, 2)
        layers.append(layer)
    size = rng.randint(6, 40)
    return {"input": [1, 2, *([size] * rank)], "layers": layers}


def main() -> None:
    """Write the fixture file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "torch_stacks.json")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    cases = []
    examples = ROOT / "examples"
    for path in sorted([*examples.glob("*.yaml"), *examples.glob("failing/*.yaml")]):
        network = yaml.safe_load(path.read_text())
        if any(kind_of(layer) not in CLASSES or "from" in layer for layer in network["layers"]):
            continue  # graphs and the layers around convolutions: tools/make_torch_graphs.py
        for layer in network["layers"]:
            layer.pop("expect", None)
            layer.pop("name", None)
            layer.pop("in_channels", None)
        cases.append({"source": str(path.relative_to(ROOT)), "network": network})
    cases.extend({"source": f"random-{i}", "network": random_stack(rng)} for i in range(options.count))
    for case in cases:
        case["layers"] = shapes(case["network"])
        fields(case["network"], case["layers"])
    document = {"torch": torch.__version__, "seed": options.seed, "cases": cases}
    options.out.write_text(json.dumps(document, indent=0) + "\n")
    print(f"{len(cases)} stacks from torch {torch.__version__} -> {options.out}")


if __name__ == "__main__":
    main()
