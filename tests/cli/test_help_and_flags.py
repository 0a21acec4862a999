"""Help written as Click tools write it, each command's own help texts, and flags that mean one thing everywhere."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner, Result

from convcalc.cli.app import app
from convcalc.cli.entry import main
from convcalc.cli.flags import COMMANDS

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def _help(name: str) -> str:
    return CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"}).stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_names_values_by_what_they_are(name: str) -> None:
    """No `<str>` or `<bool>` anywhere, no `{file}` in the usage line: FILE, SIZE, INT, bare switches."""
    text = _help(name)
    assert "<str>" not in text
    assert "<bool>" not in text
    assert "{" not in text.split("\n\n")[1] if "Usage" in text else True
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage
    assert re.search(r"--help\s+-h\s+Show", text), "--help is shown without a type"


def test_usage_lines_follow_click() -> None:
    """A required argument bare, an optional one in brackets, many with dots."""
    usages = {name: next(line for line in _help(name).splitlines() if "Usage:" in line).strip() for name in COMMANDS}
    assert usages["stack"] == "Usage: convcalc stack [OPTIONS] FILE"
    assert usages["check"] == "Usage: convcalc check [OPTIONS] FILES..."
    assert usages["examples"] == "Usage: convcalc examples [OPTIONS] [NAME]"
    assert usages["solve"] == "Usage: convcalc solve [OPTIONS] KIND"
    assert usages["conv"] == "Usage: convcalc conv [OPTIONS]"


def test_metavars_say_what_a_value_is() -> None:
    """SIZE for sizes, INT for counts, FILE for files written, RANGE for solve's ranges."""
    conv, solve, mirror = _help("conv"), _help("solve"), _help("mirror")
    assert re.search(r"--input\s+-i\s+SIZE", conv)
    assert re.search(r"--channels\s+INT", conv)
    assert re.search(r"--no-bias\s+Count", conv)
    assert re.search(r"--kernel\s+-k\s+RANGE", solve)
    assert re.search(r"--target\s+-t\s+SIZE", solve)
    assert re.search(r"--output\s+-o\s+FILE", mirror)
    assert "--output" not in solve, "solve's old spelling is read but not shown"


def test_each_command_says_its_own_padding_and_stride() -> None:
    """convt does not offer `same` under torch's rules; pool's stride defaults to its kernel; conv's does not."""
    conv, convt, pool = _help("conv"), _help("convt"), _help("pool")
    assert "causal" in conv
    assert "causal" not in convt
    assert "cropped from the output" in convt
    assert "with --framework keras, onnx or jax" in " ".join(convt.split())
    assert "the kernel size" in pool
    assert "pool" not in conv.split("--stride")[1].split("--padding")[0]


def test_solve_takes_the_wanted_size_as_target_and_short_ranges(run: Callable[..., Result]) -> None:
    """-t/--target as in convt and explain; -k/-s/-d as in the layer commands, a range or one value."""
    long = run("solve", "conv", "-i", "224", "--target", "112", "--kernel", "3", "--stride", "2", "--dilation", "1")
    short = run("solve", "conv", "-i", "224", "-t", "112", "-k", "3", "-s", "2", "-d", "1")
    assert long.exit_code == short.exit_code == 0
    assert long.stdout == short.stdout
    assert " 3        2        1         1 " in short.stdout


def test_solve_reads_its_old_output_flag_with_a_warning(run: Callable[..., Result]) -> None:
    """A script written for -o keeps working and is told the new spelling; both at once is an error."""
    old = run("solve", "conv", "-i", "224", "-o", "112", "--limit", "1")
    assert old.exit_code == 0
    assert "-o/--output is now -t/--target" in old.stderr
    assert old.stdout == run("solve", "conv", "-i", "224", "-t", "112", "--limit", "1").stdout
    both = run("solve", "conv", "-i", "224", "-t", "112", "-o", "112")
    assert both.exit_code == 2
    assert both.stderr == "convcalc: error: --output: give the wanted size once, with -t/--target\n"
    none = run("solve", "conv", "-i", "224")
    assert none.exit_code == 2
    assert none.stderr == "convcalc: error: --target: give the wanted output size, e.g. -t 112\n"


def test_port_reads_standard_input(run: Callable[..., Result]) -> None:
    """`-` is standard input for port as for every command that reads a file."""
    text = (ROOT / "examples" / "resnet_stem.yaml").read_text()
    piped = run("port", "-", "--to", "keras", stdin=text)
    named = run("port", "examples/resnet_stem.yaml", "--to", "keras")
    assert piped.exit_code == named.exit_code == 0
    assert " ".join(piped.stdout.replace("<stdin>", "examples/resnet_stem.yaml").split()) == " ".join(
        named.stdout.split()
    )


@pytest.mark.parametrize("model", ["onnx/resnet18.onnx", "keras/mobilenet.keras", "config.json"])
def test_import_reads_a_model_from_standard_input(
    model: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An ONNX file, a .keras archive or a to_json() config piped in: the file it names, named <stdin>."""
    path = FIXTURES / model
    if model == "config.json":  # a .keras archive's config, as model.to_json() writes it
        path = tmp_path / model
        with zipfile.ZipFile(FIXTURES / "keras" / "mobilenet.keras") as archive:
            path.write_bytes(archive.read("config.json"))
    assert main(["import", str(path), "-i", "1,3,224,224"]) == 0
    named = capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(path.read_bytes())))
    assert main(["import", "-", "-i", "1,3,224,224"]) == 0
    piped = capsys.readouterr().out
    assert piped.replace("<stdin>", str(path)) == named


def test_import_of_garbage_on_standard_input_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes that are no model: exit 2, one line naming <stdin>."""
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(b"garbage\n")))
    assert main(["import", "-"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("<stdin>: not an ONNX model")
    assert captured.err.count("\n") == 1


def test_negative_padding_is_one_number_or_a_pair(run: Callable[..., Result]) -> None:
    """`-p -1` is `-p -1:-1`, for JAX; torch refuses both with the same line."""
    scalar = run("conv", "--dims", "1", "-i", "6", "-k", "2", "-p", "-1", "--framework", "jax", "-f", "json")
    pair = run("conv", "--dims", "1", "-i", "6", "-k", "2", "-p", "-1:-1", "--framework", "jax", "-f", "json")
    assert scalar.exit_code == pair.exit_code == 0
    assert scalar.stdout == pair.stdout
    refused = [run("conv", "--dims", "1", "-i", "6", "-k", "2", "-p", p).stderr for p in ("-1", "-1:-1")]
    assert refused[0] == refused[1] == "convcalc: error: --padding: expected a non-negative integer, got -1\n"


def test_negative_padding_warning_says_what_is_cropped(run: Callable[..., Result]) -> None:
    """Cells cropped by negative padding are said as cropped, with no size that would 'fix' them."""
    cropped = run("conv", "-i", "6", "-k", "2", "-p", "-1:-1", "--framework", "jax", "--dims", "1").stdout
    text = " ".join(cropped.split())
    assert "the first input position is cropped away by padding -1" in text
    assert "the last input position is cropped away by padding -1" in text
    assert "an input of" not in text
    strided = " ".join(run("conv", "-i", "7", "-k", "2", "-s", "2", "-p", "-1:-1", "--framework", "jax",
                           "--dims", "1").stdout.split())  # fmt: skip
    assert "1 input position is never read before the cropped end" in strided
    assert "an input of 6 or 8 leaves no gap before the crop" in strided
    for size in (6, 8):  # the sizes suggested leave no gap but the crop
        fixed = " ".join(run("conv", "-i", str(size), "-k", "2", "-s", "2", "-p", "-1:-1", "--framework", "jax",
                             "--dims", "1").stdout.split())  # fmt: skip
        assert "never read" not in fixed


COLOUR_CASES = [  # (variables, colour expected) on a pipe: the same rule for tables and help
    ({}, False),
    ({"FORCE_COLOR": "1"}, True),
    ({"PY_COLORS": "1"}, True),
    ({"FORCE_COLOR": "0"}, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ({"FORCE_COLOR": "1", "TERM": "dumb"}, False),
]


@pytest.mark.parametrize(("variables", "colour"), COLOUR_CASES)
def test_tables_and_help_follow_one_colour_rule(variables: dict[str, str], colour: bool) -> None:
    """NO_COLOR and TERM=dumb turn colour off, FORCE_COLOR turns it on, for the table as for --help."""
    env: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "PY_COLORS": None, "TERM": "xterm"}
    env.update(variables)
    runner = CliRunner()
    table = runner.invoke(app, ["conv", "-i", "6", "-k", "2"], env=env).stdout
    helped = runner.invoke(app, ["conv", "--help"], env=env).stdout
    assert ("\x1b[" in table) is colour
    assert ("\x1b[" in helped) is colour


def test_a_terminal_that_says_no_width_gets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pty of unknown size reports 0 columns: the table is laid out at 100, not at 0 (which printed nothing)."""
    from convcalc.cli import terminal

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(sys, "stdout", SimpleNamespace(isatty=lambda: True, fileno=lambda: 1))
    monkeypatch.setattr(os, "get_terminal_size", lambda _fd: SimpleNamespace(columns=0))
    assert terminal.render_options().width == 100


def _complete(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], words: str) -> list[str]:
    """Ask for completions as bash's script does (through the console entry point, fast path and all)."""
    monkeypatch.setenv("_CONVCALC_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    with pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 0
    return capsys.readouterr().out.split()


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        ("convcalc st", ["stack"]),
        ("convcalc stack net.yaml --format ", ["table", "json", "markdown", "csv"]),
        ("convcalc check net.yaml -f g", ["github"]),
        ("convcalc conv -i 6 -k 2 --framework k", ["keras"]),
        ("convcalc examples models/res", ["models/resnet18_fpn", "models/resnet50"]),
        ("convcalc solve c", ["conv", "convt"]),
        ("convcalc stack --dty", ["--dtype"]),
    ],
)
def test_shell_completion_offers_commands_options_and_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], words: str, offered: list[str]
) -> None:
    """Commands, options, each option's values and the bundled examples' names complete."""
    assert _complete(monkeypatch, capsys, words) == offered


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_for_each_shell(shell: str) -> None:
    """`convcalc --show-completion SHELL` prints the script that shell sources (in a process of its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "convcalc", "--show-completion", shell], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "_CONVCALC_COMPLETE" in done.stdout
    # started from sh (a Dockerfile's RUN, a Makefile): the shell named wins over the parent detected
    under_sh = subprocess.run(
        ["/bin/sh", "-c", f'"{sys.executable}" -m convcalc --show-completion {shell}'],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (under_sh.returncode, under_sh.stdout) == (0, done.stdout), under_sh.stderr


def test_completion_of_an_unknown_shell_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A shell convcalc cannot complete for: one line naming the shells it can, exit 2."""
    assert main(["--show-completion", "tcsh"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "convcalc: error: --show-completion: shell 'tcsh' is not one convcalc completes; "
        "name one: --show-completion bash|zsh|fish|powershell\n"
    )
