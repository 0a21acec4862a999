"""The console entry point: the fast path for plain command lines, the Typer app for the rest.

Whatever happens inside, the process ends with one of the contract's exit codes (process.py
says which): a closed pipe, a full disk and Ctrl-C end quietly, and an unexpected exception
(a bug) prints one line asking for a report and exits with its own code, never 1.
"""

from __future__ import annotations

import gc
import os
import sys

from convcalc.cli.completion import COMPLETE_VARIABLE
from convcalc.cli.process import exit_code_of, internal_error


def _run(args: list[str]) -> int:
    from convcalc.cli.fastpath import parse  # keep `import convcalc` free of the CLI

    parsed = None if COMPLETE_VARIABLE in os.environ else parse(args)  # completion is the Typer app's
    if parsed is not None:
        from convcalc.cli.commands import run

        return run(*parsed)
    from convcalc.cli.app import main as typer_main  # Typer loads only when needed

    return typer_main(args)


def main(argv: list[str] | None = None) -> int:
    """Run convcalc with `argv` (default: the process arguments) and return the exit code.

    Python's cyclic garbage collector is off while a command runs: a command makes no cycles
    worth collecting (its values are immutable trees, freed by reference counts), and the
    collector's passes over a large network's objects cost a fifth of its time
    (benchmarks/garbage.py). It is on again when the command ends, for callers in the process.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    was = gc.isenabled()
    gc.disable()
    try:
        code = _run(args)
        sys.stdout.flush()
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - the last line of defence
        stopped = exit_code_of(error)
        return internal_error(args[:1], error) if stopped is None else stopped
    finally:
        if was:
            gc.enable()
    return code


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
