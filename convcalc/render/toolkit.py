"""The toolkit every renderer shares: options, formats, the cells of per-axis values, the console, Markdown and CSV."""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from convcalc.core.text import integer_text

if TYPE_CHECKING:
    from rich.console import Console  # keep rich off the other formats' path


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: the table's width and colour; the cost's dtype and counting; the batch and Param % shown."""

    width: int = 100
    color: bool = False
    dtype: str = "float32"
    count: str = "torch"  # FlopCounterMode's FLOPs, or torchinfo's mult-adds
    show_batch: bool = False
    param_percent: bool = False


class Format(StrEnum):
    """Output formats of every command that prints results."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"


class CheckFormat(StrEnum):
    """The report formats of `check`."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    JUNIT = "junit"


class PortFormat(StrEnum):
    """What `port` writes: the table, the code, its JSON, or a network file of the target framework."""

    TABLE = "table"
    PYTHON = "python"
    JSON = "json"
    YAML = "yaml"


def shape_cell(shape: Sequence[int] | None, *, batch: bool = False) -> str:
    """Show C×spatial (the batch size is the same everywhere and goes in the caption), or N×C×spatial."""
    return "-" if shape is None else "×".join(str(v) for v in shape[0 if batch else 1 :])


SHORT_UNITS = ((10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))


def short_count(value: int) -> str:
    """Write a count in three significant digits with a unit: 236M, 3.63G (exact below a thousand)."""
    for bigger, (scale, unit) in zip(((0, ""), *SHORT_UNITS), SHORT_UNITS, strict=False):
        if value >= scale:
            if bigger[0] and value * 2 >= 1999 * scale:  # would round to 1000 of this unit
                scale, unit = bigger  # noqa: PLW2901 - the unit grows with the scale
            if value < 1000 * scale:
                return f"{value / scale:.3g}{unit}"
            return integer_text(value // scale, grouped=True) + unit
    return str(value)


def byte_size(value: int) -> str:
    """Write bytes in decimal units, byte_size as torchinfo writes them: 164 B, 3.14 kB, 46.76 MB, 1.20 GB."""
    for scale, unit in ((10**9, "GB"), (10**6, "MB"), (10**3, "kB")):
        if value >= scale:
            if value < FLOAT_EXACT:
                return f"{value / scale:,.2f} {unit}"
            hundredths = (value * 100 + scale // 2) // scale  # past doubles: rounded half up, exactly
            return f"{integer_text(hundredths // 100, grouped=True)}.{hundredths % 100:02d} {unit}"
    return f"{value} B"


FLOAT_EXACT = 10**300
"""Byte counts below this are divided in doubles (as torchinfo writes them); larger ones in whole numbers."""


def make_console(buffer: io.StringIO, options: RenderOptions) -> Console:
    """Make a rich console that writes into `buffer` at the options' width, in colour only when allowed."""
    from rich.console import Console

    return Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        highlight=False,
    )


def cell_width(text: str) -> int:
    """Return how many terminal columns a text takes (wide characters take two)."""
    if text.isascii() or max(text) < "\u0378":  # Latin, Greek and symbols such as × are narrow
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_words(text: str, width: int) -> str:
    """Wrap a cell at its spaces into lines at most `width` wide (a longer word keeps a line of its own, whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and lines[-1] and cell_width(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def console_text(buffer: io.StringIO) -> str:
    """Return what a console wrote into `buffer`, without the spaces rich pads lines with."""
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown_cell(text: str) -> str:
    """Return a table cell that Markdown shows as the text itself: no link, emphasis or column break."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def csv_axes(values: Sequence[object] | None) -> str:
    """Return a CSV cell of per-axis values: joined with x (7x7), empty when there are none."""
    return "" if values is None else "x".join(str(v) for v in values)


def csv_pairs(pairs: Sequence[tuple[int, int]] | None) -> str:
    """Return a CSV cell of (before, after) pairs per axis: 3:3x3:3."""
    return "" if pairs is None else "x".join(f"{before}:{after}" for before, after in pairs)


def csv_runs(runs: Sequence[tuple[int, int, int]]) -> str:
    """Return a CSV cell of arithmetic progressions, each first:last:step, separated by spaces (empty: none)."""
    return " ".join(f"{first}:{last}:{step}" for first, last, step in runs)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return rows as CSV text with a header line.

    One convention for every command: the header names are the JSON keys, cells hold numbers
    (per-axis values joined by x, pairs by :, lists by spaces), never prose but a reason or an error.
    """
    import csv  # only this format needs it

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


_Render = TypeVar("_Render", bound=Callable[..., str])


def whole_numbers(render: _Render) -> _Render:
    """Let a renderer write integers of any length (Python's str() stops at 4,300 digits).

    The core keeps every tensor under 10^4000 elements, so a FLOPs count is at most a few
    thousand digits more: quick to write. The limit is lifted while the renderer runs and put
    back after.
    """

    @functools.wraps(render)
    def rendered(*args: object, **kwargs: object) -> str:
        limit = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)
        try:
            return render(*args, **kwargs)
        finally:
            sys.set_int_max_str_digits(limit)

    return rendered  # type: ignore[return-value]  # the same signature, wrapped
