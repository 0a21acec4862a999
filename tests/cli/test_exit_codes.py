"""Exit codes at the process boundary: a crash is never 1; pipes, full disks and Ctrl-C end quietly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convcalc.cli import commands, network_commands
from convcalc.cli.entry import main
from convcalc.cli.process import exit_code_of
from convcalc.core.errors import ConvcalcError, ExitCode, InputError, InputErrorGroup, LayerError


def big_network(tmp_path: Path, layers: int = 5_000) -> Path:
    """Write a long network file whose output takes a while to print."""
    path = tmp_path / "big.yaml"
    path.write_text("input: [1, 1, 8, 8]\nlayers:\n" + "  - {type: conv, kernel_size: 1}\n" * layers)
    return path


def convcalc(*args: str, **options: object) -> subprocess.Popen[bytes]:
    """Start convcalc in its own process."""
    started: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]  # the options vary by test
        [sys.executable, "-m", "convcalc", *args], stderr=subprocess.PIPE, **options
    )
    return started


def test_an_unexpected_exception_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug ends with one line naming the command and asking for a report, and its own exit code."""

    def broken(*_: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "run", broken)
    code = main(["conv", "-i", "6", "-k", "2"])
    out, err = capsys.readouterr()
    assert code == ExitCode.INTERNAL_ERROR
    assert int(code) == 70
    assert out == ""
    assert err == (
        "convcalc: internal error in `convcalc conv` (ZeroDivisionError); this is a bug in convcalc, "
        "please report it with the command line and the input file\n"
    )


def test_an_internal_error_on_the_typer_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same line and code when Typer parses the command line (an option the fast path leaves to it)."""

    def broken(**_: object) -> int:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(network_commands, "stack", broken)
    assert main(["stack", "examples/resnet_stem.yaml", "-fjson"]) == ExitCode.INTERNAL_ERROR
    assert capsys.readouterr().err.startswith("convcalc: internal error in `convcalc stack` (RecursionError); ")


def test_exit_codes_are_distinct() -> None:
    """An internal error, an interrupt and a closed pipe can each be told from 0, 1 and 2."""
    assert len({int(code) for code in ExitCode}) == len(ExitCode)
    assert {ExitCode.INTERNAL_ERROR, ExitCode.INTERRUPTED, ExitCode.BROKEN_PIPE}.isdisjoint({0, 1, 2})


@pytest.mark.parametrize("fmt", [["--format", "json"], ["-fjson"]], ids=["fast path", "typer"])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, fmt: list[str]) -> None:
    """`convcalc stack big.yaml | true`: exit 141 and nothing on stderr (Typer alone would exit 1)."""
    process = convcalc("stack", str(big_network(tmp_path)), *fmt, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # before convcalc writes: the reader has gone
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (ExitCode.BROKEN_PIPE, b"")


def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    """`convcalc stack big.yaml > /dev/full`: exit 2 and one line saying why."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with Path("/dev/full").open("wb") as full:
        process = convcalc("stack", str(big_network(tmp_path, 2_000)), stdout=full)
        _, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.BAD_INPUT
    assert err == b"convcalc: cannot write the output: No space left on device\n"


@pytest.mark.slow  # waits for a real process: about 3 s
def test_ctrl_c_ends_quietly() -> None:
    """Ctrl-C while waiting for standard input: exit 130, one line, no traceback (the fast path and Typer's)."""
    for args in (["stack", "-", "--format", "json"], ["stack", "-", "-fjson"]):  # the fast path, then Typer's
        process = convcalc(*args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        time.sleep(1.5)  # started and reading: the pipe is open and never written to
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (ExitCode.INTERRUPTED, b"convcalc: interrupted\n")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InputError("bad", where="kernel_size"), ExitCode.BAD_INPUT),
        (InputErrorGroup([InputError("bad"), InputError("worse")]), ExitCode.BAD_INPUT),
        (LayerError("refused"), ExitCode.LAYER_INVALID),
    ],
)
def test_each_error_class_carries_its_exit_code(error: ConvcalcError, code: ExitCode) -> None:
    """The class says the code; one place (process.exit_code_of) reads it."""
    assert type(error).exit_code is code
    assert exit_code_of(error) == code


def test_only_convcalcs_own_errors_and_the_process_ones_have_a_code() -> None:
    """Anything else is a bug: exit_code_of leaves it to internal_error (70), whatever its class."""
    for bug in (KeyError("x"), ValueError("x"), TypeError("x"), IndexError("x")):
        assert exit_code_of(bug) is None
    assert exit_code_of(KeyboardInterrupt()) == ExitCode.INTERRUPTED


def test_a_refused_layer_that_escapes_a_command_is_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refusal is a verdict on the input, not a bug, wherever it is raised."""

    def refusing(*_: object) -> int:
        raise LayerError("output size 0 is below 1", hint="use a smaller kernel")

    monkeypatch.setattr(commands, "run", refusing)
    assert main(["conv", "-i", "6", "-k", "2"]) == ExitCode.LAYER_INVALID
    assert capsys.readouterr().err == "convcalc: error: output size 0 is below 1; use a smaller kernel\n"


def test_the_garbage_collector_is_off_while_a_command_runs_and_on_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off for the command (its passes cost a fifth of a large run), on again for the caller, even after a failure."""
    import gc

    from convcalc.cli import entry

    seen: list[bool] = []
    real = entry._run  # noqa: SLF001 - the command the entry point wraps

    def watched(args: list[str]) -> int:
        seen.append(gc.isenabled())
        return real(args)

    monkeypatch.setattr(entry, "_run", watched)
    assert gc.isenabled()
    assert entry.main(["conv", "-i", "6", "-k", "2"]) == 0
    assert entry.main(["conv", "-i", "6", "-k", "9"]) == 1  # a kernel larger than the input: the layer fails
    assert seen == [False, False]
    assert gc.isenabled()
