"""Importers measure the layers read so far incrementally: the same shapes, each layer read once.

A graph of 400 blocks computing `view(x.size(0), -1)` from a tensor's shape, and a Keras model
of 1,000 depthwise layers whose configs record no shapes, were quadratic (31 s and 38.6 s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from convcalc import analyze
from convcalc.importers.keras_config import keras_network_data
from convcalc.importers.onnx_graph import onnx_import
from convcalc.netfile.loader import PrefixMeasure, measured_shapes, network_from_data
from tests.core.torch_cases import FIXTURES
from tools.hostile_models import view_blocks


class Counted:
    """measured_shapes, counting how often the whole data is read."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: Any) -> dict[str, tuple[int, ...]]:
        """Count the call and measure the whole data."""
        self.calls += 1
        return measured_shapes(data)


def test_a_graph_of_400_computed_views_reads_each_layer_once(tmp_path: Path) -> None:
    """400 blocks: the same file as measuring every prefix anew, and the whole data never re-read."""
    path = view_blocks(tmp_path / "views.onnx", 400)
    counted = Counted()
    data, _ = onnx_import(path, (3, 2, 4, 4), PrefixMeasure(counted))
    assert counted.calls == 0
    small = view_blocks(tmp_path / "small.onnx", 30)
    assert onnx_import(small, (3, 2, 4, 4), PrefixMeasure(measured_shapes)) == onnx_import(
        small, (3, 2, 4, 4), measured_shapes
    )
    result = analyze(network_from_data(data, "views.onnx"))
    assert result.ok
    assert result.output == (3, 2, 4, 4)
    assert [layer.output for layer in result.layers[1:3]] == [(3, 32), (3, 2, 4, 4)]


def test_a_keras_chain_of_1000_depthwise_layers_needs_no_measuring() -> None:
    """Each depthwise layer's channels come from the layer before it (its filters), not from a measure."""
    layers: list[dict[str, Any]] = [{"class_name": "InputLayer", "name": "in", "inbound_nodes": [],
                                     "config": {"batch_input_shape": [None, 8, 8, 4], "name": "in"}}]  # fmt: skip
    for i in range(1000):
        previous = layers[-1]["name"]
        layers.append({"class_name": "DepthwiseConv2D", "name": f"dw{i}", "inbound_nodes": [[[previous, 0, 0, {}]]],
                       "config": {"name": f"dw{i}", "kernel_size": [1, 1], "depth_multiplier": 1}})  # fmt: skip
    model = {"class_name": "Functional", "config": {"name": "m", "layers": layers, "input_layers": [["in", 0, 0]],
                                                    "output_layers": [["dw999", 0, 0]]}}  # fmt: skip
    counted = Counted()
    data = keras_network_data(json.loads(json.dumps(model)), "m.json", None, counted)
    assert counted.calls == 0
    result = analyze(network_from_data(data, "m.json"))
    assert result.ok
    assert result.total_params == 1000 * (4 + 4)


@pytest.mark.parametrize("model", sorted(path.stem for path in (FIXTURES / "onnx").glob("*.onnx")))
def test_the_real_models_import_the_same_either_way(model: str) -> None:
    """Every ONNX fixture: the incremental measure writes the file that measuring every prefix writes."""
    path = str(FIXTURES / "onnx" / f"{model}.onnx")
    record = json.loads((FIXTURES / "onnx" / f"{model}.json").read_text())
    shape = tuple(int(v) for v in next(iter(record["sizes"])).split("x"))
    assert onnx_import(path, shape, PrefixMeasure(measured_shapes)) == onnx_import(path, shape, measured_shapes)


def test_a_layer_with_a_problem_stops_the_prefix_without_reading_the_whole() -> None:
    """A `from` naming a node the importer could not follow: the shapes before it, and the whole data never read.

    Reading the whole data again at every node after such a layer made a refused 4,000-node
    graph (Swin V2 by the TorchScript exporter) take minutes; read as a file it gives no shapes.
    """
    counted = Counted()
    measure = PrefixMeasure(counted)
    layers = [
        {"name": "a", "type": "conv", "out_channels": 4, "kernel_size": 3},
        {"name": "b", "type": "conv", "out_channels": 4, "kernel_size": 3, "from": "unfollowed"},
        {"name": "c", "type": "conv", "out_channels": 4, "kernel_size": 3, "from": "a"},
    ]
    for count in (2, 3):
        assert measure({"input": [1, 3, 9, 9], "layers": layers[:count]}) == {"a": (1, 4, 7, 7)}
    assert counted.calls == 0
    assert measured_shapes({"input": [1, 3, 9, 9], "layers": layers}) == {}


def test_a_network_of_several_inputs_is_measured_incrementally() -> None:
    """`inputs` as importers write it (a later input by the first's name): read once, its layers reading each."""
    counted = Counted()
    inputs = {"left": [1, 3, 8, 8], "right": "left", "hint": [1, 2, 4, 4]}
    layers = [
        {"name": "a", "type": "conv", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": 1, "from": "right"},
        {"name": "b", "type": "add", "from": ["a", "hint"]},
    ]
    shapes = PrefixMeasure(counted)({"inputs": inputs, "layers": layers})
    assert shapes == {"a": (1, 2, 4, 4), "b": (1, 2, 4, 4)}
    assert counted.calls == 0
