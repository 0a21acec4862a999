"""`convcalc import torch`: the 19 real models' imports against torch's fixture (no torch needed), and the command.

tests/fixtures/torch_imports/ was written by convcalc's importer (tools/import_torch_models.py,
torch 2.14.1, torchvision 0.29.1, timm); each file must give torch's own shape for every layer
at every size of tests/fixtures/torch_models.json, its parameter counts and the receptive fields
autograd measured. The command itself is tested in test_torch_command.py (where torch is installed).
"""

from __future__ import annotations

import json

import pytest

from convcalc.sources.models import _frozen_notes
from tests.core.torch_cases import FIXTURES
from tools.compare_models import fixture
from tools.import_torch_models import OUT, compare_imported

RECORDS = fixture()
TRANSFORMERS = json.loads((FIXTURES / "torch_transformers.json").read_text())["models"]
"""Compared in tests/models/test_transformers.py."""
DETECTORS = json.loads((FIXTURES / "torch_detection.json").read_text())["models"]
"""Compared in tests/models/test_detection.py."""


def test_every_model_was_imported() -> None:
    """One imported file per model of the fixtures."""
    assert {path.name.split(".")[0] for path in OUT.glob("*.yaml")} == set(RECORDS) | set(TRANSFORMERS) | set(DETECTORS)


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_imported_model_matches_torch(model: str) -> None:
    """Every layer's shape at every size, every parameter count and every measured receptive field equal torch's."""
    frozen = any(OUT.glob(f"{model}.*x*.yaml"))
    found = compare_imported(model, RECORDS[model], frozen=frozen)
    assert found.differences == []
    assert found.shapes >= len(RECORDS[model]["sizes"]) * 10
    assert found.params > 0


def test_imported_names_are_module_paths() -> None:
    """Layers are named by module path, and function calls by their module and operation."""
    text = (OUT / "resnet50.yaml").read_text()
    assert '{name: "layer1.0.conv1", type: "Conv2d", out_channels: 64, kernel_size: [1, 1], bias: false' in text
    assert '{name: "layer1.0.add", type: "add", from: ["layer1.0.bn3", "layer1.0.downsample.1"]' in text


def test_many_frozen_layers_are_said_in_one_line() -> None:
    """Up to five layers with sizes frozen at the input: a line each; more (MaxViT has 176): one line naming three."""
    few = _frozen_notes(["a", "b"], "sizes read off a tensor", [1, 3, 8, 8])
    assert few == [
        "layer 'a': sizes read off a tensor are written as they are at the input [1, 3, 8, 8]",
        "layer 'b': sizes read off a tensor are written as they are at the input [1, 3, 8, 8]",
    ]
    many = _frozen_notes([f"l{i}" for i in range(176)], "sizes read off a tensor", [1, 3, 8, 8])
    assert many == [
        "176 layers ('l0', 'l1', 'l2', ...): sizes read off a tensor are written as they are at the input [1, 3, 8, 8]"
    ]


def test_a_subclass_of_a_torch_nn_layer_is_known_by_its_base() -> None:
    """timm's BatchNormAct2d extends torch.nn's BatchNorm2d: known as it (so kept whole, not traced through)."""
    from convcalc.importers.torch_fx import _known_type
    from convcalc.sources.models import torch_import_vocabulary

    base = type("BatchNorm2d", (), {"__module__": "torch.nn.modules.batchnorm"})
    timm_own = type("BatchNormAct2d", (base,), {"__module__": "timm.layers.norm_act"})
    unknown = type("LiteMLA", (), {"__module__": "timm.models.efficientvit_mit"})
    vocabulary = torch_import_vocabulary()
    assert [_known_type(kind, vocabulary) for kind in (timm_own, unknown)] == ["BatchNorm2d", None]
