"""What the terminal is: the table width and colour, from the terminal itself, COLUMNS and the colour variables.

One colour rule for tables, pictures and help: never with NO_COLOR or TERM=dumb; forced by
FORCE_COLOR (or PY_COLORS=1) on a pipe; otherwise only on a terminal.
"""

from __future__ import annotations

import os
import sys

from convcalc.api import RenderOptions


def render_options() -> RenderOptions:
    """Pick the table width and colour: the terminal's, or COLUMNS and plain text when piped."""
    tty = sys.stdout.isatty()
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    else:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns if tty else 100
        except OSError:
            width = 100
        width = width or 100  # a terminal that does not say its size (a serial line, `script`) says 0
    return RenderOptions(width=width, color=use_colour(tty=tty))


def use_colour(*, tty: bool) -> bool:
    """Whether to write colour to a stream that is (or is not) a terminal, by the colour variables."""
    env = os.environ
    if env.get("NO_COLOR") or env.get("TERM", "").lower() in ("dumb", "unknown"):
        return False
    forced = env.get("FORCE_COLOR", "") not in ("", "0", "false") or env.get("PY_COLORS") == "1"
    return forced or tty
