"""Speed of reading an ONNX model: `convcalc stack resnet50.onnx` and `convcalc import`, against importing torch.

Usage: python benchmarks/onnx_import.py [--runs 10] [--torch PYTHON]

Times whole commands (start-up included), interleaved in one run, and prints the medians and
their ratios: to `python -c "import onnx"` (the floor of reading any ONNX file) and, when a
Python with torch is given (--torch /path/to/venv/bin/python), to `import torch`, the least a
framework-based summary costs. The model is tests/fixtures/onnx/resnet50.onnx (its graph,
without the weights file). Machines are shared and noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = str(ROOT / "tests" / "fixtures" / "onnx" / "resnet50.onnx")


def commands(torch_python: str | None) -> dict[str, list[str]]:
    """Return the commands to time, by label."""
    convcalc = shutil.which("convcalc")
    entry = [convcalc] if convcalc else [sys.executable, "-m", "convcalc"]
    timed = {
        "convcalc stack resnet50.onnx": [*entry, "stack", MODEL, "--input", "1,3,224,224"],
        "convcalc import resnet50.onnx": [*entry, "import", MODEL, "--input", "1,3,224,224"],
        "floor: python -c 'import onnx'": [sys.executable, "-c", "import onnx"],
    }
    if torch_python:
        timed["python -c 'import torch'"] = [torch_python, "-c", "import torch"]
    return timed


def interleaved_medians(timed: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Run every command `runs` times, one after the other in turn (convcalc compiled first); return the medians."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "convcalc")], check=True)
    timings: dict[str, list[float]] = {label: [] for label in timed}
    for _ in range(runs):
        for label, argv in timed.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            timings[label].append(time.perf_counter() - start)
    return {label: statistics.median(values) for label, values in timings.items()}


def main() -> None:
    """Time every command, interleaved, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--torch", help="a Python that has torch installed")
    arguments = parser.parse_args()
    medians = interleaved_medians(commands(arguments.torch), arguments.runs)
    floor = medians["floor: python -c 'import onnx'"]
    torch = medians.get("python -c 'import torch'")
    print(f"{arguments.runs} runs each, interleaved; median wall time")
    for label, median in medians.items():
        against_torch = f"   torch import / this: {torch / median:5.1f}" if torch else ""
        print(f"  {label:34} {median * 1000:7.0f} ms   x{median / floor:4.2f} the onnx floor{against_torch}")


if __name__ == "__main__":
    main()
