"""CPU time of `convcalc stack` on large networks with Python's garbage collector on and off.

Usage: python benchmarks/garbage.py [--runs 5]

`convcalc`'s entry point turns the cyclic collector off while a command runs (cli/entry.py).
This times the command in fresh processes, interleaved, once as shipped and once with the
collector forced on for the command (the entry point's switch undone), on a 10,000-layer
network file and, if tests/fixtures/onnx_zoo holds it, the TorchScript export of ViT-B/16;
prints each median CPU time, the ratio off/on, and each run's peak resident memory. Machines
are shared and noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from stack import BLOCK  # benchmarks/stack.py's five layers, beside this script

ROOT = Path(__file__).resolve().parent.parent
RUNNER = """
import contextlib, gc, io, resource, sys, time
from convcalc.cli import entry
if sys.argv[1] == "on":  # the collector on while the command runs, as before
    entry.gc.disable = lambda: None
start = time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    entry.main(sys.argv[2:])
print(time.process_time() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(mode: str, command: list[str]) -> tuple[float, int]:
    """Return one fresh process's CPU seconds for the command, and its peak resident kB."""
    done = subprocess.run([sys.executable, "-c", RUNNER, mode, *command], capture_output=True, text=True, check=True)
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def main() -> None:
    """Time each command with the collector on and off, interleaved."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.yaml"
        big.write_text("input: [1, 3, 64, 64]\nlayers:\n" + BLOCK * 2000)
        commands = {"stack, 10,000 layers (json)": ["stack", str(big), "-f", "json"]}
        vit = ROOT / "tests" / "fixtures" / "onnx_zoo" / "torchscript" / "vit_b_16.onnx"
        if vit.exists():
            commands["stack ViT-B/16 (TorchScript export)"] = ["stack", str(vit), "-i", "1,3,224,224", "-f", "json"]
        for name, command in commands.items():
            found: dict[str, list[tuple[float, int]]] = {"on": [], "off": []}
            for _ in range(runs):
                for mode, seen in found.items():
                    seen.append(measure(mode, command))
            on, off = (statistics.median(s for s, _ in found[mode]) for mode in ("on", "off"))
            peaks = {mode: max(p for _, p in found[mode]) // 1024 for mode in found}
            print(f"{name}: collector on {on * 1000:.0f} ms, off {off * 1000:.0f} ms of CPU: "
                  f"x{off / on:.2f}; peak {peaks['on']} / {peaks['off']} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
