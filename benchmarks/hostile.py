"""Hostile inputs of under 1 MB, each as a user runs it: seconds and peak memory against a plain command.

Usage: python benchmarks/hostile.py

Issue 33's bound: every input file of under 1 MB is answered in under 5 s and 500 MiB, with
exit 0, 1 or 2. Each case is written to a temporary folder, run as its own process (start-up
included), and reported with its size, exit code, seconds, peak resident memory, and its time
as a ratio to `convcalc stack examples/resnet_stem.yaml` measured in the same run (the machine
is shared: compare ratios across runs, not seconds). A case still running after 60 s is
stopped and reported as such.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tools/
LIMIT = 60.0


def _blocks(folder: Path) -> list[str]:
    """Blocks ten wide and sixteen deep: 10^15 layers from 4 kB."""
    lines = ["input: [1, 3, 8, 8]", "blocks:", "  b0:", "    layers:", "      - {type: relu}"]
    for level in range(1, 16):
        lines += [f"  b{level}:", "    layers:", *(f"      - {{block: b{level - 1}, name: x{i}}}" for i in range(10))]
    (folder / "blocks.yaml").write_text("\n".join([*lines, "layers:", "  - {block: b15, name: top}"]) + "\n")
    return ["stack", str(folder / "blocks.yaml")]


def _onnx_views(folder: Path) -> list[str]:
    """Write 400 blocks of view(x.size(0), -1) and back: sizes computed from shapes (needs onnx to write)."""
    from tools.hostile_models import view_blocks  # only to write the file

    return ["stack", view_blocks(folder / "views.onnx", 400), "-i", "1,2,4,4"]


def _onnx_doubling(folder: Path) -> list[str]:
    """Write a size added to itself 1,000 times (2^1000): each node evaluated once, not once per path."""
    from onnx import TensorProto, helper, save

    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Constant", [], ["zero"], value=helper.make_tensor("z", TensorProto.INT64, [], [0])),
             helper.make_node("Gather", ["s", "zero"], ["a0"], axis=0)]  # fmt: skip
    nodes += [helper.make_node("Add", [f"a{i}", f"a{i}"], [f"a{i + 1}"]) for i in range(1000)]
    nodes += [helper.make_node("Constant", [], ["ax"], value=helper.make_tensor("ax0", TensorProto.INT64, [1], [0])),
              helper.make_node("Unsqueeze", ["a1000", "ax"], ["u"]),
              helper.make_node("Constant", [], ["m"], value=helper.make_tensor("m1", TensorProto.INT64, [1], [-1])),
              helper.make_node("Concat", ["u", "m"], ["t"], axis=0),
              helper.make_node("Reshape", ["x", "t"], ["y"])]  # fmt: skip
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    graph = helper.make_graph(nodes, "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(folder / "doubling.onnx"))
    return ["stack", str(folder / "doubling.onnx")]


def _keras_depthwise(folder: Path) -> list[str]:
    """1,000 depthwise layers whose configs record no shapes (Keras 2's to_json)."""
    layers = [{"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
               "config": {"batch_input_shape": [None, 8, 8, 4], "name": "in"}}]  # fmt: skip
    for i in range(1000):
        reads = [[[layers[-1]["name"], 0, 0, {}]]]
        layers.append({"class_name": "DepthwiseConv2D", "name": f"dw{i}", "inbound_nodes": reads,
                       "config": {"name": f"dw{i}", "kernel_size": [1, 1]}})  # fmt: skip
    config = {"name": "m", "layers": layers, "input_layers": [["in", 0, 0]], "output_layers": [["dw999", 0, 0]]}
    model = {"class_name": "Functional", "keras_version": "2.13.1", "config": config}
    (folder / "depthwise.json").write_text(json.dumps(model))
    return ["stack", str(folder / "depthwise.json")]


def _keras_bomb(folder: Path) -> list[str]:
    """Write a bzip2 zip bomb: a few kB that expand to 1 GB of config.json."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive, archive.open("config.json", "w") as member:
        chunk = b" " * (1 << 20)
        for _ in range(1024):
            member.write(chunk)
    (folder / "bomb.keras").write_bytes(buffer.getvalue())
    return ["stack", str(folder / "bomb.keras")]


def _huge_tensor(folder: Path) -> list[str]:
    """Transposed layers growing three axes by 10^99 each, then Flatten and Linear: refused at 10^4000 elements."""
    big = "9" * 99
    lines = ["input: [1, 3, " + ", ".join(["1" + "0" * 98] * 3) + "]", "layers:"]
    lines += [f"  - {{type: convtranspose, kernel_size: {big}, stride: {big}}}"] * 40
    lines += ["  - {type: flatten}", "  - {type: linear, out_features: 4}"]
    (folder / "huge.yaml").write_text("\n".join(lines) + "\n")
    return ["stack", str(folder / "huge.yaml"), "--format", "json"]


POOL = "input: [1, 1, 100000000]\nlayers:\n  - {type: AdaptiveAvgPool1d, output_size: 1}\n"
CASES: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("blocks 10 wide, 16 deep", _blocks),
    ("ONNX: 400 computed views", _onnx_views),
    ("ONNX: a size doubled 1,000 times", _onnx_doubling),
    ("Keras: 1,000 depthwise layers", _keras_depthwise),
    ("Keras: a 1 GB zip bomb", _keras_bomb),
    ("a tensor past 10^4000 elements", _huge_tensor),
    ("explain -k 1000 --html", lambda f: ["explain", "conv", "-i", "1001", "-k", "1000", "--html", str(f / "k.html")]),
    (
        "explain -d 10^6 --html",
        lambda f: ["explain", "conv", "-i", "3000001", "-k", "3", "-d", "1000000", "--html", str(f / "d.html")],
    ),
    ("explain -k 1000 --gif", lambda f: ["explain", "conv", "-i", "1001", "-k", "1000", "--gif", str(f / "k.gif")]),
    ("AdaptiveAvgPool1d(1) of 10^8", lambda f: _write(f, "pool.yaml", POOL)),
]


def _write(folder: Path, name: str, text: str) -> list[str]:
    (folder / name).write_text(text)
    return ["stack", str(folder / name)]


def run(args: list[str]) -> tuple[float, float, str]:
    """Run convcalc once under /usr/bin/time's kind of measure: (seconds, peak MiB, exit code or 'timeout')."""
    start = time.perf_counter()
    command = [sys.executable, "-c", _MEASURE, *args]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=LIMIT, check=False)
    except subprocess.TimeoutExpired:
        return LIMIT, float("nan"), "timeout"
    seconds = time.perf_counter() - start
    peak = float(done.stderr.strip().splitlines()[-1]) if done.stderr.strip() else float("nan")
    return seconds, peak, str(done.returncode)


# runs convcalc in this process and reports its peak resident memory (MiB) on the last stderr line: VmHWM,
# this process's own high-water mark (ru_maxrss would carry the parent's across exec)
_MEASURE = """
import sys
from convcalc.cli.entry import main
try:
    code = main(sys.argv[1:])
finally:
    sys.stdout.flush()
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    sys.stderr.write("\\n%.1f\\n" % (int(status) / 1024))
sys.exit(code)
"""


def main() -> None:
    """Print a row per case: size, exit code, seconds, peak memory, and the time ratio to the plain command."""
    os.environ.setdefault("COLUMNS", "100")
    plain, _, _ = min(run(["stack", "examples/resnet_stem.yaml"]) for _ in range(3))
    print(f"plain command (stack examples/resnet_stem.yaml): {plain:.2f} s")
    print(f"{'case':36} {'file':>9} {'exit':>5} {'seconds':>8} {'peak MiB':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for label, make in CASES:
            args = make(folder)
            inputs = [Path(a) for a in args if Path(a).is_file()]
            size = f"{sum(p.stat().st_size for p in inputs) / 1024:.0f} kB" if inputs else "-"
            seconds, peak, code = run(args)
            print(f"{label:36} {size:>9} {code:>5} {seconds:8.2f} {peak:9.1f} {seconds / plain:6.1f}")


if __name__ == "__main__":
    main()
