"""Renderers: the two table layouts agree, the JSON contract holds, machine formats stay plain."""

from __future__ import annotations

import io
import json

import pytest

from convcalc import LayerSpec, NetworkSpec, analyze, read_network
from convcalc.render.report import render_json
from convcalc.render.stack import _STYLES, _layout, render_table
from convcalc.render.table import Laid, paint
from convcalc.render.toolkit import RenderOptions
from tests.conftest import EXAMPLES, WELL_FORMED, cost_of

EXAMPLE_FILES = WELL_FORMED


def _painted_by_rich(laid: Laid, styles: list[str | None], options: RenderOptions) -> list[str]:
    """Paint a laid-out table with rich (the reference the engine matches, character for character)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, width=options.width, color_system="standard" if options.color else None,
                      force_terminal=options.color, highlight=False)  # fmt: skip
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column, width in zip(laid.columns, laid.widths, strict=True):
        table.add_column(column.header, justify="right" if column.right else "left", width=width, no_wrap=True)
    for row, style in zip(laid.rows, styles, strict=True):
        table.add_row(*map(Text, row), style=style)
    console.print(table)
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
@pytest.mark.parametrize("width", [60, 80, 160])
def test_the_engine_paints_what_rich_paints(path: object, width: int) -> None:
    """The table engine's lines are rich's for the same widths, cells that wrap included (colour: below)."""
    result = analyze(read_network(str(path)))
    options = RenderOptions(width=width)
    laid = _layout(result, options, cost_of(result, options)).table
    if laid.overflows:
        return  # narrower than the narrowest layout: rich would cut cells, the engine runs past the width
    styles = [_STYLES.get(layer.status) for layer in result.layers]
    painted = paint(laid, styles=styles)
    assert painted == _painted_by_rich(laid, styles, options)
    assert "\n".join(painted) in render_table(result, cost_of(result, options), options)


def test_large_networks_are_one_line_a_layer() -> None:
    """A table of 250 layers: one line per layer, the summary after the last."""
    count = 250
    layers = tuple(LayerSpec.create("conv", 3, padding=1, name=f"c{i}") for i in range(count))
    result = analyze(NetworkSpec(input=(1, 8, 32, 32), layers=layers))
    text = render_table(result, cost_of(result, RenderOptions(width=120)), RenderOptions(width=120))
    lines = text.splitlines()
    assert lines[1].split() == ["#", "layer", "input", "output", "k/s/p/d", "RF", "jump", "params", "FLOPs"]
    last = 1 + 2 + count - 1  # the title, the header and its rule, then a line per layer
    assert lines[last].split()[:3] == [str(count), f"c{count - 1}", "(conv)"]
    assert lines[last + 1].startswith("total params")


def test_colour_only_when_asked() -> None:
    """Without colour no escape codes; with colour the failing row is red."""
    net = NetworkSpec(input=(1, 1, 2, 2), layers=(LayerSpec.create("conv", 3),))
    result = analyze(net)
    assert "\x1b[" not in render_table(result, cost_of(result, RenderOptions(color=False)), RenderOptions(color=False))
    assert "\x1b[31m" in render_table(result, cost_of(result, RenderOptions(color=True)), RenderOptions(color=True))


def test_json_contract_keys_and_determinism() -> None:
    """The contract's keys are present, and the same result prints the same bytes."""
    result = analyze(read_network(str(EXAMPLES / "unet_decoder.yaml")))
    text = render_json(result, cost_of(result))
    assert text == render_json(result, cost_of(result))
    data = json.loads(text)
    assert {"input", "output", "ok", "layers"} <= data.keys()
    contract = {
        "index", "name", "type", "input", "output", "kernel_size", "stride", "dilation", "padding",
        "receptive_field", "jump", "equivalent_conv", "warnings", "error",
    }  # fmt: skip
    for layer in data["layers"]:
        assert contract <= layer.keys()
        assert ("output_padding" in layer) == (layer["type"] == "convtranspose")
        assert (layer["equivalent_conv"] is None) == (layer["type"] != "convtranspose")
    assert text.count("\n") == 15 + 2 + len(data["layers"]) + 1  # summary keys, brackets, one line a layer


def test_a_terminal_of_a_few_columns_still_gets_its_table() -> None:
    """At 5 columns every column but #, layer and output is left out, and the summary says which; no error."""
    result = analyze(read_network(str(EXAMPLES / "resnet18.yaml")))
    text = render_table(result, cost_of(result, RenderOptions(width=5)), RenderOptions(width=5))
    letters = "".join(text.split())  # words are cut at 5 columns: read the letters
    assert "totalparams11,689,512" in letters
    assert "leftoutat5columns:FLOPs,jump,input,params,k/s/p/d,RF" in letters
