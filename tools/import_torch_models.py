"""Import the real models of tests/fixtures/torch_models.json with `convcalc import torch`'s importer.

Run in the environment of tools/make_model_fixtures.py (torch 2.14.1, torchvision 0.29.1, timm):

    python tools/import_torch_models.py [MODEL ...]

Each model is built as that script builds it, traced and written by convcalc's torch importer
(convcalc.importers.torch_fx) at its first input size, with expect lines, to
tests/fixtures/torch_imports/MODEL.yaml. The tests compare those files with torch's own shapes,
parameter counts and receptive fields at every size of the fixture, without torch.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.importers.torch_fx import network_data  # noqa: E402
from convcalc.netfile.writer import data_yaml  # noqa: E402
from convcalc.sources.models import torch_import_vocabulary  # noqa: E402
from tools.compare_models import Comparison, compare, fixture, show  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_imports"
VOCABULARY = torch_import_vocabulary()


def imported_files(name: str, record: dict[str, Any]) -> dict[str, Path]:
    """Return the imported file to compare at each input size of a model's record."""
    first = OUT / f"{name}.yaml"
    return {size: (OUT / f"{name}.{size}.yaml") if (OUT / f"{name}.{size}.yaml").exists() else first
            for size in record["sizes"]}  # fmt: skip


def compare_imported(name: str, record: dict[str, Any], *, frozen: bool) -> Comparison:
    """Compare a model's imported files with its record: each size with its file; fields where one file holds."""
    files = imported_files(name, record)
    if not frozen:
        return compare(name, record, files[next(iter(files))])
    total = Comparison(name)
    for index, (size, path) in enumerate(files.items()):
        part = {**record, "sizes": {size: record["sizes"][size]}, "receptive_fields": {}}
        found = compare(name, part, path)
        total.shapes += found.shapes
        total.params += 0 if index else found.params
        total.differences += found.differences
    fields = OUT / f"{name}.{'x'.join(map(str, record['receptive_field_input']))}.yaml"
    if fields.exists():  # the file imported at the size autograd measured the fields at
        found = compare(name, {**record, "sizes": {}}, fields)
        total.fields, total.bounded = found.fields, found.bounded
        total.differences += found.differences
    return total


def main(argv: list[str]) -> int:
    """Import each model, write its file, and compare it with the fixture; 1 when any differs."""
    from tools.make_model_fixtures import MODELS  # torch, torchvision and timm

    warnings.filterwarnings("ignore")
    OUT.mkdir(exist_ok=True)
    records = fixture()
    failed = False
    for name in argv or list(MODELS):
        build, sizes, rf_size = MODELS[name]
        model = build().eval()
        data, frozen = network_data(model, sizes[0], VOCABULARY)
        path = OUT / f"{name}.yaml"
        path.write_text(data_yaml(data, f"{name} imported by convcalc's torch importer at {list(sizes[0])}"))
        record = records[name]
        if frozen:  # sizes read off tensors hold at the traced input: import again at each size
            for size in (*sizes[1:], rf_size):
                again, _ = network_data(model, size, VOCABULARY)
                other = OUT / f"{name}.{'x'.join(map(str, size))}.yaml"
                other.write_text(data_yaml(again, f"{name} imported by convcalc's torch importer at {list(size)}"))
        found = compare_imported(name, record, frozen=bool(frozen))
        note = f"; sizes read off tensors in {len(frozen)} layers" if frozen else ""
        failed = show(found, note, limit=20) or failed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
