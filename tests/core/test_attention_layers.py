"""Attention, MultiheadAttention, matmul and select give torch's shapes, parameters and FLOPs, and its refusals.

tests/fixtures/torch_attention.json comes from tools/make_attention_fixtures.py (torch 2.13.0):
480 cases drawn at random, a fifth of them refused by torch. FLOPs are FlopCounterMode's, with
attention on its math kernel (the fused CPU kernel is not counted by FlopCounterMode).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.core.errors import LayerError
from convcalc.core.kinds import other_rules, other_shape
from convcalc.core.spec import OtherSpec
from convcalc.netfile.vocabulary import OTHER_TYPES
from convcalc.sources.read import read_network
from tests.conftest import EXAMPLES
from tests.core.torch_cases import FIXTURES

CASES: dict[str, list[dict[str, Any]]] = json.loads((FIXTURES / "torch_attention.json").read_text())["cases"]


def spec_of(layer: dict[str, Any]) -> OtherSpec:
    """Return the layer a network file with these keys gives (its type's stored keys kept as arguments)."""
    written = layer["type"]
    info = OTHER_TYPES[written.lower().replace("_", "")]
    return OtherSpec(
        kind=info.kind,
        type_name=written,
        dim=layer.get("dim", 1),
        bias=layer.get("bias", True),
        arguments=tuple((key, layer[key]) for key in info.stored if key in layer),
    )


def computed(case: dict[str, Any]) -> tuple[tuple[int, ...] | None, int, int]:
    """Return convcalc's output shape (None: refused), parameters and FLOPs for a case."""
    spec = spec_of(case["layer"])
    shapes = [tuple(shape) for shape in case["inputs"]]
    names = [f"input{i}" for i in range(len(shapes))]
    try:
        shape = other_shape(spec, shapes, names, None)
    except LayerError:
        return None, 0, 0
    flops = other_rules(spec.kind).flops(spec, shapes, shape.output, shape.weight_shape or ())
    return shape.output, shape.params, flops


@pytest.mark.parametrize("kind", sorted(CASES))
def test_every_case_agrees_with_torch(kind: str) -> None:
    """The output shape or the refusal, the parameters and the FLOPs, case by case."""
    cases = CASES[kind]
    differ = []
    for case in cases:
        output, params, flops = computed(case)
        expected = None if case["output"] is None else tuple(case["output"])
        if (output, params if output else 0, flops) != (expected, case["params"] if expected else 0, case["flops"]):
            differ.append((case, output, params, flops))
    assert differ == []
    assert sum(case["output"] is None for case in cases) >= 10
    assert sum(case["output"] is not None for case in cases) >= 80


def test_the_fixture_counts_attention() -> None:
    """The recorded FLOPs of attention are not zero (the math kernel was counted)."""
    assert all(case["flops"] > 0 for case in CASES["attention"] if case["output"] and 0 not in case["output"])


def test_the_bundled_vit_costs_what_torch_counts() -> None:
    """examples/vit_tiny.yaml: the parameters and FLOPs of the same model built in torch."""
    truth = json.loads((FIXTURES / "torch_attention.json").read_text())["vit_tiny_example"]
    result = analyze(read_network(str(EXAMPLES / "vit_tiny.yaml")))
    assert list(result.layers[-1].output or ()) == truth["output"]
    assert result.total_params == truth["params"]
    assert network_cost(result).total_flops == truth["flops"]
