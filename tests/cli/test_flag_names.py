"""The library names what is wrong by its own keys; the command line says them as its flags, from one table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import convcalc
from convcalc.cli.entry import main
from convcalc.cli.flags import COMMANDS
from convcalc.cli.keys import ARGUMENTS, FLAGS, flag_for, for_the_command_line
from convcalc.core.errors import InputError, InputErrorGroup, Location

PACKAGE = Path(convcalc.__file__).parent


def test_a_library_error_names_its_key_not_a_flag() -> None:
    with pytest.raises(InputError) as caught:
        convcalc.report("examples/resnet_stem.yaml").cost(dtype="f32")
    assert caught.value.where == "dtype"
    assert "--" not in str(caught.value)


def test_the_command_line_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stack", "examples/resnet_stem.yaml", "--dtype", "f32"]) == 2
    assert capsys.readouterr().err.startswith("convcalc: error: --dtype: expected float32, ")


def test_an_argument_key_is_a_flag_even_at_a_file() -> None:
    """An input shape that does not fit a model file is about --input, though it points at the file."""
    error = InputError("gives 4 values", where="input_shape", location=Location("model.onnx"))
    assert str(for_the_command_line(error)) == "model.onnx: --input: gives 4 values"
    kept = InputError("expected an integer", where="input", location=Location("net.yaml", 1, 8))
    assert for_the_command_line(kept) is kept  # a file's own `input:` key stays as written


def test_a_key_a_message_asks_for_is_its_flag_on_the_command_line_only() -> None:
    """The library asks for input_shape; the command line says the same refusal with --input."""
    from convcalc.importers.keras_config import keras_network_data

    config = {"class_name": "Sequential", "config": {"layers": [{"class_name": "ReLU", "config": {"name": "r"}}]}}
    with pytest.raises(InputErrorGroup) as raised:
        keras_network_data(config, "m.json", None)
    (error,) = raised.value.errors
    assert "give it with input_shape, e.g. 1,3,224,224" in str(error)
    assert "--" not in str(error)
    assert "give it with --input, e.g. 1,3,224,224" in str(for_the_command_line(error))


@pytest.mark.parametrize(("key", "flag"), [("kernel_size", "--kernel"), ("padding_mode", "--padding-mode")])
def test_flag_for(key: str, flag: str) -> None:
    assert flag_for(key) == flag
    assert flag_for(flag) == flag


def test_every_argument_key_names_a_real_flag() -> None:
    """Each key the command line maps is said as a flag (or argument) some command takes."""
    taken = {name for command in COMMANDS.values() for option in command.options for name in option.names}
    taken |= {option.metavar for command in COMMANDS.values() for option in command.options if option.argument}
    missing = {key: flag_for(key) for key in ARGUMENTS | set(FLAGS) if flag_for(key) not in taken}
    assert not missing, missing


def _where_values(path: Path) -> list[str]:
    """Return the `where=` strings a module passes to the errors it raises."""
    return [
        str(node.value.value)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.keyword) and node.arg == "where" and isinstance(node.value, ast.Constant)
    ]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_library_never_names_a_flag(path: Path) -> None:
    flags = [where for where in _where_values(path) if where.startswith("--")]
    assert not flags, f"{path.name} names {flags}: give the library's key, and a line in cli/keys.py"
