"""Networks of several inputs: `inputs` names each, layers read them by name, and all count."""

from __future__ import annotations

from typing import Any

import pytest

from convcalc import analyze
from convcalc.core.cost import network_cost
from convcalc.core.errors import InputErrorGroup
from convcalc.netfile.loader import load_network
from convcalc.netfile.writer import network_yaml

TWO = """\
inputs:
  image1: [1, 3, 64, 96]
  image2: image1
  flow: [1, 2, 32, 48]
layers:
  - {name: f1, type: conv, from: image1, out_channels: 8, kernel_size: 3, stride: 2, padding: 1}
  - {name: f2, type: conv, from: image2, out_channels: 8, kernel_size: 3, stride: 2, padding: 1, shares: f1}
  - {name: joined, type: concat, from: [f1, f2, flow]}
  - {name: head, type: conv, out_channels: 2, kernel_size: 3, padding: 1}
"""


def test_each_input_is_read_by_name() -> None:
    """Two images of one size and a flow field; the second image's branch shares the first's weights."""
    result = analyze(load_network(TWO))
    assert result.ok, result.failures
    assert [list(layer.output or ()) for layer in result.layers] == [
        [1, 8, 32, 48], [1, 8, 32, 48], [1, 18, 32, 48], [1, 2, 32, 48]
    ]  # fmt: skip
    assert result.total_params == 8 * 3 * 9 + 8 + 2 * 18 * 9 + 2
    assert dict(result.inputs) == {"image1": (1, 3, 64, 96), "image2": (1, 3, 64, 96), "flow": (1, 2, 32, 48)}


def test_an_input_like_the_first_follows_it_when_the_input_is_given_anew() -> None:
    """--input gives the first input; image2 names it and follows; flow has its own shape and keeps it."""
    network = load_network(TWO.replace("[1, 2, 32, 48]", "[1, 2, 16, 16]"), input_shape=(1, 3, 32, 32))
    assert network.input_shapes() == {
        "input": (1, 3, 32, 32), "image1": (1, 3, 32, 32), "image2": (1, 3, 32, 32), "flow": (1, 2, 16, 16)
    }  # fmt: skip
    assert analyze(network).layers[2].output == (1, 18, 16, 16)


def test_every_input_counts_in_memory() -> None:
    """The inputs are alive together at the start: 2 x 3 x 64 x 96 + 2 x 32 x 48 values."""
    cost = network_cost(analyze(load_network(TWO)))
    assert cost.memory.input == (2 * 3 * 64 * 96 + 2 * 32 * 48) * 4


def test_a_network_of_several_inputs_is_written_as_read() -> None:
    """network_yaml writes `inputs` (a like as the name it follows) and `shares`; reading it back is the same."""
    network = load_network(TWO)
    text = network_yaml(network)
    assert text.startswith('inputs:\n  "image1": [1, 3, 64, 96]\n  "image2": "image1"\n  "flow": [1, 2, 32, 48]\n')
    assert analyze(load_network(text)).layers == analyze(network).layers


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TWO.replace("from: image2", "from: image3"), "no layer named 'image3' before this one (did you mean `image2`"),
        (TWO.replace("name: joined", "name: flow"), "`flow` is an input of the network in `from:`"),
        (
            TWO.replace("image2: image1", "image2: flow"),
            "inputs.image2: expected a shape or the name of an input before it",
        ),
    ],
)
def test_a_wrong_input_is_one_located_line(text: str, message: str) -> None:
    with pytest.raises(InputErrorGroup) as caught:
        load_network(text, "net.yaml")
    assert message in str(caught.value)
    assert len(caught.value.errors) == 1


@pytest.mark.parametrize(
    "command",
    [
        ["stack", "examples/siamese.yaml", "-f", "markdown"],
        ["stack", "examples/siamese.yaml", "-f", "csv"],
        ["sizes", "examples/siamese.yaml", "-r", "8:64"],
        ["explain", "examples/siamese.yaml", "--layer", "f2"],
        ["port", "--to", "keras", "examples/siamese.yaml"],
        ["check", "examples/siamese.yaml", "-i", "1,3,33,33"],
    ],
)
def test_every_command_takes_a_network_of_several_inputs(run: Any, command: list[str]) -> None:
    """The siamese example through the commands that read network files: answered, never an internal error."""
    result = run(*command)
    assert result.exit_code == 0, result.stderr


def test_a_later_input_may_have_no_spatial_axes() -> None:
    """An image and a vector [N, C] (a conditioning code): the vector through a Linear, added to the image's."""
    text = (
        "inputs:\n  image: [1, 3, 8, 8]\n  code: [1, 10]\nlayers:\n"
        "  - {type: conv, out_channels: 2, kernel_size: 3}\n  - {type: flatten}\n"
        "  - {name: e, type: Linear, from: code, out_features: 72}\n  - {type: add, from: [2, e]}\n"
    )
    result = analyze(load_network(text))
    assert result.ok, result.failures
    assert (result.output, result.total_params) == ((1, 72), 56 + 792)
