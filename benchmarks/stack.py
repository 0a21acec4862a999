"""Time and peak memory of `convcalc stack` on stacks of 10, 1,000 and 10,000 layers.

Usage: python benchmarks/stack.py

Each stack mixes strided convolutions, transposed convolutions and pools, so the exact
receptive-field arithmetic of transposed layers is exercised. Every figure is one fresh
process (`python -m convcalc stack FILE --format json|table`): wall time, and its peak
resident memory. A last figure shows that the analysis does not grow with the image
size: the same 1,000-layer stack on a 10-pixel-wide and a 10**6-pixel-wide axis.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BLOCK = (
    "  - {type: conv, out_channels: 32, kernel_size: 3, stride: 2, padding: 1}\n"
    "  - {type: convtranspose, out_channels: 32, kernel_size: 4, stride: 2, padding: 1}\n"
    "  - {type: conv, out_channels: 32, kernel_size: 3, padding: 1, dilation: 1}\n"
    "  - {type: maxpool, kernel_size: 3, stride: 1, padding: 1}\n"
    "  - {type: avgpool, kernel_size: 1}\n"
)
RUNNER = (
    "import resource, sys, time\n"
    "from convcalc.cli.entry import main\n"
    "start = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "elapsed = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(f'{elapsed} {peak}', file=sys.stderr)\n"
)


def network(layers: int, width: int) -> str:
    """Return a network file of `layers` layers on a 16-channel width×width image."""
    blocks = BLOCK * (layers // 5 + 1)
    body = "".join(blocks.splitlines(keepends=True)[:layers])
    return f"input: [1, 16, {width}, {width}]\nlayers:\n{body}"


def run(path: Path, fmt: str) -> tuple[float, float, float]:
    """Run convcalc stack in a fresh process; return wall s, in-process s, peak MiB."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "stack", str(path), "--format", fmt],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    inner, peak_kib = done.stderr.split()[-2:]
    return wall, float(inner), float(peak_kib) / 1024


def calibration() -> float:
    """Time a fixed pure-Python loop, to scale the figures of a busy machine by."""
    start = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i & 7
    return time.perf_counter() - start


def main() -> None:
    """Print the figures."""
    package = Path(__file__).resolve().parent.parent / "convcalc"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)  # as installed
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'layers':>7} {'format':>6} {'wall s':>8} {'in-process s':>13} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for layers in (10, 1_000, 10_000):
            path = Path(folder) / f"stack{layers}.yaml"
            path.write_text(network(layers, 64))
            for fmt in ("json", "table"):
                wall, inner, peak = run(path, fmt)
                print(f"{layers:>7} {fmt:>6} {wall:8.3f} {inner:13.3f} {peak:9.1f}")
        print(f"(this benchmark's own process: {baseline:.1f} MiB)")
        print(f"reference: 5,000,000 turns of a pure-Python loop took {calibration():.3f} s on this machine now")
        for width in (10, 10**6):
            path = Path(folder) / f"wide{width}.yaml"
            path.write_text(network(1_000, width))
            wall, inner, _ = run(path, "json")
            print(f"1,000 layers on a {width:>7}-pixel axis: {inner:.3f} s in process ({wall:.3f} s wall)")


if __name__ == "__main__":
    main()
