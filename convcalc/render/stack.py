"""The table of an analysed network, and its Markdown and CSV: result in, string out.

The JSON report is report.py's; solve and sizes are design.py's, explain's pictures
explain.py's, ported layers port.py's; all share the toolkit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from convcalc.core.analysis import LayerResult, StackResult, Status
from convcalc.core.cost import Convention, Cost, LayerCost
from convcalc.core.kinds import other_rules, rules_of
from convcalc.core.kinds.sliding import geometry_cell
from convcalc.core.receptive import GLOBAL
from convcalc.core.spec import AxisValues, LayerSpec, OtherSpec, axis_names
from convcalc.core.text import axes_text, csv_safe, visible
from convcalc.render import table
from convcalc.render.report import render_json, type_word
from convcalc.render.table import Breaks, lay_out, paint, tint
from convcalc.render.table import Column as TableColumn
from convcalc.render.toolkit import (
    Format,
    RenderOptions,
    byte_size,
    csv_axes,
    csv_pairs,
    csv_text,
    markdown_cell,
    shape_cell,
    short_count,
    whole_numbers,
    wrap_words,
)


def _type_cell(layer: LayerResult) -> str:
    spec = layer.spec
    return rules_of(spec.kind).type_cell(spec)


COLUMNS = ("#", "layer", "input", "output", "k/s/p/d", "RF", "jump", "params", "FLOPs")
NUMERIC = frozenset({"#", "RF", "jump", "params", "%", "FLOPs", "MACs"})


def _columns(options: RenderOptions) -> tuple[str, ...]:
    """Return the table's columns: Param % when asked, torchinfo's MACs in place of the FLOPs when asked."""
    columns = list(COLUMNS)
    if options.param_percent:
        columns.insert(columns.index("params") + 1, "%")
    if options.count == Convention.TORCHINFO:
        columns[-1] = "MACs"
    return tuple(columns)


def _layer_cell(layer: LayerResult) -> str:
    kind = _type_cell(layer)
    text = kind if layer.name in (str(layer.index), kind) else f"{layer.name} ({kind})"
    return f"{text} ← {', '.join(layer.sources)}" if layer.sources else text


def _geometry_cell(layer: LayerResult) -> str:
    spec = layer.spec
    if isinstance(spec, OtherSpec):
        return other_rules(spec.kind).cell(spec, layer.input)
    return geometry_cell(spec, layer.padding)


SHARED = "shared"
"""The parameters cell of a layer using another's weights (`shares`): they are counted there."""


def _shape(shape: AxisValues | None, batch: int, options: RenderOptions) -> str:
    """Show a shape without the network's batch, but with a leading axis that is not it (boxes, windows)."""
    return shape_cell(shape, batch=options.show_batch or (shape is not None and shape[:1] != (batch,)))


def _row(layer: LayerResult, cost: LayerCost, options: RenderOptions, total_params: int, batch: int) -> list[str]:
    if layer.status is Status.INVALID:
        output = "invalid"
    elif layer.status is Status.NOT_COMPUTED:
        output = "not computed"
    else:
        output = _shape(layer.output, batch, options)
    counted = bool(layer.weight_shape or layer.params)
    cells = [
        str(layer.index),
        visible(_layer_cell(layer)),
        _shape(layer.input, batch, options),
        output,
        _geometry_cell(layer),
        (GLOBAL if layer.whole_input else "-") if layer.receptive_field is None else axes_text(layer.receptive_field),
        "-" if layer.jump is None else axes_text(layer.jump),
        SHARED if layer.spec.shares is not None else f"{layer.params:,}" if counted else "-",
    ]
    if options.param_percent:
        cells.append(f"{100 * layer.params / total_params:.1f}" if counted and total_params else "-")
    operations = cost.macs if options.count == Convention.TORCHINFO else cost.flops
    cells.append(short_count(operations) if operations else "-")
    return cells


def _rows(result: StackResult, options: RenderOptions, cost: Cost) -> list[list[str]]:
    """Return every layer's cells."""
    total = result.total_params
    batch = result.input[0]
    return [_row(layer, spent, options, total, batch) for layer, spent in zip(result.layers, cost.layers, strict=True)]


def describe_equivalent(layer: LayerResult) -> str:
    """Spell out the direct convolution that computes a transposed layer."""
    eq = layer.equivalent_conv
    if eq is None or layer.input is None or layer.output is None:
        return ""
    names = axis_names(len(eq.kernel_size))
    zeros = axes_text(eq.zeros_inserted)
    plural = "s" if zeros != "1" else ""
    steps = [
        (
            f"insert {zeros} zero{plural} between input cells "
            f"({axes_text(layer.input[2:])} → {axes_text(eq.stretched_input)})"
        )
    ]
    pads = [_describe_padding(before, after) for before, after in eq.padding]
    if len(set(pads)) == 1:
        steps.append(pads[0])
    else:
        steps.append(", ".join(f"{name}: {text}" for name, text in zip(names, pads, strict=True)))
    steps.append(
        f"convolve with kernel {axes_text(eq.kernel_size)}, dilation {axes_text(eq.dilation)}, stride 1 "
        f"→ {axes_text(layer.output[2:])}"
    )
    return f"{layer.label} as a direct convolution: " + "; ".join(steps)


def _describe_padding(before: int, after: int) -> str:
    """Say how the stretched input is padded (positive) or cropped (negative) on each side."""

    def amount(value: int) -> str:
        return f"crop {-value}" if value < 0 else f"pad {value}"

    if before == after:
        return "no padding" if before == 0 else f"{amount(before)} on each side"
    return f"{amount(before)} before and {amount(after)[4:] if (before < 0) == (after < 0) else amount(after)} after"


def _summary(result: StackResult, cost: Cost) -> str:
    parts = [_params_summary(result, cost), _operations_summary(cost), _memory_summary(cost)]
    scale = result.scale
    if scale is not None and result.output is not None:
        parts.append(
            f"scale {axes_text(scale)} "
            f"({'×'.join(map(str, result.input[2:]))} → {'×'.join(map(str, result.output[2:]))})"
        )
    if result.receptive_field is not None:
        parts.append(f"receptive field {axes_text(result.receptive_field)}")
    elif result.layers and result.layers[-1].whole_input:
        parts.append(f"receptive field {GLOBAL}")
    return " · ".join(parts)


def _params_summary(result: StackResult, cost: Cost) -> str:
    """Say the parameters: in all, and the frozen ones and the buffers where there are any."""
    text = f"total params {result.total_params:,}"
    apart = []
    if cost.non_trainable_params:
        apart.append(f"trainable {cost.trainable_params:,}, non-trainable {cost.non_trainable_params:,}")
    if cost.buffers:
        apart.append(f"buffers {cost.buffers:,}")
    return f"{text} ({'; '.join(apart)})" if apart else text


def _operations_summary(cost: Cost) -> str:
    """Say the FLOPs and MACs in all (torchinfo's when asked)."""
    flops, macs = short_count(cost.total_flops), short_count(cost.total_macs)
    if cost.convention is Convention.TORCHINFO:
        text, aside = f"MACs {macs}", f"torchinfo's count; FLOPs {flops}"
    else:
        text, aside = f"FLOPs {flops}", f"MACs {macs}"
    return f"{text} ({aside})"


def _memory_summary(cost: Cost) -> str:
    """Say the memory: parameters and buffers, inference's peak of activations, training's activations."""
    memory = cost.memory
    at = f" (layer {memory.peak_layer})" if memory.peak_layer else ""
    buffers = f", buffers {byte_size(memory.buffers)}" if memory.buffers else ""
    return (
        f"{memory.dtype}: params {byte_size(memory.params)}{buffers}, activations at most "
        f"{byte_size(memory.peak_activations)}{at}, {byte_size(memory.training_activations)} kept for training"
    )


def _notes(result: StackResult) -> list[tuple[str, str]]:
    """Return (style, text) lines to print under the table: errors, warnings, equivalents."""
    notes: list[tuple[str, str]] = []
    for layer in result.layers:
        if layer.status in (Status.INVALID, Status.EXPECT_FAILED):
            notes.append(("red", layer.message))
        notes.extend(("yellow", f"{layer.label}: warning: {w}") for w in layer.warnings)
        if layer.equivalent_conv is not None and layer.output is not None:
            notes.append(("cyan", describe_equivalent(layer)))
    return [(style, visible(text)) for style, text in notes]


_STYLES = {Status.INVALID: "red", Status.EXPECT_FAILED: "red", Status.NOT_COMPUTED: "dim"}


def _title(result: StackResult) -> str:
    layout = "C×" + "×".join(axis_names(len(result.input) - 2))
    title = f"{visible(result.source)}: input {shape_cell(result.input)} ({layout}), batch {result.input[0]}"
    if result.inputs:  # several inputs: each by name
        named = ", ".join(f"{visible(name)} {shape_cell(shape)}" for name, shape in result.inputs)
        title = f"{visible(result.source)}: inputs {named} ({layout}), batch {result.input[0]}"
    rules = sorted(
        {layer.spec.framework.value for layer in result.layers if isinstance(layer.spec, LayerSpec)} - {"torch"}
    )
    if rules:
        title += f", {' and '.join(rules)} rules"
        if "keras" in rules:
            title += " (shapes shown channels first; Keras' own layout is channels last)"
    return title


@whole_numbers
def render_table(result: StackResult, cost: Cost, options: RenderOptions | None = None) -> str:
    """Render the table: one row per layer, the summary and the notes under it."""
    options = options or RenderOptions()
    laid = _layout(result, options, cost)

    def wrapped(text: str, style: str | None = None) -> list[str]:
        return [tint(options.color, piece, style) for piece in wrap_words(text, options.width).split("\n")]

    styles = [_STYLES.get(layer.status) for layer in result.layers]
    lines = [*wrapped(_title(result)), *paint(laid.table, styles=styles, color=options.color)]
    lines.extend(wrapped(laid.summary))
    for style, text in _notes(result):
        lines.extend(wrapped(text, style))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Laid:
    """The stack's table laid out (render/table.py's engine) and the summary under it."""

    table: table.Laid
    summary: str


UNBOUNDED = 10**9
"""The width of a Markdown page: no column left out, no cell wrapped."""
LEFT_OUT_ORDER = ("%", "FLOPs", "MACs", "jump", "input", "params", "k/s/p/d", "RF")
"""The columns a narrow table leaves out, first to last, rather than cut a number, a shape or a name's part
(a layer's input is mostly the output above it); `#`, `layer` and `output` stay."""
WRAPPING = ("layer", "k/s/p/d")
"""Columns whose cells wrap, at the breaks table.pieces finds (dots, slashes, words); the others never wrap.
k/s/p/d grows back first, then the name."""


def _layout(result: StackResult, options: RenderOptions, cost: Cost) -> Laid:
    """Return the table laid out to the width: columns left out in a stated order."""
    columns = [
        TableColumn(
            name,
            right=name in NUMERIC,
            breaks=Breaks.PARTS if name in WRAPPING else Breaks.NEVER,
            grows_first=name == "k/s/p/d",
        )
        for name in _columns(options)
    ]
    laid = lay_out(columns, _rows(result, options, cost), options.width, left_out_order=LEFT_OUT_ORDER)
    summary = _summary(result, cost)
    if laid.left_out:
        summary += (
            f" · left out at {options.width} columns: {', '.join(laid.left_out)} (every column from {laid.least_span})"
        )
    return Laid(laid, summary)


@whole_numbers
def render_markdown(result: StackResult, cost: Cost, options: RenderOptions | None = None) -> str:
    """Render a GitHub-flavoured Markdown table (fits a pull-request comment)."""
    laid = _layout(result, replace(options or RenderOptions(), width=UNBOUNDED), cost)  # a page scrolls: every column
    columns, rows, summary = [column.header for column in laid.table.columns], laid.table.rows, laid.summary
    given = f"input `{shape_cell(result.input)}`"
    if result.inputs:
        given = "inputs " + ", ".join(
            f"{markdown_cell(visible(name))} `{shape_cell(shape)}`" for name, shape in result.inputs
        )
    lines = [
        f"**{markdown_cell(visible(result.source))}**: {given}, batch {result.input[0]}",
        "",
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" if c in NUMERIC else "---" for c in columns) + " |",
    ]
    lines.extend("| " + " | ".join(map(markdown_cell, row)) + " |" for row in rows)
    lines.append("")
    lines.append(summary)
    notes = _notes(result)
    if notes:
        lines.append("")
        lines.extend(f"- {'**error**: ' if style == 'red' else ''}{markdown_cell(text)}" for style, text in notes)
    return "\n".join(lines) + "\n"


CSV_COLUMNS = (
    "index",
    "name",
    "type",
    "input",
    "output",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "receptive_field",
    "jump",
    "params",
    "status",
    "error",
    "flops",
    "macs",
    "trainable_params",
    "non_trainable_params",
    "buffers",
)


@whole_numbers
def render_csv(result: StackResult, cost: Cost, options: RenderOptions | None = None) -> str:
    """Render one CSV row per layer; per-axis values are joined with x, padding pairs with :."""
    del options  # every renderer takes them; CSV's columns are fixed and its cost was counted by them
    axes = csv_axes
    rows = []
    for layer, spent in zip(result.layers, cost.layers, strict=True):
        spec = layer.spec
        window = isinstance(spec, LayerSpec)
        rows.append(
            [
                layer.index,
                csv_safe(visible(layer.name)),
                type_word(spec),
                axes(layer.input),
                axes(layer.output),
                axes(spec.kernel_size) if isinstance(spec, LayerSpec) else "",
                axes(spec.stride) if isinstance(spec, LayerSpec) else "",
                csv_pairs(layer.padding),
                axes(spec.dilation) if isinstance(spec, LayerSpec) else "",
                axes(spec.output_padding) if window and isinstance(spec, LayerSpec) and spec.kind.is_transposed else "",
                axes(layer.receptive_field),
                axes(layer.jump),
                layer.params,
                layer.status.value,
                csv_safe(visible(layer.error or "")),
                spent.flops,
                spent.macs,
                spent.trainable_params,
                spent.non_trainable_params,
                spent.buffers,
            ]
        )
    return csv_text(CSV_COLUMNS, rows)


RENDERERS: dict[Format, Callable[[StackResult, Cost, RenderOptions | None], str]] = {
    Format.TABLE: render_table,
    Format.JSON: render_json,
    Format.MARKDOWN: render_markdown,
    Format.CSV: render_csv,
}
