"""torchvision's detectors imported by `convcalc import torch` agree with torch: every module call, parameter and FLOP.

tests/fixtures/torch_detection.json and the imported files come from
tools/make_detection_fixtures.py (torch 2.14.1, torchvision 0.29.1): RetinaNet, FCOS and
SSDlite (one stage: heads on every level, their outputs laid out and joined) and Faster,
Mask and Keypoint R-CNN (a region proposal network, then heads on the boxes it keeps). The
R-CNNs' files pool as many boxes as there can be; torch's run pooled as many as its image
kept, which the comparison gives each `roi_align` before it reads the file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.netfile.loader import network_from_data
from tests.core.torch_cases import FIXTURES

RECORDS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "torch_detection.json").read_text())["models"]


def _as_run(model: str) -> Any:
    """Return the imported file analysed with the boxes torch's run pooled."""
    import yaml

    record = RECORDS[model]
    data = yaml.safe_load((FIXTURES / "torch_imports" / f"{model}.yaml").read_text())
    for layer in data["layers"]:
        layer.pop("expect", None)
        if layer["name"] in record["boxes"]:
            layer["boxes"] = record["boxes"][layer["name"]]
    return analyze(network_from_data(data, f"{model}.yaml"))


def test_the_fixture_holds_every_kind_of_detector() -> None:
    """Three one-stage detectors and the three R-CNNs."""
    assert sorted(RECORDS) == [
        "fasterrcnn_mobilenet_v3_large_320_fpn", "fcos_resnet50_fpn", "keypointrcnn_resnet50_fpn",
        "maskrcnn_resnet50_fpn", "retinanet_resnet50_fpn", "ssdlite320_mobilenet_v3_large",
    ]  # fmt: skip


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_the_network_starts_at_the_transformed_image(model: str) -> None:
    """The input is the image as the model's transform resized and padded it; the note says so."""
    record = RECORDS[model]
    data = (FIXTURES / "torch_imports" / f"{model}.yaml").read_text()
    assert f"input: {record['image']}" in data
    assert record["notes"][0].endswith(f"resizes {record['input']} to {record['image']}: the network starts there")
    assert record["notes"][-1].startswith("anchors, box decoding and non-maximum suppression")


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_every_module_call_has_torchs_shape(model: str) -> None:
    """Each call of each module (a head's once per level: path, path_1, ...) has the output torch gave it."""
    result = _as_run(model)
    assert result.ok, [layer.message for layer in result.failures]
    layers = {layer.name: layer for layer in result.layers}
    compared = 0
    for path, shapes in RECORDS[model]["calls"].items():
        for call, shape in enumerate(shapes):
            layer = layers.get(path if call == 0 else f"{path}_{call}")
            if layer is None:
                continue
            assert list(layer.output or ()) == shape, (path, call)
            compared += 1
    assert compared >= 0.9 * sum(len(shapes) for shapes in RECORDS[model]["calls"].values())


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_parameters_buffers_and_flops_are_torchs(model: str) -> None:
    """Every parameter (a shared head's once), every buffer, and FlopCounterMode's FLOPs at the boxes it pooled."""
    record = RECORDS[model]
    result = _as_run(model)
    cost = network_cost(result)
    assert (result.total_params, cost.buffers, cost.total_flops) == (
        record["params"],
        record["buffers"],
        record["flops"],
    )
