"""One CSV convention in every command: the JSON keys as the header, numbers (not prose) in the cells."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest
from typer.testing import Result

Run = Callable[..., Result]

NUMBERS = re.compile(r"^(-?\d+(:-?\d+)*(x-?\d+(:-?\d+)*)*)?$")
"""A cell of numbers: 7, 7x7, 3:3x3:3, 188:300:1, or empty."""

WORDS = {"true", "false", "ok", "invalid", "same", "valid", "causal", "same_lower"}
TEXT_COLUMNS = {"name", "type", "status", "error", "reason", "padding_mode"}
"""Columns holding a name, a word or a sentence (an error, a reason) rather than numbers."""


def _table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


COMMANDS = [
    ("stack", "examples/modern_blocks.yaml"),
    ("stack", "examples/unet.yaml"),
    ("sizes", "examples/unet.yaml", "-r", "1:300"),
    ("sizes", "examples/seed000_example5.yaml", "-r", "1:64"),
    ("solve", "conv", "-i", "32", "-t", "16", "-k", "1..3", "-s", "1..2"),
    ("solve", "convt", "-i", "16", "-t", "32", "-k", "1..4", "-s", "2"),
    ("solve", "pool", "-i", "32", "-t", "16", "-k", "2..3"),
    ("solve", "conv", "-i", "32", "-t", "16", "-k", "3", "-s", "2", "--framework", "keras"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args[:2]))
def test_csv_headers_are_json_keys_and_cells_are_numbers(run: Run, args: tuple[str, ...]) -> None:
    """Every CSV header is a snake_case JSON key; every cell outside the text columns is numbers or a word."""
    result = run(*args, "--format", "csv")
    assert result.exit_code in (0, 1), result.output
    columns, rows = _table(result.stdout)
    assert rows
    assert all(re.fullmatch(r"[a-z][a-z_]*", column) for column in columns), columns
    document = json.loads(run(*args, "--format", "json").stdout)
    records = document["layers"] if args[0] == "stack" else document["axes"] if args[0] == "sizes" else document
    keys = set().union(*(record.keys() for record in records)) | {
        "output_padding",
        "output_padding_given",
    }  # JSON has them only where they apply
    assert set(columns) - {"index", "flops", "macs", "trainable_params", "non_trainable_params", "buffers"} <= keys
    for row in rows:
        for column, cell in row.items():
            if column not in TEXT_COLUMNS and column != "axis":
                assert cell in WORDS or all(NUMBERS.match(part) for part in cell.split(" ")), (column, cell)


def _expand(cell: str) -> list[int]:
    sizes: list[int] = []
    for run_text in cell.split():
        first, last, step = map(int, run_text.split(":"))
        sizes.extend(range(first, last + 1, step))
    return sizes


@pytest.mark.parametrize("example", ["unet.yaml", "seed000_example5.yaml", "resnet18.yaml", "dilated_context.yaml"])
def test_sizes_csv_holds_the_same_sets_as_json(run: Run, example: str) -> None:
    """`sizes`' CSV cells read back (first:last:step progressions) to JSON's sets, none written as prose."""
    args = ("sizes", f"examples/{example}", "-r", "1:200")
    _, rows = _table(run(*args, "--format", "csv").stdout)
    axes = json.loads(run(*args, "--format", "json").stdout)["axes"]
    for row, axis in zip(rows, axes, strict=True):
        assert row["axis"] == axis["axis"]
        assert row["range"] == "{}:{}".format(*axis["range"])
        for key in ("accepted", "same_size"):
            assert _expand(row[key]) == [n for a, b, s in axis[key] for n in range(a, b + 1, s)]
            assert " to " not in row[key]
            assert "none" not in row[key]
