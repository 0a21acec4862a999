"""A progress bar for work that may take a while: on a terminal only, and only once it has taken a second.

The pure code calls a `Tick` (done, total) now and then; this front end turns it into rich's
progress bar on standard error. On a pipe, or under TERM=dumb, nothing is ever written, and a
command that finishes within the delay never shows a bar.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

DELAY = 1.0
"""Seconds of work before a bar appears."""


def wanted() -> bool:
    """Whether standard error is a terminal that can show a bar (not TERM=dumb)."""
    return sys.stderr.isatty() and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")


class ProgressBar:
    """A bar that starts after DELAY seconds of work, on a terminal; as a context manager it is removed at the end."""

    def __init__(
        self,
        what: str,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        file: Any = None,  # noqa: ANN401 - a text stream
    ) -> None:
        self.what = what
        self.enabled = wanted() if enabled is None else enabled
        self.clock = clock
        self.started = clock()
        self.file = file
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Move the bar to `done` of `total`; start it once the work has taken DELAY seconds."""
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.started < DELAY:
                return
            from rich.console import Console  # only a slow command on a terminal needs it
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

            console = Console(file=self.file or sys.stderr, force_terminal=self.file is not None or None)
            columns = (TextColumn(self.what), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
            self.bar = Progress(*columns, console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def __enter__(self) -> Self:
        """Return the bar, to pass as the work's Tick."""
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Remove the bar (if it ever appeared), leaving the terminal as it was."""
        if self.bar is not None:
            self.bar.stop()
