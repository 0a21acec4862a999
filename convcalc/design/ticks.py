"""Progress as plain calls: long design searches tell a `Tick` how far they are, and know nothing of bars."""

from __future__ import annotations

from collections.abc import Callable

Tick = Callable[[int, int], None]
"""Called with (units done, units in all) now and then as work goes on."""


def quiet(done: int, total: int) -> None:
    """Tell no one: the Tick of a caller that shows no progress."""


def offset(tick: Tick, start: int, total: int) -> Tick:
    """Return a Tick for one part of a larger job: its units counted from `start` of `total`."""

    def told(done: int, _: int) -> None:
        tick(start + done, total)

    return told
