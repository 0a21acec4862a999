"""Run a command by its name: the one table of what each command calls.

No Typer here: the Typer app (app.py) and the fast path (fastpath.py) both parse argv into
keyword arguments and call `run`. Input errors become one stderr line each and exit code 2;
impossible layers exit 1 (reporting.py decides). The design commands' module loads only
when one of them runs.
"""

from __future__ import annotations

from importlib import import_module

from convcalc.cli import network_commands
from convcalc.cli.flags import LAYER_WORDS

MODULES = {
    "stack": "network_commands",
    "check": "network_commands",
    "schema": "network_commands",
    "mirror": "network_commands",
    "import": "network_commands",
    "sizes": "network_commands",
    "examples": "network_commands",
    "solve": "design_commands",
    "explain": "design_commands",
    "port": "design_commands",
}
"""Where each other command is written."""

HANDLERS = {"import": "import_model"}
"""Commands whose function has another name (import is a Python keyword)."""


def run(command: str, arguments: dict[str, object]) -> int:
    """Run a command by its name with parsed keyword arguments."""
    if command in LAYER_WORDS:
        return network_commands.layer(kind=LAYER_WORDS[command], **arguments)
    module = import_module(f"convcalc.cli.{MODULES[command]}")
    handler = getattr(module, HANDLERS.get(command, command))
    code: int = handler(**arguments)
    return code
