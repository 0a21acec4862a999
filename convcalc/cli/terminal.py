"""What the terminal is: the table width and colour, from the terminal itself, COLUMNS and NO_COLOR."""

from __future__ import annotations

import os
import sys

from convcalc.render.toolkit import RenderOptions


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
    return RenderOptions(width=width, color=tty and "NO_COLOR" not in os.environ)
