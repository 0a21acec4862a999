"""Turn a StackResult into text: a rich table, JSON, Markdown or CSV. Pure: result in, string out."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from convcalc.analysis import LayerResult, StackResult, Status
from convcalc.receptive import EquivalentConv
from convcalc.spec import PaddingMode, PaddingPairs, axis_names


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


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _pairs(padding: PaddingPairs | None) -> list[list[int]] | None:
    return None if padding is None else [list(pair) for pair in padding]


def _equivalent_json(equivalent: EquivalentConv | None) -> dict[str, Any] | None:
    if equivalent is None:
        return None
    return {
        "zeros_inserted": list(equivalent.zeros_inserted),
        "stretched_input": list(equivalent.stretched_input),
        "padding": _pairs(equivalent.padding),
        "kernel_size": list(equivalent.kernel_size),
        "dilation": list(equivalent.dilation),
        "stride": list(equivalent.stride),
    }


def layer_json(layer: LayerResult) -> dict[str, Any]:
    """Return one layer's record with the contract's keys (and a few more)."""
    spec = layer.spec
    record: dict[str, Any] = {
        "index": layer.index,
        "name": layer.name,
        "type": spec.kind.value,
        "input": None if layer.input is None else list(layer.input),
        "output": None if layer.output is None else list(layer.output),
        "kernel_size": list(spec.kernel_size),
        "stride": list(spec.stride),
        "dilation": list(spec.dilation),
        "padding": _pairs(layer.padding),
    }
    if spec.kind.is_transposed:
        record["output_padding"] = list(spec.output_padding)
    if spec.kind.is_pool:
        record["ceil_mode"] = spec.ceil_mode
    else:
        record["groups"] = spec.groups
        record["bias"] = spec.bias
    record.update(
        {
            "receptive_field": None if layer.receptive_field is None else list(layer.receptive_field),
            "jump": None if layer.jump is None else [_number(j) for j in layer.jump],
            "jump_fraction": None if layer.jump is None else [str(j) for j in layer.jump],
            "equivalent_conv": _equivalent_json(layer.equivalent_conv),
            "weight_shape": None if layer.weight_shape is None else list(layer.weight_shape),
            "params": layer.params,
            "params_without_bias": layer.params_without_bias,
            "expect": None if spec.expect is None else list(spec.expect),
            "status": layer.status.value,
            "warnings": list(layer.warnings),
            "error": layer.error,
        }
    )
    return record


def to_json_dict(result: StackResult) -> dict[str, Any]:
    """Return the whole result as the contract's JSON object."""
    scale = result.scale
    return {
        "input": list(result.input),
        "output": None if result.output is None else list(result.output),
        "ok": result.ok,
        "total_params": result.total_params,
        "scale": None if scale is None else [str(f) for f in scale],
        "receptive_field": None if result.receptive_field is None else list(result.receptive_field),
        "layers": [layer_json(layer) for layer in result.layers],
    }


def dumps(value: Any, indent: str = "") -> str:  # noqa: ANN401 - any JSON value
    """Dump JSON indented by two spaces, keeping lists of scalars (shapes, axes) on one line."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(key)}: {dumps(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        if all(isinstance(item, list) and not any(isinstance(x, dict | list) for x in item) for item in value):
            return json.dumps(value)  # padding pairs: [[1, 1], [1, 1]]
        return "[\n" + ",\n".join(inner + dumps(item, inner) for item in value) + "\n" + indent + "]"
    return json.dumps(value)


def render_json(result: StackResult, options: RenderOptions | None = None) -> str:  # noqa: ARG001 - uniform signature
    """Render the result as indented JSON."""
    return dumps(to_json_dict(result)) + "\n"


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
    return kind if layer.name in (str(layer.index), kind) else f"{layer.name} ({kind})"


def _geometry_cell(layer: LayerResult) -> str:
    spec = layer.spec
    padding = layer.padding if layer.padding is not None else spec.padding
    pad = padding.value if isinstance(padding, PaddingMode) else _padding_cell(padding)
    text = "/".join((_axes(spec.kernel_size), _axes(spec.stride), pad, _axes(spec.dilation)))
    if spec.kind.is_transposed and any(spec.output_padding):
        text += f" a{_axes(spec.output_padding)}"
    return text


def _row(layer: LayerResult) -> list[str]:
    if layer.status is Status.INVALID:
        output = "invalid"
    elif layer.status is Status.NOT_COMPUTED:
        output = "not computed"
    else:
        output = _shape_cell(layer.output)
    return [
        str(layer.index),
        _layer_cell(layer),
        _shape_cell(layer.input),
        output,
        _geometry_cell(layer),
        "-" if layer.receptive_field is None else _axes(layer.receptive_field),
        "-" if layer.jump is None else _axes(layer.jump),
        f"{layer.params:,}" if layer.weight_shape else "-",
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
    return notes


# ---------------------------------------------------------------- table


def render_table(result: StackResult, options: RenderOptions | None = None) -> str:
    """Render a rich table, one row per layer, with notes and a summary under it."""
    from rich import box  # noqa: PLC0415 - keep rich off the JSON path
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415
    from rich.text import Text  # noqa: PLC0415

    options = options or RenderOptions()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        highlight=False,
        soft_wrap=False,
    )
    rank = len(result.input) - 2
    layout = "C×" + "×".join(axis_names(rank))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in COLUMNS:
        table.add_column(column, justify="right" if column in NUMERIC else "left", overflow="fold")
    for layer in result.layers:
        style = {Status.INVALID: "red", Status.EXPECT_FAILED: "red", Status.NOT_COMPUTED: "dim"}.get(layer.status)
        table.add_row(*_row(layer), style=style)
    console.print(Text(f"{result.source}: input {_shape_cell(result.input)} ({layout}), batch {result.input[0]}"))
    console.print(table)
    console.print(Text(_summary(result)))
    for style, text in _notes(result):
        console.print(Text(text, style=style))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


# ---------------------------------------------------------------- Markdown and CSV


def render_markdown(result: StackResult, options: RenderOptions | None = None) -> str:  # noqa: ARG001 - uniform signature
    """Render a GitHub-flavoured Markdown table (fits a pull-request comment)."""
    lines = [
        f"**{result.source}**: input `{_shape_cell(result.input)}`, batch {result.input[0]}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "| " + " | ".join("---:" if c in NUMERIC else "---" for c in COLUMNS) + " |",
    ]
    lines.extend("| " + " | ".join(c.replace("|", "\\|") for c in _row(layer)) + " |" for layer in result.layers)
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

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for layer in result.layers:
        spec = layer.spec
        writer.writerow(
            [
                layer.index,
                layer.name,
                spec.kind.value,
                axes(layer.input),
                axes(layer.output),
                axes(spec.kernel_size),
                axes(spec.stride),
                "" if layer.padding is None else "x".join(f"{b}:{a}" for b, a in layer.padding),
                axes(spec.dilation),
                axes(spec.output_padding) if spec.kind.is_transposed else "",
                axes(layer.receptive_field),
                axes(layer.jump),
                layer.params,
                layer.status.value,
                layer.error or "",
            ]
        )
    return buffer.getvalue()


RENDERERS: dict[Format, Callable[[StackResult, RenderOptions | None], str]] = {
    Format.TABLE: render_table,
    Format.JSON: render_json,
    Format.MARKDOWN: render_markdown,
    Format.CSV: render_csv,
}
