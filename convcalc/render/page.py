"""Render scenes as one self-contained HTML page: the data, the style and the script inlined, no network.

The page plays, pauses and steps the same steps as the GIF; hovering an output cell lights
the input cells it reads (and, on a network's page, the network-input cells it depends on),
hovering an input cell the outputs it feeds. Every set the page lights is written into it
here, from the scene (the core's dependency rules), so the script only draws and looks up.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from convcalc.core.receptive import AxisField
from convcalc.core.text import visible
from convcalc.design.scene import (
    MILLISECONDS,
    CellKind,
    Drawn,
    Scene,
    Slices,
    Stage,
    depth_labels,
    output_grid,
    stage_grid,
    traced,
)

CODES = {None: "g", CellKind.INPUT: "i", CellKind.PAD: "p", CellKind.ZERO: "z", CellKind.EXTRA: "e", CellKind.CROP: "c"}
"""How a cell's kind is written in the page's data (g: where the middle is left out)."""


@dataclass(frozen=True, slots=True)
class PageLayer:
    """One section of a page: a layer's scene, and for a network the fields that trace it to the input."""

    heading: str
    scene: Scene
    fields: tuple[AxisField, ...] | None = None  # per axis, relative to the network input


@dataclass(frozen=True, slots=True)
class PageRow:
    """A layer of a network drawn as a line only (not a convolution or a pool): its name and shapes."""

    heading: str
    text: str


def _cell(cell: Drawn) -> list[Any]:
    return [CODES[cell.kind], cell.index, cell.position, cell.read]


def _slices(slices: Slices) -> list[Any]:
    return [[[_cell(c) for c in row] for row in grid] for grid in slices]


def _outputs(slices: Slices) -> list[Any]:
    return [[[c.index for c in row] for row in grid] for grid in slices]


def scene_data(
    scene: Scene, fields: tuple[AxisField, ...] | None = None, network_input: tuple[int, ...] = ()
) -> dict[str, Any]:
    """Return what the page's script needs of one scene, as JSON-ready values."""
    stages = {step.stage for step in scene.steps}
    data: dict[str, Any] = {
        "title": visible(scene.title),
        "sizes": scene.sizes,
        "notes": list(scene.notes),
        "rank": len(scene.axes),
        "transposed": scene.transposed,
        "axes": [
            {
                "name": axis.name,
                "outputs": list(axis.shown_outputs),
                "windows": [list(w) for w in axis.windows],
                "reads": [list(r) for r in axis.reads],
            }
            for axis in scene.axes
        ],
        "stages": {stage.value: _slices(stage_grid(scene, stage)) for stage in Stage if stage in stages},
        "labels": {stage.value: list(depth_labels(scene, stage)) for stage in Stage if stage in stages},
        "output": _outputs(output_grid(scene)),
        "steps": [
            {"stage": step.stage.value, "caption": step.caption, "stop": None if step.stop is None else list(step.stop)}
            for step in scene.steps
        ],
    }
    if fields is not None:
        data["trace"] = [
            [list(map(list, traced(field, o, size))) for o in axis.shown_outputs]
            for field, axis, size in zip(fields, scene.axes, network_input, strict=True)
        ]
        data["hull"] = [
            [[s[0][0], s[-1][1]] if (s := field.at(o)) else None for o in axis.shown_outputs]
            for field, axis in zip(fields, scene.axes, strict=True)
        ]
    return data


def _asset(name: str) -> str:
    return resources.files("convcalc.render").joinpath("assets", name).read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    """Return JSON that is safe inside a <script> element: no `<`, `>` or `&` at all (`</script>`, `<!--`)."""
    text = json.dumps(value, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(title: str, parts: list[PageLayer | PageRow], network_input: tuple[int, ...] = ()) -> str:
    """Return the whole page: one section per drawn layer, a line for each other one."""
    sections: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, PageLayer):
            data = scene_data(part.scene, part.fields, network_input)
            sections.append({"heading": visible(part.heading), "scene": data})
        else:
            sections.append({"heading": visible(part.heading), "text": visible(part.text)})
    title = visible(title)  # names' control characters as escapes, as every text output shows them
    timing = {str(stage): milliseconds for stage, milliseconds in MILLISECONDS.items()}
    payload = {"title": title, "input": list(network_input), "milliseconds": timing, "sections": sections}
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{_asset('page.css')}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n"
        '<main id="sections"></main>\n'
        f'<script id="convcalc-data" type="application/json">{_script_json(payload)}</script>\n'
        f"<script>\n{_asset('page.js')}</script>\n</body>\n</html>\n"
    )
