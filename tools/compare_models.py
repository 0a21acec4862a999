"""Compare the model transcriptions (examples/models/*.yaml) with torch's fixture, layer by layer.

    python tools/compare_models.py [MODEL ...]

For every model in tests/fixtures/torch_models.json and every input size there, the network
file is read at that size and each layer torch recorded is looked up by name: its output shape,
its parameter count and (where autograd measured it) its receptive field must equal torch's.
Prints one line per model with the counts, and each difference; exits 1 when any differs.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import convcalc

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "torch_models.json"
MODELS = ROOT / "examples" / "models"


@dataclass
class Comparison:
    """What one model's comparison found: how many values agreed, and each that did not."""

    model: str
    shapes: int = 0
    params: int = 0
    fields: int = 0
    bounded: int = 0
    differences: list[str] = field(default_factory=list)

    def line(self) -> str:
        """Return the model's summary line."""
        verdict = "ok" if not self.differences else f"{len(self.differences)} differ"
        return (
            f"{self.model}: {self.shapes} layer outputs, {self.params} parameter counts, "
            f"{self.fields} receptive fields ({self.bounded} more only bounded, the input being smaller): {verdict}"
        )


def fixture() -> dict[str, Any]:
    """Return the models of the fixture file."""
    return dict(json.loads(FIXTURE.read_text())["models"])


def compare(model: str, record: dict[str, Any], path: Path | None = None) -> Comparison:
    """Compare one model's network file (examples/models/MODEL.yaml unless `path`) with its fixture record."""
    found = Comparison(model)
    path = path or MODELS / f"{model}.yaml"
    for size, expected in record["sizes"].items():
        shape = tuple(int(v) for v in size.split("x"))
        try:
            report = convcalc.report(convcalc.read_network(path, input_shape=shape))
        except convcalc.InputErrorGroup as error:
            found.differences.extend(str(e) for e in error.errors)
            return found
        layers = {layer.name: layer for layer in report.layers}
        for key, torch_shape in expected.items():
            layer = layers.get(key)
            if layer is None:
                found.differences.append(f"{size}: no layer named {key!r} (torch gives {torch_shape})")
            elif layer.output is None or list(layer.output) != torch_shape:
                got = layer.error if layer.output is None else list(layer.output)
                found.differences.append(f"{size}: {key}: {got}, torch {torch_shape}")
            else:
                found.shapes += 1
        if size == next(iter(record["sizes"])):
            _compare_params(record, layers, found)
    report = convcalc.report(convcalc.read_network(path, input_shape=tuple(record["receptive_field_input"])))
    layers = {layer.name: layer for layer in report.layers}
    for key, measured in record["receptive_fields"].items():
        layer = layers.get(key)
        if layer is None:
            continue
        _compare_field(key, layer, measured, found)
    return found


def _compare_field(key: str, layer: Any, measured: dict[str, Any], found: Comparison) -> None:  # noqa: ANN401
    """Compare one receptive field with autograd's: exact where autograd saw all of it, else a bound."""
    extent = measured["extent"]
    if layer.whole_input:  # global: one position reads all that the layer reads
        if measured["whole"]:
            found.fields += 1
        else:
            found.differences.append(f"receptive field of {key}: global, autograd {extent} (not global)")
        return
    ours = list(layer.receptive_field or ())
    if not ours:
        found.differences.append(f"receptive field of {key}: not computed, autograd {extent}")
    elif not measured["clipped"]:
        if ours == extent:
            found.fields += 1
        else:
            found.differences.append(f"receptive field of {key}: {ours}, autograd {extent}")
    elif all(o >= e for o, e in zip(ours, extent, strict=True)):
        found.bounded += 1  # autograd saw the input's edges: the field is at least what it saw
    else:
        found.differences.append(f"receptive field of {key}: {ours}, autograd saw at least {extent}")


def _compare_params(record: dict[str, Any], layers: dict[str, Any], found: Comparison) -> None:
    for key, count in record["params"].items():
        layer = layers.get(key)
        if layer is not None and (layer.params or 0) != count:
            found.differences.append(f"parameters of {key}: {layer.params}, torch {count}")
        elif layer is not None:
            found.params += 1
    total = sum(layer.params or 0 for layer in layers.values())
    if total != record["total_params"]:
        found.differences.append(f"total parameters: {total:,}, torch {record['total_params']:,}")


def show(found: Comparison, note: str = "", limit: int = 40) -> bool:
    """Print a comparison's line (with a note) and its first differences; True when any value differs."""
    print(found.line() + note)
    for difference in found.differences[:limit]:
        print(f"  {difference}")
    return bool(found.differences)


def main(argv: list[str]) -> int:
    """Compare the models named (all by default); return 1 when any value differs."""
    models = fixture()
    failed = False
    for model in argv or sorted(models):
        if model not in models:
            print(f"{model}: not in {FIXTURE.name}: run tools/make_model_fixtures.py {model}")
            failed = True
            continue
        failed = show(compare(model, models[model])) or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
