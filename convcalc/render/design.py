"""Render the answers of `convcalc solve` and `convcalc sizes`: a table, JSON, Markdown or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from convcalc.core.spec import LayerKind
from convcalc.core.text import axes_text, csv_safe, padding_cell, visible
from convcalc.render.table import Breaks, Column, lay_out, paint
from convcalc.render.toolkit import (
    Format,
    RenderOptions,
    csv_axes,
    csv_pairs,
    csv_runs,
    csv_text,
    wrap_words,
)

if TYPE_CHECKING:
    from convcalc.design.solve import Solution
    from convcalc.design.sweep import AxisSizes


def solution_json(solution: Solution, kind: LayerKind) -> dict[str, Any]:
    """Return one solution keyed with the contract's names, per axis."""
    axes = solution.axes
    record: dict[str, Any] = {
        "kernel_size": [a.kernel for a in axes],
        "stride": [a.stride for a in axes],
        "padding": [[a.before, a.after] for a in axes],
        "dilation": [a.dilation for a in axes],
        "output_padding": [a.output_padding for a in axes],
    }
    if kind.is_pool:
        record["ceil_mode"] = axes[0].ceil_mode
    if axes[0].word:
        record["padding_mode"] = axes[0].word
    if axes[0].auto:
        record["output_padding_given"] = False
    record["unused_cells"] = [a.unused for a in axes]
    record["reason"] = solution.reason
    return record


def _solution_rows(solutions: list[Solution], kind: LayerKind) -> tuple[list[str], list[list[str]]]:
    columns = ["#", "kernel", "stride", "padding", "dilation"]
    columns += ["output_padding"] if kind.is_transposed else []
    columns += ["ceil_mode"] if kind.is_pool else []
    rows = []
    for rank, solution in enumerate(solutions, start=1):
        axes = solution.axes
        row = [str(rank), axes_text([a.kernel for a in axes]), axes_text([a.stride for a in axes])]
        pads = axes[0].word or padding_cell(tuple((a.before, a.after) for a in axes))
        row += [pads, axes_text([a.dilation for a in axes])]
        row += [("none" if axes[0].auto else axes_text([a.output_padding for a in axes]))] if kind.is_transposed else []
        row += ["yes" if axes[0].ceil_mode else "no"] if kind.is_pool else []
        rows.append([*row, solution.reason])
    return [*columns, "why"], rows


def render_solutions(solutions: list[Solution], kind: LayerKind, fmt: Format, options: RenderOptions) -> str:
    """Render solve's answers: a table, JSON (a list), Markdown or CSV."""
    if fmt is Format.JSON:
        import json

        records = [json.dumps(solution_json(s, kind)) for s in solutions]
        return "[\n" + ",\n".join(f"  {r}" for r in records) + "\n]\n" if records else "[]\n"
    if fmt is Format.CSV:
        return _solutions_csv(solutions, kind)
    columns, rows = _solution_rows(solutions, kind)
    return _rows_text(columns, rows, fmt, options)


def _solutions_csv(solutions: list[Solution], kind: LayerKind) -> str:
    """One row per answer, the columns named and filled as the JSON keys (index first, as in stack's CSV)."""
    records = [solution_json(solution, kind) for solution in solutions]
    columns = ["index", "kernel_size", "stride", "padding", "dilation", "output_padding"]
    columns += ["ceil_mode"] if kind.is_pool else []
    columns += ["padding_mode"] if any("padding_mode" in r for r in records) else []
    columns += ["output_padding_given"] if kind.is_transposed else []
    columns += ["unused_cells", "reason"]
    rows = []
    for index, record in enumerate(records, start=1):
        cells: dict[str, object] = {"index": index, "reason": csv_safe(visible(record["reason"]))}
        for key in ("kernel_size", "stride", "dilation", "output_padding", "unused_cells"):
            cells[key] = csv_axes(record[key])
        cells["padding"] = csv_pairs([(before, after) for before, after in record["padding"]])
        cells["ceil_mode"] = str(record.get("ceil_mode", "")).lower()
        cells["padding_mode"] = record.get("padding_mode", "")
        cells["output_padding_given"] = str(record.get("output_padding_given", True)).lower()
        rows.append([cells[column] for column in columns])
    return csv_text(columns, rows)


def _rows_text(  # the rows and how to show them
    columns: list[str],
    rows: list[list[str]],
    fmt: Format,
    options: RenderOptions,
    title: str = "",
    markdown_title: str = "",
) -> str:
    """Render plain rows as CSV, Markdown or a rich table (the answers of solve and sizes)."""
    if fmt is Format.CSV:
        return csv_text(columns, rows)
    if fmt is Format.MARKDOWN:
        lines = [markdown_title, ""] if markdown_title else []
        lines += ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
        lines.extend("| " + " | ".join(row) + " |" for row in rows)
        return "\n".join(lines) + "\n"
    cells = [[visible(cell) for cell in row] for row in rows]
    shown = [Column(column, column == "#", Breaks.WORDS if column in PROSE else Breaks.NEVER) for column in columns]
    laid = lay_out(shown, cells, options.width)  # too narrow: lines run on
    lines = wrap_words(visible(title), options.width).split("\n") if title else []  # a long path is never cut
    lines += paint(laid, color=options.color)
    return "".join(line.rstrip() + "\n" for line in lines)


PROSE = frozenset({"why", "accepted", "same size out", "range"})
"""Columns of words (a reason, sizes as runs): they wrap between words; the others (numbers) never wrap."""


# ---------------------------------------------------------------- input sizes of `convcalc sizes`


def render_sizes(source: str, swept: list[AxisSizes], fmt: Format, options: RenderOptions) -> str:
    """Render the sizes a network accepts per axis, and those it gives back unchanged, as compact runs."""
    if fmt is Format.JSON:
        import json

        axes = [
            {
                "axis": a.axis,
                "range": [a.low, a.high],
                "accepted": [list(r) for r in a.accepted.runs()],
                "same_size": [list(r) for r in a.same.runs()],
            }
            for a in swept
        ]
        return json.dumps({"source": source, "axes": axes}) + "\n"
    if fmt is Format.CSV:  # the JSON keys; each set as first:last:step progressions
        rows = [[a.axis, f"{a.low}:{a.high}", csv_runs(a.accepted.runs()), csv_runs(a.same.runs())] for a in swept]
        return csv_text(["axis", "range", "accepted", "same_size"], rows)
    columns = ["axis", "range", "accepted", "same size out"]
    rows = [[a.axis, f"{a.low} to {a.high}", a.accepted.describe(), a.same.describe()] for a in swept]
    title = f"{source}: which input sizes work, per axis"
    return _rows_text(columns, rows, fmt, options, title=title, markdown_title=f"**{source}**: input sizes")
