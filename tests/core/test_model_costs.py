"""The 19 real models cost what torch itself counts: FlopCounterMode's FLOPs, in total and per module, and buffers.

tests/fixtures/torch_model_costs.json comes from tools/make_model_costs.py (torch 2.14.1,
torchvision 0.29.1, timm): each model run at its first input shape under FlopCounterMode.
convcalc reads the model as `convcalc import torch` wrote it (tests/fixtures/torch_imports/).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.sources.read import read_network
from tests.conftest import EXAMPLES
from tests.core.torch_cases import FIXTURES

TRACED_THROUGH = {"resnet18_fpn"}
"""Models whose imported file has torchvision's FrozenBatchNorm2d traced as a multiply and an add."""
COSTS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "torch_model_costs.json").read_text())["models"]


def test_the_fixture_holds_the_real_models() -> None:
    """Nineteen models: classifiers, segmentation, a detection backbone, video, timm's."""
    assert len(COSTS) == 19


@pytest.mark.parametrize("model", sorted(COSTS))
def test_the_bundled_model_files_cost_what_torch_counts(model: str) -> None:
    """examples/models/: the total FLOPs and buffers equal torch's, and every module named as torch names it."""
    record = COSTS[model]
    result = analyze(read_network(str(EXAMPLES / "models" / f"{model}.yaml"), input_shape=tuple(record["input"])))
    cost = network_cost(result)
    assert cost.total_flops == record["total_flops"]
    assert cost.buffers == record["total_buffers"]
    named = [(spent, record["leaves"][layer.name]) for layer, spent in zip(result.layers, cost.layers, strict=True)
             if layer.name in record["leaves"]]  # fmt: skip
    assert all(spent.flops == leaf["flops"] for spent, leaf in named)
    assert len(named) >= 5


@pytest.mark.parametrize("model", sorted(COSTS))
def test_every_module_costs_what_flop_counter_mode_counts(model: str) -> None:
    """The imported file: the total FLOPs, each leaf module's FLOPs, and the buffers, equal torch's."""
    record = COSTS[model]
    network = read_network(str(FIXTURES / "torch_imports" / f"{model}.yaml"), input_shape=tuple(record["input"]))
    result = analyze(network)
    cost = network_cost(result)
    assert cost.total_flops == record["total_flops"]
    assert result.total_params == record["total_params"]
    if model in TRACED_THROUGH:  # the file writes those modules as a multiply and an add: no buffers
        assert cost.buffers == 0 < record["total_buffers"]
    else:
        assert cost.buffers == record["total_buffers"]
    compared = 0
    for layer, spent in zip(result.layers, cost.layers, strict=True):
        leaf = record["leaves"].get(layer.name)
        if leaf is not None:
            assert spent.flops == leaf["flops"], layer.name
            assert spent.buffers == leaf["buffers"], layer.name  # BatchNorm's running statistics and counter
            compared += 1
    assert compared >= len([leaf for leaf in record["leaves"].values() if leaf["flops"]])
