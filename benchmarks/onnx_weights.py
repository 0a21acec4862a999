"""Time and memory of reading ONNX files whose weights are embedded: what they cost should be the graph's, not theirs.

Usage: python benchmarks/onnx_weights.py [--sizes 100,1000] [--runs 3] [--folder DIR]

Writes (once, into DIR, /tmp/convcalc_onnx_weights unless said) a chain of 32 Linear layers
(MatMul by a weight matrix, then an Add of a bias) whose weights hold the given megabytes,
embedded in the file, and the same graph with its weights left out (`raw_data` cleared). Then
times `convcalc stack` on each file, interleaved with the floor `python -c pass`, and prints
the medians of wall time and of peak resident memory (the child's ru_maxrss), and the ratio of
each file with weights to the same graph without them: near 1 when the weights are skipped,
not read. Needs the onnx package to write the files (convcalc itself reads them without it).
Machines are shared and noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LAYERS = 32


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """Return a length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def write_model(path: Path, megabytes: int, *, weights: bool) -> None:
    """Write the chain of Linear layers with `megabytes` of float32 weights (or none stored).

    The ModelProto is written field by field, each tensor serialized on its own: a file over
    protobuf's 2 GiB (which onnx.save refuses) is written too, as some exporters write them.
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    width = max(8, int((megabytes * (1 << 20) / 4 / LAYERS) ** 0.5))
    parts: list[tuple[int, bytes]] = []
    previous = "x"
    for i in range(LAYERS):
        linear = helper.make_node("MatMul", [previous, f"w{i}"], [f"m{i}"], name=f"linear{i}")
        bias = helper.make_node("Add", [f"m{i}", f"b{i}"], [f"y{i}"], name=f"bias{i}")
        parts += [(1, linear.SerializeToString()), (1, bias.SerializeToString())]
        previous = f"y{i}"
    parts.append((2, b"chain"))
    for i in range(LAYERS):
        tensor = numpy_helper.from_array(np.full((width, width), 0.01, dtype=np.float32), f"w{i}")
        if not weights:  # the same graph, its weight's shape kept and its bytes left out
            tensor.ClearField("raw_data")
        parts.append((5, tensor.SerializeToString()))
        parts.append((5, numpy_helper.from_array(np.zeros(width, np.float32), f"b{i}").SerializeToString()))
    parts.append((11, helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, width]).SerializeToString()))
    parts.append((12, helper.make_tensor_value_info(previous, TensorProto.FLOAT, None).SerializeToString()))
    fields = [_field(number, payload) for number, payload in parts]
    opset = helper.make_opsetid("", 17).SerializeToString()
    with path.open("wb") as out:
        out.write(_varint(1 << 3) + _varint(onnx.IR_VERSION) + _field(8, opset))
        out.write(_varint(7 << 3 | 2) + _varint(sum(len(part) for part in fields)))
        for part in fields:
            out.write(part)


def elapsed(argv: list[str]) -> float:
    """Run a command; return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak(argv: list[str]) -> float:
    """Run a command in a child of its own; return its peak resident memory in MiB (ru_maxrss)."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    return int(out.stdout) / 1024


def main() -> None:
    """Write the files, time every command interleaved, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="megabytes of weights, comma-separated")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "convcalc_onnx_weights"))
    arguments = parser.parse_args()
    folder = Path(arguments.folder)
    folder.mkdir(parents=True, exist_ok=True)
    entry = [shutil.which("convcalc") or sys.executable, *([] if shutil.which("convcalc") else ["-m", "convcalc"])]
    files = {}
    for megabytes in (int(v) for v in arguments.sizes.split(",")):
        for weights in (False, True):
            path = folder / f"chain_{megabytes}mb{'' if weights else '_graph'}.onnx"
            if not path.exists():
                write_model(path, megabytes, weights=weights)
            files[path.name] = path
    timed = {"floor: python -c pass": [sys.executable, "-c", "pass"]}
    timed |= {f"convcalc stack {name}": [*entry, "stack", str(path)] for name, path in sorted(files.items())}
    times: dict[str, list[float]] = {label: [] for label in timed}
    peaks: dict[str, list[float]] = {label: [] for label in timed}
    for _ in range(arguments.runs):
        for label, argv in timed.items():
            times[label].append(elapsed(argv))
            peaks[label].append(peak(argv))
    floor = statistics.median(times["floor: python -c pass"])
    print(f"{'command':58} {'time':>9} {'x floor':>8} {'peak MiB':>9}")
    for label in timed:
        median = statistics.median(times[label])
        print(f"{label:58} {median * 1000:7.0f}ms {median / floor:8.1f} {statistics.median(peaks[label]):9.0f}")
    for name in sorted(files):
        if name.endswith("_graph.onnx"):
            continue
        graph = f"convcalc stack {name.replace('.onnx', '_graph.onnx')}"
        full = f"convcalc stack {name}"
        ratio = statistics.median(times[full]) / statistics.median(times[graph])
        memory = statistics.median(peaks[full]) / statistics.median(peaks[graph])
        size = files[name].stat().st_size / (1 << 20)
        print(f"{name} ({size:,.0f} MiB): {ratio:.2f}x the time and {memory:.2f}x the memory of its graph alone")


if __name__ == "__main__":
    main()
