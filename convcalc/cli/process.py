"""The process boundary: one stderr line at a time, and the exit code of a run that its output or Ctrl-C stopped.

The commands call `stop_code` themselves for what Typer would otherwise intercept.
"""

from __future__ import annotations

import errno
import os
import sys

from convcalc.core.errors import ExitCode


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
    from convcalc.core.text import ci_inert, visible  # noqa: PLC0415 - only when there is something to say

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
    from convcalc.core.text import ci_inert  # noqa: PLC0415

    sys.stdout.write(ci_inert(text, OUTPUT_KINDS.get(str(fmt).lower(), "text")))
