"""What counting the cost adds to `convcalc stack`: FLOPs, parameters and memory against the analysis itself.

Usage: python benchmarks/cost.py

In-process, the best of five runs each (the machine is shared and noisy): the analysis of a
network and the cost computed from it (FLOPs, buffers, lifetimes and peak), on the ResNet-50
file, the U-Net and a 10,000-layer stack; then whole `convcalc stack` commands on the ResNet-50
file against `python -c "import typer, rich.console, rich.table"`, the start-up floor.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.sources.read import read_network

ROOT = Path(__file__).resolve().parent.parent


def best(action: Callable[[], object], runs: int = 5) -> float:
    """Return the best wall time of several runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def long_stack(folder: Path, count: int = 10_000) -> Path:
    """Write a stack of `count` 3x3 convolutions and ReLUs, with a skip every tenth layer."""
    lines = ["input: [1, 8, 64, 64]", "layers:"]
    for index in range(1, count + 1):
        if index % 10 == 0:
            lines.append(f"  - {{type: add, from: [{index - 1}, {index - 5}]}}")
        else:
            lines.append("  - {type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1}")
    path = folder / "long.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def in_process(path: Path) -> None:
    """Print the analysis's time, the cost's, and their ratio."""
    network = read_network(str(path))
    result = analyze(network)
    analysis = best(lambda: analyze(network))
    cost = best(lambda: network_cost(result))
    print(f"{path.name:24} {len(result.layers):>6} layers  analysis {analysis * 1e3:8.1f} ms  cost {cost * 1e3:7.1f} ms"
          f"  cost/analysis {cost / analysis:5.2f}")  # fmt: skip


def commands(runs: int = 9) -> None:
    """Print the median wall time of whole commands, interleaved, and the ratios to the floor."""
    file = str(ROOT / "examples" / "models" / "resnet50.yaml")
    measured = {
        "convcalc stack resnet50.yaml": [sys.executable, "-m", "convcalc", "stack", file],
        "convcalc stack ... --format json": [sys.executable, "-m", "convcalc", "stack", file, "--format", "json"],
        "floor: import typer, rich": [sys.executable, "-c", "import typer, rich.console, rich.table"],
    }
    times: dict[str, list[float]] = {name: [] for name in measured}
    for _ in range(runs):
        for name, argv in measured.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    floor = statistics.median(times["floor: import typer, rich"])
    for name, values in times.items():
        middle = statistics.median(values)
        print(f"  {name:34} {middle * 1e3:7.1f} ms  {middle / floor:5.2f} x floor")


def main() -> None:
    """Run both measurements."""
    print("in process, best of 5:")
    with tempfile.TemporaryDirectory() as folder:
        for path in (ROOT / "examples" / "models" / "resnet50.yaml", ROOT / "examples" / "unet.yaml"):
            in_process(path)
        in_process(long_stack(Path(folder)))
    print("whole commands, median of 9 (interleaved):")
    commands()


if __name__ == "__main__":
    main()
