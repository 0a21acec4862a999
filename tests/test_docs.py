"""The README's examples run and print what it shows; every command has help; CI runs the README's test command."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shlex
from pathlib import Path

import pytest

from convcalc.cli.entry import main
from convcalc.cli.flags import COMMANDS
from tests.conftest import ROOT
from tools.zoo_table import shown, table, zoo

README = (ROOT / "README.md").read_text()


def console_examples() -> list[tuple[str, str]]:
    """Return (command line, shown output) for every `$ convcalc ...` in a console block."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return examples


EXAMPLES = console_examples()


def test_readme_has_examples() -> None:
    """The README shows the layer commands, stack and check with their output."""
    commands = {command.split()[1] for command, _ in EXAMPLES}
    assert {"conv", "convt", "pool", "stack", "check"} <= commands


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_output_is_real(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str, shown: str
) -> None:
    """Running the command prints what the README shows (stdout, then stderr).

    An import from torch runs where torch and the model's package are installed, in a folder of
    its own (it writes its file there).
    """
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    argv = shlex.split(command)
    assert argv[0] == "convcalc"
    if argv[1:3] == ["import", "torch"]:
        package = argv[3].partition(":")[0].split(".")[0]
        if any(importlib.util.find_spec(name) is None for name in ("torch", package)):
            pytest.skip(f"{argv[3]} is not installed here")
        monkeypatch.chdir(tmp_path)
    main(argv[1:])
    captured = capsys.readouterr()
    assert shown == captured.out + captured.err


def test_quick_start_is_two_commands_and_ci_runs_the_test_command() -> None:
    """The quick start has exactly two commands; .ci/run runs the second one as written."""
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.DOTALL)
    assert len(commands) == 2
    assert "convcalc stack examples/" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    """convcalc COMMAND --help exits 0 and shows an example."""
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: convcalc" in out
    assert f"convcalc {command}" in out.split("Example", 1)[1]


def test_changelog_has_an_unreleased_section() -> None:
    """CHANGELOG.md follows Keep a Changelog with an Unreleased section on top."""
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.index("## [Unreleased]") < changelog.index("### Added")


def _help_examples() -> list[str]:
    """Every example command line in every command's --help epilog."""
    import typer.main

    from convcalc.cli.app import app

    group = typer.main.get_command(app)
    lines = []
    for command in getattr(group, "commands", {}).values():
        for line in (command.epilog or "").splitlines():
            text = re.sub(r"\[/?\w+\]", "", line).split("#", 1)[0].strip()
            if text.startswith("convcalc "):
                lines.append(text)
    return lines


HELP_EXAMPLES = _help_examples()


PLACEHOLDERS = {  # the files the examples name, as a user would have them
    "net.yaml": "resnet_stem.yaml",
    "encoder.yaml": "vgg16_features.yaml",
    "models/backbone.convcalc.yaml": "resnet_stem.yaml",
    "model.onnx": "../tests/fixtures/onnx/resnet18.onnx",
    "model.keras": "../tests/fixtures/keras/mobilenet_v2.keras",
    "mymodels.py": "torch/mymodels.py",
}


# The exit code each --help example must give, per convcalc command in its line; every example
# is 0 but those that show a failure on purpose.
FAILING_ON_PURPOSE: dict[str, tuple[int, ...]] = {}


def test_every_failing_example_is_one() -> None:
    """The examples listed as failing on purpose are all still in --help."""
    assert set(FAILING_ON_PURPOSE) <= set(HELP_EXAMPLES)


@pytest.mark.parametrize("line", HELP_EXAMPLES)
def test_help_examples_run(line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example in --help runs as written, in a folder holding the files it names, with its exit code."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for name, example in PLACEHOLDERS.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / "examples" / example).read_bytes())
    monkeypatch.chdir(tmp_path)
    codes = []
    for command in re.split(r"&&|\|\|", line):
        piped: str | None = None  # `a | b`: a's output is b's input
        for stage in command.split(" | "):
            words = shlex.split(stage.split(">", 1)[0])
            if words[0] == "cat":
                piped = Path(words[1]).read_text()
                continue
            if words[0] != "convcalc":
                continue
            module = words[3].rpartition(":")[0] if words[1:3] == ["import", "torch"] else ""
            if module and (
                importlib.util.find_spec("torch") is None
                or (not module.endswith(".py") and importlib.util.find_spec(module.split(".")[0]) is None)
            ):
                pytest.skip(f"{words[3]} is not installed here")
            expanded = [str(m) for word in words[1:] for m in (sorted(Path().glob(word)) if "*" in word else [word])]
            if piped is not None:
                monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(piped.encode())))
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                codes.append(int(main(expanded)))
            piped = out.getvalue()
    assert tuple(codes) == FAILING_ON_PURPOSE.get(line, (0,) * len(codes)), line
    assert len(HELP_EXAMPLES) >= 25


API_PAGE = ROOT / "docs" / "python-api.md"


@pytest.mark.parametrize(
    "block",
    re.findall(r"```python\n(.*?)```", API_PAGE.read_text(), flags=re.DOTALL),
    ids=lambda b: b.split("\n")[2][:40],
)
def test_python_api_page_runs_as_written(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every example of docs/python-api.md runs from the project's root."""
    monkeypatch.chdir(ROOT)
    exec(compile(block, str(API_PAGE), "exec"), {})  # noqa: S102 - the page's own examples


def test_python_api_page_lists_every_public_name() -> None:
    import convcalc

    page = API_PAGE.read_text()
    missing = [name for name in convcalc.__all__ if name != "__version__" and f"`{name}" not in page]
    assert not missing


@pytest.mark.parametrize("block", re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL))
def test_readme_python_runs_as_written(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python example runs from the project's root."""
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - the README's own example


def test_the_zoo_table_is_the_probes() -> None:
    """README's table of the torchvision zoo is tools/zoo_table.py's, from docs/zoo.json (tools/probe_torch_zoo.py)."""
    assert shown(README) == table(zoo())
    assert len(zoo()["models"]) >= 120
