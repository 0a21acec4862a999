"""Inverse questions, pure: which layer parameters map an input size to an output size.

Candidates come from the size formulas solved for the padding (or output_padding); every
one is then run through the same arithmetic as the layer commands, so a solution is
exactly a layer torch.nn accepts and that gives the size asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from itertools import product
from math import prod

from convcalc.core import formulas
from convcalc.core.errors import InputError, LayerError
from convcalc.core.framework_rules import SPELLING
from convcalc.core.frameworks import output_padding_limit, pool_padding_limit
from convcalc.core.spec import Framework, LayerKind, LayerSpec, PaddingMode
from convcalc.core.windows import LayerShape, layer_shape
from convcalc.design.ticks import Tick, offset, quiet

MAX_CANDIDATES_PER_AXIS = 12
"""How many of the best candidates per axis are combined when the axes ask different things."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The search space: inclusive ranges of kernel, stride and dilation, and the padding allowed."""

    kernel: tuple[int, int] = (1, 7)
    stride: tuple[int, int] = (1, 4)
    dilation: tuple[int, int] = (1, 3)
    max_padding: int = 4
    symmetric_only: bool = False
    framework: Framework = Framework.TORCH


@dataclass(frozen=True, slots=True)
class AxisSolution:
    """One way to map one axis: the layer's values on it and the input cells it leaves unused."""

    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    output_padding: int = 0
    ceil_mode: bool = False
    unused: int = 0
    word: str = ""
    auto: bool = False

    @property
    def penalty(self) -> tuple[int, ...]:
        """Order from the most ordinary: every cell used, no dilation, no output_padding, symmetric, odd, small."""
        return (
            self.unused > 0,
            self.dilation > 1,
            self.output_padding > 0 and not self.auto,
            self.before != self.after and not self.word,
            self.ceil_mode,
            self.kernel % 2 == 0,
            self.kernel,
            self.stride,
            self.before + self.after,
            self.dilation,
            self.unused,
        )


@dataclass(frozen=True, slots=True)
class Solution:
    """A full parameter set, one AxisSolution per spatial axis, with why it ranks where it does."""

    axes: tuple[AxisSolution, ...]
    reason: str

    @property
    def penalty(self) -> tuple[int, ...]:
        """Sum the axes' penalties; a layer with the same values on every axis comes first among equals."""
        sums = tuple(sum(values) for values in zip(*(axis.penalty for axis in self.axes), strict=True))
        differs = len({(a.kernel, a.stride, a.dilation) for a in self.axes}) > 1
        return (*sums[:6], differs, *sums[6:])


SEARCH_WORK = 2_000_000
"""Most (kernel, stride, dilation) one search may try: each costs the same few operations, whatever the padding."""

MAX_ANSWERS = 20_000
"""Most layers one axis may have as answers: each is checked by the core and ranked."""


def check_search(kind: LayerKind, limits: Limits) -> None:
    """Refuse limits that span more layer shapes than SEARCH_WORK, naming the widest range of the three."""
    span = search_size(kind, limits)
    if span <= SEARCH_WORK:
        return
    msg = (
        f"the limits span {span:,} layer shapes (kernels x strides x dilations; paddings are solved for); "
        f"at most {SEARCH_WORK:,} are tried: narrow the kernel, stride or dilation range"
    )
    widths = {
        "kernel": limits.kernel[1] - limits.kernel[0],
        "stride": limits.stride[1] - limits.stride[0],
        "dilation": limits.dilation[1] - limits.dilation[0],
    }
    raise InputError(msg, where=max(widths, key=lambda key: widths[key]))


def search_size(kind: LayerKind, limits: Limits) -> int:
    """Return how many (kernel, stride, dilation) the limits span; the paddings are solved for, not tried."""
    return _shapes(kind, limits)


def _dilations(kind: LayerKind, limits: Limits) -> tuple[int, int]:
    return (1, 1) if kind.averages and limits.framework is not Framework.ONNX else limits.dilation


def _ranges(limits: Limits, kind: LayerKind) -> Iterator[tuple[int, int, int]]:
    dilations = _dilations(kind, limits)
    yield from product(
        range(limits.kernel[0], limits.kernel[1] + 1),
        range(limits.stride[0], limits.stride[1] + 1),
        range(dilations[0], dilations[1] + 1),
    )


def _shapes(kind: LayerKind, limits: Limits) -> int:
    """Return how many (kernel, stride, dilation) the limits span."""
    spans = (limits.kernel, limits.stride, _dilations(kind, limits))
    return prod(max(high - low + 1, 0) for low, high in spans)


def _words(framework: Framework) -> list[str]:
    spelled = SPELLING.get(framework, {})
    return [mode.value for mode in (PaddingMode.VALID, PaddingMode.SAME, PaddingMode.SAME_LOWER) if mode in spelled]


def _word_may_give(
    kind: LayerKind, size: int, target: int, shape: tuple[int, int, int], word: str, framework: Framework
) -> bool:
    """Whether a padding word can give `target`: what every framework's words compute (loosely if transposed).

    It only saves the core's work on layers that cannot be answers; the core decides the rest.
    """
    k, s, d = shape
    if kind.is_transposed:
        reach = formulas.effective_kernel(k, d) + s
        return (size - 1) * s - reach <= target <= size * s + reach
    if word == PaddingMode.VALID.value:
        return (
            _pool_output(shape, size, 0, ceil_mode=False, onnx=kind.is_pool and framework is Framework.ONNX) == target
        )
    if kind.is_pool and framework is Framework.ONNX and d > 1:
        return True  # onnxruntime pads SAME for the undilated kernel: the core knows
    return -(-size // s) == target  # same and same_lower: ceil(i / s) outputs


def _word_candidates(
    kind: LayerKind, size: int, target: int, shape: tuple[int, int, int], framework: Framework
) -> Iterator[AxisSolution]:
    """Yield the layers whose padding is a word of the framework: the core tells their sizes."""
    k, s, d = shape
    for word in _words(framework):
        if not _word_may_give(kind, size, target, shape, word, framework):
            continue
        if not kind.is_transposed:
            yield AxisSolution(k, s, d, 0, 0, word=word)
            continue
        if framework is Framework.KERAS:
            yield AxisSolution(k, s, d, 0, 0, word=word, auto=True)
        extras = range(s) if framework is not Framework.JAX else range(1)
        yield from (AxisSolution(k, s, d, 0, 0, output_padding=a, word=word) for a in extras)


def _takes_numbers(kind: LayerKind, framework: Framework) -> bool:
    """Whether the framework pads this kind with numbers: Keras takes words, lax.conv_transpose its own pairs."""
    return not (framework is Framework.KERAS or (framework is Framework.JAX and kind.is_transposed))


def _candidates(kind: LayerKind, size: int, target: int, limits: Limits, tick: Tick = quiet) -> Iterator[AxisSolution]:
    """Yield the parameter sets the size formulas solve for (not yet checked against every rule)."""
    framework = limits.framework
    numbers = _takes_numbers(kind, framework)
    words = framework is not Framework.TORCH
    total = _shapes(kind, limits)
    kernels = range(limits.kernel[0], limits.kernel[1] + 1)
    dilations = _dilations(kind, limits)
    pairs = product(range(limits.stride[0], limits.stride[1] + 1), range(dilations[0], dilations[1] + 1))
    for index, (s, d) in enumerate(pairs):
        if not index % 64:
            tick(index * len(kernels), total)
        window = _kernel_window(kind, size, target, (s, d), limits) if numbers else range(0)
        for k in kernels if words else window:
            shape = (k, s, d)
            if words:
                yield from _word_candidates(kind, size, target, shape, framework)
            if k not in window:
                continue
            if kind.is_transposed:
                yield from _transposed_pads(shape, size, target, limits)
            elif kind.is_pool:
                yield from _pool_pads(shape, size, target, limits)
            else:
                yield from _conv_pads(shape, size, target, limits)
    tick(total, total)


def _kernel_window(kind: LayerKind, size: int, target: int, steps: tuple[int, int], limits: Limits) -> range:
    """Return the kernels within limits whose span e = d*(k-1)+1 can give `target` with some padding up to the limit.

    A convolution needs the least total padding (t-1)*s + e - i in -(s-1)..2p; a pool may round
    up one window more; a transposed layer needs (i-1)*s + e - t in -(largest output_padding)..2p.
    """
    s, d = steps
    most = 2 * limits.max_padding
    if kind.is_transposed:
        base = target - (size - 1) * s
        low, high = base - output_padding_limit(limits.framework, s, d), base + most
    elif kind.is_pool:
        low, high = size - (target - 1) * s - (s - 1), size - (target - 2) * s + most
    else:
        low, high = size - (target - 1) * s - (s - 1), size - (target - 1) * s + most
    first = max(limits.kernel[0], -(-(low - 1) // d) + 1)
    last = min(limits.kernel[1], (high - 1) // d + 1)
    return range(first, last + 1)


def _halve_up(value: int) -> int:
    return -(-value // 2)


def _transposed_pads(shape: tuple[int, int, int], size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:
    """Solve (i-1)*s - 2p + e + a = target for p: a = target - base + 2p must lie in 0..max(s, d) - 1."""
    k, s, d = shape
    base = formulas.convtranspose_output_size(size, k, s, 0, 0, d, 0)
    largest = output_padding_limit(limits.framework, s, d)
    for p in range(max(_halve_up(base - target), 0), min((base - target + largest) // 2, limits.max_padding) + 1):
        yield AxisSolution(k, s, d, p, p, output_padding=formulas.output_padding_for(size, k, s, p, p, d, target))


def _pool_bound(kernel: int, limits: Limits) -> int:
    bound = pool_padding_limit(limits.framework, kernel)
    return limits.max_padding if bound is None else min(limits.max_padding, bound)


def _ceil_modes(framework: Framework) -> tuple[bool, ...]:
    return (False, True) if framework in (Framework.TORCH, Framework.ONNX) else (False,)


def _pool_output(shape: tuple[int, int, int], size: int, padding: int, *, ceil_mode: bool, onnx: bool = False) -> int:
    """Return a conv's or pool's size by the formulas: onnxruntime's pools divide toward zero unless rounding up."""
    k, s, d = shape
    if onnx and not ceil_mode:
        return formulas.windows_toward_zero(size, k, s, padding, padding, d)
    return formulas.pool_output_size(size, k, s, padding, padding, d, ceil_mode=ceil_mode)


def _clamped(size: int, limits: Limits) -> int:
    """Return a size as the framework gives it: JAX makes an empty array of a negative size."""
    return max(size, 0) if limits.framework is Framework.JAX else size


def _least(framework: Framework) -> int:
    """Return the smallest output size a framework gives: JAX computes empty arrays, the others refuse them."""
    return 0 if framework is Framework.JAX else 1


def _lax_transposed_output(shape: tuple[int, int, int], size: int, padding: int) -> int:
    """Return lax.conv_transpose's size for padding pairs (p, p): they pad the stretched input."""
    k, s, d = shape
    return formulas.conv_output_size(formulas.stretched_size(size, s), k, 1, padding, padding, d)


def _first_at_least(value: Callable[[int], int], low: int, high: int, goal: int) -> int:
    """Return the least p in low..high with value(p) >= goal (high + 1: none), for a value that never falls."""
    while low <= high:
        middle = (low + high) // 2
        if value(middle) >= goal:
            high = middle - 1
        else:
            low = middle + 1
    return low


def _least_padding(
    shape: tuple[int, int, int], size: int, goal: int, bounds: tuple[int, int], floor: Callable[[int], int] | None
) -> int:
    """Return the least symmetric padding in low..high whose size reaches `goal` (high + 1: none).

    With the floor rule (`floor` None) the size reaches the goal once 2p covers the least total
    padding, so it is solved for; the other roundings are searched by bisection.
    """
    low, high = bounds
    if floor is None:
        k, s, d = shape
        return min(max(-(-formulas.conv_padding_for(size, k, s, d, goal) // 2), low), high + 1)
    return _first_at_least(floor, low, high, goal)


def _pool_pads(shape: tuple[int, int, int], size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:
    """Find the paddings that pool `size` to `target` in each rounding: the pooled size never falls as padding grows."""
    k, s, d = shape
    bound, onnx = _pool_bound(k, limits), limits.framework is Framework.ONNX
    for ceil in _ceil_modes(limits.framework):
        value = None if not ceil and not onnx else partial(_pool_output, shape, size, ceil_mode=ceil, onnx=onnx)
        first = _least_padding(shape, size, target, (0, bound), value)
        last = _least_padding(shape, size, target + 1, (first, bound), value)
        yield from (AxisSolution(k, s, d, p, p, ceil_mode=ceil) for p in range(first, last))


def _conv_pads(shape: tuple[int, int, int], size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:
    """Yield the paddings that give `target`: every total from the least one to s - 1 more, split as it can be."""
    k, s, d = shape
    lowest = formulas.conv_padding_for(size, k, s, d, target)
    for total in range(max(lowest, 0), min(lowest + s, 2 * limits.max_padding + 1)):
        half = total // 2
        if total % 2 == 0:
            yield AxisSolution(k, s, d, half, half)
        elif not limits.symmetric_only and total - half <= limits.max_padding:
            yield AxisSolution(k, s, d, half, total - half)  # the odd zero after, as padding='same'


def _layer(kind: LayerKind, axis: AxisSolution, framework: Framework) -> LayerSpec:
    return LayerSpec.create(
        kind,
        (axis.kernel,),
        stride=(axis.stride,),
        padding=axis.word or ((axis.before, axis.after),),
        dilation=(axis.dilation,),
        output_padding=None if axis.auto else (axis.output_padding,),
        ceil_mode=axis.ceil_mode,
        framework=framework,
    )


def _output(
    kind: LayerKind, size: int, axis: AxisSolution, framework: Framework = Framework.TORCH
) -> LayerShape | None:
    """Return the layer's shape through the core, or None when the framework refuses it."""
    try:
        shape = layer_shape(_layer(kind, axis, framework), (1, 1, size))
    except (LayerError, InputError):
        return None
    return shape


def solve_axis(kind: LayerKind, size: int, target: int, limits: Limits, tick: Tick = quiet) -> list[AxisSolution]:
    """Return every parameter set within limits that maps size to target on one axis, best first.

    The size formulas give the candidates directly; each is then run through the core, so an
    answer is exactly a layer the framework accepts and that gives the size asked for.
    """
    found: dict[AxisSolution, None] = {}
    for candidate in _candidates(kind, size, target, limits, tick):
        if len(found) >= MAX_ANSWERS:
            msg = (
                f"more than {MAX_ANSWERS:,} layers map {size} to {target} within the limits: "
                "narrow the kernel, stride, dilation or padding"
            )
            raise InputError(msg)
        shape = _output(kind, size, candidate, limits.framework)
        if shape is None or shape.output[2] != target:
            continue
        gaps = shape.gaps[0]
        (before, after), a = shape.padding[0], shape.output_padding[0]
        unused = gaps.total if gaps is not None else 0
        found[replace(candidate, before=before, after=after, output_padding=a, unused=unused)] = None
    return sorted(found, key=lambda s: s.penalty)


def describe(kind: LayerKind, axes: tuple[AxisSolution, ...], names: tuple[str, ...]) -> str:
    """Say in one line what makes a solution ordinary or not."""
    notes = []
    for name, axis in zip(names, axes, strict=True):
        where = f" on {name}" if len(axes) > 1 and len(set(axes)) > 1 else ""
        if axis.unused:
            verb = "cropped away" if kind.is_transposed else "never read"
            notes.append(f"{axis.unused} input cell{'s' if axis.unused > 1 else ''} {verb}{where}")
        if axis.dilation > 1:
            notes.append(f"dilation {axis.dilation}{where}")
        if axis.output_padding:
            notes.append(f"output_padding {axis.output_padding}{where}")
        if axis.word:
            notes.append(f"padding {axis.word}{where}")
        elif axis.before != axis.after:
            notes.append(
                f"asymmetric padding {axis.before}:{axis.after}{where} (a ZeroPad before the layer in torch.nn)"
            )
        if axis.ceil_mode:
            notes.append(f"ceil_mode{where}")
        if axis.kernel % 2 == 0:
            notes.append(f"even kernel{where}")
    unique = list(dict.fromkeys(notes))
    return "; ".join(unique) if unique else "odd kernel, every input cell used"


def solve(  # the layer, the sizes, the limits, the axes' names and who hears the progress
    kind: LayerKind,
    sizes: tuple[int, ...],
    targets: tuple[int, ...],
    limits: Limits,
    names: tuple[str, ...],
    tick: Tick = quiet,
) -> list[Solution]:
    """Return full solutions, best first: the same on every axis when the axes ask the same thing."""
    per_axis: dict[tuple[int, int], list[AxisSolution]] = {}
    asked = list(dict.fromkeys(zip(sizes, targets, strict=True)))
    total = _shapes(kind, limits) * len(asked)
    for number, (size, target) in enumerate(asked):
        done = number * _shapes(kind, limits)
        per_axis[size, target] = solve_axis(kind, size, target, limits, offset(tick, done, total))
    if len(per_axis) == 1:
        (options,) = per_axis.values()
        combos = [(option,) * len(sizes) for option in options]
    else:
        lists = [per_axis[size, target][:MAX_CANDIDATES_PER_AXIS] for size, target in zip(sizes, targets, strict=True)]
        combos = list(product(*lists))
        if limits.framework is not Framework.TORCH:  # a padding word, and Keras' unset output_padding, are per layer
            combos = [c for c in combos if len({(a.word, a.auto) for a in c}) == 1]
    solutions = [Solution(axes, describe(kind, axes, names)) for axes in combos]
    return sorted(solutions, key=lambda s: s.penalty)


def _transposed_sides(
    shape: tuple[int, int, int], size: int, want: int, limits: Limits
) -> tuple[AxisSolution | None, AxisSolution | None]:
    """Return the layers nearest `want` from one transposed shape: padding p gives base - 2p to that + largest a."""
    k, s, d = shape
    base = formulas.convtranspose_output_size(size, k, s, 0, 0, d, 0)
    largest, most = output_padding_limit(limits.framework, s, d), limits.max_padding
    below = above = None
    p = max(_halve_up(base - want + 1), 0)  # the least padding whose sizes start below want
    if p <= most and (reach := min(base - 2 * p + largest, want - 1)) >= 1:
        below = AxisSolution(k, s, d, p, p, output_padding=reach - (base - 2 * p))
    p = min((base + largest - want - 1) // 2, most)  # the most padding whose sizes end above want
    if p >= 0:
        reach = max(base - 2 * p, want + 1)
        above = AxisSolution(k, s, d, p, p, output_padding=reach - (base - 2 * p))
    return below, above


def _window_sides(
    kind: LayerKind, shape: tuple[int, int, int], size: int, want: int, limits: Limits
) -> Iterator[tuple[AxisSolution | None, AxisSolution | None]]:
    """Yield the layers nearest `want` from one conv or pool shape, per rounding: sizes never fall as padding grows."""
    k, s, d = shape
    bound = _pool_bound(k, limits) if kind.is_pool else limits.max_padding
    onnx = limits.framework is Framework.ONNX
    for ceil in _ceil_modes(limits.framework) if kind.is_pool else (False,):
        value: Callable[[int], int]
        if kind.is_transposed:  # lax.conv_transpose: a stride-1 convolution over the stretched input
            value = partial(_lax_transposed_output, shape, size)
        else:
            value = partial(_pool_output, shape, size, ceil_mode=ceil, onnx=kind.is_pool and onnx)
        solved = not kind.is_transposed and not ceil and not (kind.is_pool and onnx)
        search = None if solved else value
        first_at = _least_padding(shape, size, want, (0, bound), search)  # sizes below want: the paddings before it
        first_above = _least_padding(shape, size, want + 1, (first_at, bound), search)
        below = (
            first_at - 1 if first_at > 0 and _clamped(value(first_at - 1), limits) >= _least(limits.framework) else None
        )
        above = first_above if first_above <= bound else None
        yield (
            None if below is None else AxisSolution(k, s, d, below, below, ceil_mode=ceil),
            None if above is None else AxisSolution(k, s, d, above, above, ceil_mode=ceil),
        )


def _first_accepted(
    kind: LayerKind, size: int, options: list[tuple[int, AxisSolution]], framework: Framework
) -> int | None:
    """Return the size of the first option the core accepts, checking them in the order given."""
    for _, option in options:
        shape = _output(kind, size, option, framework)
        if shape is not None:
            return shape.output[2]
    return None


def nearest_reachable(
    kind: LayerKind, size: int, want: int, limits: Limits, tick: Tick = quiet
) -> tuple[int | None, int | None]:
    """Return the output sizes nearest to `want`, from below and from above, that the limits reach (symmetric padding).

    Each (kernel, stride, dilation) gives its nearest sizes by the size formulas; the core then
    checks them, nearest first, so the answer is a layer the framework accepts.
    """
    if limits.framework is Framework.KERAS:
        limits = replace(limits, max_padding=0)  # Keras takes no numbers but 0, its padding='valid'
    lower: list[tuple[int, AxisSolution]] = []
    upper: list[tuple[int, AxisSolution]] = []
    total = _shapes(kind, limits)
    for index, shape in enumerate(_ranges(limits, kind)):
        if not index % 4096:
            tick(index, total)
        if kind.is_transposed and limits.framework is not Framework.JAX:
            sides = iter([_transposed_sides(shape, size, want, limits)])
        else:
            sides = _window_sides(kind, shape, size, want, limits)
        for below, above in sides:
            if below is not None:
                lower.append((-_size_of(kind, size, below, limits.framework), below))
            if above is not None:
                upper.append((_size_of(kind, size, above, limits.framework), above))
    tick(total, total)
    lower.sort(key=lambda pair: pair[0])
    upper.sort(key=lambda pair: pair[0])
    return _first_accepted(kind, size, lower, limits.framework), _first_accepted(kind, size, upper, limits.framework)


def _size_of(kind: LayerKind, size: int, axis: AxisSolution, framework: Framework) -> int:
    """Return an axis solution's output size by the size formulas alone."""
    k, s, d, p = axis.kernel, axis.stride, axis.dilation, axis.before
    if kind.is_transposed and framework is Framework.JAX:
        return _lax_transposed_output((k, s, d), size, p)
    if kind.is_transposed:
        return formulas.convtranspose_output_size(size, k, s, p, p, d, axis.output_padding)
    onnx = kind.is_pool and framework is Framework.ONNX
    return _pool_output((k, s, d), size, p, ceil_mode=axis.ceil_mode, onnx=onnx)
