"""Which inputs each output of an adaptive pooling or an interpolation reads: torch's index rules, exactly.

Each rule maps output o of an axis to input positions, and the map repeats: output o + q
reads what o reads, moved by p inputs, where p/q is the scale (input size over output size
for adaptive pooling and for interpolation to a size). A rule is returned as the positions
read by the q outputs of one period and the shift p, which the receptive-field arithmetic
follows. torch computes an interpolation's source index in floating point; here it is exact,
which can differ by one cell where the exact index is a whole number and rounding falls short.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

Reads = tuple[tuple[tuple[int, ...], ...], int]
"""The input positions read by the outputs 0 .. q-1, and the input shift from one period to the next."""

LINEAR_MODES = ("linear", "bilinear", "trilinear")
MAX_READS_PERIOD = 1 << 16
"""Longest period (output positions) a rule is listed for; a longer one is not followed."""
MAX_READS = 1_000_000
"""Most input positions the windows of one period may list; wider windows (a global pool of a long axis) are
not listed: such a layer reads its whole input, which the analysis says without the list."""


def adaptive_reads(size_in: int, size_out: int) -> Reads | None:
    """Return the windows of adaptive pooling: output o reads floor(o*i/n) up to ceil((o+1)*i/n) - 1."""
    scale = Fraction(size_in, size_out)
    period, shift = scale.denominator, scale.numerator
    if period > MAX_READS_PERIOD or shift + period > MAX_READS:  # the windows list about shift + period cells
        return None
    windows: list[tuple[int, ...]] = []
    for o in range(period):
        start = o * shift // period
        end = -(-(o + 1) * shift // period)
        windows.append(tuple(range(start, end)))
    return tuple(windows), shift


def interpolation_scale(
    size_in: int, size_out: int, *, align_corners: bool, scale_factor: float | None = None
) -> Fraction | None:
    """Return the input step per output step torch uses: (i-1)/(n-1) with align_corners, 1/factor, or i/n."""
    if align_corners:
        return None if size_out == 1 else Fraction(size_in - 1, size_out - 1)
    if scale_factor is not None:
        return 1 / Fraction(scale_factor).limit_denominator(1 << 20)
    return Fraction(size_in, size_out)


def interpolation_reads(
    size_in: int, size_out: int, mode: str, *, align_corners: bool = False, scale_factor: float | None = None
) -> Reads | None:
    """Return the inputs each output of F.interpolate reads, or None when the rule is not followed.

    nearest reads floor(o*scale), nearest-exact floor((o+1/2)*scale); the linear modes read
    the two neighbours of (o+1/2)*scale - 1/2 (o*scale with align_corners), one of them when
    the source falls on a cell, as its weight is then zero; area pools adaptively. Bicubic
    is not followed.
    """
    if mode == "area":
        return adaptive_reads(size_in, size_out)
    if mode not in ("nearest", "nearest-exact", *LINEAR_MODES):
        return None
    scale = interpolation_scale(size_in, size_out, align_corners=align_corners and mode in LINEAR_MODES,
                                scale_factor=scale_factor)  # fmt: skip
    if scale is None or scale <= 0 or scale.denominator > MAX_READS_PERIOD:
        return None
    period, shift = scale.denominator, scale.numerator
    reads: list[tuple[int, ...]] = []
    for o in range(period):
        if mode == "nearest":
            reads.append((floor(o * scale),))
        elif mode == "nearest-exact":
            reads.append((floor((o + Fraction(1, 2)) * scale),))
        else:
            source = o * scale if align_corners else (o + Fraction(1, 2)) * scale - Fraction(1, 2)
            low = floor(source)
            reads.append((low, low + 1) if source != low else (low,))
    return tuple(reads), shift
