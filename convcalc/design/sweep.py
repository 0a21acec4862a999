"""Pure: which input sizes a network accepts, and which come back out at the same size.

Every axis is independent, so each is swept on its own. The refusals that do not depend
on the size (channels, groups, pool padding, output_padding) are checked once; the sweep
then only runs the size formulas, a few integer operations a layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from convcalc.core import formulas
from convcalc.core.analysis import Status, analyze
from convcalc.core.errors import LayerError
from convcalc.core.spec import LayerSpec, NetworkSpec
from convcalc.core.windows import MAX_RESULT, check_rules, refuses_by_avgpool3d

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
            raise LayerError(f"{label}: {error}") from None
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


def sweep(network: NetworkSpec, axis: int, name: str, low: int, high: int) -> AxisSizes:
    """Try every input size from low to high on one axis."""
    if not is_straight(network):
        return _sweep_graph(network, axis, name, low, high)
    steps = axis_steps(network, axis)
    accepted, same = [], []
    for size in range(low, high + 1):
        out = run_axis(steps, size)
        if out is not None:
            accepted.append(size)
            if out == size:
                same.append(size)
    return AxisSizes(name, low, high, tuple(accepted), tuple(same))


def _sweep_graph(network: NetworkSpec, axis: int, name: str, low: int, high: int) -> AxisSizes:
    """Try every size through the whole analysis: for graphs and the layers around convolutions (slower)."""
    accepted, same = [], []
    for size in range(low, high + 1):
        shape = (*network.input[: 2 + axis], size, *network.input[3 + axis :])
        result = analyze(replace(network, input=shape), hints=False)
        if any(layer.status in (Status.INVALID, Status.NOT_COMPUTED) for layer in result.layers):
            continue
        accepted.append(size)
        last = result.layers[-1].output if result.layers else shape
        if last is not None and len(last) == len(shape) and last[2 + axis] == size:
            same.append(size)
    return AxisSizes(name, low, high, tuple(accepted), tuple(same))


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
