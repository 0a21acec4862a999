"""Pure: which input sizes a network accepts, and which come back out at the same size.

Every axis is independent, so each is swept on its own. The refusals that do not depend
on the size (channels, groups, pool padding, output_padding) are checked once; the sweep
then only runs the size formulas, a few integer operations a layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from convcalc.core import formulas
from convcalc.core.analysis import Status, analyze
from convcalc.core.errors import LayerError
from convcalc.core.spec import AnyLayer, LayerSpec, NetworkSpec
from convcalc.core.windows import MAX_RESULT, check_rules, refuses_by_avgpool3d
from convcalc.design.ticks import Tick, offset, quiet

Step = Callable[[int], int | None]


def _step(layer: LayerSpec, axis: int, before: int, after: int) -> Step:
    """Return size -> output size (None when refused) for one layer on one axis, by the core's formulas."""
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    if layer.kind.is_transposed:
        if layer.output_size is not None:  # forward(output_size=...): any size whose reachable range holds it
            target = layer.output_size[axis]

            def sized(i: int) -> int | None:
                low, high = formulas.output_size_range(i, k, s, before, after, d)
                return target if low <= target <= high else None

            return sized
        a = layer.output_padding[axis]
        return lambda i: o if (o := formulas.convtranspose_output_size(i, k, s, before, after, d, a)) >= 1 else None
    if layer.kind.is_pool:
        ceil, avg3d = layer.ceil_mode, refuses_by_avgpool3d(layer)

        def pooled(i: int) -> int | None:
            if avg3d and not formulas.avgpool3d_accepts(i, k):
                return None
            o = formulas.pool_output_size(i, k, s, before, after, d, ceil_mode=ceil)
            return o if o >= 1 else None

        return pooled
    mode = layer.padding_mode
    if mode != "zeros":  # reflect and circular padding need an input at least as large as the padding

        def padded(i: int) -> int | None:
            if not formulas.padding_mode_accepts(mode, max(before, after), i):
                return None
            o = formulas.conv_output_size(i, k, s, before, after, d)
            return o if o >= 1 else None

        return padded
    return lambda i: o if (o := formulas.conv_output_size(i, k, s, before, after, d)) >= 1 else None


def is_straight(network: NetworkSpec) -> bool:
    """Whether every layer is a sliding-window layer reading the one before (the fast sweep applies)."""
    return all(isinstance(layer, LayerSpec) and not layer.inputs for layer in network.layers)


def axis_steps(network: NetworkSpec, axis: int) -> list[Step]:
    """Return one step per layer for one axis; raise LayerError for a refusal that no size avoids."""
    channels = network.input[1]
    steps = []
    for index, layer in enumerate(network.layers, start=1):
        if not isinstance(layer, LayerSpec):
            raise TypeError(layer)  # is_straight() says when this is safe
        try:
            channels, padding = check_rules(layer, channels)
        except LayerError as error:
            label = f"layer {index}" if layer.name is None else f"layer {index} ({layer.name})"
            raise error.within(label) from None
        steps.append(_step(layer, axis, *padding[axis]))
    return steps


def run_axis(steps: list[Step], size: int) -> int | None:
    """Return the network's output size on one axis for an input size, or None when a layer refuses it."""
    value = size
    for step in steps:
        out = step(value)
        if out is None or out >= MAX_RESULT:
            return None
        value = out
    return value


@dataclass(frozen=True, slots=True)
class AxisSizes:
    """The outcome of a sweep on one axis: the sizes accepted and those that come back the same."""

    axis: str
    low: int
    high: int
    accepted: tuple[int, ...]
    same: tuple[int, ...]


def sweep(network: NetworkSpec, axis: int, name: str, low: int, high: int, tick: Tick = quiet) -> AxisSizes:  # noqa: PLR0913
    """Try every input size from low to high on one axis; `tick` hears (tried, to try) now and then."""
    if not is_straight(network):
        return _sweep_graph(network, axis, name, low, high, tick)
    steps = axis_steps(network, axis)
    accepted, same = [], []
    for size in range(low, high + 1):
        if not (size - low) % 4096:
            tick(size - low, high - low + 1)
        out = run_axis(steps, size)
        if out is not None:
            accepted.append(size)
            if out == size:
                same.append(size)
    return AxisSizes(name, low, high, tuple(accepted), tuple(same))


def _sweep_graph(network: NetworkSpec, axis: int, name: str, low: int, high: int, tick: Tick) -> AxisSizes:  # noqa: PLR0913
    """Try every size through the whole analysis: for graphs and the layers around convolutions (slower)."""
    accepted, same = [], []
    for size in range(low, high + 1):
        tick(size - low, high - low + 1)
        shape = (*network.input[: 2 + axis], size, *network.input[3 + axis :])
        result = analyze(replace(network, input=shape), hints=False)
        if any(layer.status in (Status.INVALID, Status.NOT_COMPUTED) for layer in result.layers):
            continue
        accepted.append(size)
        last = result.layers[-1].output if result.layers else shape
        if last is not None and len(last) == len(shape) and last[2 + axis] == size:
            same.append(size)
    return AxisSizes(name, low, high, tuple(accepted), tuple(same))


def sweep_axes(
    network: NetworkSpec, ranges: Sequence[tuple[int, int]], names: tuple[str, ...], tick: Tick = quiet
) -> list[AxisSizes]:
    """Sweep every spatial axis over its range; axes on which every layer does the same share one sweep."""
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
