"""Error values and exit codes: the only vocabulary the front ends need to report failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class ExitCode(IntEnum):
    """Process exit codes, as the contract fixes them."""

    OK = 0
    LAYER_INVALID = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 70  # a bug in convcalc (sysexits' EX_SOFTWARE), never a verdict on the input
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
    BROKEN_PIPE = 141  # the reader of standard output went away, as shells report SIGPIPE


class ConvcalcError(Exception):
    """Base class of every error convcalc raises on purpose."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source: a file (or a flag), with an optional 1-based line and column."""

    source: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.source]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InputError(ConvcalcError, ValueError):
    """Malformed input: a bad value, key, type or file (exit 2)."""

    def __init__(self, message: str, *, where: str = "", location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.location = location

    def located(self, location: Location | None = None, *, where: str | None = None) -> InputError:
        """Return a copy that points at `location` and/or names `where`, keeping what is set."""
        return InputError(
            self.message,
            where=self.where if where is None else where,
            location=self.location or location,
        )

    def __str__(self) -> str:
        prefix = [str(self.location)] if self.location else []
        if self.where:
            prefix.append(self.where)
        return ": ".join([*prefix, self.message])


class InputErrorGroup(ConvcalcError):  # noqa: N818 - a group of InputError, not one
    """Several input problems found at once, reported one line each."""

    def __init__(self, errors: list[InputError] | tuple[InputError, ...]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = tuple(errors)


class Problem(StrEnum):
    """What a refusal is about, for the code that acts on it: decisions read this, never a message's words."""

    REFUSED = "refused"  # torch.nn (or the layer's framework) refuses the layer as it is
    INPUTS_DIFFER = "inputs_differ"  # a merge's inputs do not meet: other input sizes may make them meet


def axes_label(names: Sequence[str]) -> str:
    """Name spatial axes as every message does: 'axis H', or 'axes H, W'."""
    return ("axes " if len(names) > 1 else "axis ") + ", ".join(names)


class LayerError(ConvcalcError, ValueError):
    """A well-formed layer that PyTorch would refuse (exit 1): the reason, the axes it holds on, a fix.

    `problem` says what kind of refusal it is, `axes` the spatial axes it names (none for
    the whole layer); the text reads `axes H, W: <message>; <hint>`.
    """

    def __init__(
        self,
        message: str,
        *,
        axis: str | Sequence[str] | None = None,
        hint: str | None = None,
        problem: Problem = Problem.REFUSED,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.axes: tuple[str, ...] = (axis,) if isinstance(axis, str) else tuple(axis or ())
        self.hint = hint
        self.problem = problem

    @property
    def axis(self) -> str | None:
        """Return the axes as written after 'axis'/'axes' ('W', 'H, W'), or None for the whole layer."""
        return ", ".join(self.axes) or None

    def __str__(self) -> str:
        text = f"{axes_label(self.axes)}: {self.message}" if self.axes else self.message
        return f"{text}; {self.hint}" if self.hint else text
