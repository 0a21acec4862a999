"""Progress bars: on a terminal, after a second of work; never on a pipe, under TERM=dumb or for quick work."""

from __future__ import annotations

import io
import sys

import pytest

from convcalc.cli import progress
from convcalc.cli.progress import ProgressBar
from convcalc.core.spec import LayerKind
from convcalc.design.solve import Limits, solve_axis


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        """Return the time set."""
        return self.now


def test_no_bar_within_the_first_second() -> None:
    clock, out = Clock(), io.StringIO()
    with ProgressBar("trying layers", enabled=True, clock=clock, file=out) as tick:
        tick(0, 10)
        clock.now = 0.9
        tick(9, 10)
    assert out.getvalue() == ""


def test_a_bar_once_work_has_taken_a_second() -> None:
    clock, out = Clock(), io.StringIO()
    with ProgressBar("trying layers", enabled=True, clock=clock, file=out) as tick:
        tick(0, 10)
        clock.now = 1.5
        tick(5, 10)
        assert tick.bar is not None
        assert tick.bar.tasks[0].completed == 5
    assert "trying layers" in out.getvalue()


def test_disabled_bar_writes_nothing() -> None:
    clock, out = Clock(), io.StringIO()
    with ProgressBar("trying layers", enabled=False, clock=clock, file=out) as tick:
        clock.now = 100.0
        tick(5, 10)
    assert out.getvalue() == ""
    assert tick.bar is None


@pytest.mark.parametrize(
    ("tty", "term", "shown"), [(True, "xterm", True), (True, "dumb", False), (False, "xterm", False)]
)
def test_bars_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tty: bool, term: str, shown: bool) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    monkeypatch.setenv("TERM", term)
    assert progress.wanted() is shown


def test_searches_tell_their_progress() -> None:
    """solve tells how many layer shapes it has tried, ending at all of them."""
    told: list[tuple[int, int]] = []

    def tick(done: int, total: int) -> None:
        told.append((done, total))

    solve_axis(LayerKind.CONV, 224, 112, Limits(kernel=(1, 64), stride=(1, 64), dilation=(1, 8)), tick)
    shapes = 64 * 64 * 8
    assert told[0] == (0, shapes)
    assert told[-1] == (shapes, shapes)
    assert len(told) > 2
