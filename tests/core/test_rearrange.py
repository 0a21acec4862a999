"""Rearranging axes: torch's shapes and refusals, and the spatial axes followed through permutes and views."""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc import Status, analyze
from convcalc.netfile.loader import load_network
from tests.core.torch_cases import FIXTURES

CASES = json.loads((FIXTURES / "torch_graphs.json").read_text())["rearrangements"]
KEYS = {"permute": ("dims",), "transpose": ("dim0", "dim1"), "view": ("shape",), "reshape": ("shape",)}


def _layer(case: dict[str, Any]) -> str:
    keys = KEYS.get(case["type"], ("dim", "sizes"))
    return "{" + ", ".join([f"type: {case['type']}", *(f"{key}: {case[key]}" for key in keys if key in case)]) + "}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c['type']} {c['input']} {_layer(c)}" for c in CASES])
def test_rearrangements_as_torch(case: dict[str, Any]) -> None:
    """torch 2.13's output shape of a permute, transpose, view, reshape, unflatten or (un)squeeze; or its refusal, in a line."""
    text = f"input: {case['input']}\nlayers:\n  - {_layer(case)}\n"
    (result,) = analyze(load_network(text, "net.yaml")).layers
    if case["output"] is None:
        assert result.status is Status.INVALID
        assert result.error is not None
        assert "\n" not in result.error
    else:
        assert result.status is Status.OK, result.error
        assert list(result.output or ()) == case["output"]


def _fields(text: str) -> dict[str, Any]:
    result = analyze(load_network("input: [1, 8, 16, 16]\nlayers:\n" + text, "net.yaml"))
    return {layer.name: "global" if layer.whole_input else layer.receptive_field for layer in result.layers}


def test_channels_last_linear_and_layernorm_keep_the_field() -> None:
    """Permute to NHWC, LayerNorm and Linear over C: each output still reads one position's field."""
    fields = _fields(
        "  - {type: Conv2d, name: c, out_channels: 8, kernel_size: 3, padding: 1}\n"
        "  - {type: permute, name: p, dims: [0, 2, 3, 1]}\n"
        "  - {type: LayerNorm, name: n, normalized_shape: [8]}\n"
        "  - {type: Linear, name: l, out_features: 4}\n"
        "  - {type: permute, name: q, dims: [0, 3, 1, 2]}\n"
        "  - {type: Conv2d, name: d, out_channels: 4, kernel_size: 3, padding: 1}\n"
    )
    assert fields == {"c": (3, 3), "p": (3, 3), "n": (3, 3), "l": (3, 3), "q": (3, 3), "d": (5, 5)}


def test_combining_positions_makes_the_field_global() -> None:
    """A Linear over W, a LayerNorm over H and W, GroupNorm and InstanceNorm read every position."""
    linear = _fields("  - {type: Linear, name: l, out_features: 4}\n")
    assert linear == {"l": "global"}
    norm = _fields("  - {type: LayerNorm, name: n, normalized_shape: [16, 16]}\n")
    assert norm == {"n": "global"}
    group = _fields("  - {type: GroupNorm, name: g, num_groups: 2, num_channels: 8}\n")
    assert group == {"g": "global"}
    instance = _fields("  - {type: InstanceNorm2d, name: i, num_features: 8}\n")
    assert instance == {"i": "global"}
    kept = _fields("  - {type: InstanceNorm2d, name: i, num_features: 8, track_running_stats: true}\n")
    assert kept == {"i": (1, 1)}  # running statistics in eval mode: per channel, no position mixed
    assert _fields("  - {type: Softmax, name: s, dim: -1}\n") == {"s": "global"}
    assert _fields("  - {type: Softmax, name: s, dim: 1}\n") == {"s": (1, 1)}
    assert _fields("  - {type: RMSNorm, name: r, normalized_shape: [16]}\n") == {"r": "global"}


def test_a_window_after_a_permute_says_the_field_is_not_followed() -> None:
    """A convolution reading permuted axes computes torch's shape; the field is not followed, and it says why."""
    result = analyze(
        load_network(
            "input: [1, 8, 16, 12]\nlayers:\n"
            "  - {type: permute, dims: [0, 2, 3, 1]}\n"
            "  - {type: Conv2d, name: c, out_channels: 4, kernel_size: 3}\n",
            "net.yaml",
        )
    )
    conv = result.layers[1]
    assert conv.output == (1, 4, 10, 6)  # torch reads [N, H, W, C] as [N, C', H', W']
    assert conv.receptive_field is None
    assert any("not where this layer reads them" in warning for warning in conv.warnings)


def test_the_channel_shuffle_keeps_the_field() -> None:
    """unflatten, transpose, flatten of the channels move no position."""
    fields = _fields(
        "  - {type: unflatten, name: u, dim: 1, sizes: [2, -1]}\n"
        "  - {type: transpose, name: t, dim0: 1, dim1: 2}\n"
        "  - {type: flatten, name: f, start_dim: 1, end_dim: 2}\n"
        "  - {type: Conv2d, name: c, out_channels: 4, kernel_size: 3}\n"
    )
    assert fields == {"u": (1, 1), "t": (1, 1), "f": (1, 1), "c": (3, 3)}


BAD = [
    (
        "{type: permute, dims: [0, 1, 1, 2]}",
        "dims [0, 1, 1, 2] are not an order of the 4 axes of [1, 8, 16, 16]; name each of 0 to 3 once",
    ),
    ("{type: transpose, dim0: 1, dim1: 4}", "dim1 4 is out of range for 4-D tensors (from -4 to 3)"),
    ("{type: view, shape: [1, 7, -1]}", "shape [1, 7, -1] is invalid for 2048 elements"),
    ("{type: reshape, shape: [-1, -1]}", "shape [-1, -1]: only one size may be -1, and the others must be positive"),
    ("{type: unflatten, dim: 1, sizes: [3, -1]}", "unflatten of dim 1 into [3, -1] is invalid for 8 elements"),
]


@pytest.mark.parametrize(("layer", "message"), BAD, ids=[case[0] for case in BAD])
def test_bad_rearrangements_say_why(layer: str, message: str) -> None:
    """Each refusal is one line naming the shape and what is wrong with it."""
    (result,) = analyze(load_network(f"input: [1, 8, 16, 16]\nlayers:\n  - {layer}\n", "net.yaml")).layers
    assert result.status is Status.INVALID
    assert result.error == message
