"""The one text-table engine of every command (stack, solve, sizes, port): widths to the terminal, then the lines.

`lay_out` chooses each column's width: as wide as its cells when the table fits; else the
columns that may wrap are narrowed down to their longest unbreakable piece, and when even
that is too wide, columns are left out in a stated order (the stack's FLOPs before its
shapes). Nothing is ever cut: a table narrower than its narrowest layout runs past the width.
`paint` writes the laid-out table as lines: a rule under the header, no edges, numbers to
the right, in colour only when asked. Pure: text in, text out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from convcalc.render.toolkit import cell_width

if TYPE_CHECKING:
    from collections.abc import Sequence


class Breaks(Enum):
    """Where a column's cells may wrap."""

    NEVER = "never"  # numbers, shapes: never split
    WORDS = "words"  # prose: between words, the header too
    PARTS = "parts"  # names and geometry: after a dot, slash, comma or underscore, between camel-case words, at spaces
    CODE = "code"  # generated code: after a dot or comma, before an opening bracket, at spaces


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a text table: its header, its side, where it wraps, and whether it grows back first."""

    header: str
    right: bool = False
    breaks: Breaks = Breaks.NEVER
    grows_first: bool = False


@dataclass(frozen=True, slots=True)
class Laid:
    """A table laid out: the columns kept, their widths, the rows' cells (wrapped with newlines)."""

    columns: tuple[Column, ...]
    widths: tuple[int, ...]
    rows: list[list[str]]
    left_out: tuple[str, ...] = ()
    least_span: int = 0  # the span of every column at its narrowest (0: the table fits as it is)
    overflows: bool = False  # narrower than the narrowest layout: lines run past the width, nothing is cut


ANSI = {"red": "\x1b[31m", "dim": "\x1b[2m", "yellow": "\x1b[33m", "cyan": "\x1b[36m", "bold": "\x1b[1m"}
"""The terminal's colours, as rich writes them in its standard colour system."""
_RESET = "\x1b[0m"
_BREAK_AFTER = frozenset("./,_")
_CODE_BREAK_AFTER = frozenset(".,")


def _span(widths: Sequence[int], *, pad_edge: bool) -> int:
    """Return a table's width: each cell padded by a space a side (not at the edges without pad_edge), one between."""
    return sum(widths) + 3 * len(widths) - (1 if pad_edge else 3)


def _lines_width(text: str) -> int:
    return max(cell_width(line) for line in text.split("\n"))


def pieces(text: str, breaks: Breaks) -> list[str]:
    """Split one line of a cell where it may wrap; spaces come back as pieces of their own (" ")."""
    if breaks is Breaks.WORDS:
        words = text.split(" ")
        return [piece for word in words for piece in (" ", word)][1:]
    found: list[str] = []
    current = ""
    code = breaks is Breaks.CODE
    for index, char in enumerate(text):
        if char == " ":
            found.extend([current, " "] if current else [" "])
            current = ""
            continue
        camel = not code and char.isupper() and text[index - 1].islower() and text[index + 1 : index + 2].islower()
        if current and (camel or (code and char == "(" and not current.endswith("("))):
            found.append(current)
            current = ""
        current += char
        if char in (_CODE_BREAK_AFTER if code else _BREAK_AFTER):
            found.append(current)
            current = ""
    if current:
        found.append(current)
    return found


def _least(text: str, breaks: Breaks) -> int:
    """Return the width of a cell's widest unbreakable piece."""
    if breaks is Breaks.NEVER:
        return _lines_width(text)
    return max(cell_width(piece) for line in text.split("\n") for piece in [*pieces(line, breaks), ""])


def wrap(text: str, width: int, breaks: Breaks) -> str:
    """Wrap a cell to lines at most `width` wide at its breaks, line by line; a piece wider than that is cut."""
    return "\n".join(_wrap_line(line, width, breaks) for line in text.split("\n"))


def _wrap_line(text: str, width: int, breaks: Breaks) -> str:
    if cell_width(text) <= width or breaks is Breaks.NEVER:
        return text
    lines: list[str] = []
    line, space = "", False
    for piece in pieces(text, breaks):
        if piece == " ":
            space = bool(line)
            continue
        candidate = f"{line} {piece}" if space else line + piece
        if cell_width(candidate) <= width:
            line, space = candidate, False
            continue
        if line:
            lines.append(line)
        line, space = piece, False
        while cell_width(line) > width:  # only when the terminal is narrower than the narrowest layout
            lines.append(line[:width])
            line = line[width:]
    lines.append(line)
    return "\n".join(lines)


def lay_out(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    left_out_order: Sequence[str] = (),
    pad_edge: bool = True,
) -> Laid:
    """Return the table laid out to the width: wrapping columns narrowed, then columns left out in the order given.

    A column's narrowest is its widest header or cell piece (a PARTS column's header is one
    piece); the room left over goes back to the wrapping columns, those that grow first first.
    """
    headers = [column.header for column in columns]
    natural = [
        max([_lines_width(column.header), *(_lines_width(row[i]) for row in rows)]) for i, column in enumerate(columns)
    ]
    if _span(natural, pad_edge=pad_edge) <= width:  # it fits as it is: nothing to wrap
        return Laid(
            tuple(columns), tuple(natural), [list(row) for row in rows], least_span=_span(natural, pad_edge=pad_edge)
        )
    least = [
        max(
            [
                _least(column.header, column.breaks if column.breaks is Breaks.WORDS else Breaks.NEVER),
                *(_least(row[i], column.breaks) for row in rows),
            ]
        )
        for i, column in enumerate(columns)
    ]
    kept = list(range(len(columns)))
    left_out: list[str] = []
    for name in left_out_order:
        if _span([least[i] for i in kept], pad_edge=pad_edge) <= width:
            break
        if name in headers:
            kept.remove(headers.index(name))
            left_out.append(name)
    widths = {i: least[i] for i in kept}
    room = width - _span(list(widths.values()), pad_edge=pad_edge)
    for i in sorted(kept, key=lambda i: not columns[i].grows_first):
        if columns[i].breaks is not Breaks.NEVER and room > 0:
            grown = min(natural[i], widths[i] + room)
            room -= grown - widths[i]
            widths[i] = grown
    shown = [columns[i] for i in kept]
    return Laid(
        tuple(
            Column(wrap(c.header, widths[i], c.breaks) if c.breaks is Breaks.WORDS else c.header, c.right, c.breaks)
            for i, c in zip(kept, shown, strict=True)
        ),
        tuple(widths[i] for i in kept),
        [[wrap(row[i], widths[i], columns[i].breaks) for i in kept] for row in rows],
        tuple(left_out),
        _span(least, pad_edge=pad_edge),
        overflows=_span(list(widths.values()), pad_edge=pad_edge) > width,
    )


def tint(color: bool, text: str, style: str | None) -> str:  # noqa: FBT001 - whether colour is on, read in one place
    """Return a text in a style's terminal colour, when colour is on."""
    return f"{ANSI[style]}{text}{_RESET}" if color and style else text


def paint(laid: Laid, *, styles: Sequence[str | None] = (), color: bool = False, pad_edge: bool = True) -> list[str]:
    """Return the table's lines: the header (bold), a rule, one or more lines a row (in its style, if any)."""
    widths = laid.widths
    last = len(widths) - 1

    def cell(index: int, piece: str, right: bool) -> str:  # noqa: FBT001 - the column's side, read in one place
        pad = " " * max(0, widths[index] - cell_width(piece))
        text = pad + piece if right else piece + pad
        before = " " if pad_edge or index else ""
        after = " " if pad_edge or index < last else ""
        return before + text + after

    def line(cells: Sequence[str], style: str | None, *, bottom: bool = False) -> list[str]:
        parts = [text.split("\n") for text in cells]
        deepest = max(len(part) for part in parts)
        if bottom:  # the header's cells sit on its last line
            parts = [[""] * (deepest - len(part)) + part for part in parts]
        out = []
        for depth in range(deepest):
            texts = [
                cell(i, part[depth] if depth < len(part) else "", column.right)
                for i, (column, part) in enumerate(zip(laid.columns, parts, strict=True))
            ]
            out.append(tint(color, " ".join(texts).rstrip(), style))
        return out

    lines = line([column.header for column in laid.columns], "bold", bottom=True)
    lines.append("─" * _span(widths, pad_edge=pad_edge))
    for index, row in enumerate(laid.rows):
        lines.extend(line(row, styles[index] if index < len(styles) else None))
    return lines
