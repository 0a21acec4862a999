"""Render the answers of `convcalc solve` and `convcalc sizes`: a table, JSON, Markdown or CSV."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from convcalc.core.spec import LayerKind
from convcalc.core.text import visible
from convcalc.render.toolkit import Format, RenderOptions, axes_text, console_text, csv_text, make_console, padding_cell

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
        import json  # noqa: PLC0415

        records = [json.dumps(solution_json(s, kind)) for s in solutions]
        return "[\n" + ",\n".join(f"  {r}" for r in records) + "\n]\n" if records else "[]\n"
    columns, rows = _solution_rows(solutions, kind)
    return _rows_text(columns, rows, fmt, options)


def _rows_text(  # noqa: PLR0913 - the rows and how to show them
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
    from rich import box  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    buffer = io.StringIO()
    console = make_console(buffer, options)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in columns:
        table.add_column(column, justify="right" if column == "#" else "left", overflow="fold")
    for row in rows:
        table.add_row(*(Text(visible(cell)) for cell in row))
    if title:
        console.print(Text(visible(title)))
    console.print(table)
    return console_text(buffer)


# ---------------------------------------------------------------- input sizes of `convcalc sizes`


def render_sizes(source: str, swept: list[AxisSizes], fmt: Format, options: RenderOptions) -> str:
    """Render the sizes a network accepts per axis, and those it gives back unchanged, as compact runs."""
    from convcalc.core.runs import describe_runs, runs  # noqa: PLC0415 - only `sizes` needs them

    if fmt is Format.JSON:
        import json  # noqa: PLC0415

        axes = [
            {
                "axis": a.axis,
                "range": [a.low, a.high],
                "accepted": [list(r) for r in runs(a.accepted)],
                "same_size": [list(r) for r in runs(a.same)],
            }
            for a in swept
        ]
        return json.dumps({"source": source, "axes": axes}) + "\n"
    columns = ["axis", "range", "accepted", "same size out"]
    rows = [[a.axis, f"{a.low} to {a.high}", describe_runs(a.accepted), describe_runs(a.same)] for a in swept]
    title = f"{source}: which input sizes work, per axis"
    return _rows_text(columns, rows, fmt, options, title=title, markdown_title=f"**{source}**: input sizes")
