"""The layer commands through the command line: exit codes, stdout, stderr, formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import Result

from convcalc import __version__
from convcalc.cli.app import main
from convcalc.cli.entry import main as entry_main

RunJson = Callable[..., tuple[int, dict[str, Any]]]
Run = Callable[..., Result]


def test_conv_table(run: Run) -> None:
    """The table names the input, shows the output shape and exits 0 with nothing on stderr."""
    result = run("conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "input 1×6×6" in result.stdout
    assert "1×4×4" in result.stdout
    assert "receptive field 2" in result.stdout


def test_convt_shows_equivalent_convolution(run: Run) -> None:
    """A transposed layer's table spells out the direct convolution that equals it."""
    result = run("convt", "-i", "3", "-k", "2", "-s", "2")
    assert result.exit_code == 0
    assert "insert 1 zero between input cells (3 → 5); pad 1 on each side" in result.stdout
    assert "→ 6" in result.stdout


@pytest.mark.parametrize("main", [entry_main, main], ids=["fast path", "typer"])
@pytest.mark.parametrize("alias", ["convt", "conv-transpose", "deconv"])
def test_convt_aliases(capsys: pytest.CaptureFixture[str], main: Callable[[list[str]], int], alias: str) -> None:
    """convt, conv-transpose and deconv are the same command."""
    assert main([alias, "-i", "3", "-k", "2", "-s", "2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["output"] == [1, 1, 6, 6]


def test_json_record_has_the_contract_keys(run_json: RunJson) -> None:
    """Every key the contract names is there for a single layer."""
    code, data = run_json("convt", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "--dims", "1")
    assert code == 0
    assert {"input", "output", "ok", "layers"} <= data.keys()
    (layer,) = data["layers"]
    required = {
        "index", "name", "type", "input", "output", "kernel_size", "stride", "dilation", "padding",
        "output_padding", "receptive_field", "jump", "equivalent_conv", "warnings", "error",
    }  # fmt: skip
    assert required <= layer.keys()
    assert layer["equivalent_conv"] == {
        "zeros_inserted": [1],
        "stretched_input": [5],
        "padding": [[1, 2]],
        "kernel_size": [3],
        "dilation": [1],
        "stride": [1],
    }
    assert layer["jump"] == [0.5]
    assert layer["jump_fraction"] == ["1/2"]


@pytest.mark.parametrize(
    "args",
    [
        ("pool", "-i", "7x9", "-k", "3", "-s", "2", "--ceil", "--format", "json"),
        ("stack", "examples/unet.yaml", "--format", "json"),
        ("stack", "examples/resnet18.yaml", "--format", "csv"),
        ("sizes", "examples/unet_decoder.yaml", "--format", "json"),
    ],
    ids=["pool", "unet", "resnet18", "sizes"],
)
def test_output_is_deterministic_across_processes(args: tuple[str, ...]) -> None:
    """Processes with other string hashes (PYTHONHASHSEED) print the same bytes: no set order leaks out."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    outputs = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "convcalc", *args], capture_output=True, text=True, check=False, env=env, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_channels_groups_and_params(run_json: RunJson) -> None:
    """Channels, groups and bias set the weight shape and the parameter count."""
    code, data = run_json("conv", "-i", "224", "-k", "3", "--channels", "32", "--out-channels", "64", "--groups", "4")
    assert code == 0
    (layer,) = data["layers"]
    assert layer["weight_shape"] == [64, 8, 3, 3]
    assert layer["params"] == 64 * 8 * 9 + 64
    code, data = run_json("conv", "-i", "224", "-k", "3", "--channels", "32", "--out-channels", "64", "--no-bias")
    assert data["layers"][0]["params"] == 64 * 32 * 9


def test_transposed_weight_is_cin_by_cout_over_groups(run_json: RunJson) -> None:
    """ConvTranspose weights are Cin × Cout/groups × k (unlike Conv)."""
    _, data = run_json(
        "convt", "-i", "4", "-k", "4", "-s", "2", "-p", "1", "--channels", "8", "--out-channels", "4", "--groups", "2"
    )
    assert data["layers"][0]["weight_shape"] == [8, 2, 4, 4]
    assert data["output"] == [1, 4, 8, 8]


def test_pool_modes_and_ceil(run_json: RunJson) -> None:
    """--mode picks max or avg; --ceil applies PyTorch's ceil_mode with its drop rule."""
    _, data = run_json("pool", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "--ceil", "--mode", "avg")
    assert data["layers"][0]["type"] == "avgpool"
    assert data["output"] == [1, 1, 3, 3]
    _, data = run_json("pool", "--dims", "1", "-i", "32", "-k", "1", "-s", "2", "--ceil")
    assert data["output"] == [1, 1, 16]  # not 17: the last window would start in the padding


def test_dims_and_per_axis_values(run_json: RunJson) -> None:
    """Scalars make a square 2-D layer; --dims and per-axis lists set the rank."""
    assert run_json("conv", "-i", "8", "-k", "3")[1]["output"] == [1, 1, 6, 6]
    assert run_json("conv", "--dims", "1", "-i", "8", "-k", "3")[1]["output"] == [1, 1, 6]
    assert run_json("conv", "--dims", "3", "-i", "8", "-k", "3")[1]["output"] == [1, 1, 6, 6, 6]
    assert run_json("conv", "-i", "8,10", "-k", "3x5")[1]["output"] == [1, 1, 6, 6]


@pytest.mark.parametrize("fmt", ["markdown", "csv"])
def test_other_formats(run: Run, fmt: str) -> None:
    """Markdown and CSV are plain text with a row for the layer."""
    result = run("conv", "-i", "6", "-k", "2", "--format", fmt)
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    row = "| 1 | conv | 1×6×6 | 1×5×5 |" if fmt == "markdown" else "1,1,conv,1x1x6x6,1x1x5x5,"
    assert row in result.stdout


REFUSED = [
    (("conv", "-i", "2", "-k", "3"), "layer 1, axes H, W: output size 0 < 1: input 2 + padding 0 is smaller than the dilated kernel 3; use an input of at least 3, padding of at least 1 per side, or a smaller kernel"),
    (("convt", "-i", "3", "-k", "3", "-s", "2", "-a", "2"), "layer 1, axes H, W: output_padding 2 must be smaller than the stride 2 or the dilation 1 (torch.nn); use output_padding <= 1"),
    (("pool", "-i", "5", "-k", "3", "-p", "2"), "layer 1, axes H, W: padding 2 is more than half the kernel 3 (torch.nn pools allow at most 1); use padding <= 1 or a kernel >= 4"),
    (("conv", "-i", "6", "-k", "3", "-s", "2", "-p", "same"), "layer 1: padding='same' is not supported for strided convolutions (torch.nn); use stride 1, or explicit padding such as [1, 1]"),
    (("conv", "-i", "6", "-k", "3", "--channels", "3", "--groups", "2"), "layer 1: in_channels 3 is not divisible by groups 2 (torch.nn); use a groups value that divides 3 and 3"),
    (("pool", "--dims", "3", "-i", "2", "-k", "3", "-p", "1", "--mode", "avg"), "layer 1, axes D, H, W: input 2 is smaller than the kernel 3 (AvgPool3d refuses this, padding or not); use an input of at least 3 or a kernel <= 2"),
    (("convt", "--dims", "1", "-i", "1", "-k", "1", "-p", "1"), "layer 1, axis L: output size -1 < 1: padding 1+1 crops more than the layer makes (1 before cropping); use padding <= 0 per side or an input of at least 3"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), REFUSED)
def test_impossible_layers_exit_1_with_one_line(run: Run, args: tuple[str, ...], message: str) -> None:
    """A layer PyTorch refuses: exit 1, one stderr line with the reason and the fix, JSON still printed."""
    result = run(*args, "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == message + "\n"
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["output"] is None


MALFORMED = [
    (["conv", "-i", "6", "-k", "0"], "convcalc: error: --kernel: expected a positive integer, got 0"),
    (["conv", "-i", "six", "-k", "2"], "convcalc: error: --input: expected an integer or a per-axis list such as 6,8 or 6x8, got 'six'"),
    (["conv", "-i", "6x6", "-k", "2x2x2"], "convcalc: error: --dims: per-axis values disagree on the number of axes: --input has 2, --kernel has 3"),
    (["conv", "-i", "6", "-k", "2", "-p", "-1"], "convcalc: error: --padding: expected a non-negative integer, got -1"),  # torch: no negative padding
    (["conv", "-i", "6", "-k", "2", "--dims", "4"], "convcalc: error: --dims: expected 1, 2 or 3, got 4"),
    (["conv", "-i", "6x6", "-k", "2", "--dims", "3"], "convcalc: error: --dims: --dims 3 but --input gives 2 values"),
    (["conv", "-i", "1x2x3x4", "-k", "2"], "convcalc: error: --input: expected 1 to 3 values (one per spatial axis), got 4 in '1x2x3x4'"),
    (["conv", "-i", "6", "-k", "2", "--format", "yaml"], "convcalc: error: --format: expected one of table, json, markdown, csv, got 'yaml'"),
    (["pool", "-i", "6", "-k", "2", "--mode", "min"], "convcalc: error: --mode: expected max, avg or lp, got 'min'"),
    (["convt", "-i", "6", "-k", "2", "-p", "same"], "convcalc: error: --padding: convtranspose takes numbers only; padding='same' is for conv (as in torch.nn)"),
    (["pool", "-i", "6", "-k", "2", "-d", "2", "--mode", "avg"], "convcalc: error: --dilation: avgpool has no dilation (as torch.nn.AvgPool)"),
    (["conv", "-i", "6", "-k", "2", "--batch", "0"], "convcalc: error: --batch: expected a positive integer, got 0"),
    (["conv", "-i", "6", "-k", "2", "--bogus"], "convcalc: error: No such option: --bogus (Possible options: --bias, --groups)"),
    (["conv", "-i", "6"], "convcalc: error: Missing option '-k' / '--kernel'."),
    (["frobnicate"], "convcalc: error: No such command 'frobnicate'."),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), MALFORMED)
def test_malformed_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Malformed flags: exit 2, exactly one line on stderr, nothing on stdout, no traceback."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == message + "\n"
    assert captured.out == ""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"convcalc {__version__}\n"


@pytest.mark.parametrize("command", ["conv", "convt", "pool"])
def test_help_shows_examples(run: Run, command: str) -> None:
    """Every layer command's --help shows real examples."""
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert result.stdout.count(f"convcalc {command} -") >= 2


def test_warnings_appear_under_the_table(run: Run) -> None:
    """Seed example 4: the uncovered row and column are reported under the table."""
    result = run("conv", "-i", "5", "-k", "2", "-s", "2")
    assert result.exit_code == 0
    assert "warning: axis W: the last input column is never read" in result.stdout


def test_huge_sizes_are_exact(run_json: RunJson) -> None:
    """An axis of 10**20 cells is computed exactly with Python integers."""
    code, data = run_json("conv", "--dims", "1", "-i", str(10**20), "-k", "3", "-s", "2")
    assert code == 0
    assert data["output"] == [1, 1, (10**20 - 3) // 2 + 1]


def test_huge_kernels_answer_at_once(run_json: RunJson) -> None:
    """A kernel of 10**13 taps: the shape is exact; what would need every tap is skipped, and said so."""
    code, data = run_json("conv", "--dims", "1", "-i", str(10**20), "-k", str(10**13), "-d", "3", "-s", "7")
    assert code == 0
    assert data["output"] == [1, 1, (10**20 - 3 * (10**13 - 1) - 1) // 7 + 1]
    (layer,) = data["layers"]
    assert layer["receptive_field"] is None
    assert layer["warnings"] == [
        "axis L: coverage not checked: the dilated kernel is too long to enumerate",
        "receptive field not computed from here on: too many positions to follow, or past 4000 digits",
    ]
    code, data = run_json("conv", "--dims", "1", "-i", str(10**21), "-k", str(10**20), "-s", "7")
    assert code == 0
    assert data["layers"][0]["receptive_field"] == [10**20]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["conv", "-i", "1" + "0" * 5000, "-k", "3"],
            "convcalc: error: --input: expected at most 100 digits, got 5001",
        ),
        (["conv", "-i", "6", "-k", "9" * 101], "convcalc: error: --kernel: expected at most 100 digits, got 101"),
    ],
)
def test_too_many_digits(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    """Values of more than 100 digits are refused in one line (10**20-pixel axes are fine)."""
    assert main(argv) == 2
    assert capsys.readouterr().err == message + "\n"


def test_python_dash_m_and_the_console_script() -> None:
    """`python -m convcalc` runs the same program as the convcalc command."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "convcalc", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stdout == f"convcalc {__version__}\n"
    done = subprocess.run(
        [sys.executable, "-m", "convcalc", "conv", "-i", "2", "-k", "3", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["ok"] is False


def test_target_sets_output_padding(run_json: RunJson) -> None:
    """--target picks the output_padding that gives the size, as ConvTranspose's forward(output_size=)."""
    code, data = run_json("convt", "-i", "7", "-k", "3", "-s", "2", "-p", "1", "--target", "14")
    assert code == 0
    (layer,) = data["layers"]
    assert layer["output"] == [1, 1, 14, 14]
    assert layer["output_padding"] == [1, 1]
    assert layer["output_size"] == [14, 14]
    assert layer["equivalent_conv"]["padding"] == [[1, 2], [1, 2]]


def test_target_out_of_range_explains_the_range(run: Run) -> None:
    """A size no output_padding reaches: exit 1 and the admissible range."""
    result = run("convt", "-i", "7x5", "-k", "3", "-s", "2", "-p", "1", "--target", "16x9", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == (
        "layer 1: requested an output size of [16, 9], but valid sizes range from [13, 9] to [14, 10]; "
        "for an input of [7, 5] (torch.nn); pick output_size in that range or change stride or padding\n"
    )
