"""Count what the 19 real models cost in torch itself: tests/fixtures/torch_model_costs.json.

Run in the environment of tools/make_model_fixtures.py:

    pip install torch==2.14.1 torchvision==0.29.1 timm pyyaml
    python tools/make_model_costs.py [MODEL ...]

Each model of tools/make_model_fixtures.MODELS is built (weights=None, eval mode) and run at
its first input shape under `torch.utils.flop_counter.FlopCounterMode`. Recorded: the total
FLOPs, the FLOPs of every leaf module by its path (`layer1.0.conv1`), each leaf module's
parameters and buffers, and the model's totals. tests/core/test_model_costs.py compares them
with convcalc on the model's imported file (tests/fixtures/torch_imports/MODEL.yaml).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tools.make_model_fixtures import MODELS  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_model_costs.json"


def model_costs(name: str) -> dict[str, Any]:
    """Return one model's FLOPs (in total and per leaf module), parameters and buffers."""
    build, shapes, _ = MODELS[name]
    model = build().eval()
    shape = shapes[0]
    with torch.no_grad(), warnings.catch_warnings(), FlopCounterMode(display=False) as counter:
        warnings.simplefilter("ignore")
        model(torch.zeros(shape))
    counts = counter.get_flop_counts()
    root = next(key for key in counts if key != "Global" and "." not in key)  # the model's class name
    leaves: dict[str, Any] = {}
    for path, module in model.named_modules():
        if not path or any(True for _ in module.children()):
            continue
        flops = sum(counts.get(f"{root}.{path}", {}).values())
        leaves[path] = {
            "flops": int(flops),
            "params": sum(p.numel() for p in module.parameters(recurse=False)),
            "buffers": sum(b.numel() for b in module.buffers(recurse=False)),
        }
    return {
        "input": list(shape),
        "total_flops": int(counter.get_total_flops()),
        "total_params": sum(p.numel() for p in model.parameters()),
        "total_buffers": sum(b.numel() for b in model.buffers()),
        "leaves": leaves,
    }


def main(argv: list[str]) -> None:
    """Record the models named, or all."""
    found: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    found["torch"] = torch.__version__
    models = found.setdefault("models", {})
    for name in argv or list(MODELS):
        models[name] = model_costs(name)
        print(f"{name}: {models[name]['total_flops']:,} FLOPs, {len(models[name]['leaves'])} leaf modules")
    OUT.write_text(json.dumps(found, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
