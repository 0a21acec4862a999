"""Whole stacks: every layer's shape, receptive field and jump agree with PyTorch 2.13.

The fixtures hold every example file and random mixed conv/transposed/pool stacks; the
receptive fields and jumps in them were measured with autograd (tools/make_torch_stacks.py).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
import yaml

from convcalc import Status, analyze
from convcalc.netfile.loader import load_network
from convcalc.sources.read import read_network
from tests.conftest import ROOT
from tests.core.torch_cases import load_cases

CASES = load_cases("torch_stacks.json")


def test_fixtures_cover_examples_and_mixed_stacks() -> None:
    """The fixtures include the examples and stacks that mix transposed layers with others."""
    sources = {case["source"] for case in CASES}
    assert "examples/alexnet_features.yaml" in sources
    assert "examples/dcgan_generator.yaml" in sources
    mixed = [
        case
        for case in CASES
        if {layer["type"] for layer in case["network"]["layers"]} >= {"conv", "convtranspose"}
        and all(layer["error"] is None for layer in case["layers"])
    ]
    assert len(mixed) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case["source"] for case in CASES])
def test_stack_matches_pytorch(case: dict[str, Any]) -> None:
    """Each layer: the output shape (or the refusal), the receptive field and the jump per axis."""
    network = load_network(yaml.safe_dump(case["network"]), case["source"])
    result = analyze(network)
    for layer, expected in zip(result.layers, case["layers"], strict=False):
        if expected["error"] is not None:
            assert layer.status is Status.INVALID, f"{layer.label}: torch refused: {expected['error']}"
            break
        assert layer.status is Status.OK, layer.error
        assert expected["output"] == list(layer.output or ())
        assert expected["receptive_field"] == list(layer.receptive_field or ())
        assert layer.jump is not None
        for ours, theirs in zip(layer.jump, expected["jump"], strict=True):
            if theirs is not None:
                assert Fraction(theirs) == ours
    assert result.ok == all(layer["error"] is None for layer in case["layers"])


def test_published_receptive_fields() -> None:
    """AlexNet features 195 and VGG-16 features 212, as Araujo et al. (Distill 2019) publish.

    convcalc's own figure from the example file, and autograd's in the fixture, both equal the
    published one.
    """
    by_source = {case["source"]: case for case in CASES}
    for example, published in (("examples/alexnet_features.yaml", 195), ("examples/vgg16_features.yaml", 212)):
        result = analyze(read_network(str(ROOT / example)))
        assert result.layers[-1].receptive_field == (published, published), example
        assert by_source[example]["layers"][-1]["receptive_field"] == [published, published]
