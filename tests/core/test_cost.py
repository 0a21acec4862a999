"""What networks cost: FLOPs as torch's FlopCounterMode counts them, torchinfo's mult-adds, buffers, memory.

tests/fixtures/torch_costs.json comes from tools/make_cost_fixtures.py: every bundled example
without blocks, built layer by layer in torch 2.13 and run under FlopCounterMode, with each
layer's parameters, buffers and torchinfo 1.8.0's mult-adds. The lifetimes that give the
inference peak are checked against a brute-force simulation of which tensors are alive.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from math import prod
from typing import TYPE_CHECKING, Any

import pytest

from convcalc.core.analysis import StackResult, analyze
from convcalc.core.cost import Convention, network_cost, readers
from convcalc.netfile.loader import load_network
from convcalc.sources.read import read_network
from tests.conftest import EXAMPLES
from tests.core.torch_cases import FIXTURES

if TYPE_CHECKING:
    from typer.testing import Result

RECORDS: dict[str, list[dict[str, Any]]] = json.loads((FIXTURES / "torch_costs.json").read_text())["files"]


def test_the_fixture_holds_the_examples() -> None:
    """Every example without blocks is in the fixture, and it has convolutions, transposed ones and linear layers."""
    assert len(RECORDS) >= 28
    assert sum(record["flops"] for records in RECORDS.values() for record in records) > 10**11


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_every_layer_costs_what_torch_counts(name: str) -> None:
    """FLOPs as FlopCounterMode, MACs half of them, torchinfo's mult-adds, parameters and buffers, layer by layer."""
    result = analyze(read_network(str(EXAMPLES / name)))
    ours = network_cost(result)
    theirs = network_cost(result, convention=Convention.TORCHINFO)
    records = RECORDS[name]
    assert [layer.name for layer in result.layers] == [record["name"] for record in records]
    for layer, cost, info, record in zip(result.layers, ours.layers, theirs.layers, records, strict=True):
        assert cost.flops == record["flops"], layer.name
        assert cost.macs * 2 == record["flops"], layer.name
        assert info.macs == record["torchinfo_mult_adds"], layer.name
        assert layer.params == record["params"], layer.name
        assert cost.buffers == record["buffers"], layer.name
    assert ours.total_flops == sum(record["flops"] for record in records)


def test_a_transposed_convolution_counts_on_its_input_grid() -> None:
    """Kernel 2, stride 2: FlopCounterMode counts each input cell once; torchinfo the output grid, 4 times as many."""
    text = "input: [1, 8, 16, 16]\nlayers:\n  - {type: ConvTranspose2d, out_channels: 4, kernel_size: 2, stride: 2}\n"
    result = analyze(load_network(text, "up.yaml"))
    (torch_count,) = network_cost(result).layers
    (info_count,) = network_cost(result, convention=Convention.TORCHINFO).layers
    assert torch_count.macs == 16 * 16 * 8 * 4 * 2 * 2  # every input cell meets the whole kernel once
    assert info_count.macs == (8 * 4 * 4 + 4) * 32 * 32  # weights and bias times every output cell
    assert info_count.macs // torch_count.macs == 4


def _alive_at_peak(values: list[int], read: list[list[int]]) -> int:
    """Brute force: at each layer, add up every tensor made by then that it or a later layer reads, or nobody."""
    count = len(values) - 1
    peak = values[0]
    for step in range(1, count + 1):
        alive = sum(
            values[tensor]
            for tensor in range(step + 1)
            if tensor == step or not read[tensor] or any(reader >= step for reader in read[tensor])
        )
        peak = max(peak, alive)
    return peak


def _random_graph(rng: random.Random) -> str:
    """Return a network of 1x1 convolutions and concatenations of earlier layers (any of them, any channels)."""
    lines = ["input: [2, 3, 5, 7]", "layers:"]
    for index in range(1, rng.randint(2, 14)):
        if index > 2 and rng.random() < 0.4:
            sources = rng.sample(["input", *map(str, range(1, index))], rng.randint(1, min(3, index)))
            lines.append(f"  - {{type: concat, from: [{', '.join(sources)}]}}")
        else:
            source = f", from: {rng.choice(['input', *map(str, range(1, index))])}" if rng.random() < 0.3 else ""
            lines.append(f"  - {{type: Conv2d, out_channels: {rng.randint(1, 9)}, kernel_size: 1{source}}}")
    return "\n".join(lines) + "\n"


def test_the_inference_peak_follows_the_tensors_lifetimes() -> None:
    """On 300 random graphs the peak equals a brute-force count of the tensors alive at each layer."""
    rng = random.Random(11)  # noqa: S311 - reproducible graphs
    for _ in range(300):
        text = _random_graph(rng)
        result = analyze(load_network(text, "graph.yaml"))
        values = [prod(result.input)] + [prod(layer.output or ()) for layer in result.layers]
        memory = network_cost(result, "int8").memory
        assert memory.peak_activations == _alive_at_peak(values, readers(result)), text
        assert memory.training_activations == sum(values)


def test_a_skip_connection_holds_its_tensor_until_the_merge() -> None:
    """The U-Net's encoder outputs live until the decoder reads them: the peak is above any two layers' sum."""
    result = analyze(read_network(str(EXAMPLES / "unet.yaml")))
    memory = network_cost(result).memory
    sizes = sorted(prod(layer.output or ()) * 4 for layer in result.layers)
    assert memory.peak_activations > sizes[-1] + sizes[-2]
    assert memory.peak_activations < memory.training_activations
    chain = analyze(read_network(str(EXAMPLES / "vgg16_features.yaml")))
    pairs = [prod(a.input or ()) + prod(a.output or ()) for a in chain.layers]
    assert network_cost(chain).memory.peak_activations == max(pairs) * 4  # a chain holds one input and its output


def test_frozen_layers_and_dtypes() -> None:
    """trainable: false moves a layer's parameters to non-trainable; the dtype sets the bytes per value.

    torch's num_batches_tracked is an int64 in any dtype, as `b.element_size()` says.
    """
    text = (
        "input: [1, 3, 8, 8]\nlayers:\n"
        "  - {type: Conv2d, out_channels: 4, kernel_size: 3, trainable: false}\n"
        "  - {type: BatchNorm2d, trainable: false}\n"
        "  - {type: conv, out_channels: 2, kernel_size: 1}\n"
    )
    result = analyze(load_network(text, "frozen.yaml"))
    cost = network_cost(result, "bfloat16")
    assert (cost.trainable_params, cost.non_trainable_params, cost.buffers) == (10, 112 + 8, 9)
    assert cost.memory.params == (10 + 120) * 2
    assert cost.memory.buffers == 8 * 2 + 8  # running mean and variance in bfloat16, num_batches_tracked an int64
    assert network_cost(result, "FLOAT32").memory.input == 3 * 8 * 8 * 4


def test_the_frameworks_dialects_count_the_same_way() -> None:
    """A Keras file and an ONNX file of one network: the same FLOPs; BatchNorm's statistics counted as each counts.

    Keras counts the moving mean and variance as non-trainable weights (in count_params()); an
    ONNX graph holds them as initializers beside the scale and bias, counted as buffers, as
    torch's running statistics are.
    """
    keras = (
        "framework: keras\ninput: [1, 3, 16, 16]\nlayers:\n"
        "  - {type: Conv2D, filters: 8, kernel_size: 3, padding: same}\n"
        "  - {type: BatchNormalization}\n  - {type: Dense, units: 5}\n"
    )
    onnx = (
        "framework: onnx\ninput: [1, 3, 16, 16]\nlayers:\n"
        "  - {type: Conv, kernel_shape: [3, 3], pads: [1, 1, 1, 1], out_channels: 8}\n"
        "  - {type: BatchNormalization}\n  - {type: permute, dims: [0, 2, 3, 1]}\n"
        "  - {type: Linear, out_features: 5}\n"
    )
    costs = [network_cost(analyze(load_network(text, "x.yaml"))) for text in (keras, onnx)]
    assert costs[0].total_flops == costs[1].total_flops == 2 * (16 * 16 * 8 * 27) + 2 * (16 * 16 * 8 * 5)
    assert (costs[0].non_trainable_params, costs[0].buffers) == (16, 0)
    assert (costs[1].non_trainable_params, costs[1].buffers) == (0, 16)


def _stack_json(run: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = run("stack", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_the_json_says_the_cost(run: Callable[..., Result]) -> None:
    """Per layer flops, macs, parameters by kind, buffers, output bytes; in total, and the memory."""
    document = _stack_json(run, "examples/resnet18.yaml", "--dtype", "float16")
    assert document["total_flops"] == sum(record["flops"] for record in RECORDS["resnet18.yaml"])
    assert document["total_macs"] * 2 == document["total_flops"]
    assert document["count"] == "torch"
    assert document["buffers"] == 9620
    assert document["trainable_params"] == document["total_params"] == 11_689_512
    memory = document["memory"]
    assert memory["dtype"] == "float16"
    assert memory["params_bytes"] == 2 * 11_689_512
    assert (
        memory["training_bytes"]
        == memory["params_bytes"] + memory["buffers_bytes"] + memory["training_activation_bytes"]
    )
    first = document["layers"][0]
    assert (first["flops"], first["macs"], first["output_bytes"]) == (236_027_904, 118_013_952, 64 * 112 * 112 * 2)
    torchinfo = _stack_json(run, "examples/resnet_stem.yaml", "--count", "torchinfo")
    assert torchinfo["count"] == "torchinfo"
    assert torchinfo["layers"][0]["macs"] == 118_013_952


def test_the_table_shows_cost_beside_shape(run: Callable[..., Result]) -> None:
    """A FLOPs column in short units and the totals under it; MACs for torchinfo's count; batch and Param % on request."""
    table = run("stack", "examples/resnet_stem.yaml").stdout
    assert table.splitlines()[1].split()[-2:] == ["params", "FLOPs"]
    assert "236M" in table
    words = " ".join(table.split())
    assert "FLOPs 236M (MACs 118M)" in words
    assert "float32: params 37.63 kB, activations at most 4.01 MB (layer 2), 4.62 MB kept for training" in words
    info = run("stack", "examples/resnet_stem.yaml", "--count", "torchinfo").stdout
    assert info.splitlines()[1].split()[-1] == "MACs"
    assert "MACs 118M (torchinfo's count; FLOPs 236M)" in " ".join(info.split())
    shown = run("stack", "examples/resnet_stem.yaml", "--show-batch", "--param-percent").stdout
    assert "1×3×224×224" in shown
    assert "100.0" in shown
    markdown = run("stack", "examples/resnet_stem.yaml", "--format", "markdown").stdout
    assert "| # | layer | input | output | k/s/p/d | RF | jump | params | FLOPs |" in markdown
    csv = run("stack", "examples/resnet_stem.yaml", "--format", "csv").stdout.splitlines()
    assert csv[0].endswith(",flops,macs,trainable_params,non_trainable_params,buffers")


def test_bad_cost_flags_are_one_line(run: Callable[..., Result]) -> None:
    """An unknown dtype or count: one line, exit 2."""
    for flag, value, message in (
        ("--dtype", "int4", "--dtype: expected float32, float16, bfloat16 or int8, got 'int4'"),
        ("--count", "thop", "--count: expected torch or torchinfo, got 'thop'"),
    ):
        result = run("stack", "examples/resnet_stem.yaml", flag, value)
        assert result.exit_code == 2
        assert result.stderr == f"convcalc: error: {message}\n"
        assert result.stdout == ""


def test_the_keras_statistics_are_keras_non_trainable_weights() -> None:
    """Keras' BatchNormalization and Normalization: their statistics are parameters Keras counts as non-trainable.

    The total is Keras' count_params(): trainable and non-trainable weights, no buffers.
    """
    from convcalc.importers.keras_config import keras_import
    from convcalc.netfile.loader import measured_shapes, network_from_data

    folder = FIXTURES / "keras"
    record = json.loads((folder / "efficientnet_b0.json").read_text())["top"]
    data = keras_import(str(folder / "efficientnet_b0_top.keras"), None, measured_shapes)
    result: StackResult = analyze(network_from_data(data, "efficientnet_b0_top.keras"))
    cost = network_cost(result)
    by_name = {layer.name: spent for layer, spent in zip(result.layers, cost.layers, strict=True)}
    compared = 0
    for name, keras_layer in record.items():
        if name in by_name:
            spent = by_name[name]
            assert (spent.trainable_params, spent.non_trainable_params) == (
                keras_layer["trainable"],
                keras_layer["non_trainable"],
            ), name
            assert spent.buffers == 0, name
            compared += 1
    assert compared > 200
    assert cost.buffers == 0
    assert result.total_params == sum(layer["trainable"] + layer["non_trainable"] for layer in record.values())
