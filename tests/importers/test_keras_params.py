"""Keras' own parameter counts (count_params(), trainable and non-trainable weights) for whole applications.

tests/fixtures/keras_params/ (tools/make_keras_param_fixtures.py, Keras 3.15 on JAX) holds
config-only archives and what Keras counted. EfficientNetV2's Normalization is given its mean
and variance (constants: no weights); MobileNetV3 rescales, ConvNeXt scales by LayerScale and
InceptionResNetV2 merges by its CustomScaleLayer.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc import analyze
from convcalc.core.cost import network_cost
from convcalc.importers.keras_config import keras_import
from convcalc.netfile.loader import PrefixMeasure, load_network, measured_shapes, network_from_data
from tests.core.torch_cases import FIXTURES

FOLDER = FIXTURES / "keras_params"
NOT_READ: dict[str, str] = {}  # what convcalc cannot read yet (issue 35): fixed when these start to pass


def _record(model: str) -> dict[str, Any]:
    return dict(json.loads((FOLDER / f"{model}.json").read_text()))


@pytest.mark.parametrize(
    "model",
    [
        pytest.param(path.stem, marks=pytest.mark.xfail(strict=True, reason=NOT_READ[path.stem]))
        if path.stem in NOT_READ
        else path.stem
        for path in sorted(FOLDER.glob("*.keras"))
    ],
)
def test_parameters_as_keras_counts_them(model: str) -> None:
    """count_params() and its split, exactly; no buffers (Keras has none)."""
    record = _record(model)
    data = keras_import(str(FOLDER / f"{model}.keras"), tuple(record["input"]), PrefixMeasure(measured_shapes))
    result = analyze(network_from_data(data, model))
    cost = network_cost(result)
    assert (result.total_params, cost.trainable_params, cost.non_trainable_params, cost.buffers) == (
        record["count_params"],
        record["trainable"],
        record["non_trainable"],
        0,
    )


@pytest.mark.parametrize(
    ("layer", "counts"),
    [
        ("{type: Normalization, mean: [0.1, 0.2, 0.3], variance: [1, 2, 3]}", (0, 0)),  # Keras: 0 weights
        ("{type: Normalization}", (0, 7)),  # adapted: mean, variance, count (Keras: 7)
        ("{type: BatchNormalization, center: false}", (3, 6)),  # gamma; moving mean and variance (Keras: 3, 6)
        ("{type: LayerScale, init_values: 0.000001, projection_dim: 3}", (3, 0)),  # ConvNeXt's gamma (Keras: 3)
    ],
)
def test_keras_counts_of_the_statistics_layers(layer: str, counts: tuple[int, int]) -> None:
    """Each as Keras 3.15 counted it on an [N, 8, 8, 3] input (checked by hand with keras itself)."""
    result = analyze(load_network(f"framework: keras\ninput: [1, 3, 8, 8]\nlayers:\n  - {layer}\n", "k.yaml"))
    cost = network_cost(result)
    assert (cost.trainable_params, cost.non_trainable_params, cost.buffers) == (*counts, 0)
