"""`convcalc examples`: the bundled networks listed and printed, from the installed package or the checkout."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from convcalc.netfile.bundled import example_names, examples_folder
from tests.conftest import EXAMPLES

if TYPE_CHECKING:
    from typer.testing import Result

Run = Callable[..., "Result"]


def test_every_example_is_listed_once_with_its_first_sentence(run: Run) -> None:
    """One line per example file: the networks, the real models, the failing ones; each fits the width."""
    result = run("examples")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    files = [*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("models/*.yaml"), *EXAMPLES.glob("failing/*.yaml")]
    assert len(lines) == len(files) == len(example_names())
    assert lines[0].startswith("alexnet_features  ")
    assert any(line.startswith("models/resnet50  ") for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert examples_folder().resolve() == EXAMPLES.resolve()


def test_an_example_prints_as_its_file_and_pipes_into_stack(run: Run) -> None:
    """`convcalc examples unet | convcalc stack -`: the file as it is, read back the same."""
    text = run("examples", "unet").stdout
    assert text == (EXAMPLES / "unet.yaml").read_text()
    piped = run("stack", "-", "--format", "json", stdin=text)
    direct = run("stack", "examples/unet.yaml", "--format", "json")
    assert piped.stdout.replace('"<stdin>"', "") == direct.stdout.replace('"examples/unet.yaml"', "")
    assert run("examples", "resnet50").stdout == (EXAMPLES / "models" / "resnet50.yaml").read_text()
    assert run("examples", "models/resnet50.yaml").exit_code == 0


def test_an_unknown_example_is_one_line(run: Run) -> None:
    """A misspelt name: one line with the nearest name, exit 2."""
    result = run("examples", "unett")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "convcalc: error: no bundled example 'unett' (did you mean `unet`?); `convcalc examples` lists them\n"
    )
