"""Turn a StackResult into text: a rich table, JSON, Markdown or CSV. Pure: result in, string out.

The answers of solve and sizes are rendered by designrender, the pictures of explain by
explainrender, ported layers by portrender; they share this module's cells and console.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convcalc.core.analysis import LayerResult, StackResult, Status

if TYPE_CHECKING:
    from rich.console import Console

    from convcalc.core.receptive import EquivalentConv

from convcalc.core.spec import LayerKind, LayerSpec, OtherSpec, PaddingMode, PaddingPairs, axis_names
from convcalc.core.text import csv_safe, visible


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: the table's width in columns, and whether it may use colour."""

    width: int = 100
    color: bool = False


class Format(StrEnum):
    """Output formats of every command that prints results."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    CSV = "csv"


# ---------------------------------------------------------------- JSON


def _number(value: Fraction) -> int | float | str:
    if value.denominator == 1:
        return int(value)
    try:
        return float(value)
    except OverflowError:  # beyond a double: the exact fraction is in jump_fraction too
        return str(value)


def _equivalent_json(equivalent: EquivalentConv | None) -> dict[str, Any] | None:
    if equivalent is None:
        return None
    return {
        "zeros_inserted": equivalent.zeros_inserted,
        "stretched_input": equivalent.stretched_input,
        "padding": equivalent.padding,
        "kernel_size": equivalent.kernel_size,
        "dilation": equivalent.dilation,
        "stride": equivalent.stride,
    }


def layer_json(layer: LayerResult) -> dict[str, Any]:
    """Return one layer's record with the contract's keys (and a few more); tuples encode as arrays."""
    spec = layer.spec
    kind = spec.kind
    window = spec if isinstance(spec, LayerSpec) else None
    record: dict[str, Any] = {
        "index": layer.index,
        "name": layer.name,
        "type": spec.type_name.lower() if isinstance(spec, OtherSpec) and kind is LayerKind.IDENTITY else kind.value,
        "input": layer.input,
        "output": layer.output,
        "kernel_size": window.kernel_size if window else None,
        "stride": window.stride if window else None,
        "dilation": window.dilation if window else None,
        "padding": layer.padding,
    }
    if layer.sources:
        record["from"] = layer.sources
    if window is not None and window.framework.value != "torch":
        record["framework"] = window.framework.value
    if isinstance(spec, LayerSpec):
        if kind is LayerKind.CONVTRANSPOSE:
            record["output_padding"] = spec.output_padding
            if spec.output_size is not None:
                record["output_size"] = spec.output_size
        if kind.is_pool:
            record["ceil_mode"] = spec.ceil_mode
        else:
            record["groups"] = spec.groups
            record["bias"] = spec.bias
    else:
        record.update(_other_json(spec))
    jump = layer.jump
    record["receptive_field"] = layer.receptive_field
    record["jump"] = None if jump is None else [_number(j) for j in jump]
    record["jump_fraction"] = None if jump is None else [str(j) for j in jump]
    record["equivalent_conv"] = _equivalent_json(layer.equivalent_conv)
    record["weight_shape"] = layer.weight_shape
    record["params"] = layer.params
    record["params_without_bias"] = layer.params_without_bias
    record["expect"] = spec.expect
    record["status"] = layer.status.value
    record["warnings"] = layer.warnings
    record["error"] = layer.error
    return record


def _other_json(spec: OtherSpec) -> dict[str, Any]:
    """Return the keys a non-window layer was given, under their torch.nn names."""
    kind = spec.kind
    keys: dict[str, Any] = {}
    if kind is LayerKind.CONCAT:
        keys["dim"] = spec.dim
    if kind in (LayerKind.CROP, LayerKind.PAD) and spec.amounts is not None:
        keys["padding"] = [list(pair) for pair in spec.amounts]
    elif kind in (LayerKind.CROP, LayerKind.PAD):
        keys.update({"to": spec.to, "align": spec.align})
    if kind is LayerKind.UPSAMPLE:
        keys.update({"scale_factor": spec.scale_factor, "size": spec.size, "mode": spec.mode})
    if kind in (LayerKind.ADAPTIVEAVGPOOL, LayerKind.ADAPTIVEMAXPOOL):
        keys["output_size"] = spec.size
    if kind is LayerKind.FLATTEN:
        keys.update({"start_dim": spec.start_dim, "end_dim": spec.end_dim})
    if kind is LayerKind.LINEAR:
        keys.update({"in_features": spec.in_features, "out_features": spec.out_features, "bias": spec.bias})
    return keys


def to_json_dict(result: StackResult) -> dict[str, Any]:
    """Return the whole result as the contract's JSON object (tuples stand for arrays)."""
    scale = result.scale
    return {
        "input": result.input,
        "output": result.output,
        "ok": result.ok,
        "total_params": result.total_params,
        "scale": None if scale is None else [str(f) for f in scale],
        "receptive_field": result.receptive_field,
        "layers": [layer_json(layer) for layer in result.layers],
    }


def render_json(result: StackResult, options: RenderOptions | None = None) -> str:  # noqa: ARG001 - uniform signature
    """Render the result as JSON: the summary keys one per line, then one line per layer.

    One layer per line keeps large networks fast to write (the C encoder does each line)
    and makes the output easy to diff and grep in CI logs.
    """
    import json  # noqa: PLC0415 - only this format needs it

    document = to_json_dict(result)
    layers = document.pop("layers")
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in document.items()]
    records = ",\n".join(f"    {json.dumps(layer)}" for layer in layers)
    body = f'  "layers": [\n{records}\n  ]' if layers else '  "layers": []'
    return "{\n" + "\n".join(lines) + "\n" + body + "\n}\n"


# ---------------------------------------------------------------- cells shared by table, Markdown and CSV


def _axes(values: Sequence[object]) -> str:
    """Show per-axis values as one value when they agree, else joined with ×."""
    texts = [str(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "×".join(texts)


def _padding_cell(padding: PaddingPairs | None) -> str:
    if padding is None:
        return "-"
    return _axes([str(b) if b == a else f"{b}:{a}" for b, a in padding])


def _shape_cell(shape: Sequence[int] | None) -> str:
    """Show C×spatial; the batch size is the same everywhere and goes in the caption."""
    return "-" if shape is None else "×".join(str(v) for v in shape[1:])


SHORT_KINDS = {"conv": "conv", "convtranspose": "convT", "maxpool": "maxpool", "avgpool": "avgpool"}


def _type_cell(layer: LayerResult) -> str:
    spec = layer.spec
    if isinstance(spec, OtherSpec):
        return spec.type_name if spec.kind is LayerKind.IDENTITY else spec.kind.value
    text = SHORT_KINDS[spec.kind.value]
    if spec.kind.is_pool and spec.ceil_mode:
        text += " ceil"
    if not spec.kind.is_pool and spec.groups != 1:
        text += f" g{spec.groups}"
    return text


COLUMNS = ("#", "layer", "input", "output", "k/s/p/d", "RF", "jump", "params")
NUMERIC = frozenset({"#", "RF", "jump", "params"})


def _layer_cell(layer: LayerResult) -> str:
    kind = _type_cell(layer)
    text = kind if layer.name in (str(layer.index), kind) else f"{layer.name} ({kind})"
    return f"{text} ← {', '.join(layer.sources)}" if layer.sources else text


def _geometry_cell(layer: LayerResult) -> str:
    spec = layer.spec
    if isinstance(spec, OtherSpec):
        return _other_cell(spec, layer)
    padding = layer.padding if layer.padding is not None else spec.padding
    pad = padding.value if isinstance(padding, PaddingMode) else _padding_cell(padding)
    text = "/".join((_axes(spec.kernel_size), _axes(spec.stride), pad, _axes(spec.dilation)))
    if spec.kind.is_transposed and any(spec.output_padding):
        text += f" a{_axes(spec.output_padding)}"
    return text


def _other_cell(spec: OtherSpec, layer: LayerResult) -> str:
    """Say in a few characters what a non-window layer does."""
    kind = spec.kind
    if kind is LayerKind.CONCAT:
        return f"dim {spec.dim}"
    if kind in (LayerKind.CROP, LayerKind.PAD) and spec.amounts is not None:
        sign, letter = (-1, "c") if kind is LayerKind.CROP else (1, "p")
        pairs = [(sign * b, sign * a) for b, a in spec.amounts]
        return letter + ",".join(f"{b}:{a}" if b != a else str(b) for b, a in pairs)
    if kind in (LayerKind.CROP, LayerKind.PAD):
        return f"to {spec.to}" + ("" if spec.align == "center" else f" {spec.align}")
    if kind is LayerKind.UPSAMPLE:
        if spec.size is not None:
            return "→ " + _axes(spec.size)
        return (
            "×"
            + _axes([f"{f:g}" for f in spec.scale_factor or (1.0,)])
            + ("" if spec.mode == "nearest" else f" {spec.mode}")
        )
    if kind in (LayerKind.ADAPTIVEAVGPOOL, LayerKind.ADAPTIVEMAXPOOL):
        return "→ " + _axes(["-" if v is None else v for v in spec.size or (1,)])
    if kind is LayerKind.FLATTEN:
        return f"dims {spec.start_dim}..{spec.end_dim}"
    if kind is LayerKind.LINEAR:
        features = spec.in_features if spec.in_features is not None else (layer.input or ("?",))[-1]
        return f"{features}→{spec.out_features}"
    return "-"


def _row(layer: LayerResult) -> list[str]:
    if layer.status is Status.INVALID:
        output = "invalid"
    elif layer.status is Status.NOT_COMPUTED:
        output = "not computed"
    else:
        output = _shape_cell(layer.output)
    return [
        str(layer.index),
        visible(_layer_cell(layer)),
        _shape_cell(layer.input),
        output,
        _geometry_cell(layer),
        "-" if layer.receptive_field is None else _axes(layer.receptive_field),
        "-" if layer.jump is None else _axes(layer.jump),
        f"{layer.params:,}" if layer.weight_shape or layer.params else "-",
    ]


def describe_equivalent(layer: LayerResult) -> str:
    """Spell out the direct convolution that computes a transposed layer."""
    eq = layer.equivalent_conv
    if eq is None or layer.input is None or layer.output is None:
        return ""
    names = axis_names(len(eq.kernel_size))
    zeros = _axes(eq.zeros_inserted)
    plural = "s" if zeros != "1" else ""
    steps = [
        f"insert {zeros} zero{plural} between input cells ({_axes(layer.input[2:])} → {_axes(eq.stretched_input)})"
    ]
    pads = [_describe_padding(before, after) for before, after in eq.padding]
    if len(set(pads)) == 1:
        steps.append(pads[0])
    else:
        steps.append(", ".join(f"{name}: {text}" for name, text in zip(names, pads, strict=True)))
    steps.append(
        f"convolve with kernel {_axes(eq.kernel_size)}, dilation {_axes(eq.dilation)}, stride 1 "
        f"→ {_axes(layer.output[2:])}"
    )
    return f"{layer.label} as a direct convolution: " + "; ".join(steps)


def _describe_padding(before: int, after: int) -> str:
    """Say how the stretched input is padded (positive) or cropped (negative) on each side."""

    def amount(value: int) -> str:
        return f"crop {-value}" if value < 0 else f"pad {value}"

    if before == after:
        return "no padding" if before == 0 else f"{amount(before)} on each side"
    return f"{amount(before)} before and {amount(after)[4:] if (before < 0) == (after < 0) else amount(after)} after"


def _summary(result: StackResult) -> str:
    parts = [f"total params {result.total_params:,}"]
    scale = result.scale
    if scale is not None and result.output is not None:
        parts.append(
            f"scale {_axes(scale)} ({'×'.join(map(str, result.input[2:]))} → {'×'.join(map(str, result.output[2:]))})"
        )
    if result.receptive_field is not None:
        parts.append(f"receptive field {_axes(result.receptive_field)}")
    return " · ".join(parts)


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


# ---------------------------------------------------------------- table


RICH_MAX_ROWS = 200
"""Above this many layers the table is laid out here, in the same shape: rich needs ~0.5 ms a row."""

_STYLES = {Status.INVALID: "red", Status.EXPECT_FAILED: "red", Status.NOT_COMPUTED: "dim"}
_ANSI = {"red": "\x1b[31m", "dim": "\x1b[2m", "yellow": "\x1b[33m", "cyan": "\x1b[36m", "bold": "\x1b[1m"}


def _title(result: StackResult) -> str:
    layout = "C×" + "×".join(axis_names(len(result.input) - 2))
    title = f"{visible(result.source)}: input {_shape_cell(result.input)} ({layout}), batch {result.input[0]}"
    rules = sorted(
        {layer.spec.framework.value for layer in result.layers if isinstance(layer.spec, LayerSpec)} - {"torch"}
    )
    if rules:
        title += f", {' and '.join(rules)} rules"
        if "keras" in rules:
            title += " (shapes shown channels first; Keras' own layout is channels last)"
    return title


def make_console(buffer: io.StringIO, options: RenderOptions) -> Console:
    """Make a rich console that writes into `buffer` at the options' width, in colour only when allowed."""
    from rich.console import Console  # noqa: PLC0415 - keep rich off the other formats' path

    return Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        highlight=False,
    )


def console_text(buffer: io.StringIO) -> str:
    """Return what a console wrote into `buffer`, without the spaces rich pads lines with."""
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def render_table(result: StackResult, options: RenderOptions | None = None) -> str:
    """Render the table: one row per layer, the summary and the notes under it."""
    options = options or RenderOptions()
    if len(result.layers) > RICH_MAX_ROWS:
        return _plain_table(result, options)
    from rich import box  # noqa: PLC0415 - keep rich off the other formats' path
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    buffer = io.StringIO()
    console = make_console(buffer, options)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in NUMERIC else "left", overflow="fold")
    for layer in result.layers:
        table.add_row(*map(Text, _row(layer)), style=_STYLES.get(layer.status))
    console.print(Text(_title(result)))
    console.print(table)
    console.print(Text(_summary(result)))
    for style, text in _notes(result):
        console.print(Text(text, style=style))
    return console_text(buffer)


def _plain_table(result: StackResult, options: RenderOptions) -> str:
    """Lay out the same table as rich's SIMPLE_HEAD box, fast enough for 10,000 rows."""
    import textwrap  # noqa: PLC0415

    rows = [_row(layer) for layer in result.layers]
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(COLUMNS)]
    while sum(widths) + 3 * len(widths) - 1 > options.width and max(widths) > 4:  # noqa: PLR2004
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def paint(text: str, style: str | None) -> str:
        return f"{_ANSI[style]}{text}\x1b[0m" if options.color and style else text

    def line(cells: list[str], style: str | None) -> list[str]:
        parts = [
            textwrap.wrap(cell, w, break_on_hyphens=False) or [""] if len(cell) > w else [cell]
            for cell, w in zip(cells, widths, strict=True)
        ]
        out = []
        for depth in range(max(len(p) for p in parts)):
            texts = []
            for column, part, width in zip(COLUMNS, parts, widths, strict=True):
                piece = part[depth] if depth < len(part) else ""
                texts.append(f" {piece.rjust(width) if column in NUMERIC else piece.ljust(width)} ")
            out.append(paint(" ".join(texts).rstrip(), style))
        return out

    def wrapped(text: str, style: str | None = None) -> list[str]:
        return [paint(piece, style) for piece in textwrap.wrap(text, options.width, break_on_hyphens=False) or [""]]

    lines = [*wrapped(_title(result)), *line(list(COLUMNS), "bold")]
    lines.append("─" * (sum(widths) + 3 * len(widths) - 1))
    for layer, row in zip(result.layers, rows, strict=True):
        lines.extend(line(row, _STYLES.get(layer.status)))
    lines.extend(wrapped(_summary(result)))
    for style, text in _notes(result):
        lines.extend(wrapped(text, style))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Markdown and CSV


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _markdown_cell(text: str) -> str:
    """Return a table cell that Markdown shows as the text itself: no link, emphasis or column break."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_markdown(result: StackResult, options: RenderOptions | None = None) -> str:  # noqa: ARG001 - uniform signature
    """Render a GitHub-flavoured Markdown table (fits a pull-request comment)."""
    lines = [
        f"**{visible(result.source)}**: input `{_shape_cell(result.input)}`, batch {result.input[0]}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join("---:" if c in NUMERIC else "---" for c in COLUMNS) + " |",
    ]
    lines.extend("| " + " | ".join(map(_markdown_cell, _row(layer))) + " |" for layer in result.layers)
    lines.append("")
    lines.append(_summary(result))
    notes = _notes(result)
    if notes:
        lines.append("")
        lines.extend(f"- {'**error**: ' if style == 'red' else ''}{text}" for style, text in notes)
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
)


def render_csv(result: StackResult, options: RenderOptions | None = None) -> str:  # noqa: ARG001 - uniform signature
    """Render one CSV row per layer; per-axis values are joined with x, padding pairs with :."""

    def axes(values: Sequence[object] | None) -> str:
        return "" if values is None else "x".join(str(v) for v in values)

    rows = []
    for layer in result.layers:
        spec = layer.spec
        window = isinstance(spec, LayerSpec)
        rows.append(
            [
                layer.index,
                csv_safe(visible(layer.name)),
                spec.kind.value,
                axes(layer.input),
                axes(layer.output),
                axes(spec.kernel_size) if isinstance(spec, LayerSpec) else "",
                axes(spec.stride) if isinstance(spec, LayerSpec) else "",
                "" if layer.padding is None else "x".join(f"{b}:{a}" for b, a in layer.padding),
                axes(spec.dilation) if isinstance(spec, LayerSpec) else "",
                axes(spec.output_padding) if window and isinstance(spec, LayerSpec) and spec.kind.is_transposed else "",
                axes(layer.receptive_field),
                axes(layer.jump),
                layer.params,
                layer.status.value,
                csv_safe(visible(layer.error or "")),
            ]
        )
    return csv_text(CSV_COLUMNS, rows)


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return rows as CSV text with a header line."""
    import csv  # noqa: PLC0415 - only this format needs it

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


RENDERERS: dict[Format, Callable[[StackResult, RenderOptions | None], str]] = {
    Format.TABLE: render_table,
    Format.JSON: render_json,
    Format.MARKDOWN: render_markdown,
    Format.CSV: render_csv,
}
