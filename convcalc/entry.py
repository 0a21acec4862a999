"""The console entry point: the fast path for plain command lines, the Typer app for the rest."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run convcalc with `argv` (default: the process arguments) and return the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    from convcalc.fastpath import parse  # noqa: PLC0415 - keep `import convcalc` free of the CLI

    parsed = parse(args)
    if parsed is not None:
        from convcalc.commands import run  # noqa: PLC0415

        return run(*parsed)
    from convcalc.cli import main as typer_main  # noqa: PLC0415 - Typer loads only when needed

    return typer_main(args)


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())
