"""Run a command by its name: the one table of what each command calls.

No Typer here: the Typer app (app.py) and the fast path (fastpath.py) both parse argv into
keyword arguments and call `run`. Input errors become one stderr line each and exit code 2;
impossible layers exit 1 (reporting.py decides).
"""

from __future__ import annotations

from convcalc.cli.design_commands import explain, port, solve
from convcalc.cli.network_commands import check, layer, mirror, schema, sizes, stack
from convcalc.core.spec import LayerKind


def run(command: str, arguments: dict[str, object]) -> int:
    """Run a command by its name with parsed keyword arguments."""
    if command in ("conv", "convt", "pool"):
        kind = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}[command]
        return layer(kind=kind, **arguments)
    commands = {
        "stack": stack,
        "check": check,
        "schema": schema,
        "solve": solve,
        "mirror": mirror,
        "sizes": sizes,
        "explain": explain,
        "port": port,
    }
    return commands[command](**arguments)
