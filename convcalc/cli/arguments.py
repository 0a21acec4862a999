"""Parse per-axis values as people type them on the command line: 6, 6,8, 6x8, same."""

from __future__ import annotations

import re

from convcalc import InputError
from convcalc.api import MAX_DIGITS, MAX_RANK, PADDING_WORDS

_SEPARATOR = re.compile(r"\s*[,x×X]\s*")
_AXES = re.compile(r"\s*[+-]?\d+(?:\s*[,x×X]\s*[+-]?\d+)*\s*")


def parse_int(text: str, where: str, *, minimum: int = 1) -> int:
    """Parse one integer of at least `minimum`, or raise an InputError naming `where`."""
    cleaned = text.strip()
    if not re.fullmatch(r"[+-]?\d+", cleaned):
        raise InputError(f"expected an integer, got {text!r}", where=where)
    if len(cleaned.lstrip("+-")) > MAX_DIGITS:
        raise InputError(f"expected at most {MAX_DIGITS} digits, got {len(cleaned.lstrip('+-'))}", where=where)
    value = int(cleaned)
    if value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InputError(f"expected {what}, got {value}", where=where)
    return value


def parse_axes(text: str, where: str, *, minimum: int = 1) -> tuple[int, ...]:
    """Parse '6', '6,8' or '6x8' into one integer per axis (1 to 3 of them)."""
    if not _AXES.fullmatch(text):
        msg = f"expected an integer or a per-axis list such as 6,8 or 6x8, got {text!r}"
        raise InputError(msg, where=where)
    parts = _SEPARATOR.split(text.strip())
    if len(parts) > MAX_RANK:
        msg = f"expected 1 to {MAX_RANK} values (one per spatial axis), got {len(parts)} in {text!r}"
        raise InputError(msg, where=where)
    return tuple(parse_int(part, where, minimum=minimum) for part in parts)


def parse_shape(text: str, where: str) -> tuple[int, ...]:
    """Parse a full shape N,C,*spatial such as '1,3,224,224' or '1x3x224x224'."""
    if not _AXES.fullmatch(text):
        msg = f"expected a shape such as 1,3,224,224, got {text!r}"
        raise InputError(msg, where=where)
    parts = _SEPARATOR.split(text.strip())
    if not 3 <= len(parts) <= MAX_RANK + 2:  # noqa: PLR2004 - N, C and 1 to 3 spatial sizes
        msg = f"expected N, C and 1 to {MAX_RANK} spatial sizes, got {len(parts)} values in {text!r}"
        raise InputError(msg, where=where)
    return tuple(parse_int(part, where) for part in parts)


def parse_padding(text: str, where: str) -> tuple[int, ...] | tuple[tuple[int, int], ...] | str:
    """Parse padding: per-axis numbers (1 or 1,2), per-side pairs (1:2 or 1:2x0:1), or a word; negative crops (JAX).

    The words are every framework's, in any case: same, valid, causal, SAME_UPPER, SAME_LOWER.
    """
    word = text.strip().lower().replace("-", "_")
    if word in PADDING_WORDS:
        return word
    if ":" in text:
        pairs = []
        for part in _SEPARATOR.split(text.strip()):
            before, colon, after = part.partition(":")
            if (
                not colon
                or not re.fullmatch(r"[+-]?\d+", before.strip())
                or not re.fullmatch(r"[+-]?\d+", after.strip())
            ):
                msg = f"expected before:after per axis, such as 1:2 or 1:2x0:1, got {text!r}"
                raise InputError(msg, where=where)
            pairs.append(
                (
                    parse_int(before, where, minimum=-(10**MAX_DIGITS)),
                    parse_int(after, where, minimum=-(10**MAX_DIGITS)),
                )
            )
        if len(pairs) > MAX_RANK:
            raise InputError(f"expected 1 to {MAX_RANK} pairs (one per spatial axis), got {len(pairs)}", where=where)
        return tuple(pairs)
    try:  # negative numbers crop (JAX); the framework's rules refuse them elsewhere
        return parse_axes(text, where, minimum=-(10**MAX_DIGITS))
    except InputError:
        msg = "expected an integer, a per-axis list such as 1,2, pairs such as 1:2, "
        msg += f"or a word such as same, got {text!r}"
        raise InputError(msg, where=where) from None


def decide_rank(values: dict[str, tuple[int, ...]], dims: int | None) -> int:
    """Return the number of spatial axes: the length of any list given, else --dims, else 2.

    Scalars broadcast, so a layer whose values are all scalars is a square 2-D one (seed 000).
    """
    lengths = {name: len(v) for name, v in values.items() if len(v) > 1}
    distinct = set(lengths.values())
    if len(distinct) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise InputError(f"per-axis values disagree on the number of axes: {listed}", where="--dims")
    if distinct:
        rank = distinct.pop()
        if dims is not None and dims != rank:
            name = next(iter(lengths))
            msg = f"--dims {dims} but {name} gives {rank} values"
            raise InputError(msg, where="--dims")
        return rank
    return 2 if dims is None else dims


def parse_range(text: str, where: str, *, minimum: int = 1) -> tuple[int, int]:
    """Parse an inclusive range written 1..7 (or a single value, 3)."""
    low, dots, high = text.strip().partition("..")
    first = parse_int(low, where, minimum=minimum)
    last = parse_int(high, where, minimum=minimum) if dots else first
    if last < first:
        raise InputError(f"expected a range low..high with low <= high, got {text!r}", where=where)
    return first, last


def parse_size_ranges(text: str, where: str) -> tuple[tuple[int, int], ...]:
    """Parse input-size ranges: 1:1024 for every axis, or one per axis separated by commas (1:512,1:1024)."""
    ranges = []
    for part in text.split(","):
        low, colon, high = part.strip().partition(":")
        if not colon:
            raise InputError(f"expected low:high (such as 1:1024), got {part.strip()!r}", where=where)
        first, last = parse_int(low, where), parse_int(high, where)
        if last < first:
            raise InputError(f"expected low <= high, got {part.strip()!r}", where=where)
        if last - first >= MAX_SWEEP:
            raise InputError(f"at most {MAX_SWEEP:,} sizes an axis, got {last - first + 1:,}", where=where)
        ranges.append((first, last))
    return tuple(ranges)


MAX_SWEEP = 10**18
"""Most input sizes one axis is swept over: the sweep is in closed form, its cost the logarithm of this."""
