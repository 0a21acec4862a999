"""Pure receptive-field arithmetic: exact dependency sets, jump, and the equivalent direct convolution.

Per axis, a layer's output position o depends on a set of network-input positions f(o)
(padding positions count; nothing is clipped at the borders). Every layer makes f
periodic: f(o + period) = f(o) + shift. A direct conv or pool with stride s maps
o to the windows o*s - pb + t*d; a transposed one maps o to the inputs i with
i*s + t*d = o + pb. Keeping f exactly, as a few disjoint intervals per residue class,
gives the receptive field of the contract for any stack at a cost that depends on the
kernels and strides, never on the image size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

from convcalc.core.formulas import equivalent_padding, stretched_size
from convcalc.core.spec import AxisValues, PaddingPairs

Intervals = tuple[tuple[int, int], ...]

GLOBAL = "global"
"""The name of a field that reads every position of the input (after global pooling): the table's cell, the summary,
the warning and the JSON key receptive_field_global all say it (LayerResult.whole_input holds it)."""

MAX_PERIOD = 1 << 16
"""Largest number of residue classes kept per axis; beyond it the field is not computed."""


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> Intervals:
    """Return the union of closed integer intervals as sorted, disjoint, non-touching intervals."""
    merged: list[list[int]] = []
    for lo, hi in sorted(intervals):  # already in order, as _gather builds them: timsort is linear
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


@dataclass(frozen=True, slots=True)
class AxisField:
    """The dependency sets of one axis: f(r) for each residue r < period, and the jump."""

    period: int
    shift: int
    sets: tuple[Intervals, ...]
    jump: Fraction

    def at(self, position: int) -> Intervals:
        """Return the network-input positions that output `position` depends on."""
        turns, residue = divmod(position, self.period)
        offset = turns * self.shift
        return tuple((lo + offset, hi + offset) for lo, hi in self.sets[residue])

    @property
    def receptive_field(self) -> int:
        """Return the widest hull of one output's dependencies, over all output positions."""
        return max((s[-1][1] - s[0][0] + 1 for s in self.sets if s), default=0)


def input_field() -> AxisField:
    """Return the field of the network input itself: each position depends on itself."""
    return AxisField(period=1, shift=1, sets=(((0, 0),),), jump=Fraction(1))


MAX_WORK = 1_000_000
"""Most positions (residues × taps) one layer's step may look at; beyond it the field is not computed."""


def window_inputs(position: int, kernel: int, stride: int, before: int, dilation: int) -> list[int]:
    """Return what output `position` of a conv or pool reads: o*s - pb + t*d for each tap t (padding included)."""
    start = position * stride - before
    return [start + tap * dilation for tap in range(kernel)]


def transposed_inputs(position: int, kernel: int, stride: int, before: int, dilation: int) -> list[int]:
    """Return the inputs i, increasing, that output `position` of a transposed conv reads: i*s + t*d = o + pb."""
    reached = position + before
    taps = range((kernel - 1) * dilation, -1, -dilation)  # increasing input positions
    return [(reached - tap) // stride for tap in taps if (reached - tap) % stride == 0]


def direct_field(previous: AxisField, kernel: int, stride: int, before: int, dilation: int) -> AxisField | None:
    """Return the field after a conv or pool (its period never grows); None when too long to enumerate."""
    if _one_interval(previous, dilation):
        # one interval whose copies, one per tap, touch or overlap: the classic recurrence
        (lo, hi), shift = previous.sets[0][0], previous.shift
        start = -before * shift
        interval = ((lo + start, hi + start + (kernel - 1) * dilation * shift),)
        return AxisField(period=1, shift=shift * stride, sets=(interval,), jump=previous.jump * stride)
    period = previous.period // gcd(previous.period, stride)
    if period * kernel > MAX_WORK:
        return None
    shift = period * stride // previous.period * previous.shift
    sets = tuple(_gather(previous, window_inputs(o, kernel, stride, before, dilation)) for o in range(period))
    return AxisField(period=period, shift=shift, sets=sets, jump=previous.jump * stride)


def _one_interval(previous: AxisField, dilation: int) -> bool:
    """Whether a direct layer's taps read copies of one interval that touch or overlap (no enumeration)."""
    if previous.period != 1 or len(previous.sets[0]) != 1:
        return False
    lo, hi = previous.sets[0][0]
    return dilation * previous.shift <= hi - lo + 1


def step_work(previous: AxisField, kernel: int, stride: int, dilation: int, *, transposed: bool) -> int:
    """Return how many positions a layer's step looks at: what FIELD_WORK counts."""
    if transposed:
        return previous.period * stride * kernel
    if _one_interval(previous, dilation):
        return 1
    return previous.period // gcd(previous.period, stride) * kernel


FIELD_WORK = 1_000_000
"""Most positions the steps of one network may look at in all; beyond it fields are not followed."""


def _gather(previous: AxisField, positions: list[int]) -> Intervals:
    """Return the union of previous.at(p) for the positions given in increasing order."""
    period, shift, sets = previous.period, previous.shift, previous.sets
    if period == 1 and len(sets[0]) == 1:
        lo, hi = sets[0][0]
        return merge_intervals([(lo + p * shift, hi + p * shift) for p in positions])
    pieces: list[tuple[int, int]] = []
    for position in positions:
        turns, residue = divmod(position, period)
        offset = turns * shift
        pieces.extend((lo + offset, hi + offset) for lo, hi in sets[residue])
    return merge_intervals(pieces)


def transposed_field(previous: AxisField, kernel: int, stride: int, before: int, dilation: int) -> AxisField | None:
    """Return the field after a transposed conv; None when its period would exceed MAX_PERIOD."""
    period = previous.period * stride
    if period > MAX_PERIOD or period * kernel > MAX_WORK:
        return None
    sets = tuple(_gather(previous, transposed_inputs(o, kernel, stride, before, dilation)) for o in range(period))
    return AxisField(period=period, shift=previous.shift, sets=sets, jump=previous.jump / stride)


@dataclass(frozen=True, slots=True)
class EquivalentConv:
    """The stride-1 direct convolution that computes what a transposed one does (seeds 002, 003)."""

    zeros_inserted: AxisValues
    stretched_input: AxisValues
    padding: PaddingPairs
    kernel_size: AxisValues
    dilation: AxisValues
    stride: AxisValues


def equivalent_conv(  # one argument per torch.nn parameter
    sizes: AxisValues,
    kernel_size: AxisValues,
    stride: AxisValues,
    padding: PaddingPairs,
    dilation: AxisValues,
    output_padding: AxisValues,
) -> EquivalentConv:
    """Insert s-1 zeros between inputs, pad d*(k-1)-pb before and d*(k-1)-pa+a after, convolve at stride 1.

    Negative padding means crop. This is relationship 14 of the convolution arithmetic
    guide (p' = k - p - 1, a extra zeros after), generalised to dilation and per-side padding.
    """
    axes = range(len(sizes))
    return EquivalentConv(
        zeros_inserted=tuple(s - 1 for s in stride),
        stretched_input=tuple(stretched_size(sizes[a], stride[a]) for a in axes),
        padding=tuple(
            (
                equivalent_padding(kernel_size[a], dilation[a], padding[a][0]),
                equivalent_padding(kernel_size[a], dilation[a], padding[a][1]) + output_padding[a],
            )
            for a in axes
        ),
        kernel_size=kernel_size,
        dilation=dilation,
        stride=(1,) * len(sizes),
    )


def resampled_field(previous: AxisField, reads: tuple[tuple[int, ...], ...], shift: int) -> AxisField | None:
    """Return the field after a resampling: output r + t*len(reads) reads the inputs reads[r] + t*shift.

    Adaptive pooling and interpolation to any size are such maps (their scale is the fraction
    shift / len(reads)); None when the period would exceed MAX_PERIOD.
    """
    outputs = len(reads)
    turns = previous.period // gcd(previous.period, shift)  # output periods until the inputs repeat too
    period = outputs * turns
    if period > MAX_PERIOD or period * max(len(r) for r in reads) > MAX_WORK:
        return None
    sets = tuple(_gather(previous, [i + (o // outputs) * shift for i in reads[o % outputs]]) for o in range(period))
    return AxisField(
        period=period,
        shift=turns * shift // previous.period * previous.shift,
        sets=sets,
        jump=previous.jump * Fraction(shift, outputs),
    )


def shifted_field(previous: AxisField, offset: int) -> AxisField:
    """Return the field after a crop (offset > 0: output o reads input o + offset) or a pad (offset < 0)."""
    sets = tuple(previous.at(o + offset) for o in range(previous.period))
    return AxisField(period=previous.period, shift=previous.shift, sets=sets, jump=previous.jump)


def merged_field(fields: list[AxisField]) -> AxisField | None:
    """Return the field of a merge (add, concat): each output depends on what every input depends on.

    The inputs must step by the same jump, else the merge has no common period (None).
    """
    jumps = {field.jump for field in fields}
    if len(jumps) > 1:
        return None
    (jump,) = jumps
    period = lcm(*(field.period for field in fields))
    if period > MAX_PERIOD:
        return None
    shift = fields[0].shift * (period // fields[0].period)
    sets = tuple(merge_intervals(i for field in fields for i in field.at(o)) for o in range(period))
    return AxisField(period=period, shift=shift, sets=sets, jump=jump)


def centre(field: AxisField) -> Fraction | None:
    """Return the centre of output 0's dependencies, in network-input positions, to compare paths."""
    for position in range(field.period):
        found = field.at(position)
        if found:
            return Fraction(found[0][0] + found[-1][1], 2) - position * field.jump
    return None
