"""Generate tests/fixtures/torch_layers.json: random single layers as PyTorch computes them.

Run with PyTorch installed (pip install torch==2.13.0, the CPU build):

    python tools/make_torch_layers.py [--count 600] [--seed 2026]
    python tools/make_torch_layers.py --lppool --count 200 --out tests/fixtures/torch_lppool.json

Each case records the layer's torch.nn arguments, the input shape and either the output
shape PyTorch produced or the message of the error it raised. The tests read the file and
never need torch.
"""

from __future__ import annotations

import argparse
import json
import random
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

KINDS = ("conv", "convtranspose", "maxpool", "avgpool")
MODULES = {
    ("conv", 1): nn.Conv1d,
    ("conv", 2): nn.Conv2d,
    ("conv", 3): nn.Conv3d,
    ("convtranspose", 1): nn.ConvTranspose1d,
    ("convtranspose", 2): nn.ConvTranspose2d,
    ("convtranspose", 3): nn.ConvTranspose3d,
    ("maxpool", 1): nn.MaxPool1d,
    ("maxpool", 2): nn.MaxPool2d,
    ("maxpool", 3): nn.MaxPool3d,
    ("avgpool", 1): nn.AvgPool1d,
    ("avgpool", 2): nn.AvgPool2d,
    ("avgpool", 3): nn.AvgPool3d,
    ("lppool", 1): nn.LPPool1d,
    ("lppool", 2): nn.LPPool2d,
    ("lppool", 3): nn.LPPool3d,
}


def axes(rng: random.Random, rank: int, low: int, high: int) -> list[int]:
    """Draw per-axis values, often equal across axes as in real networks."""
    if rng.random() < 0.5:
        return [rng.randint(low, high)] * rank
    return [rng.randint(low, high) for _ in range(rank)]


def _pool_arguments(rng: random.Random, case: dict[str, Any]) -> None:
    """Draw a max or average pool's ceil_mode, and padding mostly within torch's half-kernel bound."""
    case["ceil_mode"] = rng.random() < 0.4
    if rng.random() < 0.6:
        case["padding"] = [
            min(p, k // 2 + (rng.random() < 0.2)) for p, k in zip(case["padding"], case["kernel_size"], strict=True)
        ]


def draw(rng: random.Random, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """Draw one layer near the edges of what PyTorch accepts."""
    kind = rng.choice(kinds)
    rank = rng.choice((1, 2, 2, 3))
    high = 6 if rank == 3 else 12
    case: dict[str, Any] = {
        "type": kind,
        "rank": rank,
        "kernel_size": axes(rng, rank, 1, 5),
        "stride": axes(rng, rank, 1, 4),
        "dilation": axes(rng, rank, 1, 3) if kind not in ("avgpool", "lppool") else [1] * rank,
    }
    case["padding"] = axes(rng, rank, 0, 3)
    if kind == "lppool":  # no padding; a norm_type, which changes values only
        case.update(padding=[0] * rank, norm_type=rng.choice((1, 2, 2, 3, 1.5)), ceil_mode=rng.random() < 0.5)
    channels = rng.choice((2, 4, 6, 6)) if rng.random() < 0.9 else rng.choice((1, 3))
    if kind in ("conv", "convtranspose"):
        case["groups"] = rng.choice((1, 1, 1, 2, 2, 3))
        case["out_channels"] = rng.choice((2, 4, 6, 6)) if rng.random() < 0.9 else rng.choice((1, 3))
        if case["groups"] == 3 and rng.random() < 0.5:
            case["out_channels"] = 6
        if kind == "conv" and rng.random() < 0.15:
            case["padding"] = rng.choice(("same", "valid"))
            if rng.random() < 0.6:
                case["stride"] = [1] * rank
    if kind == "convtranspose":
        case["output_padding"] = axes(rng, rank, 0, 3)
        if rng.random() < 0.3:  # forward(output_size=...): a size near the admissible range
            case["output_size"] = axes(rng, rank, 1, 40)
    if kind in ("maxpool", "avgpool"):
        _pool_arguments(rng, case)
    case["input"] = [rng.choice((1, 2)), channels, *axes(rng, rank, 1, high)]
    if "output_size" in case:  # aim at the range (i-1)s - 2p + e ... + s - 1, sometimes just outside
        low = [
            (i - 1) * s - 2 * p + d * (k - 1) + 1
            for i, s, p, d, k in zip(
                case["input"][2:], case["stride"], case["padding"], case["dilation"], case["kernel_size"], strict=True
            )
        ]
        case["output_size"] = [
            max(1, lo + (rng.randint(0, s - 1) if rng.random() < 0.8 else rng.choice((-1, s))))
            for lo, s in zip(low, case["stride"], strict=True)
        ]
    return case


def run(case: dict[str, Any]) -> dict[str, Any]:
    """Build the layer in torch.nn, run it on zeros and record the shape or the error."""
    kind, rank = case["type"], case["rank"]
    kwargs: dict[str, Any] = {
        "kernel_size": case["kernel_size"],
        "stride": case["stride"],
        "padding": case["padding"],
    }
    channels = case["input"][1]
    if kind in ("conv", "convtranspose"):
        kwargs["dilation"] = case["dilation"]
        kwargs["groups"] = case["groups"]
        if kind == "convtranspose":
            kwargs["output_padding"] = case["output_padding"]
        args: tuple[int, ...] = (channels, case["out_channels"])
    elif kind == "lppool":  # LPPool(norm_type, kernel_size, stride, ceil_mode): no padding, no dilation
        args = (case["norm_type"],)
        del kwargs["padding"]
        if rank == 1:  # F.lp_pool1d multiplies by kernel_size itself: a list there is a TypeError (torch 2.13)
            kwargs["kernel_size"], kwargs["stride"] = case["kernel_size"][0], case["stride"][0]
        kwargs["ceil_mode"] = case["ceil_mode"]
    else:
        args = ()
        kwargs["ceil_mode"] = case["ceil_mode"]
        if kind == "maxpool":
            kwargs["dilation"] = case["dilation"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = MODULES[kind, rank](*args, **kwargs)
            if "output_size" in case:
                out = module(torch.zeros(*case["input"]), output_size=case["output_size"])
            else:
                out = module(torch.zeros(*case["input"]))
        if 0 in out.shape[2:]:
            # some CPU kernels return an empty tensor where slow_conv_transpose refuses
            # "Output size is too small"; the contract calls every size below 1 invalid
            return {**case, "output": None, "error": f"empty output {list(out.shape)}: Output size is too small"}
        return {**case, "output": list(out.shape), "error": None}
    except (RuntimeError, ValueError, TypeError) as error:
        return {**case, "output": None, "error": str(error).splitlines()[0]}


def main() -> None:
    """Write the fixture file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent.parent / "tests" / "fixtures" / "torch_layers.json"
    )
    parser.add_argument("--lppool", action="store_true", help="LPPool1d/2d/3d only")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    kinds = ("lppool",) if options.lppool else KINDS
    cases = [run(draw(rng, kinds)) for _ in range(options.count)]
    document = {"torch": torch.__version__, "seed": options.seed, "cases": cases}
    options.out.write_text(json.dumps(document, indent=0) + "\n")
    refused = sum(c["error"] is not None for c in cases)
    print(f"{len(cases)} cases ({refused} refused) from torch {torch.__version__} -> {options.out}")


if __name__ == "__main__":
    main()
