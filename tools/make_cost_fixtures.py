"""Record what each layer of the bundled examples costs in torch: tests/fixtures/torch_costs.json.

Run with PyTorch and the counters compared in the README installed:

    pip install torch==2.13.0 pyyaml torchinfo==1.8.0 fvcore==0.1.5.post20221221 ptflops==0.7.5
    python tools/make_cost_fixtures.py

Every example file without blocks (examples/*.yaml, examples/failing/ left out) is built layer by
layer in torch.nn (the window types with the input's rank, the other layers as
tools/make_torch_graphs.py builds them) and run on a zero input of the file's shape. For each
layer it records the FLOPs `torch.utils.flop_counter.FlopCounterMode` counts, its parameters
(trainable), its buffers (BatchNorm's running statistics), and the mult-adds torchinfo 1.8.0
reports for it (0 for a tensor operation, which torchinfo does not see). For a few layers and
networks it also records fvcore's and ptflops' figures, for the README's comparison.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import yaml
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tools.make_torch_graphs import module, operation  # noqa: E402
from tools.make_torch_stacks import module_for  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_costs.json"
WINDOWS = ("conv", "convtranspose", "maxpool", "avgpool")


def _build(layer: dict[str, Any], rank: int, channels: int) -> nn.Module:
    """Build a layer's torch.nn module: convcalc's short window types by the input's rank, others by class."""
    if str(layer["type"]).lower() in WINDOWS:
        return module_for(layer, rank, channels)[0]
    return module({key: value for key, value in layer.items() if key != "in_channels"}, channels)


def _torchinfo(built: nn.Module, x: torch.Tensor) -> int:
    """Return the mult-adds torchinfo reports for one module on one input."""
    import torchinfo

    return int(torchinfo.summary(built, input_data=[x], verbose=0).total_mult_adds)


def _own_params(layer: dict[str, Any]) -> int:
    """Return the parameters a tensor operation holds itself: a learnable scale's elements."""
    return int(torch.ones(*layer["shape"]).numel()) if layer["type"] == "scale" else 0


def run(network: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a network layer by layer; return each layer's FLOPs, parameters, buffers and torchinfo's mult-adds."""
    outputs: dict[str, torch.Tensor] = {"input": torch.zeros(*network["input"])}
    rank = len(network["input"]) - 2
    previous = "input"
    records = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for index, layer in enumerate(network["layers"], start=1):
            sources = layer.get("from", previous)
            sources = sources if isinstance(sources, list) else [sources]
            tensors = [outputs[str(s)] for s in sources]
            built = None
            with FlopCounterMode(display=False) as counter:
                y = operation(layer, tensors, outputs)
                if y is None:
                    built = _build(layer, rank, tensors[0].shape[1]).eval()
                    y = built(tensors[0])
            record = {
                "name": str(layer.get("name", index)),
                "output": list(y.shape),
                "flops": int(counter.get_total_flops()),
                "params": sum(p.numel() for p in built.parameters()) if built else _own_params(layer),
                "buffers": sum(b.numel() for b in built.buffers()) if built else 0,
                "torchinfo_mult_adds": _torchinfo(built, tensors[0]) if built else 0,
            }
            records.append(record)
            outputs[record["name"]] = outputs[str(index)] = y
            previous = str(index)
    return records


COUNTERS = {  # name: (module, input shape): one layer each, where the counters disagree
    "conv 7x7/2, 3->64 on 224x224 (ResNet stem)": (lambda: nn.Conv2d(3, 64, 7, 2, 3, bias=False), (1, 3, 224, 224)),
    "convT 2x2/2, 512->256 on 16x16 (U-Net up)": (lambda: nn.ConvTranspose2d(512, 256, 2, 2), (1, 512, 16, 16)),
    "convT 4x4/2 p1, 512->256 on 4x4 (DCGAN)": (lambda: nn.ConvTranspose2d(512, 256, 4, 2, 1, bias=False),
                                                (1, 512, 4, 4)),
    "linear 9216->128 (MNIST)": (lambda: nn.Linear(9216, 128), (1, 9216)),
    "batchnorm2d 64 on 112x112": (lambda: nn.BatchNorm2d(64), (1, 64, 112, 112)),
    "maxpool 3x3/2 on 64x112x112": (lambda: nn.MaxPool2d(3, 2, 1), (1, 64, 112, 112)),
}  # fmt: skip
"""Layers counted by FlopCounterMode, torchinfo, fvcore and ptflops, for the README's comparison."""


def counters() -> dict[str, dict[str, int]]:
    """Return each comparison layer's count by every counter (fvcore's and ptflops' are multiply-adds)."""
    from fvcore.nn import FlopCountAnalysis
    from ptflops import get_model_complexity_info

    found = {}
    for name, (build, shape) in COUNTERS.items():
        built = build().eval()
        x = torch.zeros(shape)
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            built(x)
        analysis = FlopCountAnalysis(built, x)
        analysis.unsupported_ops_warnings(False)  # noqa: FBT003 - fvcore's own signature
        analysis.uncalled_modules_warnings(False)  # noqa: FBT003
        macs, _ = get_model_complexity_info(
            built, tuple(shape[1:]), as_strings=False, print_per_layer_stat=False, verbose=False
        )
        found[name] = {
            "flop_counter_mode": int(counter.get_total_flops()),
            "torchinfo_mult_adds": _torchinfo(built, x),
            "fvcore": int(analysis.total()),
            "ptflops_macs": int(macs or 0),
        }
        print(f"{name}: {found[name]}")
    return found


def main() -> None:
    """Record every example file that torch can build, and the counters' comparison."""
    found: dict[str, Any] = {"torch": torch.__version__, "files": {}, "counters": counters()}
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        network = yaml.safe_load(path.read_text())
        if "blocks" in network or network.get("framework", "torch") != "torch":
            continue
        try:
            found["files"][path.name] = run(network)
        except (TypeError, ValueError, RuntimeError, AttributeError, KeyError) as error:
            print(f"{path.name}: not built in torch ({type(error).__name__}: {error})")
            continue
        total = sum(r["flops"] for r in found["files"][path.name])
        print(f"{path.name}: {len(found['files'][path.name])} layers, {total:,} FLOPs")
    OUT.write_text(json.dumps(found, indent=1) + "\n")


if __name__ == "__main__":
    main()
