"""How a command ends: input errors one stderr line each (exit 2), failing layers after the output (exit 1)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from convcalc import ConvcalcError, ExitCode, LayerResult, StackResult, api
from convcalc.api import Format, RenderOptions
from convcalc.cli.process import exit_code_of, say, write_out
from convcalc.cli.terminal import render_options


def reporting(command: Callable[..., int]) -> Callable[..., int]:
    """Turn a command's input errors into stderr lines and exit code 2.

    Ctrl-C and output failures end the run here too, with their own codes: Typer would turn
    them into 130 without a word, or 1 (an invalid layer) for a closed pipe.
    """

    def run(**kwargs: object) -> int:
        try:
            code = command(**kwargs)
            sys.stdout.flush()
        except (ConvcalcError, OSError, KeyboardInterrupt) as error:
            stopped = exit_code_of(error)
            if stopped is None:
                raise  # a bug: the entry point says so, with exit code 70
            return stopped
        return code

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run


def output_format(text: str) -> Format:
    """Parse --format."""
    return api.output_format(text)


def where(layer: LayerResult) -> str:
    """Return 'file:line:col: ' for a layer read from a file, else ''."""
    location = layer.spec.location
    return f"{location}: " if location else ""


def cost_options(dtype: str, count: str, *, show_batch: bool, param_percent: bool) -> RenderOptions:
    """Check how cost is counted and shown; return the terminal's render options with them."""
    return api.cost_options(render_options(), dtype, count, show_batch=show_batch, param_percent=param_percent)


def emit(result: StackResult, fmt: Format, options: RenderOptions | None = None) -> int:
    """Print the result (by `options`, the terminal's by default), then one stderr line per failing layer."""
    options = options or render_options()
    write_out(api.render(result, fmt, options), fmt)
    if fmt is Format.TABLE and sys.stdout.isatty() and sys.stderr.isatty():
        return ExitCode.OK if result.ok else ExitCode.LAYER_INVALID  # one terminal: the table said each error
    for layer in result.failures:
        say(f"{where(layer)}{layer.message}")
    return ExitCode.OK if result.ok else ExitCode.LAYER_INVALID
