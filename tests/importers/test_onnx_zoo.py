"""torchvision models exported by torch's default ONNX exporter read with torch's parameters and FLOPs.

The files (tests/fixtures/onnx_zoo/, kept by tools/keep_zoo_exports.py from the exports of
tools/probe_torch_zoo.py --onnx, torch 2.14.1, weights=None) were rewritten by the exporter's
optimizer: BatchNorms fused into the convolutions before them (ResNet-18, GoogLeNet), and biases
that torchvision's initialisation leaves at zero dropped (EfficientNet-B0's squeeze-excitation
convolutions, ConvNeXt's, ViT's projections and head). Each node's metadata says so; the
truth (torch's parameters and FlopCounterMode's FLOPs) is in truth.json. Exports by the other
routes are in folders by route: torchscript/ (the older exporter at opset 17, axes open),
dynamic/ (the default exporter, axes open), unoptimized/ (`optimize=False`).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc import analyze
from convcalc.core.cost import network_cost
from convcalc.sources.read import read_network
from tests.core.torch_cases import FIXTURES

FOLDER = FIXTURES / "onnx_zoo"
TRUTH: dict[str, dict[str, Any]] = json.loads((FOLDER / "truth.json").read_text())


def test_the_fixtures_are_the_exports_kept() -> None:
    """Six models by the default exporter and more by the other routes, each file beside its truth.

    MViT-V1-B's position embedding is made from its parts (Tile, Expand, Concat of weights); by the
    TorchScript exporter, its class token set apart by a Loop and its `_squeeze` an If; Swin-V2-T
    by the TorchScript exporter holds its shifted-window masks made from sizes, its position MLP on
    a coordinate table, and a channels-last Pad.
    """
    defaults = ["convnext_tiny", "efficientnet_b0", "googlenet", "mvit_v1_b", "resnet18", "vit_b_16"]
    assert sorted(name for name in TRUTH if "/" not in name) == defaults
    routes = {"torchscript/resnet18", "torchscript/vit_b_16", "dynamic/convnext_tiny", "unoptimized/resnet18"}
    assert routes | {"torchscript/mvit_v1_b", "torchscript/swin_v2_t"} <= set(TRUTH)
    kept = sorted(path.relative_to(FOLDER).with_suffix("").as_posix() for path in FOLDER.rglob("*.onnx"))
    assert kept == sorted(TRUTH)


@pytest.mark.parametrize("model", sorted(TRUTH))
def test_the_export_counts_what_torch_counts(model: str) -> None:
    """torch's parameters (GoogLeNet: those forward uses, its auxiliary classifiers are not exported) and FLOPs.

    A file whose axes are open is read at the probe's input; the TorchScript exporter's holds
    its own weights (each BatchNorm folded into the convolution before it), its truth.
    """
    truth = TRUTH[model]
    given = tuple(truth["input"]) if truth.get("open_axes") else None
    result = analyze(read_network(str(FOLDER / f"{model}.onnx"), input_shape=given))
    assert result.ok
    assert list(result.input) == truth["input"]
    assert result.total_params in (truth["params"] - truth.get("unused_params", 0), truth.get("file_params"))
    assert network_cost(result).total_flops == truth["flops"]


def test_a_fused_batch_norm_comes_back_under_its_modules_name() -> None:
    """ResNet-18's first convolution: no bias of its own, then bn1 with 2 x 64 parameters and its statistics."""
    result = analyze(read_network(str(FOLDER / "resnet18.onnx")))
    conv, norm = result.layers[:2]
    assert (conv.params, norm.name, norm.params) == (64 * 3 * 7 * 7, "bn1", 2 * 64)
    assert norm.output == conv.output
    assert "layer4.1.bn2" in {layer.name for layer in result.layers}
