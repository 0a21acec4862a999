"""Pure: sizes written compactly, as runs and periodic patterns ('32, 48, 64, ..., 1024 (every 16)')."""

from __future__ import annotations


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
        if step == 1 or j - i >= 2:  # noqa: PLR2004 - a progression shows from three terms
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
    pattern = _periodic(values) if len(runs(values)) > 3 else None  # noqa: PLR2004 - short lists read as they are
    if pattern is not None:
        terms, period = pattern
        head = ", ".join(map(str, values[: 2 * terms]))
        tail = ", ".join(map(str, values[-terms:]))
        return f"{head}, ..., {tail} (every {period})"
    parts = []
    for first, last, step in runs(values):
        if first == last:
            parts.append(str(first))
        elif step == 1:
            parts.append(f"{first} to {last}")
        elif (last - first) // step <= 3:  # noqa: PLR2004 - short progressions in full
            parts.append(", ".join(str(v) for v in range(first, last + 1, step)))
        else:
            parts.append(f"{first}, {first + step}, {first + 2 * step}, ..., {last} (every {step})")
    return "; ".join(parts)
