"""Record what each layer of the bundled examples costs in torch: tests/fixtures/torch_costs.json.

Run with PyTorch and the counters compared in the README installed:

    pip install torch==2.13.0 pyyaml torchinfo==1.8.0 fvcore ptflops
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
    import torchinfo  # noqa: PLC0415

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


def main() -> None:
    """Record every example file that torch can build."""
    found: dict[str, Any] = {"torch": torch.__version__, "files": {}}
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
