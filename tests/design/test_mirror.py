"""convcalc mirror: the decoder file, on stdout or in a file, and the layers it cannot undo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

Run = Callable[..., Result]


def test_mirror_then_stack_round_trip(run: Run) -> None:
    """The decoder of AlexNet's features goes back to 3x224x224 and stack checks every expect."""
    decoder = run("mirror", "examples/alexnet_features.yaml")
    assert decoder.exit_code == 0
    assert decoder.stdout.startswith("# The decoder that mirrors examples/alexnet_features.yaml")
    result = run("stack", "-", "--format", "json", stdin=decoder.stdout)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["output"] == [1, 3, 224, 224]
    assert [layer["type"] for layer in data["layers"]] == ["convtranspose"] * 8
    assert data["layers"][-1]["output_padding"] == [1, 1]  # relationship 14: (224 + 2*2 - 11) mod 4 = 1


def test_mirror_to_a_file(run: Run, tmp_path: Path) -> None:
    """-o writes the file and prints nothing."""
    out = tmp_path / "decoder.yaml"
    result = run("mirror", "examples/resnet_stem.yaml", "-o", str(out))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert run("check", str(out)).exit_code == 0


def test_layer_that_cannot_be_undone(run: Run, tmp_path: Path) -> None:
    """A ceil-mode pool that rounds up cannot be undone: exit 1, the layer and why."""
    net = tmp_path / "enc.yaml"
    net.write_text("input: [1, 1, 6]\nlayers: [{type: maxpool, name: p, kernel_size: 3, stride: 2, ceil_mode: true}]\n")
    result = run("mirror", str(net))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{net}: cannot mirror: layer 1 (p): axis L: no output_padding brings 3 back to 6 (it would be -1; "
        "torch.nn allows 0 to 1); ceil_mode or a stride larger than the kernel loses the size\n"
    )


def test_invalid_encoder(run: Run, tmp_path: Path) -> None:
    """An encoder with an impossible layer cannot be mirrored; a failing expect does not matter."""
    net = tmp_path / "enc.yaml"
    net.write_text("input: [1, 1, 2]\nlayers: [{type: conv, kernel_size: 3}]\n")
    result = run("mirror", str(net))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{net}: cannot mirror: layer 1 is not valid, so the network cannot be mirrored")
    assert run("mirror", "examples/failing/failing_expect.yaml").exit_code == 0
