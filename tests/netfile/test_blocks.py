"""Blocks: written once with parameters, placed and repeated, expanded into layers with predictable names."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

import convcalc
from convcalc import InputErrorGroup
from convcalc.netfile.loader import load_network
from tests.conftest import EXAMPLES

Run = Callable[..., Result]

UNIT = """\
input: [1, 3, 32, 32]
blocks:
  unit:
    params: {width: null, stride: 1, down: false}
    layers:
      - {type: Conv2d, name: conv, out_channels: $width, kernel_size: 3, stride: $stride, padding: 1}
      - {type: ReLU}
      - {type: Conv2d, name: short, from: input, out_channels: $width, kernel_size: 1, stride: $stride, when: $down}
      - {type: add, name: add, from: [1, short]}
layers:
"""


def shapes(text: str) -> dict[str, tuple[int, ...] | None]:
    """Return each layer's output shape by name, from a file's text."""
    report = convcalc.report(load_network(text, "net.yaml"))
    return {layer.name: layer.output for layer in report.layers}


def errors_of(text: str) -> list[str]:
    """Return the error lines a file produces (it must produce some)."""
    with pytest.raises(InputErrorGroup) as caught:
        load_network(text, "net.yaml")
    return [str(error) for error in caught.value.errors]


def layer_keys(text: str) -> list[dict[str, Any]]:
    """Return each expanded layer's name and inputs."""
    network = load_network(text, "net.yaml")
    return [{"name": layer.name, "from": layer.inputs} for layer in network.layers]


def test_a_repeated_block_names_its_layers_by_instance_repetition_and_name() -> None:
    """N.0.conv, N.1.conv ...; an unnamed layer by its position in the block; `when: false` leaves it out."""
    text = UNIT.replace("{type: add, name: add, from: [1, short]}", "{type: add, name: add, from: [relu, short]}")
    text = text.replace("{type: ReLU}", "{type: ReLU, name: relu}")
    text += "  - {block: unit, name: stage, repeat: 3, width: 8, first: {stride: 2, down: true}}\n"
    got = shapes(text)
    assert list(got) == [
        "stage.0.conv", "stage.0.relu", "stage.0.short", "stage.0.add",
        "stage.1.conv", "stage.1.relu", "stage.1.add",
        "stage.2.conv", "stage.2.relu", "stage.2.add",
    ]  # fmt: skip
    assert got["stage.0.short"] == (1, 8, 16, 16)
    assert got["stage.2.add"] == (1, 8, 16, 16)
    keys = {layer["name"]: layer["from"] for layer in layer_keys(text)}
    assert keys["stage.0.conv"] is None  # the layer before: here the network's input
    assert keys["stage.0.short"] == ("input",)  # the block's input is the network's here
    assert keys["stage.1.conv"] is None  # each repetition reads the one before: the layer before it
    assert keys["stage.1.add"] == ("stage.1.relu", "stage.0.add")  # the left-out shortcut reads its input


def test_without_repeat_names_have_no_repetition_and_unnamed_layers_take_their_position() -> None:
    """N.conv, N.1 for the unnamed second layer; the instance name and N.0 name its output."""
    text = UNIT.replace("from: [1, short]", "from: [1, conv]")
    text += "  - {block: unit, name: a, width: 4}\n"
    text += "  - {block: unit, name: b, repeat: 2, width: 4}\n"
    text += "  - {type: concat, name: joined, from: [a, b.0, b]}\n"
    got = shapes(text)
    assert "a.conv" in got
    assert "a.1" in got
    assert got["joined"] == (1, 12, 32, 32)
    keys = {layer["name"]: layer["from"] for layer in layer_keys(text)}
    assert keys["joined"] == ("a.add", "b.0.add", "b.1.add")


def test_an_index_in_the_files_list_still_means_that_line_after_blocks() -> None:
    """`from: 2` names the file's second layer, whatever the blocks before it expanded to."""
    text = UNIT.replace("from: [1, short]", "from: [1, conv]")
    text += "  - {type: Conv2d, out_channels: 5, kernel_size: 1}\n"
    text += "  - {block: unit, name: a, repeat: 2, width: 4}\n"
    text += "  - {type: Conv2d, from: 1, out_channels: 7, kernel_size: 1, name: again}\n"
    text += "  - {type: ReLU, from: 2}\n"
    keys = layer_keys(text)
    assert keys[-2]["from"] == ("1",)
    assert keys[-1]["from"] == ("a.1.add",)  # the block's output, not the expanded list's second layer


def test_nested_blocks_compose_their_names_and_pass_parameters_on() -> None:
    """A block inside a block: stage.0.down.0, with the outer block's parameter passed to the inner one."""
    text = """\
input: [1, 3, 32, 32]
blocks:
  down:
    params: {c: null, s: 1}
    layers:
      - {type: Conv2d, name: "0", out_channels: $c, kernel_size: 1, stride: $s}
      - {type: BatchNorm2d, name: "1"}
  unit:
    params: {c: 8}
    layers:
      - {type: Conv2d, name: conv, out_channels: $c, kernel_size: 3, stride: 2, padding: 1}
      - {block: down, name: down, from: input, c: $c, s: 2}
      - {type: add, name: add, from: [conv, down]}
layers:
  - {block: unit, name: stage, repeat: 2, expect: [1, 8, 8, 8]}
"""
    got = shapes(text)
    assert got["stage.0.down.0"] == (1, 8, 16, 16)
    assert got["stage.1.down.1"] == (1, 8, 8, 8)
    network = load_network(text, "net.yaml")
    assert network.layers[-1].expect == (1, 8, 8, 8)  # an instance's expect checks its output


def test_the_resnet50_file_is_short_and_counts_torchvisions_parameters() -> None:
    """ResNet-50 in about 40 lines: 175 layers, 25,557,032 parameters (torchvision's count)."""
    path = EXAMPLES / "models" / "resnet50.yaml"
    assert len(path.read_text().splitlines()) <= 40
    report = convcalc.report(convcalc.read_network(path))
    assert len(report.layers) == 175
    assert sum(layer.params or 0 for layer in report.layers) == 25_557_032
    assert report.layer("layer4.2.relu_2").receptive_field == (427, 427)
    assert report.layer("layer2.0.downsample.0").output == (1, 512, 28, 28)


def test_blocks_from_python_data() -> None:
    """network_from_data reads blocks as a file does."""
    blocks: dict[str, dict[str, object]] = {
        "b": {
            "params": {"c": 4},
            "layers": [{"type": "Conv2d", "name": "conv", "out_channels": "$c", "kernel_size": 3}],
        }
    }
    data = {"input": [1, 3, 16, 16], "blocks": blocks, "layers": [{"block": "b", "name": "x", "repeat": 2, "c": 6}]}
    report = convcalc.report(data)
    assert [layer.name for layer in report.layers] == ["x.0.conv", "x.1.conv"]
    assert report.output == (1, 6, 12, 12)
    built = convcalc.network([1, 3, 16, 16], [{"block": "b", "name": "y"}], blocks=blocks)
    assert [layer.name for layer in built.layers] == ["y.conv"]


BAD = [
    ("unknown block", "  - {block: nope, name: a}\n", ["net.yaml:11:13: layers[0].block: no block named 'nope'"]),
    (
        "misspelt parameter",
        "  - {block: unit, name: a, widht: 3, width: 2}\n",
        ["net.yaml:11:28: layers[0].widht: block 'unit' has no parameter `widht` (did you mean `width`?)"],
    ),
    ("missing parameter", "  - {block: unit, name: a}\n", ["net.yaml:11:5: layers[0]: block 'unit' needs `width`"]),
    ("no name", "  - {block: unit, width: 2}\n", ["net.yaml:11:5: layers[0]: a block's instance needs `name`"]),
    (
        "repeat zero",
        "  - {block: unit, name: a, repeat: 0, width: 2}\n",
        ["net.yaml:11:36: layers[0].repeat: expected a positive integer, got the number 0"],
    ),
    (
        "name taken",
        "  - {type: ReLU, name: a}\n  - {block: unit, name: a, width: 2}\n",
        ["net.yaml:12:25: layers[1].name: 'a' names a layer already"],
    ),
    (
        "bad value in the block, said once for every repetition",
        "  - {block: unit, name: a, repeat: 3, width: -2}\n",
        ["net.yaml:11:46: a.0.conv.out_channels: expected a positive integer, got -2"],
    ),
]


@pytest.mark.parametrize(("what", "lines", "expected"), BAD, ids=[case[0] for case in BAD])
def test_bad_instances_are_located(what: str, lines: str, expected: list[str]) -> None:  # noqa: ARG001 - the id
    """Each wrong instance is one located line."""
    assert errors_of(UNIT + lines) == expected


def test_bad_block_definitions_are_located() -> None:
    """A block reading a later layer, an index, a name `input`, an unknown parameter; a block inside itself."""
    text = """\
input: [1, 3, 8, 8]
blocks:
  bad:
    params: {c: 2}
    layers:
      - {type: ReLU, name: input}
      - {type: ReLU, name: a, from: b}
      - {type: ReLU, name: b, from: 1}
      - {type: Conv2d, out_channels: $k, kernel_size: 1}
  loop:
    layers:
      - {block: loop, name: again}
  empty: {layers: []}
  odd: {layers: [{type: ReLU}], extra: 1}
layers:
  - {block: bad, name: x}
  - {block: loop, name: y}
"""
    assert errors_of(text) == [
        "net.yaml:13:19: blocks.empty.layers: expected a list of layers, got an empty list",
        "net.yaml:14:33: blocks.odd.extra: unknown key `extra`",
        "net.yaml:6:28: blocks.bad.layers[0].name: `input` is the block's input in `from:`; name it otherwise",
        "net.yaml:8:37: x.b.from: inside a block, `from` names a layer: an index would move with every instance",
        "net.yaml:9:38: blocks.bad.layers[3].out_channels: block 'bad' has no parameter `k`",
        "net.yaml:12:17: blocks.loop.layers[0].block: block 'loop' contains itself (loop -> loop)",
        "net.yaml:7:37: x.a.from: 'x.b' is defined later: a layer reads only layers before it",
    ]


def test_a_huge_repeat_is_refused_at_once() -> None:
    """repeat: 10**9 is refused before anything is expanded (no hang, no memory)."""
    problems = errors_of(UNIT + "  - {block: unit, name: a, repeat: 1000000000, width: 2}\n")
    assert problems == [
        "net.yaml:11:5: layers[0]: the file expands to 4,000,000,000 layers (4,000,000,000 here); at most 20,000 are read"
    ]


def test_blocks_nested_ten_wide_and_sixteen_deep_are_counted_not_expanded(tmp_path: Path) -> None:
    """10^15 layers from a 4 kB file: each block counted once, refused in one line (it once ran for ever)."""
    lines = ["input: [1, 3, 8, 8]", "blocks:", "  b0:", "    layers:", "      - {type: relu}"]
    for level in range(1, 16):
        lines += [f"  b{level}:", "    layers:"]
        lines += [f"      - {{block: b{level - 1}, name: x{i}}}" for i in range(10)]
    lines += ["layers:", "  - {block: b15, name: top}"]
    path = tmp_path / "net.yaml"
    path.write_text("\n".join(lines) + "\n")
    done = subprocess.run(  # its own process, so that a regression fails at the timeout instead of hanging
        [sys.executable, "-m", "convcalc", "stack", "net.yaml"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    line = "net.yaml:187:5: layers[0]: the file expands to 1,000,000,000,000,000 layers (1,000,000,000,000,000 here); at most 20,000 are read\n"
    assert (done.returncode, done.stderr) == (2, line)


def test_a_repeat_of_thousands_of_digits_is_one_line() -> None:
    """Python converts at most 4,300 digits: a longer repeat is refused by its length."""
    problems = errors_of(UNIT + "  - {block: unit, name: a, repeat: " + "9" * 5000 + ", width: 2}\n")
    assert problems == ["net.yaml:11:36: layers[0].repeat: expected at most 18 digits, got 5000"]


def test_the_cli_says_each_problem_in_a_line_and_exits_2(run: Run, tmp_path: Path) -> None:
    """Through the command line: exit 2, one line a problem, no traceback."""
    path = tmp_path / "net.yaml"
    path.write_text(UNIT + "  - {block: unit, name: a, repeat: 2, width: 2, widht: 3}\n  - {block: nope, name: b}\n")
    result = run("stack", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert "Traceback" not in result.stderr
    assert lines[1].endswith("layers[1].block: no block named 'nope'")


def test_explain_mirror_and_port_take_block_files(run: Run, tmp_path: Path) -> None:
    """explain --layer finds an expanded name; mirror writes a decoder of the expanded layers; port names them."""
    result = run("explain", "examples/models/resnet50.yaml", "--layer", "layer2.0.conv2")
    assert result.exit_code == 0
    assert "input 56×56 → output 28×28" in result.stdout
    encoder = tmp_path / "enc.yaml"
    encoder.write_text(
        "input: [1, 3, 64, 64]\nblocks:\n  down:\n    params: {c: null}\n    layers:\n"
        "      - {type: Conv2d, name: conv, out_channels: $c, kernel_size: 4, stride: 2, padding: 1}\n"
        "layers:\n  - {block: down, name: enc, repeat: 3, c: 16}\n"
    )
    decoder = tmp_path / "dec.yaml"
    assert run("mirror", str(encoder), "-o", str(decoder)).exit_code == 0
    assert "enc.2.conv_mirror" in decoder.read_text()
    assert run("check", str(decoder)).exit_code == 0
    ported = run("port", str(encoder), "--to", "keras")
    assert ported.exit_code == 0
    assert "enc.1.conv" in ported.stdout
