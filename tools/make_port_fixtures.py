"""Generate tests/fixtures/port_torch.json: the torch.nn code `convcalc port` writes, run in PyTorch.

Run with PyTorch installed (pip install torch==2.13.0), from the checkout:

    python tools/make_port_fixtures.py

For every layer of the Keras, ONNX and JAX tables that has an output, it asks convcalc for
the torch.nn code that replaces it, runs that code on a zero tensor in PyTorch and records
the shape that comes out. The tests check that the code is still what convcalc writes and
that PyTorch's shape is the source framework's.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.port import to_torch, torch_snippet  # noqa: E402
from tests.torch_cases import layer_from_case, load_cases  # noqa: E402


def main() -> None:
    """Write the fixture file."""
    records = []
    for name in ("keras", "onnx", "jax"):
        for index, case in enumerate(load_cases(f"{name}_layers.json")):
            if case["error"] is not None or min(case["output"]) < 1:
                continue
            layer = layer_from_case(case)
            shape = (1, 2, *case["input"])
            snippet = torch_snippet(to_torch(layer, shape), 2, 2)
            scope: dict[str, object] = {}
            exec(snippet, scope)  # noqa: S102 - the code under test, written by convcalc
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = scope["layer"](torch.zeros(*shape))  # type: ignore[operator]
            records.append({"framework": name, "case": index, "python": snippet, "torch_output": list(out.shape[2:])})
    out_path = ROOT / "tests" / "fixtures" / "port_torch.json"
    out_path.write_text(json.dumps({"torch": torch.__version__, "records": records}, indent=0) + "\n")
    print(f"{len(records)} ported layers run in torch {torch.__version__} -> {out_path}")


if __name__ == "__main__":
    main()
