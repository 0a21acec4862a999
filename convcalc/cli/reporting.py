"""How a command ends: input errors one stderr line each (exit 2), failing layers after the output (exit 1)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace

from convcalc.cli.process import say, stop_code, write_out
from convcalc.cli.terminal import render_options
from convcalc.core.analysis import LayerResult, StackResult
from convcalc.core.errors import ExitCode, InputError, InputErrorGroup
from convcalc.render.stack import RENDERERS
from convcalc.render.toolkit import Format, RenderOptions


def report(errors: InputError | InputErrorGroup) -> int:
    """Write input errors to stderr, one line each, and return exit code 2.

    A located error starts with its place (net.yaml:7:5: layers[2].stride: ...), as the
    contract shows; a flag's error says which flag (convcalc: error: --kernel: ...).
    """
    listed = errors.errors if isinstance(errors, InputErrorGroup) else (errors,)
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


def reporting(command: Callable[..., int]) -> Callable[..., int]:
    """Turn a command's input errors into stderr lines and exit code 2.

    Ctrl-C and output failures end the run here too, with their own codes: Typer would turn
    them into 130 without a word, or 1 (an invalid layer) for a closed pipe.
    """

    def run(**kwargs: object) -> int:
        try:
            code = command(**kwargs)
            sys.stdout.flush()
        except (InputError, InputErrorGroup) as errors:
            return report(errors)
        except (OSError, KeyboardInterrupt) as error:
            stopped = stop_code(error)
            if stopped is None:
                raise
            return stopped
        return code

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run


def output_format(text: str) -> Format:
    """Parse --format."""
    try:
        return Format(text.lower())
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise InputError(f"expected one of {choices}, got {text!r}", where="--format") from None


def where(layer: LayerResult) -> str:
    """Return 'file:line:col: ' for a layer read from a file, else ''."""
    location = layer.spec.location
    return f"{location}: " if location else ""


def cost_options(dtype: str, count: str, *, show_batch: bool, param_percent: bool) -> RenderOptions:
    """Check how cost is counted and shown; return the render options with them (InputError names a bad one)."""
    from convcalc.core.cost import Convention, dtype_bytes  # noqa: PLC0415

    dtype_bytes(dtype)
    if count.lower() not in {c.value for c in Convention}:
        raise InputError(f"expected torch or torchinfo, got {count!r}", where="--count")
    options = render_options()
    return replace(
        options, dtype=dtype.lower(), count=count.lower(), show_batch=show_batch, param_percent=param_percent
    )


def emit(result: StackResult, fmt: Format, options: RenderOptions | None = None) -> int:
    """Print the result (by `options`, the terminal's by default), then one stderr line per failing layer."""
    options = options or render_options()
    write_out(RENDERERS[fmt](result, options), fmt)
    if fmt is Format.TABLE and sys.stdout.isatty() and sys.stderr.isatty():
        return ExitCode.OK if result.ok else ExitCode.LAYER_INVALID  # one terminal: the table said each error
    for layer in result.failures:
        say(f"{where(layer)}{layer.message}")
    return ExitCode.OK if result.ok else ExitCode.LAYER_INVALID
