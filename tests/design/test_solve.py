"""convcalc solve: ranked answers, JSON for scripts, nearest sizes when nothing fits."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from convcalc.cli.app import app
from convcalc.core.spec import LayerKind
from convcalc.design.solve import Limits, solve

Run = Callable[..., Result]


def test_ordinary_first(run: Run) -> None:
    """224 -> 112: kernel 3, stride 2, padding 1 is the first answer, with its reason."""
    result = run("solve", "conv", "-i", "224", "-t", "112", "--format", "json")
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert first == {
        "kernel_size": [3, 3],
        "stride": [2, 2],
        "padding": [[1, 1], [1, 1]],
        "dilation": [1, 1],
        "output_padding": [0, 0],
        "unused_cells": [0, 0],
        "reason": "odd kernel, every input cell used",
    }


def test_output_padding_is_found_for_transposed(run: Run) -> None:
    """7 -> 14 with a transposed 3x3 stride 2 padding 1 needs output_padding 1."""
    result = run(
        "solve", "convt", "-i", "7", "-t", "14", "--kernel", "3", "--stride", "2", "--dilation", "1", "--format", "json"
    )
    answers = json.loads(result.stdout)
    assert {"kernel_size": [3, 3], "padding": [[1, 1], [1, 1]], "output_padding": [1, 1]}.items() <= answers[0].items()


def test_unused_cells_rank_last() -> None:
    """A solution that leaves cells unread ranks after every one that reads them all."""
    solutions = solve(LayerKind.CONV, (5,), (2,), Limits(), ("L",))
    unused = [s.axes[0].unused > 0 for s in solutions]
    assert unused == sorted(unused)
    assert any(unused)


def test_symmetric_only(run: Run) -> None:
    """--symmetric-only drops the ZeroPad answers."""
    args = ("solve", "conv", "-i", "224", "-t", "112", "--limit", "100", "--format", "json")
    every = [a["padding"] for a in json.loads(run(*args).stdout)]
    symmetric = [a["padding"] for a in json.loads(run(*args, "--symmetric-only").stdout)]
    assert any(p[0][0] != p[0][1] for p in every)  # without the flag, one-sided padding is among the answers
    assert symmetric
    assert all(p[0][0] == p[0][1] for p in symmetric)
    assert symmetric == [p for p in every if p[0][0] == p[0][1]][: len(symmetric)]


def test_axes_that_differ(run: Run) -> None:
    """Per-axis sizes: each axis gets its own values; the same kernel on both ranks first."""
    result = run("solve", "pool", "-i", "13x9", "-t", "7x5", "--mode", "avg", "--max-padding", "1", "--format", "json")
    first = json.loads(result.stdout)[0]
    assert first["kernel_size"] == [3, 3]
    assert first["stride"] == [2, 2]


def test_nothing_fits_says_the_nearest(run: Run) -> None:
    """No layer within the limits: exit 1, the nearest reachable sizes on stderr, nothing on stdout."""
    result = run("solve", "conv", "-i", "7", "-t", "20", "--stride", "1")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "axes H, W: no conv within kernel 1..7, stride 1, dilation 1..3, padding <= 4 maps 7 to 20; "
        "nearest reachable: 15 below\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["solve", "conv", "-i", "7", "-t", "3", "--kernel", "5..3"],
            "convcalc: error: --kernel: expected a range low..high with low <= high, got '5..3'",
        ),
        (["solve", "dense", "-i", "7", "-t", "3"], "convcalc: error: KIND: expected conv, convt or pool, got 'dense'"),
        (["solve", "conv", "-i", "7", "-t", "0"], "convcalc: error: --target: expected a positive integer, got 0"),
    ],
)
def test_bad_solve_input(run: Run, args: list[str], message: str) -> None:
    """Malformed solve flags: exit 2, one line."""
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == message + "\n"


def test_solve_keras_prefers_same_padding_words() -> None:
    result = CliRunner().invoke(
        app, ["solve", "conv", "-i", "7", "-t", "4", "--framework", "keras", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)[0]
    assert (first["kernel_size"], first["stride"], first["padding_mode"]) == ([3, 3], [2, 2], "same")
