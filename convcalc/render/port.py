"""Render ported layers: a rich table, Python code, JSON, or a network file for `convcalc stack`."""

from __future__ import annotations

import json
import re
from typing import Any

from convcalc.core.spec import AxisValues, Framework, LayerSpec
from convcalc.core.text import visible
from convcalc.design.port import Ported, stage_sizes
from convcalc.design.port_network import PortedLayer, PortedNetwork
from convcalc.netfile.writer import network_yaml
from convcalc.render.code import IMPORTS, Code, body, code, pad_code, snippet
from convcalc.render.table import Breaks, Column, lay_out, paint
from convcalc.render.toolkit import RenderOptions, wrap_words

NAMES = {Framework.TORCH: "torch.nn", Framework.KERAS: "Keras", Framework.ONNX: "ONNX", Framework.JAX: "lax"}
CONVENTIONS = {
    Framework.TORCH: "each module takes (N, C, *spatial); the layers marked unchanged stay as they are",
    Framework.KERAS: "each layer takes channels last, (N, *spatial, C); the layers marked unchanged stay as they are",
    Framework.ONNX: "each list of nodes reads x (and its weight w) and writes y: rename them to chain the layers",
    Framework.JAX: "each function takes x as (N, C, *spatial) and its weight w laid out as torch.nn's",
}


def layout(target: Framework, rank: int) -> str:
    """Say the tensor layout the target's code works on."""
    spatial = ", ".join("DHW"[3 - rank :])
    return f"(N, {spatial}, C)" if target is Framework.KERAS else f"(N, C, {spatial})"


def _size(values: AxisValues) -> str:
    return "×".join(map(str, values))


def _part_of(part: PortedLayer, target: Framework) -> Code | None:
    if part.pads is not None:
        return pad_code(part.pads, target)
    if part.ported is None:
        return None
    source, shape = part.ported.source, part.ported.input
    return code(part.ported, shape[1], _out_channels(source, shape))


def _out_channels(layer: LayerSpec, shape: AxisValues) -> int:
    return layer.out_channels or shape[1]


def _stage_rows(ported: Ported, written: Code) -> list[tuple[str, str]]:
    """Return (code, output size) per part; a stage's size goes on its last part."""
    rows: list[tuple[str, str]] = []
    stages = [stage for stage in (written.before, written.layer, written.after) if stage]
    for stage, size in zip(stages, stage_sizes(ported), strict=True):
        rows.extend((_shown(part), "") for part in stage[:-1])
        rows.append((_shown(stage[-1]), _size(size)))
    return rows


def _shown(part: str) -> str:
    """Return a part as a table shows it: a lax statement without its `return` or assignment."""
    part = part.strip()
    return re.sub(r"^(return |y = )", "", part)


def render_layer(ported: Ported, chosen: str, options: RenderOptions) -> str:
    """Render one ported layer as a table, Python, JSON or a network file."""
    shape = ported.input
    out_channels = _out_channels(ported.source, shape)
    written = code(ported, shape[1], out_channels)
    source, target = ported.source.framework, ported.target
    if chosen == "python":
        return snippet(ported, shape[1], out_channels)
    if chosen == "json":
        record: dict[str, Any] = {
            "from": source.value,
            "to": target.value,
            "input": list(shape),
            "output": [shape[0], out_channels, *ported.output],
            "pad_before": ported.pad_before,
            "pad_after": ported.pad_after,
            "layer": _layer_record(ported.layer),
            "python": snippet(ported, shape[1], out_channels),
            "notes": list(ported.notes),
        }
        return json.dumps(record, indent=2) + "\n"
    rank = len(shape) - 2
    title = (
        f"{source} {ported.source.kind.value} on {_size(shape[2:])} → {_size(ported.output)}, "
        f"in {NAMES[target]} {layout(target, rank)}:"
    )
    rows = _stage_rows(ported, written)
    table = _table(["#", NAMES[target], "output"], [[str(i), c, s] for i, (c, s) in enumerate(rows, start=1)], options)
    return _print(title, table, options, [f"note: {note}" for note in ported.notes])


def _layer_record(layer: LayerSpec) -> dict[str, Any]:
    padding = layer.padding
    return {
        "type": layer.kind.value,
        "framework": layer.framework.value,
        "kernel_size": list(layer.kernel_size),
        "stride": list(layer.stride),
        "padding": padding.value if isinstance(padding, str) else [list(p) for p in padding],
        "dilation": list(layer.dilation),
        "output_padding": list(layer.output_padding) if layer.kind.is_transposed else None,
        "ceil_mode": layer.ceil_mode,
    }


def _table(headers: list[str], rows: list[list[str]], options: RenderOptions) -> list[str]:
    """Lay out and paint a port table: the target's layers wrap as code does, the names at their parts.

    The target's column, next to last, holds one generated layer a line; the others are one line each.
    """
    code = len(headers) - 2
    columns = [
        Column(
            header,
            right=header in ("#", "output"),
            breaks=Breaks.CODE if index == code else Breaks.PARTS if header == "layer" else Breaks.NEVER,
            grows_first=header == "layer",  # a name whole before the code is widened
        )
        for index, header in enumerate(headers)
    ]
    cells = [
        [
            visible(cell) if column != code else "\n".join(map(visible, cell.split("\n")))
            for column, cell in enumerate(row)
        ]
        for row in rows
    ]
    return paint(lay_out(columns, cells, options.width, pad_edge=False), color=options.color, pad_edge=False)


def _print(title: str, table: list[str], options: RenderOptions, notes: list[str]) -> str:
    """Print the title, the table and the notes (wrapped between words to the width)."""
    lines = [*wrap_words(visible(title), options.width).split("\n"), *table]
    lines += [line for note in notes for line in wrap_words(visible(note), options.width).split("\n")]
    return "".join(line.rstrip() + "\n" for line in lines)


def _variable(part: PortedLayer) -> str:
    name = part.source.name or f"layer{part.index}"
    name = re.sub(r"\W", "_", name)
    return name if name.isidentifier() and not name[0].isdigit() else f"layer_{name}"


def render_network(ported: PortedNetwork, chosen: str, options: RenderOptions) -> str:
    """Render a ported network as a table, Python (one assignment per layer), JSON or a network file."""
    target = ported.target
    source_framework = ported.source.framework
    if chosen == "yaml":
        comment = f"{ported.source.source} ported from {source_framework} to {target}"
        return network_yaml(ported.network, comment=comment)
    written = [(part, _part_of(part, target)) for part in ported.parts]
    if chosen == "python":
        blocks = [IMPORTS[target], "", f"# {CONVENTIONS[target]}"]
        for part, layer_code in written:
            label = f"# {part.index}: {visible(part.source.name or _type_name(part))}"  # one comment line
            if layer_code is None:
                blocks.append(f"{label} (unchanged)")
            else:
                blocks.append(f"{label}\n{body(layer_code, _variable(part))}".rstrip("\n"))
        return "\n".join(blocks) + "\n"
    if chosen == "json":
        layers = []
        for part, layer_code in written:
            layers.append(
                {
                    "index": part.index,
                    "name": part.source.name,
                    "type": _type_name(part),
                    "python": None if layer_code is None else body(layer_code, _variable(part)),
                    "output": None if part.output is None else list(part.output[2:]),
                    "notes": [] if part.ported is None else list(part.ported.notes),
                }
            )
        record = {"from": source_framework.value, "to": target.value, "file": ported.source.source, "layers": layers}
        return json.dumps(record, indent=2) + "\n"
    rank = len(ported.source.input) - 2
    title = f"{ported.source.source} ({source_framework}) in {NAMES[target]}, input {_size(ported.source.input)}"
    title += f" {layout(Framework.TORCH, rank)}"
    title += f"; the Keras layers take {layout(target, rank)}:" if target is Framework.KERAS else ":"
    rows = []
    notes = []
    for part, layer_code in written:
        label = part.source.name or _type_name(part)
        if layer_code is None:
            rows.append([str(part.index), label, "unchanged", ""])
            continue
        shown = "\n".join(_shown(p) for p in layer_code.parts)
        rows.append([str(part.index), label, shown, "" if part.output is None else _size(part.output[2:])])
        notes += [f"layer {part.index}: note: {note}" for note in (part.ported.notes if part.ported else ())]
    table = _table(["#", "layer", NAMES[target], "output"], rows, options)
    return _print(title, table, options, notes)


def _type_name(part: PortedLayer) -> str:
    source = part.source
    return source.kind.value if isinstance(source, LayerSpec) else source.type_name
