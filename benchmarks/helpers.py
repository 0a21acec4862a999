"""What the design helpers cost, as a user runs them: each command against a plain one, in the same loop.

Usage: python benchmarks/helpers.py [--quick]

Every command runs as its own process (start-up included, as a user sees it), the best of
three runs; the machine is small and shared, so the ratio to the plain command measured in
the same loop is the figure to compare across runs, not the seconds. A command still
running after 300 s is stopped and reported as such. `--quick` runs each command once.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 300.0

CASES: list[tuple[list[str], list[str]]] = [  # (the command, the plain command it is compared with)
    (["sizes", "examples/unet.yaml"], ["stack", "examples/unet.yaml"]),
    (["sizes", "examples/unet.yaml", "-r", "1:4096"], ["stack", "examples/unet.yaml"]),
    (["sizes", "examples/unet.yaml", "-r", "1:1000000"], ["stack", "examples/unet.yaml"]),
    (["sizes", "examples/unet.yaml", "-r", "1:1000000000000"], ["stack", "examples/unet.yaml"]),
    (["sizes", "examples/resnet18.yaml"], ["stack", "examples/resnet18.yaml"]),
    (["sizes", "examples/resnet18.yaml", "-r", "1:1000000000000"], ["stack", "examples/resnet18.yaml"]),
    (
        ["solve", "conv", "-i", "1000", "-t", "3", "-k", "1..64", "-s", "1..64", "-d", "1..8", "--max-padding", "32"],
        ["conv", "-i", "1000", "-k", "3"],
    ),
    (["explain", "conv", "-i", "100000000", "-k", "3", "-s", "2"], ["conv", "-i", "100000000", "-k", "3", "-s", "2"]),
    (
        ["explain", "conv", "-i", "1000000000000", "-k", "3", "-s", "2"],
        ["conv", "-i", "1000000000000", "-k", "3", "-s", "2"],
    ),
    (["explain", "conv", "-i", "128", "-k", "3", "-s", "2", "-p", "1", "--matrix"], ["explain", "conv", "-i", "128"]),
    (["explain", "conv", "-i", "1024", "-k", "3", "-s", "2", "-p", "1", "--matrix"], ["explain", "conv", "-i", "128"]),
]


def _ten_thousand_layers(folder: Path) -> Path:
    """Write a straight network of 10,000 layers (3×3 convolutions that keep the size)."""
    path = folder / "deep.yaml"
    lines = ["input: [1, 8, 64, 64]", "layers:"]
    lines += ["  - {type: conv, out_channels: 8, kernel_size: 3, padding: 1}"] * 10_000
    path.write_text("\n".join(lines) + "\n")
    return path


def run(args: list[str]) -> tuple[float, str]:
    """Run convcalc once; return (seconds, how it ended: ok, refused (exit 2) or a timeout)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "convcalc", *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=LIMIT,
            check=False,
            env={**os.environ, "COLUMNS": "100"},
        )
        ended = "refused" if done.returncode == 2 else "ok"  # exit 2: the input refused
    except subprocess.TimeoutExpired:
        ended = "timeout"
    return time.perf_counter() - start, ended


def best(args: list[str], runs: int) -> tuple[float, str]:
    """Return the best time of several runs (one when it does not finish in time) and how it ended."""
    times = []
    ended = "ok"
    for _ in range(runs):
        seconds, ended = run(args)
        times.append(seconds)
        if ended == "timeout":
            break
    return min(times), ended


def main() -> None:
    """Print each command's time, its ratio to the plain command, and the largest memory of any command so far."""
    runs = 1 if "--quick" in sys.argv else 3
    with tempfile.TemporaryDirectory() as folder:
        deep = str(_ten_thousand_layers(Path(folder)))
        cases = [*CASES, (["stack", deep], ["stack", "examples/unet.yaml"])]
        print(f"{'command':<92} {'time':>8} {'plain':>7} {'ratio':>7} {'peak MB so far':>15}")
        for args, plain in cases:
            seconds, ended = best(args, runs)
            base, _ = best(plain, runs)
            label = " ".join(args).replace(deep, "<10,000 layers>.yaml")
            shown = {"ok": f"{seconds:7.2f}s", "timeout": f">{LIMIT:.0f}s", "refused": "refused"}[ended]
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
            print(f"{label:<92} {shown:>8} {base:6.2f}s {seconds / base:6.1f}x {peak:>15}", flush=True)


if __name__ == "__main__":
    main()
