"""Names and other user text are data: never markup, never an escape sequence, never a second line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from convcalc import analyze
from convcalc.core.text import csv_safe, visible
from convcalc.netfile.loader import load_network
from convcalc.render.stack import render_table
from convcalc.render.toolkit import RenderOptions
from tests.conftest import cost_of

Run = Callable[..., Result]

HOSTILE = """\
input: [1, 3, 8, 8]
layers:
  - {type: conv, kernel_size: 3, name: "[link=http://example.invalid]click[/link]"}
  - {type: conv, kernel_size: 3, name: "[/]"}
  - {type: conv, kernel_size: 3, name: "=HYPERLINK(\\"http://example.invalid\\")"}
  - {type: conv, kernel_size: 3, name: "a\\nfake.yaml:1:1: forged", expect: [1, 3, 1, 1]}
  - {type: conv, kernel_size: 3, name: "\\e[2J\\e[31mred\\u202e"}
"""


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Write the file of hostile names and work beside it."""
    (tmp_path / "net.yaml").write_text(HOSTILE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")  # every name on one line
    return "net.yaml"


def test_visible_escapes_controls_only() -> None:
    """Newlines, escape sequences and invisible controls become escapes; other text stays as it is."""
    assert visible("conv1") == "conv1"
    assert visible("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert visible("\x1b[31m\x07") == "\\x1b[31m\\x07"
    assert visible("ab\u202ecd\u2028") == "ab\\u202ecd\\u2028"
    assert visible("é 日本 back\\slash") == "é 日本 back\\slash"


def test_csv_cells_never_run_as_formulas() -> None:
    """A cell a spreadsheet would evaluate starts with a quote instead."""
    assert [csv_safe(t) for t in ("=1+1", "+1", "-1", "@SUM(A1)", "conv1")] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "conv1",
    ]


def test_table_shows_names_as_written(run: Run, hostile: str) -> None:
    """Markup is shown, not applied; `[/]` does not crash; escapes are visible; one line per error."""
    result = run("stack", hostile)
    assert result.exit_code == 1
    assert "[link=http://example.invalid]click[/link] (conv)" in result.stdout
    assert "[/] (conv)" in result.stdout
    assert "\\x1b[2J\\x1b[31mred\\u202e (conv)" in result.stdout
    assert "\x1b" not in result.stdout + result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("net.yaml:6:5: layer 4 (a\\nfake.yaml:1:1: forged), axes H, W: output size 0")
    assert not any(line.startswith("fake.yaml") for line in (result.stdout + result.stderr).splitlines())


def test_no_terminal_hyperlink_in_colour() -> None:
    """In a colour terminal too, a name with [link=...] makes no hyperlink escape (OSC 8)."""
    result = analyze(load_network(HOSTILE, "net.yaml"))
    table = render_table(
        result, cost_of(result, RenderOptions(width=160, color=True)), RenderOptions(width=160, color=True)
    )
    assert "\x1b]8;" not in table
    assert "[link=http://example.invalid]click[/link]" in table


def test_csv_and_markdown_and_json(run: Run, hostile: str) -> None:
    """CSV neutralises formulas, Markdown escapes its syntax, JSON keeps the exact name (it is data)."""
    rows = list(csv.DictReader(io.StringIO(run("stack", hostile, "--format", "csv").stdout)))
    assert rows[2]["name"] == '\'=HYPERLINK("http://example.invalid")'
    assert rows[3]["name"] == "a\\nfake.yaml:1:1: forged"
    markdown = run("stack", hostile, "--format", "markdown").stdout
    assert "| 1 | \\[link=http://example.invalid\\]click\\[/link\\] (conv) |" in markdown
    assert "\x1b" not in markdown
    names = [layer["name"] for layer in json.loads(run("stack", hostile, "--format", "json").stdout)["layers"]]
    assert names[3] == "a\nfake.yaml:1:1: forged"
    assert names[4] == "\x1b[2J\x1b[31mred\u202e"


def test_error_lines_from_flags_and_files_stay_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file name with a newline, and a bad flag value with an escape, each give one visible line."""
    monkeypatch.chdir(tmp_path)
    result = run("stack", "no\nsuch.yaml")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no\\nsuch.yaml" in result.stderr
    result = run("conv", "-i", "\x1b[31m5", "-k", "3")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "\x1b" not in result.stderr
