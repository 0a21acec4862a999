"""The documented Python API: what a model repository's own tests would write."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest

import convcalc
from tests.conftest import EXAMPLES


def test_read_analyse_and_assert() -> None:
    """Read a file, analyse it, read the per-layer results."""
    result = convcalc.analyze(convcalc.read_network(str(EXAMPLES / "dcgan_generator.yaml")))
    assert result.ok
    assert result.output == (1, 3, 64, 64)
    assert [layer.name for layer in result.layers][:2] == ["project", "up1"]
    assert result.layers[1].jump == (Fraction(1, 2), Fraction(1, 2))
    assert result.layers[1].equivalent_conv is not None
    assert result.layers[1].equivalent_conv.padding == ((2, 2), (2, 2))


def test_build_layers_in_code() -> None:
    """Layers built in Python, with torch.nn's argument names."""
    layer = convcalc.LayerSpec.create("convtranspose", 4, stride=2, padding=1, out_channels=64)
    net = convcalc.NetworkSpec(input=(1, 128, 16, 16), layers=(layer,))
    (result,) = convcalc.analyze(net).layers
    assert result.output == (1, 64, 32, 32)
    assert result.weight_shape == (128, 64, 4, 4)


def test_load_network_from_text_reports_every_problem() -> None:
    """load_network raises one InputErrorGroup with every located problem."""
    with pytest.raises(convcalc.InputErrorGroup) as caught:
        convcalc.load_network("input: [1, 3, 8]\nlayers: [{type: conv}]\n", "inline.yaml")
    assert [str(e) for e in caught.value.errors] == ["inline.yaml:2:10: layers[0]: missing `kernel_size`"]


def test_impossible_layer_is_a_result_not_an_exception() -> None:
    """An impossible layer becomes an invalid result with a message."""
    net = convcalc.NetworkSpec(input=(1, 1, 2, 2), layers=(convcalc.LayerSpec.create("conv", 3),))
    result = convcalc.analyze(net)
    assert not result.ok
    assert result.failures[0].status is convcalc.Status.INVALID
    assert result.failures[0].message.startswith("layer 1, axes H, W: output size 0 < 1")


def test_bad_values_raise_input_error() -> None:
    """Malformed values raise InputError naming the argument."""
    with pytest.raises(convcalc.InputError, match="stride: expected a positive integer, got 0"):
        convcalc.LayerSpec.create("conv", 3, stride=0)


def test_importing_convcalc_does_not_import_yaml_or_rich() -> None:
    """The layer commands start fast: yaml and rich load only when needed."""
    code = "import sys, convcalc.cli.app; print('yaml' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
