"""The fast path parses plain command lines exactly as the Typer app does, and leaves it the rest."""

from __future__ import annotations

import pytest
import typer

from convcalc.cli.app import app
from convcalc.cli.app import main as typer_main
from convcalc.cli.entry import main as entry_main
from convcalc.cli.fastpath import parse
from convcalc.cli.flags import COMMANDS

PLAIN = [
    ["conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1"],
    ["conv", "--input=6", "--kernel=2", "--format=json"],
    ["conv", "-i", "224", "-k", "7", "-s", "2", "-p", "3", "--channels", "3", "--out-channels", "64", "--no-bias"],
    ["conv", "-i", "6", "-k", "2", "-p", "-1"],
    ["conv", "-i", "6", "-k", "0"],
    ["conv", "-i", "2", "-k", "3", "-f", "json"],
    ["conv", "-i", "5", "-k", "4", "-p", "same", "--format", "markdown"],
    ["convt", "--dims", "1", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "--format", "csv"],
    ["deconv", "-i", "3", "-k", "2", "-s", "2"],
    ["pool", "-i", "5", "-k", "3", "-s", "2", "-p", "1", "--ceil", "--mode", "avg", "-f", "json"],
    ["pool", "-i", "5", "-k", "3", "-p", "2"],
    ["stack", "examples/unet_decoder.yaml"],
    ["stack", "examples/failing/failing_expect.yaml", "--format", "json"],
    ["stack", "examples/resnet_stem.yaml", "-i", "1,3,64,64"],
    ["check", "examples/resnet_stem.yaml", "examples/failing/failing_expect.yaml"],
    ["check", "examples/missing.yaml"],
    ["schema"],
    ["solve", "conv", "-i", "224", "-t", "112"],
    ["solve", "convt", "-i", "7", "-t", "15", "--kernel", "2..4", "--format", "json"],
    ["solve", "pool", "-i", "13x9", "-t", "7x5", "--mode", "avg", "--symmetric-only"],
    ["solve", "conv", "-i", "7", "-t", "20", "--stride", "1"],
    ["mirror", "examples/vgg16_features.yaml"],
    ["mirror", "examples/conv1d_autoencoder.yaml", "--input", "8,1,256"],
    ["sizes", "examples/conv1d_autoencoder.yaml", "--range", "1:100"],
    ["sizes", "examples/vgg16_features.yaml", "-r", "1:300,16:64", "-f", "json"],
    ["explain", "conv", "-i", "5", "-k", "2", "-s", "2"],
    ["explain", "convt", "-i", "3", "-k", "3", "-s", "2", "-p", "1", "-a", "1", "--matrix"],
    ["explain", "examples/unet_decoder.yaml", "--layer", "up1"],
    ["explain", "conv", "-k", "3"],
    ["port", "--from", "keras", "conv", "-i", "7", "-k", "4", "-s", "2", "-p", "same"],
    ["port", "--to", "onnx", "convt", "-i", "4", "-k", "3", "-s", "2", "-a", "1", "-f", "python"],
    ["port", "--to", "keras", "examples/dcgan_generator.yaml", "--format", "yaml"],
    ["port", "--from", "onnx", "examples/vgg16_features.yaml"],
]
LEFT_TO_TYPER = [
    [],
    ["--version"],
    ["conv", "--help"],
    ["conv", "-i", "6"],
    ["conv", "-i", "6", "-k", "2", "-k", "3"],
    ["conv", "-i", "6", "-k", "2", "--bogus"],
    ["conv", "-i6", "-k2"],
    ["conv", "-i", "6", "-k"],
    ["conv", "-i", "6", "-k", "2", "extra"],
    ["pool", "-i", "6", "-k", "2", "--ceil=yes"],
    ["stack"],
    ["stack", "a.yaml", "b.yaml"],
    ["check"],
    ["frobnicate"],
    ["solve", "-i", "7", "-t", "3"],
    ["solve", "conv", "convt", "-i", "7", "-t", "3"],
]


def test_flag_table_matches_the_typer_app() -> None:
    """The Typer app made from the table declares exactly the table's options, with their help."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, command in group.commands.items():
        declared = set()
        for param in command.params:
            if param.param_type_name != "option" or param.name == "help":
                continue
            declared.add(
                (param.name, tuple(sorted(param.opts)), tuple(param.secondary_opts), getattr(param, "help", None))
            )
        table = {
            (option.param, tuple(sorted(option.names)), (option.negation,) if option.negation else (), option.help)
            for option in COMMANDS[name].options
            if not option.argument
        }
        assert declared == table, name
    assert list(group.commands) == list(COMMANDS)


@pytest.mark.parametrize("argv", PLAIN, ids=[" ".join(a) for a in PLAIN])
def test_plain_lines_take_the_fast_path_with_the_same_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Exit code, stdout and stderr are the same through the fast path and through Typer."""
    monkeypatch.setenv("COLUMNS", "100")
    assert parse(argv) is not None
    fast = entry_main(argv), *capsys.readouterr()
    slow = typer_main(argv), *capsys.readouterr()
    assert fast == slow


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=[" ".join(a) or "(nothing)" for a in LEFT_TO_TYPER])
def test_other_lines_are_left_to_typer(argv: list[str]) -> None:
    """Help, unknown, repeated or bundled options and missing values go to Typer."""
    assert parse(argv) is None


def test_every_help_example_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example is one line of --help at 80 columns: none wraps, its comment included."""
    import re

    from typer.testing import CliRunner

    monkeypatch.setenv("COLUMNS", "80")
    for name, command in COMMANDS.items():
        text = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "80"}).stdout
        lines = [line.strip() for line in text.splitlines()]
        for example in command.examples:
            plain = re.sub(r"\[/?dim\]", "", example)
            assert plain in lines, f"{name}: {plain!r} wraps at 80 columns"
