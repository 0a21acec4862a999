"""`--show-completion SHELL` and `--install-completion SHELL`: the shell named wins over the one detected.

Typer's own flags detect the parent process's shell and ignore a shell named after them, so
`sh -c 'convcalc --show-completion bash'` (a Dockerfile's RUN, a Makefile) failed with
"Shell sh not supported". These are read before Typer sees the command line.
"""

from __future__ import annotations

import sys

from convcalc import ExitCode
from convcalc.cli.process import say

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
FLAGS = ("--show-completion", "--install-completion")
PROGRAM = "convcalc"
COMPLETE_VARIABLE = "_CONVCALC_COMPLETE"
"""Set by the completion scripts when the shell asks for words."""


def completion_request(args: list[str]) -> tuple[str, str | None] | None:
    """Return (flag, shell or None) when the command line asks for a completion script, else None."""
    if not args or args[0].split("=", 1)[0] not in FLAGS:
        return None
    flag, _, named = args[0].partition("=")
    shell = named or (args[1] if len(args) > 1 else None)
    return flag, shell


def _detected() -> str | None:
    """Return the shell this process runs under, when shellingham can tell."""
    try:
        import shellingham  # type: ignore[import-untyped]  # untyped; only for these flags

        name, _command = shellingham.detect_shell()
    except Exception:  # noqa: BLE001 - any failure to detect is "unknown"
        return None
    return str(name).lower()


def complete(flag: str, named: str | None) -> int:
    """Print or install the completion script of the shell named (or detected); return the exit code."""
    from typer._completion_shared import get_completion_script, install  # Typer's scripts

    shell = named or _detected()
    if shell not in SHELLS:
        what = f"shell {shell!r} is not one convcalc completes" if shell else "cannot tell which shell this is"
        say(f"convcalc: error: {flag}: {what}; name one: {flag} bash|zsh|fish|powershell")
        return ExitCode.BAD_INPUT
    if flag == "--show-completion":
        sys.stdout.write(get_completion_script(prog_name=PROGRAM, complete_var=COMPLETE_VARIABLE, shell=shell) + "\n")
        return ExitCode.OK
    installed, path = install(shell=shell, prog_name=PROGRAM, complete_var=COMPLETE_VARIABLE)
    sys.stdout.write(f"{installed} completion installed in {path}\nCompletion takes effect in a new shell\n")
    return ExitCode.OK
