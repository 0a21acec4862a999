"""Tables at any width: numbers, shapes and names' parts are never split; columns left out are said, in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from convcalc import analyze, read_network
from convcalc.core.analysis import StackResult
from convcalc.render.stack import LEFT_OUT_ORDER, WRAPPING, _columns, _layout, _rows, render_table
from convcalc.render.table import Breaks, pieces
from convcalc.render.toolkit import RenderOptions
from tests.conftest import EXAMPLES, ROOT, cost_of

FILES = [
    EXAMPLES / "unet.yaml",
    EXAMPLES / "resnet18.yaml",
    EXAMPLES / "models" / "densenet121.yaml",
    ROOT / "tests" / "fixtures" / "keras" / "mobilenet.keras",
]
WIDTHS = [30, 40, 60, 80, 100, 120, 160]


def _read(path: Path) -> StackResult:
    shape = (1, 3, 224, 224) if path.suffix == ".keras" else None
    return analyze(read_network(str(path), input_shape=shape))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_number_shape_or_name_part_is_split(path: Path, width: int) -> None:
    """Every cell of a column that does not wrap is on one line whole; a wrapping cell's lines are whole pieces."""
    result = _read(path)
    options = RenderOptions(width=width)
    full_rows = _rows(result, options, cost_of(result, options))
    laid = _layout(result, options, cost_of(result, options)).table
    columns = _columns(options)
    text = render_table(result, cost_of(result, options), options)
    lines = text.splitlines()
    if not laid.overflows:
        too_wide = [line for line in lines if len(line) > width]
        assert all(" " not in line.strip() for line in too_wide), too_wide  # only a word (a path) longer than that
    for full, row in zip(full_rows, laid.rows, strict=True):
        for column, cell in zip([c.header for c in laid.columns], row, strict=True):
            whole = full[columns.index(column)]
            if column not in WRAPPING:
                assert cell == whole
                continue
            parts = pieces(whole, Breaks.PARTS)
            if laid.overflows:
                continue  # narrower than the narrowest layout: a name's part may be cut, a number never
            assert cell.replace("\n", "").replace(" ", "") == whole.replace(" ", "")
            words = [piece for piece in parts if piece != " "]
            for line in cell.split("\n")[:-1]:  # each line ends where a piece ends
                assert any(line.endswith(word) for word in words), (line, whole)


@pytest.mark.parametrize("width", WIDTHS)
def test_left_out_columns_follow_the_stated_order_and_are_said(width: int) -> None:
    """The columns left out are a prefix of LEFT_OUT_ORDER (among those the table has), named in the summary."""
    result = _read(EXAMPLES / "unet.yaml")
    laid = _layout(result, RenderOptions(width=width), cost_of(result, RenderOptions(width=width)))
    present = [c for c in LEFT_OUT_ORDER if c in _columns(RenderOptions())]
    shown = [column.header for column in laid.table.columns]
    gone = [c for c in present if c not in shown]
    assert gone == present[: len(gone)]
    assert {"#", "layer", "output"} <= set(shown)
    said = " ".join(laid.summary.split())
    if gone:
        assert f"left out at {width} columns: {', '.join(gone)} (every column from " in said
        everything = int(re.search(r"every column from (\d+)", said).group(1))  # type: ignore[union-attr]
        assert not _layout(
            result, RenderOptions(width=everything), cost_of(result, RenderOptions(width=everything))
        ).summary.count("left out")
        assert _layout(
            result, RenderOptions(width=everything - 1), cost_of(result, RenderOptions(width=everything - 1))
        ).summary.count("left out")
    else:
        assert "left out" not in said


def test_names_wrap_at_dots_and_words_not_inside_them() -> None:
    """`layer1.0.conv1` breaks after a dot; `BatchNormalization` between its words; `ReLU` never."""
    assert pieces("layer1.0.conv1 (conv)", Breaks.PARTS) == ["layer1.", "0.", "conv1", " ", "(conv)"]
    assert pieces("(BatchNormalization)", Breaks.PARTS) == ["(Batch", "Normalization)"]
    assert pieces("conv1_relu (ReLU)", Breaks.PARTS) == ["conv1_", "relu", " ", "(ReLU)"]
    text = render_table(
        _read(EXAMPLES / "resnet18.yaml"),
        cost_of(_read(EXAMPLES / "resnet18.yaml"), RenderOptions(width=80)),
        RenderOptions(width=80),
    )
    assert "layer1.0.c\n" not in text
    assert "onv1" not in re.sub(r"conv1", "", text)


def test_the_order_is_cost_then_jump_then_input() -> None:
    """As README says: FLOPs first, then jump, then the input (mostly the output above), params, k/s/p/d, RF."""
    result = _read(EXAMPLES / "unet.yaml")
    said = {
        w: " ".join(_layout(result, RenderOptions(width=w), cost_of(result, RenderOptions(width=w))).summary.split())
        for w in (40, 60, 70)
    }
    assert "left out at 40 columns: FLOPs, jump, input, params, k/s/p/d (" in said[40]
    assert "left out at 70 columns: FLOPs, jump, input (" in said[70]


DESIGN_COMMANDS = [
    ("solve", "conv", "-i", "32", "-t", "16", "-k", "1..3", "-s", "1..2"),
    ("solve", "convt", "-i", "16", "-t", "32", "-k", "1..4", "-s", "2"),
    ("sizes", "examples/conv1d_autoencoder.yaml", "-r", "1:2000"),
    ("sizes", "examples/unet.yaml", "-r", "1:300"),
    ("stack", "examples/models/densenet121.yaml"),
]


def _words(text: str) -> list[str]:
    return sorted(word for word in text.split() if set(word) != {"─"})


@pytest.mark.parametrize("args", DESIGN_COMMANDS, ids=lambda args: " ".join(args[:2]))
@pytest.mark.parametrize("width", [30, 40, 60, 80])
def test_solve_and_sizes_tables_wrap_between_words_only(
    args: tuple[str, ...], width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """solve's and sizes' tables (and every title) wrap between words: each word of the wide table comes whole."""
    from typer.testing import CliRunner

    from convcalc.cli.app import app

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    outputs = {}
    for columns in (width, 1000):
        monkeypatch.setenv("COLUMNS", str(columns))
        outputs[columns] = CliRunner().invoke(app, list(args)).stdout
    narrow, wide = outputs[width], outputs[1000]
    if args[0] != "stack":  # stack leaves columns out rather than wrap them (above)
        assert _words(narrow) == _words(wide)
        if width >= 80:  # room enough for the numbers' columns: every line fits
            assert max(len(line) for line in narrow.splitlines()) <= width
    title = wide.splitlines()[0]
    assert _words("\n".join(narrow.splitlines()[: title.count(" ") + 1])).count(title.split()[0]) == 1
