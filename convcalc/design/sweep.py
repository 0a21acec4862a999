"""Pure: which input sizes a network accepts, and which come back out at the same size.

Every axis is independent, so each is swept on its own. The refusals that do not depend
on the size (channels, groups, pool padding, output_padding) are checked once; the sweep
then only runs the size formulas, a few integer operations a layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from convcalc.core.analysis import Status, analyze
from convcalc.core.errors import LayerError
from convcalc.core.spec import LayerKind, LayerSpec, NetworkSpec
from convcalc.core.windows import MAX_RESULT, check_rules, effective_kernel

Step = Callable[[int], int | None]


def _step(  # noqa: PLR0913 - one argument per torch.nn parameter
    kind: LayerKind,
    k: int,
    s: int,
    d: int,
    before: int,
    after: int,
    a: int,
    target: int | None,
    *,
    ceil: bool,
    avg3d: bool,
) -> Step:
    """Return size -> output size (None when refused) for one layer on one axis."""
    e = effective_kernel(k, d)
    pads = before + after
    if kind is LayerKind.CONVTRANSPOSE:
        if target is not None:  # forward(output_size=...): any size whose reachable range holds the target
            return lambda i: target if (i - 1) * s - pads + e <= target < (i - 1) * s - pads + e + s else None
        return lambda i: o if (o := (i - 1) * s - pads + e + a) >= 1 else None
    if ceil:

        def pooled(i: int) -> int | None:
            if avg3d and i < k:
                return None
            o = (i + pads - e + s - 1) // s + 1
            if (o - 1) * s >= i + before:
                o -= 1
            return o if o >= 1 else None

        return pooled
    if avg3d:
        return lambda i: o if i >= k and (o := (i + pads - e) // s + 1) >= 1 else None
    return lambda i: o if (o := (i + pads - e) // s + 1) >= 1 else None


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
        before, after = padding[axis]
        steps.append(
            _step(
                layer.kind,
                layer.kernel_size[axis],
                layer.stride[axis],
                layer.dilation[axis],
                before,
                after,
                layer.output_padding[axis],
                None if layer.output_size is None else layer.output_size[axis],
                ceil=layer.ceil_mode,
                avg3d=layer.kind is LayerKind.AVGPOOL and layer.rank == 3,  # noqa: PLR2004 - AvgPool3d's own rule
            )
        )
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
