"""Pure: sizes written compactly, as runs and periodic patterns ('32, 48, 64, ..., 1024 (every 16)')."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

_SHORT = 3  # runs, progressions and lists this short are written out whole


def runs(values: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """Split sorted integers into (first, last, step) runs: consecutive stretches and progressions of 3 or more."""
    out: list[tuple[int, int, int]] = []
    i = 0
    while i < len(values):
        if i + 1 == len(values):
            out.append((values[i], values[i], 1))
            break
        step = values[i + 1] - values[i]
        j = i + 1
        while j + 1 < len(values) and values[j + 1] - values[j] == step:
            j += 1
        if step == 1 or j - i + 1 >= _SHORT:  # a progression shows from three terms
            out.append((values[i], values[j], step))
            i = j + 1
        else:
            out.append((values[i], values[i], 1))
            i += 1
    return out


def _periodic(values: tuple[int, ...]) -> tuple[int, int] | None:
    """Return (terms per period, period) when the sizes repeat a small pattern at least three times."""
    for terms in range(2, 9):
        if len(values) < 3 * terms:
            return None
        period = values[terms] - values[0]
        if all(values[i + terms] - values[i] == period for i in range(len(values) - terms)):
            return terms, period
    return None


def describe_runs(values: tuple[int, ...]) -> str:
    """Write sizes compactly: '7 to 1024', '32, 48, 64, ..., 1024 (every 16)', '3, 4, 7, 8, ..., 35, 36 (every 4)'."""
    if not values:
        return "none"
    pattern = _periodic(values) if len(runs(values)) > _SHORT else None  # short lists read as they are
    if pattern is not None:
        terms, period = pattern
        head = ", ".join(map(str, values[: 2 * terms]))
        tail = ", ".join(map(str, values[-terms:]))
        return f"{head}, ..., {tail} (every {period})"
    return _described(runs(values))


def _described(found: list[tuple[int, int, int]]) -> str:
    """Write runs one after another: '7 to 1024', '16, 32, 48, ..., 1024 (every 16)', a size alone."""
    parts = []
    for first, last, step in found:
        if first == last:
            parts.append(str(first))
        elif step == 1:
            parts.append(f"{first} to {last}")
        elif (last - first) // step <= _SHORT:  # short progressions in full
            parts.append(", ".join(str(v) for v in range(first, last + 1, step)))
        else:
            parts.append(f"{first}, {first + step}, {first + 2 * step}, ..., {last} (every {step})")
    return "; ".join(parts)


LISTED = 200_000
"""Sets of at most this many sizes are written exactly as a list of their values would be."""


@dataclass(frozen=True, slots=True)
class SizeSet:
    """Sizes as disjoint progressions (first, last, step): a set of any size in the space of what it prints."""

    parts: tuple[tuple[int, int, int], ...] = ()

    @staticmethod
    def of(values: Iterable[int]) -> SizeSet:
        """Return the set of the sizes given (sorted and written as runs)."""
        return SizeSet(tuple(runs(tuple(sorted(set(values))))))

    @property
    def count(self) -> int:
        """Return how many sizes the set holds."""
        return sum((last - first) // step + 1 for first, last, step in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __iter__(self) -> Iterator[int]:
        return heapq.merge(*(range(first, last + 1, step) for first, last, step in self.parts))

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and any(
            first <= value <= last and (value - first) % step == 0 for first, last, step in self.parts
        )

    def runs(self) -> list[tuple[int, int, int]]:
        """Return the sizes as runs: as `runs` writes their list when it is short, else its progressions merged."""
        if self.count <= LISTED:
            return runs(tuple(self))
        return _merged(sorted(self.parts))

    def describe(self) -> str:
        """Write the sizes compactly, as `describe_runs` does."""
        if self.count <= LISTED:
            return describe_runs(tuple(self))
        merged = self.runs()
        if len(merged) <= _SHORT:  # short lists read as they are
            return _described(merged)
        steps = {step for _, _, step in merged if step > 1}
        if len(steps) == 1:
            (period,) = steps
            head = ", ".join(map(str, islice(iter(self), 2 * len(merged))))
            tail = ", ".join(map(str, sorted(last for _, last, _ in merged)))
            return f"{head}, ..., {tail} (every {period})"
        return _described(merged)


def _merged(parts: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Join progressions of one step whose firsts are consecutive and that end together into one run of every size."""
    steps = {step for _, _, step in parts}
    if len(steps) == 1 and len(parts) == (period := steps.pop()) and period > 1:
        firsts = sorted(first for first, _, _ in parts)
        lasts = sorted(last for _, last, _ in parts)
        if firsts == list(range(firsts[0], firsts[0] + period)) and lasts == list(range(lasts[0], lasts[0] + period)):
            return [(firsts[0], lasts[-1], 1)]
    return parts
