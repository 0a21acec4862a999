"""Coverage-guided fuzzing of everything convcalc reads, seeded with the real fixtures (the long run before a release).

    pip install atheris && pip install -e .
    python tools/fuzz_models.py onnx  [-max_total_time=600] [-jobs=2]
    python tools/fuzz_models.py keras [-max_total_time=600]
    python tools/fuzz_models.py yaml  [-max_total_time=600]

Atheris (libFuzzer for Python) mutates the bytes of the seed files and keeps the inputs that
reach new code. Each input is read as a user's file would be (`onnx`: the ONNX importer;
`keras`: a `.keras` archive or a `to_json()` config; `yaml`: a network file), then analysed
and rendered in every format; only convcalc's input errors may come out. Any other exception
is a crash: atheris stops and writes the input to crash-*. The short, fixed-seed slice that CI
runs on every commit is tests/property/test_model_fuzz.py.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from convcalc import InputErrorGroup, analyze
    from convcalc.importers.keras_config import keras_import
    from convcalc.importers.onnx_graph import onnx_import
    from convcalc.netfile.loader import PrefixMeasure, load_network, measured_shapes, network_from_data
    from convcalc.render.stack import RENDERERS
    from convcalc.render.toolkit import RenderOptions

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = {
    "onnx": [*FIXTURES.glob("onnx/*.onnx"), *FIXTURES.glob("onnx_dynamo/*.onnx")],
    "keras": [*FIXTURES.glob("keras/*.keras"), *FIXTURES.glob("keras/*.model.json")],
    "yaml": [*ROOT.glob("examples/*.yaml"), *ROOT.glob("examples/*/*.yaml")],
}


def _render(data: dict[str, object]) -> None:
    result = analyze(network_from_data(data, "fuzz"))
    for fmt, render in RENDERERS.items():
        written = render(result, RenderOptions(width=80))
        if fmt == "json":
            json.loads(written)


def _onnx(data: bytes) -> None:
    made, _ = onnx_import("fuzz.onnx", None, PrefixMeasure(measured_shapes), data)
    _render(made)


def _keras(data: bytes) -> None:
    _render(keras_import("fuzz.keras", None, PrefixMeasure(measured_shapes), data))


def _yaml(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    result = analyze(load_network(text, "fuzz.yaml"))
    for render in RENDERERS.values():
        render(result, RenderOptions(width=80))


TARGETS = {"onnx": _onnx, "keras": _keras, "yaml": _yaml}


def main() -> None:
    """Fuzz one reader: its seeds in a corpus folder, then atheris with the remaining arguments."""
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: python tools/fuzz_models.py {'|'.join(TARGETS)} [libFuzzer options]")
    name = sys.argv.pop(1)
    corpus = ROOT / ".fuzz" / name
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS[name]:
        target = corpus / seed.name
        if not target.exists():
            target.write_bytes(seed.read_bytes())
    reader = TARGETS[name]

    def one(data: bytes) -> None:
        with contextlib.suppress(InputErrorGroup):
            reader(data)

    atheris.Setup([sys.argv[0], *sys.argv[1:], str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
