"""`convcalc stack MODEL.onnx` on every model of the fixtures, timed whole, against the 0.5 s aim and `import onnx`.

Usage: python benchmarks/onnx_zoo.py [--runs 5] [--folder FOLDER [--input 1,3,224,224]]

The models are tests/fixtures/onnx/ (19 real models and ResNet-18, exported by torch's
TorchScript exporter with dynamic axes: given --input 1,3,224,224, or a 16-frame clip),
tests/fixtures/onnx_dynamo/ and tests/fixtures/onnx_zoo/ (torch's default exporter), or every
.onnx file of FOLDER (the zoo's exports: tools/probe_torch_zoo.py --onnx leaves them in
ZOO_ONNX; those convcalc does not read are said and left out; with --input, files whose axes
are open, such as ZOO_ONNX/torchscript, each read at that input or, a video model, a 16-frame
clip). Each command runs --runs times, interleaved with `python -c "import onnx"` (the floor of
any Python reading ONNX); prints each
model's median wall time, its ratio to that floor, and whether it is under half a second.
Machines are shared and noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from onnx_import import interleaved_medians  # the same timing, beside this script

ROOT = Path(__file__).resolve().parent.parent
AIM = 0.5
"""Seconds an import and stack of a classifier's ONNX file should take at most."""
INPUTS = {"r3d_18": "1,3,16,112,112", "maskrcnn_mask_head": "1,256,14,14"}


def _clip(name: str) -> str | None:
    """Return a video model's usual input (a 16-frame clip), or None for an image model."""
    if name.startswith(("mvit", "s3d")):
        return "1,3,16,224,224"
    return "1,3,16,112,112" if name.startswith(("r3d", "mc3", "r2plus1d", "swin3d")) else None


def commands(folder: Path | None, given: str | None = None) -> dict[str, list[str]]:
    """Return the commands to time, by model: the fixtures', or every file of a folder."""
    convcalc = shutil.which("convcalc")
    entry = [convcalc] if convcalc else [sys.executable, "-m", "convcalc"]
    timed = {"floor: python -c 'import onnx'": [sys.executable, "-c", "import onnx"]}
    if folder is not None:
        for path in sorted(folder.glob("*.onnx")):
            command = [*entry, "stack", str(path)]
            if given is not None:  # axes open (the TorchScript route's exports): each at its usual input
                command += ["--input", _clip(path.stem) or given]
            if subprocess.run(command, capture_output=True, check=False).returncode == 0:
                timed[path.stem] = command
            else:
                print(f"  {path.stem}: not read (left out of the timing)")
        return timed
    for path in sorted((ROOT / "tests" / "fixtures" / "onnx").glob("*.onnx")):
        timed[path.stem] = [*entry, "stack", str(path), "--input", INPUTS.get(path.stem, "1,3,224,224")]
    for kept in ("onnx_dynamo", "onnx_zoo"):
        for path in sorted((ROOT / "tests" / "fixtures" / kept).glob("*.onnx")):
            timed[f"{path.stem} (dynamo)"] = [*entry, "stack", str(path)]
    return timed


def main() -> None:
    """Time every command, interleaved, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="time every .onnx file of this folder instead")
    parser.add_argument("--input", help="the folder's files leave axes open: read each at this input (video: clip)")
    arguments = parser.parse_args()
    medians = interleaved_medians(commands(arguments.folder, arguments.input), arguments.runs)
    floor = medians.pop("floor: python -c 'import onnx'")
    print(f"{arguments.runs} runs each, interleaved; median wall time; `import onnx`: {floor * 1000:.0f} ms")
    for label, median in sorted(medians.items(), key=lambda item: -item[1]):
        verdict = "under" if median < AIM else "OVER"
        print(f"  {label:34} {median * 1000:6.0f} ms   x{median / floor:4.2f} the onnx floor   {verdict} {AIM} s")
    over = [label for label, median in medians.items() if median >= AIM]
    print(
        f"{len(medians) - len(over)} of {len(medians)} models under {AIM} s"
        + (f"; over: {', '.join(over)}" if over else "")
    )


if __name__ == "__main__":
    main()
