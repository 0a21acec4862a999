"""Inverse questions, pure: which layer parameters map an input size to an output size.

Candidates come from the size formulas solved for the padding (or output_padding); every
one is then run through the same arithmetic as the layer commands, so a solution is
exactly a layer torch.nn accepts and that gives the size asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import product
from math import prod

from convcalc.core import formulas
from convcalc.core.errors import InputError, LayerError
from convcalc.core.spec import SPELLING, Framework, LayerKind, LayerSpec, PaddingMode
from convcalc.core.windows import LayerShape, layer_shape

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


SEARCH_WORK = 50_000
"""Most layers one search may try: kernels × strides × dilations × paddings (a few seconds)."""


def search_size(kind: LayerKind, limits: Limits) -> int:
    """Return how many layers the limits span: kernels × strides × dilations × paddings.

    A transposed layer tries each output_padding below the stride or dilation too, a pool
    both roundings.
    """
    dilations = (1, 1) if kind is LayerKind.AVGPOOL else limits.dilation
    spans = [limits.kernel, limits.stride, dilations]
    layers = prod(high - low + 1 for low, high in spans) * (limits.max_padding + 1)
    if kind is LayerKind.CONVTRANSPOSE:
        return layers * max(limits.stride[1], dilations[1])
    return layers * 2 if kind.is_pool else layers


def _ranges(limits: Limits, kind: LayerKind) -> Iterator[tuple[int, int, int]]:
    dilations = (1, 1) if kind is LayerKind.AVGPOOL else limits.dilation
    yield from product(
        range(limits.kernel[0], limits.kernel[1] + 1),
        range(limits.stride[0], limits.stride[1] + 1),
        range(dilations[0], dilations[1] + 1),
    )


def _word_candidates(kind: LayerKind, limits: Limits) -> Iterator[AxisSolution]:
    """Yield the layers whose padding is a word of the framework: the core tells their sizes."""
    framework = limits.framework
    spelled = SPELLING.get(framework, {})
    words = [mode.value for mode in (PaddingMode.VALID, PaddingMode.SAME, PaddingMode.SAME_LOWER) if mode in spelled]
    for k, s, d in _ranges(limits, kind):
        for word in words:
            if kind is not LayerKind.CONVTRANSPOSE:
                yield AxisSolution(k, s, d, 0, 0, word=word)
                continue
            if framework is Framework.KERAS:
                yield AxisSolution(k, s, d, 0, 0, word=word, auto=True)
            extras = range(s) if framework is not Framework.JAX else range(1)
            yield from (AxisSolution(k, s, d, 0, 0, output_padding=a, word=word) for a in extras)


def _candidates(kind: LayerKind, size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:
    """Yield the parameter sets the size formulas allow (not yet checked against every rule)."""
    framework = limits.framework
    if framework is not Framework.TORCH:
        yield from _word_candidates(kind, limits)
        if framework is Framework.KERAS or (framework is Framework.JAX and kind is LayerKind.CONVTRANSPOSE):
            return  # Keras takes no numbers; lax.conv_transpose's pairs pad the stretched input
    for k, s, d in _ranges(limits, kind):
        if kind is LayerKind.CONVTRANSPOSE:
            yield from _transposed_pads(k, s, d, size, target, limits)
        elif kind.is_pool:
            yield from _pool_pads(k, s, d, limits)
        else:
            yield from _conv_pads(k, s, d, size, target, limits)


def _transposed_pads(k: int, s: int, d: int, size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:  # noqa: PLR0913
    for p in range(limits.max_padding + 1):
        a = formulas.output_padding_for(size, k, s, p, p, d, target)
        if a >= 0:
            yield AxisSolution(k, s, d, p, p, output_padding=a)


def _pool_pads(k: int, s: int, d: int, limits: Limits) -> Iterator[AxisSolution]:
    bound = formulas.pool_padding_limit(k) if limits.framework is Framework.TORCH else limits.max_padding
    for p in range(min(limits.max_padding, bound) + 1):
        yield AxisSolution(k, s, d, p, p)
        if limits.framework in (Framework.TORCH, Framework.ONNX):
            yield AxisSolution(k, s, d, p, p, ceil_mode=True)


def _conv_pads(k: int, s: int, d: int, size: int, target: int, limits: Limits) -> Iterator[AxisSolution]:  # noqa: PLR0913
    lowest = formulas.conv_padding_for(size, k, s, d, target)  # every total from lowest to lowest + s - 1 gives it
    for total in range(max(lowest, 0), lowest + s):
        half = total // 2
        if total % 2 == 0 and half <= limits.max_padding:
            yield AxisSolution(k, s, d, half, half)
        elif total % 2 and not limits.symmetric_only and total - half <= limits.max_padding:
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


def solve_axis(kind: LayerKind, size: int, target: int, limits: Limits) -> list[AxisSolution]:
    """Return every parameter set within limits that maps size to target on one axis, best first."""
    found: dict[AxisSolution, None] = {}
    for candidate in _candidates(kind, size, target, limits):
        shape = _output(kind, size, candidate, limits.framework)
        if shape is None or shape.output[2] != target:
            continue
        gaps = shape.gaps[0]
        (before, after), a = shape.padding[0], shape.output_padding[0]
        unused = gaps.total if gaps is not None else 0
        found[replace(candidate, before=before, after=after, output_padding=a, unused=unused)] = None
    return sorted(found, key=lambda s: s.penalty)


def reachable(kind: LayerKind, size: int, limits: Limits) -> list[int]:
    """Return every output size the limits can reach from `size` (symmetric padding), sorted."""
    sizes = set()
    for k, s, d in _ranges(limits, kind):
        for p in range(limits.max_padding + 1):
            for a in range(formulas.largest_output_padding(s, d) + 1) if kind is LayerKind.CONVTRANSPOSE else (0,):
                for ceil in (False, True) if kind.is_pool else (False,):
                    result = _output(kind, size, AxisSolution(k, s, d, p, p, a, ceil), limits.framework)
                    if result is not None:
                        sizes.add(result.output[2])
    return sorted(sizes)


def describe(kind: LayerKind, axes: tuple[AxisSolution, ...], names: tuple[str, ...]) -> str:
    """Say in one line what makes a solution ordinary or not."""
    notes = []
    for name, axis in zip(names, axes, strict=True):
        where = f" on {name}" if len(axes) > 1 and len(set(axes)) > 1 else ""
        if axis.unused:
            verb = "cropped away" if kind is LayerKind.CONVTRANSPOSE else "never read"
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


def solve(
    kind: LayerKind, sizes: tuple[int, ...], targets: tuple[int, ...], limits: Limits, names: tuple[str, ...]
) -> list[Solution]:
    """Return full solutions, best first: the same on every axis when the axes ask the same thing."""
    per_axis: dict[tuple[int, int], list[AxisSolution]] = {}
    for size, target in zip(sizes, targets, strict=True):
        if (size, target) not in per_axis:
            per_axis[size, target] = solve_axis(kind, size, target, limits)
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


def nearest_reachable(kind: LayerKind, size: int, want: int, limits: Limits) -> tuple[int | None, int | None]:
    """Return the reachable output sizes nearest to `want` from below and from above (None where there is none)."""
    outputs = reachable(kind, size, limits)
    below = [o for o in outputs if o < want]
    above = [o for o in outputs if o > want]
    return (below[-1] if below else None), (above[0] if above else None)
