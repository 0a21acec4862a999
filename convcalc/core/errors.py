"""Error values and exit codes: the only vocabulary the front ends need to report failure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Process exit codes, as the contract fixes them."""

    OK = 0
    LAYER_INVALID = 1
    BAD_INPUT = 2
    INTERNAL_ERROR = 70  # a bug in convcalc (sysexits' EX_SOFTWARE), never a verdict on the input
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
    BROKEN_PIPE = 141  # the reader of standard output went away, as shells report SIGPIPE


class ConvcalcError(Exception):
    """Base class of every error convcalc raises on purpose; each class says the exit code it ends a run with."""

    exit_code: ClassVar[ExitCode] = ExitCode.BAD_INPUT


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

    def __init__(self, message: str, *, where: str = "", location: Location | None = None, asks: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.location = location
        self.asks = asks  # the key the message asks the reader to give (input_shape): a front end says its own name

    def located(self, location: Location | None = None, *, where: str | None = None) -> InputError:
        """Return a copy that points at `location` and/or names `where`, keeping what is set."""
        return InputError(
            self.message,
            where=self.where if where is None else where,
            location=self.location or location,
            asks=self.asks,
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

    REFUSED = "refused"  # any other refusal of the layer as it is
    INPUTS_DIFFER = "inputs_differ"  # a merge's inputs do not meet: other input sizes may make them meet
    OUTPUT_BELOW_ONE = "output_below_one"  # the size rule gives an output below 1 (values: output, smallest_input)
    OUTPUT_TOO_LARGE = "output_too_large"  # an output of more than 4,000 digits
    OUTPUT_SIZE_UNREACHABLE = "output_size_unreachable"  # output_size outside (values: smallest, largest)
    POOL_PADDING = "pool_padding"  # more than half the kernel (values: padding, limit)
    OUTPUT_PADDING = "output_padding"  # not below the stride or dilation (values: output_padding, largest)
    INPUT_BELOW_KERNEL = "input_below_kernel"  # AvgPool3d's own rule (values: size, kernel)
    CHANNELS = "channels"  # in_channels, groups, num_features or in_features do not fit what comes in
    PADDING_MODE = "padding_mode"  # a padding word the layer cannot use here (same with a stride)
    STRIDED_DILATION = "strided_dilation"  # Keras: a stride and a dilation above 1 together
    NEGATIVE_PADDING = "negative_padding"  # JAX: a crop larger than the dimension (values: crop, size)
    CROP = "crop"  # a crop or pad layer that cannot reach its target
    RANK = "rank"  # the tensor coming in has the wrong number of axes


Value = int | tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A refusal as data: its problem, the spatial axes it holds on (none: the whole layer), the numbers behind it."""

    problem: Problem = Problem.REFUSED
    axes: tuple[str, ...] = ()
    values: tuple[tuple[str, Value], ...] = ()

    @property
    def numbers(self) -> dict[str, Value]:
        """Return the values by name ({"output": 0, "smallest_input": 3})."""
        return dict(self.values)


def axes_label(names: Sequence[str]) -> str:
    """Name spatial axes as every message does: 'axis H', or 'axes H, W'."""
    return ("axes " if len(names) > 1 else "axis ") + ", ".join(names)


def join_axes(notes: Sequence[tuple[str, str]]) -> list[str]:
    """Say 'axes H, W: ...' once where every axis says the same (notes are (axis name, text) pairs)."""
    by_text: dict[str, list[str]] = {}
    for axis, text in notes:
        by_text.setdefault(text, []).append(axis)
    return [f"{axes_label(axes)}: {text}" for text, axes in by_text.items()]


class LayerError(ConvcalcError, ValueError):
    """A well-formed layer that PyTorch would refuse (exit 1): the reason, the axes it holds on, a fix.

    `diagnostic` says the same as data (the problem, the axes, the numbers); the text reads
    `axes H, W: <message>; <hint>`.
    """

    exit_code: ClassVar[ExitCode] = ExitCode.LAYER_INVALID

    def __init__(
        self,
        message: str,
        *,
        axis: str | Sequence[str] | None = None,
        hint: str | None = None,
        problem: Problem = Problem.REFUSED,
        **values: Value,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        axes = (axis,) if isinstance(axis, str) else tuple(axis or ())
        self.diagnostic = Diagnostic(problem, axes, tuple(values.items()))

    @property
    def problem(self) -> Problem:
        """Return what kind of refusal this is."""
        return self.diagnostic.problem

    @property
    def axes(self) -> tuple[str, ...]:
        """Return the spatial axes the refusal holds on (empty: the whole layer)."""
        return self.diagnostic.axes

    @property
    def axis(self) -> str | None:
        """Return the axes as written after 'axis'/'axes' ('W', 'H, W'), or None for the whole layer."""
        return ", ".join(self.axes) or None

    def _told(self, message: str, hint: str | None, axes: Sequence[str]) -> LayerError:
        """Return a refusal with other words and axes, and this one's problem and numbers."""
        error = LayerError(message, hint=hint)
        error.diagnostic = replace(self.diagnostic, axes=tuple(axes))
        return error

    def with_axes(self, axes: Sequence[str]) -> LayerError:
        """Return the same refusal holding on other axes (one error for every axis that fails alike)."""
        return self._told(self.message, self.hint, axes)

    def within(self, label: str) -> LayerError:
        """Return the refusal as part of a larger one: `<label>: <this error's text>`, its data kept."""
        return self._told(f"{label}: {self}", None, ())

    def retold(self, message: str, *, axes: bool = True) -> LayerError:
        """Return the refusal with another message, keeping its hint and data (and its axes, unless told not to)."""
        return self._told(message, self.hint, self.axes if axes else ())

    def __str__(self) -> str:
        text = f"{axes_label(self.axes)}: {self.message}" if self.axes else self.message
        return f"{text}; {self.hint}" if self.hint else text
