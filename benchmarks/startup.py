"""Start-up cost of a one-layer command, against the floor of importing Typer and rich.

Usage: python benchmarks/startup.py [--runs 30]

Prints the median wall time of `convcalc conv -i 224 -k 3 -s 2 -p 1` (table and json),
of `python -c "import typer, rich.console, rich.table"` and of `python -c pass`, all
measured in one interleaved run, and the ratios to the floor. Machines are shared and
noisy: compare the ratios, not the absolute times.

The package is byte-compiled first, as an installed package is: where
PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise compile its source on
every start and measure the compiler instead.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

LAYER = ["conv", "-i", "224", "-k", "3", "-s", "2", "-p", "1"]


def commands() -> dict[str, list[str]]:
    """Return the commands to time, by label."""
    convcalc = shutil.which("convcalc")
    entry = [convcalc] if convcalc else [sys.executable, "-m", "convcalc"]
    return {
        "convcalc conv (table)": [*entry, *LAYER],
        "convcalc conv (json)": [*entry, *LAYER, "--format", "json"],
        "floor: import typer, rich": [sys.executable, "-c", "import typer, rich.console, rich.table"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }


def main() -> None:
    """Time every command, interleaved, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    package = Path(__file__).resolve().parent.parent / "convcalc"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    timings: dict[str, list[float]] = {label: [] for label in commands()}
    for _ in range(runs):
        for label, argv in commands().items():
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=True)
            timings[label].append(time.perf_counter() - start)
    medians = {label: statistics.median(values) for label, values in timings.items()}
    floor = medians["floor: import typer, rich"]
    print(f"median of {runs} runs each (interleaved)")
    for label, median in medians.items():
        print(f"  {label:<28} {median * 1000:7.1f} ms   {median / floor:5.2f} x floor")


if __name__ == "__main__":
    main()
