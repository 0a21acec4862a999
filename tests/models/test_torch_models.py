"""Nineteen real models written as network files agree with torch at every layer, at three input sizes.

The fixture (tests/fixtures/torch_models.json) comes from tools/make_model_fixtures.py, which
traces torchvision's and timm's models with torch.fx; tools/compare_models.py does the comparing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import convcalc
from tests.conftest import EXAMPLES
from tools.compare_models import compare, fixture

MODELS = (
    "resnet50", "vgg11_bn", "densenet121", "mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0",
    "squeezenet1_0", "googlenet", "inception_v3", "shufflenet_v2_x1_0", "convnext_tiny", "regnet_y_400mf",
    "deeplabv3_resnet50", "fcn_resnet50", "r3d_18", "resnet18_fpn", "maskrcnn_mask_head", "cspdarknet53",
    "hrnet_w18_small",
)  # fmt: skip
"""The nineteen models of the fixture."""
RECORDS = fixture()


@pytest.mark.parametrize("model", MODELS)
def test_the_model_agrees_with_torch_at_every_layer(model: str) -> None:
    """Every layer output torch.fx records (by name), every parameter count and the sampled receptive fields."""
    record = RECORDS[model]
    found = compare(model, record)
    assert found.differences == []
    assert found.shapes == sum(len(layers) for layers in record["sizes"].values())  # every layer, every size
    assert len(record["sizes"]) == 3
    assert found.fields + found.bounded == len(record["receptive_fields"])
    assert found.fields >= 10


def test_the_fixture_holds_every_model_and_comes_from_torch() -> None:
    """The fixture holds the traced models; every one of the nineteen has its file."""
    assert sorted(RECORDS) == sorted(MODELS)
    assert all((EXAMPLES / "models" / f"{model}.yaml").exists() for model in MODELS)


def test_a_wrong_transcription_is_caught(tmp_path: Path) -> None:
    """The comparison fails on a file that differs from the model: a stride, a channel count, a name."""
    original = (EXAMPLES / "models" / "resnet50.yaml").read_text()
    for wrong in (
        original.replace("kernel_size: 3, stride: 2, padding: 1}", "kernel_size: 3, stride: 1, padding: 1}", 1),
        original.replace("out: 1024", "out: 1000"),
        original.replace("name: relu_2}", "name: relu_3}"),
        original.replace("kernel_size: 7, stride: 2, padding: 3", "kernel_size: 7, stride: 2, padding: 2"),
    ):
        assert wrong != original
        path = tmp_path / "resnet50.yaml"
        path.write_text(wrong)
        assert compare("resnet50", RECORDS["resnet50"], path).differences


def test_hrnet_refuses_what_torch_refuses() -> None:
    """HRNet's fusions add branches upsampled by 2, 4 and 8: at 250x300 torch raises, and the file says where."""
    report = convcalc.report(
        convcalc.read_network(EXAMPLES / "models" / "hrnet_w18_small.yaml", input_shape=(1, 3, 250, 300))
    )
    failing = [layer for layer in report.layers if layer.error]
    assert failing
    assert failing[0].name == "stage2.0.add"
    assert "63x75 vs 64x76" in (failing[0].error or "")
