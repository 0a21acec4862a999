"""The process boundary: one stderr line at a time, and the one place an exception becomes an exit code.

`exit_code_of` says the lines and the code of every exception that ends a run: convcalc's
own errors carry their code (core/errors.py), Ctrl-C and the output's failures have theirs,
and anything else is a bug (70, by `internal_error`).
"""

from __future__ import annotations

import errno
import os
import sys

from convcalc import ConvcalcError, ExitCode, InputError, InputErrorGroup


def stop_code(error: BaseException) -> int | None:
    """Return the exit code of a run that Ctrl-C or its output stopped, after at most one stderr line.

    Ctrl-C is 130, a reader that went away 141 (silently), an output that cannot be written
    2; None for any other exception.
    """
    if isinstance(error, KeyboardInterrupt):
        say("convcalc: interrupted")
        return ExitCode.INTERRUPTED
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG):
        _silence_stdout()
        say(f"convcalc: cannot write the output: {os.strerror(error.errno or 0)}")
        return ExitCode.BAD_INPUT
    return None


def exit_code_of(error: BaseException) -> int | None:
    """Say an exception that ends a run on stderr and return its exit code; None for a bug (see internal_error).

    Input errors are one line each, in the order of their places; a refused layer one line;
    Ctrl-C and the output's failures as `stop_code` says.
    """
    if isinstance(error, (InputError, InputErrorGroup)):
        report(error)
        return error.exit_code
    if isinstance(error, ConvcalcError):
        say(f"convcalc: error: {error}")
        return error.exit_code
    return stop_code(error)


def report(errors: InputError | InputErrorGroup) -> int:
    """Write input errors to stderr, one line each, and return exit code 2.

    A located error starts with its place (net.yaml:7:5: layers[2].stride: ...), as the
    contract shows; a flag's error says which flag (convcalc: error: --kernel: ...).
    """
    from convcalc.cli.keys import for_the_command_line  # only when there is something to say

    listed = [for_the_command_line(e) for e in (errors.errors if isinstance(errors, InputErrorGroup) else (errors,))]
    for error in sorted(listed, key=_place):
        # file:line:col first, as compilers print it, so editors and CI problem matchers find it
        say(f"{error}" if error.location else f"convcalc: error: {error}")
    return ExitCode.BAD_INPUT


def _place(error: InputError) -> tuple[str, int, int]:
    """Order errors by where they are: file, line, column (flags and unlocated ones first, as given)."""
    location = error.location
    if location is None:
        return ("", 0, 0)
    return (location.source, location.line or 0, location.column or 0)


def internal_error(command: list[str], error: BaseException) -> int:
    """Say that convcalc has a bug, in one line that asks for a report, and return exit code 70."""
    name = " ".join(["convcalc", *command])
    say(
        f"convcalc: internal error in `{name}` ({type(error).__name__}); this is a bug in convcalc, "
        "please report it with the command line and the input file"
    )
    return ExitCode.INTERNAL_ERROR


def say(line: str) -> None:
    """Write one line to stderr, with whatever came from the input shown as visible escapes (no workflow command)."""
    from convcalc.api import ci_inert, visible  # only when there is something to say

    try:
        sys.stderr.write(ci_inert(visible(line)) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


OUTPUT_KINDS = {"json": "json", "junit": "xml", "svg": "xml", "html": "xml", "csv": "raw", "github": "raw",
                "yaml": "json", "python": "raw"}  # fmt: skip
"""How each format escapes what a CI runner would read as a workflow command (text.ci_inert); the rest is text.

Network files (yaml) write every string as a JSON string, whose escapes YAML's double-quoted scalars read."""


def write_out(text: str, fmt: str = "text") -> None:
    """Write a command's output to stdout, with nothing in it that a CI runner reads as a workflow command."""
    from convcalc.api import ci_inert

    sys.stdout.write(ci_inert(text, OUTPUT_KINDS.get(str(fmt).lower(), "text")))
