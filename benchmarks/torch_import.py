"""Where `convcalc import torch` spends its time: torch's part (building, tracing, running the model) and convcalc's.

Usage (in a Python with torch and torchvision, convcalc installed):

    python benchmarks/torch_import.py [--runs 3] [MODEL ...]

For each torchvision model (weights=None; default: ResNet-50, ViT-B/16, Swin-T, Faster R-CNN),
the import runs in this process as `convcalc import torch torchvision.models:MODEL` does, and
each phase is timed: building the model, torch.fx's trace, the run on fake tensors that gives
every node its shape (and a detector's transform of its image: torch's work), and the rest
(convcalc's: reading the graph into layers, and reading the file back as `stack` does).
`python -c "import torch, torchvision"` is timed apart, in a process of its own: every import
pays it first. Medians of --runs; the ratios say how much of an import is convcalc's.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch
import torchvision

from convcalc.importers import torch_detection, torch_fx
from convcalc.sources import models

MODELS = ("resnet50", "vit_b_16", "swin_t", "fasterrcnn_resnet50_fpn")
SHAPE = (1, 3, 224, 224)


def _timed(phases: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Return the function, adding the seconds each call takes to phases[name]."""

    def run(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - whatever the function takes and returns
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[name] += time.perf_counter() - start

    return run


def measure(name: str) -> dict[str, float]:
    """Import one model once; return the seconds of each phase and in all."""
    phases: dict[str, float] = defaultdict(float)
    transform = torch_detection._transformed  # noqa: SLF001 - the phase timed is this private step of a detector's
    originals = (torch_fx.build_model, torch_fx.trace, torch_fx.propagate)
    torch_fx.build_model = _timed(phases, "build", torch_fx.build_model)
    torch_fx.trace = _timed(phases, "trace", torch_fx.trace)
    torch_fx.propagate = _timed(phases, "shapes", torch_fx.propagate)
    torch_detection._transformed = _timed(phases, "shapes", transform)  # noqa: SLF001 - as above: torch's work
    detector = name in torchvision.models.list_models(module=torchvision.models.detection)
    arguments = '{"weights": null, "weights_backbone": null}' if detector else '{"weights": null}'
    target = f"torchvision.models.{'detection' if detector else ''}:{name}".replace(".:", ":")
    start = time.perf_counter()
    try:
        models.import_model(["torch", target], SHAPE, arguments)
    finally:
        torch_fx.build_model, torch_fx.trace, torch_fx.propagate = originals
        torch_detection._transformed = transform  # noqa: SLF001 - as above
    phases["total"] = time.perf_counter() - start
    return dict(phases)


def main() -> None:
    """Time each model's import by phase and print medians with convcalc's share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("models", nargs="*", default=list(MODELS))
    arguments = parser.parse_args()
    torch.set_num_threads(2)
    runs = []
    for _ in range(arguments.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch, torchvision"], check=True)
        runs.append(time.perf_counter() - start)
    startup = statistics.median(runs)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}; medians of {arguments.runs} runs")
    print(f"python -c 'import torch, torchvision': {startup * 1000:.0f} ms (paid by every import first)")
    for name in arguments.models:
        found = [measure(name) for _ in range(arguments.runs)]
        median = {key: statistics.median(run[key] for run in found) for key in found[0]}
        median["convcalc"] = median["total"] - median["build"] - median["trace"] - median["shapes"]
        whole = median["total"] + startup
        torch_part = startup + median["build"] + median["trace"] + median["shapes"]
        print(
            f"  {name:26} {whole * 1000:6.0f} ms in all: torch {torch_part * 1000:6.0f} ms "
            f"(start-up, build {median['build'] * 1000:.0f}, trace {median['trace'] * 1000:.0f}, "
            f"shapes {median['shapes'] * 1000:.0f}), convcalc {median['convcalc'] * 1000:5.0f} ms "
            f"= {100 * median['convcalc'] / whole:4.1f}%"
        )


if __name__ == "__main__":
    main()
