"""Vision transformers imported by `convcalc import torch` agree with torch: every layer, parameter and FLOP.

tests/fixtures/torch_transformers.json and the imported files come from
tools/make_transformer_fixtures.py (torch 2.14.1, torchvision 0.29.1, timm): torchvision's
ViT-B/16 (nn.MultiheadAttention, a class token), timm's ViT-Tiny (a qkv Linear, unbind,
F.scaled_dot_product_attention) and DeiT-Tiny distilled (two tokens, two heads), torchvision's
Swin-T V1, V2 and 3-D (shifted window attention and patch merging, channels-last; the video
Swin shrinks its window to a short axis), MaxViT-T (attention by einsum, a relative position
bias indexed from a table, 6-D partitions) and the video MViT V2-S (pooling attention over a
token grid, relative positions, the skip path pooled).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.sources.read import read_network
from tests.core.torch_cases import FIXTURES

ATTENTIONS = {"multiheadattention", "attention", "windowattention", "einsum", "multiscaleattention"}
"""The kinds whose FLOPs are attention's."""
RECORDS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "torch_transformers.json").read_text())["models"]


def _imported(model: str) -> Any:
    record = RECORDS[model]
    path = FIXTURES / "torch_imports" / f"{model}.yaml"
    return analyze(read_network(str(path), input_shape=tuple(record["input"])))


def test_the_fixture_holds_the_transformers() -> None:
    """Eight: ViTs with attention as a module and as functions, Swin V1, V2 and 3-D, MaxViT (einsum), MViT V2."""
    assert sorted(RECORDS) == [
        "deit_tiny_distilled_patch16_224", "maxvit_t", "mvit_v2_s", "swin3d_t", "swin_t", "swin_v2_t",
        "vit_b_16", "vit_tiny_patch16_224",
    ]  # fmt: skip


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_every_layer_has_torchs_shape_and_parameters(model: str) -> None:
    """Each node torch.fx recorded, found by name: its output shape and (modules, tokens) its parameters."""
    record = RECORDS[model]
    result = _imported(model)
    assert all(layer.status.value == "ok" for layer in result.layers)
    layers = {layer.name: layer for layer in result.layers}
    compared = [name for name in record["shapes"] if name in layers]
    unwritten = set(record["shapes"]) - set(compared) - set(record["constants"])  # constants: folded into layers
    # a class token's expand over the batch (and MViT's unsqueeze of it: joined as `tokens`), an output picked
    # from its pair (MultiheadAttention's, MViT's with its grid)
    assert all(re.fullmatch(r"(.*\.)?(expand|unsqueeze|getitem)(_\d+)?", name) for name in unwritten)
    assert len(compared) >= 0.9 * (len(record["shapes"]) - len(unwritten))
    assert all(list(layers[name].output or ()) == record["shapes"][name] for name in compared)
    counted = [name for name in record["params"] if name in layers]
    assert all(layers[name].params == record["params"][name] for name in counted)
    assert result.total_params == record["total_params"]


@pytest.mark.parametrize("model", sorted(RECORDS))
def test_every_module_costs_what_flop_counter_mode_counts(model: str) -> None:
    """The total FLOPs and each module's (MultiheadAttention's and Swin's window attention among them)."""
    record = RECORDS[model]
    result = _imported(model)
    cost = network_cost(result)
    assert cost.total_flops == record["total_flops"]
    assert cost.buffers == record["total_buffers"]
    spent = {layer.name: layer_cost.flops for layer, layer_cost in zip(result.layers, cost.layers, strict=True)}
    leaves = {name: flops for name, flops in record["module_flops"].items() if name in spent}
    assert all(spent[name] == flops for name, flops in leaves.items())
    assert {layer.spec.kind.value for layer in result.layers} & ATTENTIONS
    assert len(leaves) >= 20
