"""Speed of the design helpers: solve with its default limits, sizes over 10**5 input sizes.

Usage: python benchmarks/design.py

Times are in-process (start-up excluded: see benchmarks/startup.py for that), the best of
five runs each, as the machine is shared and noisy.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from convcalc.cli.design_commands import solve
from convcalc.core.analysis import analyze
from convcalc.core.spec import NetworkSpec
from convcalc.design.mirror import mirror
from convcalc.design.sweep import sweep
from convcalc.sources.read import read_network

ROOT = Path(__file__).resolve().parent.parent


def best(action: Callable[[], object], runs: int = 5) -> float:
    """Return the best wall time of several runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
            action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print the figures."""
    print("solve, default limits (kernel 1..7, stride 1..4, dilation 1..3, padding <= 4):")
    for kind, size, output in (
        ("conv", "224", "112"),
        ("convt", "7", "15"),
        ("pool", "13x9", "7x5"),
        ("conv", "7", "20"),
    ):
        seconds = best(
            lambda kind=kind, size=size, output=output: solve(kind=kind, size=size, output=output, fmt="json")
        )
        print(f"  solve {kind:<5} -i {size:<5} -o {output:<4} {seconds * 1000:7.1f} ms")
    vgg = read_network(str(ROOT / "examples" / "vgg16_features.yaml"))
    encoder = analyze(vgg)
    both = NetworkSpec(input=vgg.input, layers=vgg.layers + mirror(encoder).layers)
    print("sizes, one axis, input sizes 1 to 100,000:")
    for label, network in (("VGG-16 features (18 layers)", vgg), ("VGG-16 and its mirror (36 layers)", both)):
        seconds = best(lambda network=network: sweep(network, 0, "H", 1, 100_000), runs=3)
        print(f"  {label:<34} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
