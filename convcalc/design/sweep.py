"""Pure: which input sizes a network accepts, and which come back out at the same size, in closed form.

Each layer maps its input size to its output size by a floor-affine rule, so sizes one
period apart (the product of the strides) behave alike once every layer takes them: each
class of sizes is decided from a few trials of the core's shape rules, whatever the range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from convcalc.core.errors import InputError, LayerError
from convcalc.core.runs import LISTED, SizeSet
from convcalc.core.spec import AnyLayer, LayerSpec, NetworkSpec
from convcalc.core.windows import check_rules
from convcalc.design.ticks import Tick, offset, quiet
from convcalc.design.trial import Trial, Walker, period


def is_chain(network: NetworkSpec) -> bool:
    """Whether every layer is a window layer reading the one before: its axes are then independent."""
    return all(isinstance(layer, LayerSpec) and not layer.inputs for layer in network.layers)


def _on_its_own(network: NetworkSpec, axis: int) -> NetworkSpec:
    """Return a chain with every other axis made size 1 through layers that keep it so; a graph as it is.

    A chain's axes do not meet, so each one's sizes do not depend on the others' (a graph's
    merges compare whole shapes: there the other axes keep the file's sizes).
    """
    if not is_chain(network):
        return network
    rank = network.rank
    others = [other for other in range(rank) if other != axis]

    def kept(values: tuple[int, ...], neutral: int) -> tuple[int, ...]:
        return tuple(value if other == axis else neutral for other, value in enumerate(values))

    layers = []
    for layer in network.layers:
        assert isinstance(layer, LayerSpec)  # a chain
        padding = layer.padding
        if not isinstance(padding, str):
            padding = tuple(pair if other == axis else (0, 0) for other, pair in enumerate(padding))
        sized = None if layer.output_size is None else kept(layer.output_size, 1)
        layers.append(
            replace(
                layer,
                kernel_size=kept(layer.kernel_size, 1),
                stride=kept(layer.stride, 1),
                dilation=kept(layer.dilation, 1),
                output_padding=kept(layer.output_padding, 0),
                padding=padding,
                output_size=sized,
                expect=None,
            )
        )
    shape = (*network.input[:2], *(1 if other in others else size for other, size in enumerate(network.input[2:])))
    return replace(network, input=shape, layers=tuple(layers))


def check_size_free_rules(network: NetworkSpec) -> None:
    """Raise LayerError for a refusal no size avoids (channels, groups, pool padding) in a chain of window layers."""
    if not is_chain(network):
        return  # in a graph such a layer is reported by the sweep finding no size
    channels = network.input[1]
    for index, layer in enumerate(network.layers, start=1):
        assert isinstance(layer, LayerSpec)  # checked above
        try:
            channels, _ = check_rules(layer, channels)
        except LayerError as error:
            label = f"layer {index}" if layer.name is None else f"layer {index} ({layer.name})"
            raise error.within(label) from None


@dataclass(frozen=True, slots=True)
class AxisSizes:
    """The outcome of a sweep on one axis: the sizes accepted and those that come back the same."""

    axis: str
    low: int
    high: int
    accepted: SizeSet
    same: SizeSet


TRIED = 1_000_000
"""Most sizes tried one by one, where the arithmetic cannot say (a layer it does not follow)."""


def sweep(network: NetworkSpec, axis: int, name: str, low: int, high: int, tick: Tick = quiet) -> AxisSizes:
    """Return the sizes from low to high a network takes on one axis, and those it gives back unchanged.

    Sizes T apart (T the product of the strides, `period`) behave alike once every layer takes
    them, so each of the T classes is decided from a few trials: where the sizes that relations
    compare cross, and one between each two such points. A network with a layer that is not
    floor-affine is tried size by size, at most TRIED sizes.
    """
    network = _on_its_own(network, axis)
    walker = Walker(network, axis)
    repeat = period(network, axis)
    if repeat is None:
        if high - low + 1 > TRIED:
            msg = f"a layer's sizes are not followed in closed form here: at most {TRIED:,} sizes are tried one by one"
            raise InputError(msg, where="range")
        accepted, same = _one_by_one(walker, range(low, high + 1), tick)
        return AxisSizes(name, low, high, SizeSet.of(accepted), SizeSet.of(same))
    taken = _taken_span(walker, low, high)
    if taken is None:
        return AxisSizes(name, low, high, SizeSet(), SizeSet())
    first, last = taken
    accepted_parts: list[tuple[int, int, int]] = []
    same_parts: list[tuple[int, int, int]] = []
    classes = min(repeat, last - first + 1)
    for residue in range(classes):
        if not residue % 16:
            tick(residue, classes)
        start = first + residue
        found = _one_class(walker, start, repeat, (last - start) // repeat)
        for spans, parts in zip(found, (accepted_parts, same_parts), strict=True):
            parts.extend((start + repeat * a, start + repeat * b, repeat if a != b else 1) for a, b in spans)
    tick(classes, classes)
    return AxisSizes(name, low, high, _joined(accepted_parts), _joined(same_parts))


def _joined(parts: list[tuple[int, int, int]]) -> SizeSet:
    """Return the progressions as one set, written as runs when they are few enough to list."""
    found = SizeSet(tuple(sorted(parts)))
    return SizeSet.of(found) if found.count <= LISTED else found


def _one_by_one(walker: Walker, sizes: range, tick: Tick) -> tuple[list[int], list[int]]:
    """Try each size: the slow way, for the layers the arithmetic does not follow."""
    accepted, same = [], []
    for number, size in enumerate(sizes):
        if not number % 256:
            tick(number, len(sizes))
        taken, unchanged = _verdict(walker, size)
        if taken:
            accepted.append(size)
            if unchanged:
                same.append(size)
    return accepted, same


def _verdict(walker: Walker, size: int) -> tuple[bool, bool]:
    """Return whether the network takes a size, and whether it gives it back unchanged."""
    trial = walker.run(size)
    if trial is None or not trial.held:
        return False, False
    return True, _unchanged(walker, trial, size)


def _unchanged(walker: Walker, trial: Trial, size: int) -> bool:
    shape = walker.input_shape(size)
    return len(trial.output) == len(shape) and trial.output[2 + walker.axis] == size


def _taken_span(walker: Walker, low: int, high: int) -> tuple[int, int] | None:
    """Return the first and last size every layer takes by its bounds, relations aside: sizes only grow, so one span."""
    anchor = walker.network.input[2 + walker.axis]
    inside = next((size for size in (high, low, min(max(anchor, low), high)) if walker.run(size) is not None), None)
    if inside is None:
        inside = next((size for size in range(low, min(high, low + 4096) + 1) if walker.run(size) is not None), None)
        if inside is None:
            return None
    below, above = low, inside  # the first taken size lies in below..above
    while below < above:
        middle = (below + above) // 2
        below, above = (below, middle) if walker.run(middle) is not None else (middle + 1, above)
    first = below
    below, above = inside, high  # the last taken size lies in below..above
    while below < above:
        middle = (below + above + 1) // 2
        below, above = (middle, above) if walker.run(middle) is not None else (below, middle - 1)
    return first, below


Spans = list[tuple[int, int]]


def _one_class(walker: Walker, start: int, repeat: int, count: int) -> tuple[Spans, Spans]:
    """Decide sizes start + repeat * n for n in 0..count: the spans of n taken, and of n given back unchanged.

    Every size a relation compares, and the output size, is a + b * n within the class. Between
    two points where any two of those lines cross (or meet 1, or the input's own size), no
    comparison changes, so one trial decides the whole stretch.
    """

    def size(n: int) -> int:
        return start + repeat * n

    if count <= 8:  # noqa: PLR2004 - a short class is tried whole
        points = list(range(count + 1))
    else:
        trials = [walker.run(size(n)) for n in (0, 1, count)]
        lines = _lines(walker, trials, count)
        if lines is None:
            if count > TRIED:
                msg = f"sizes {start}, {start + repeat}, ... do not grow in step: at most {TRIED:,} are tried"
                raise InputError(msg, where="range")
            points = list(range(count + 1))
        else:
            lines[-1].append((start, repeat))  # the output against the input's own size
            points = _crossings(lines, count)
    verdicts = [_verdict(walker, size(n)) for n in points]
    accepted: Spans = []
    same: Spans = []
    for number, n in enumerate(points):
        end = points[number + 1] - 1 if number + 1 < len(points) else n
        for spans, holds in zip((accepted, same), verdicts[number], strict=True):
            if holds:
                if spans and spans[-1][1] == n - 1:
                    spans[-1] = (spans[-1][0], end)
                else:
                    spans.append((n, end))
    return accepted, same


Line = tuple[int, int]


def _lines(walker: Walker, trials: list[Trial | None], count: int) -> list[list[Line]] | None:
    """Return per relation the lines (a, b) of the sizes it compares, the output's last; None if they are not lines."""
    first, second, last = trials
    if first is None or second is None or last is None:
        return None
    if not len(first.compared) == len(second.compared) == len(last.compared):
        return None
    groups = [
        list(zip(*sizes, strict=True)) for sizes in zip(first.compared, second.compared, last.compared, strict=True)
    ]
    rank = len(walker.network.input)
    place = 2 + walker.axis
    if len(first.output) == len(second.output) == len(last.output) == rank:
        groups.append([(first.output[place], second.output[place], last.output[place])])
    else:
        groups.append([])
    lines = []
    for group in groups:
        found = []
        for at_0, at_1, at_last in group:
            slope = at_1 - at_0
            if at_0 + slope * count != at_last:
                return None
            found.append((at_0, slope))
        lines.append(found)
    return lines


def _crossings(groups: list[list[Line]], count: int) -> list[int]:
    """Return the n in 0..count around which two lines of one group cross: each decides the stretch up to the next."""
    found = {0, 1, count - 1, count}
    for group in groups:
        for index, (a, b) in enumerate(group):
            for c, d in group[index + 1 :]:
                if b != d:
                    cross = (c - a) // (b - d)
                    found.update(range(cross - 1, cross + 3))
    return sorted(n for n in found if 0 <= n <= count)  # a stretch after cross + 2 is past the crossing


def sweep_axes(
    network: NetworkSpec, ranges: Sequence[tuple[int, int]], names: tuple[str, ...], tick: Tick = quiet
) -> list[AxisSizes]:
    """Sweep every spatial axis over its range; axes on which every layer does the same share one sweep."""
    check_size_free_rules(network)
    keys = [(ranges[axis], tuple(_axis_key(layer, axis) for layer in network.layers)) for axis in range(network.rank)]
    first = {key: axis for axis, key in reversed(list(enumerate(keys)))}  # the axis each distinct sweep runs on
    total = sum(ranges[axis][1] - ranges[axis][0] + 1 for axis in first.values())
    before = 0
    swept = []
    done: dict[tuple[object, ...], AxisSizes] = {}
    for axis, key in enumerate(keys):
        if key not in done:  # square networks: sweep one axis, reuse it for the others
            low, high = ranges[axis]
            start = before
            done[key] = sweep(network, axis, names[axis], low, high, offset(tick, start, total))
            before += high - low + 1
        swept.append(replace(done[key], axis=names[axis]))
    tick(total, total)
    return swept


def _axis_key(layer: AnyLayer, axis: int) -> tuple[object, ...]:
    """Return what a layer does on one axis, to tell axes that behave the same."""
    if not isinstance(layer, LayerSpec):
        return (axis, layer)  # never shared: the slow sweep looks at every axis
    padding = layer.padding if isinstance(layer.padding, str) else layer.padding[axis]
    target = None if layer.output_size is None else layer.output_size[axis]
    values = (layer.kernel_size, layer.stride, layer.dilation, layer.output_padding)
    return (layer.kind, layer.ceil_mode, padding, target, *(v[axis] for v in values))
