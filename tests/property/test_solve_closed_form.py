"""solve's closed forms against trying every padding: the same answers and the same nearest sizes.

The brute force here is the search solve once ran: every kernel, stride, dilation, padding,
output_padding and rounding within the limits, each through the core.
"""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from convcalc.core import formulas
from convcalc.core.spec import Framework, LayerKind
from convcalc.design.solve import AxisSolution, Limits, _output, _words, nearest_reachable, solve_axis
from tests.property.strategies import SETTINGS

pytestmark = pytest.mark.slow  # every padding tried for drawn layers


def _shapes(kind: LayerKind, limits: Limits) -> list[tuple[int, int, int]]:
    dilations = (1, 1) if kind is LayerKind.AVGPOOL and limits.framework is not Framework.ONNX else limits.dilation
    spans = (limits.kernel, limits.stride, dilations)
    return [(k, s, d) for k, s, d in product(*(range(low, high + 1) for low, high in spans))]


def _every_layer(kind: LayerKind, limits: Limits, *, symmetric: bool) -> list[AxisSolution]:
    """Every layer solve may answer; with `symmetric`, what nearest sizes come from: the same numbers both sides."""
    layers: list[AxisSolution] = []
    for k, s, d in _shapes(kind, limits):
        pads = range(limits.max_padding + 1)
        one_sided = kind is LayerKind.CONV and not (symmetric or limits.symmetric_only)  # a ZeroPad before a conv
        pairs = list(product(pads, pads)) if one_sided else [(p, p) for p in pads]
        extras = range(formulas.largest_output_padding(s, d) + 1) if kind is LayerKind.CONVTRANSPOSE else (0,)
        numbers = symmetric or not (
            limits.framework is Framework.KERAS
            or (limits.framework is Framework.JAX and kind is LayerKind.CONVTRANSPOSE)
        )
        roundings = (False, True) if kind.is_pool else (False,)
        chosen = product(pairs if numbers else [], extras, roundings)
        layers.extend(AxisSolution(k, s, d, before, after, a, ceil) for (before, after), a, ceil in chosen)
        if symmetric or limits.framework is Framework.TORCH:
            continue
        for word in _words(limits.framework):
            if kind is LayerKind.CONVTRANSPOSE:
                if limits.framework is Framework.KERAS:
                    layers.append(AxisSolution(k, s, d, 0, 0, word=word, auto=True))
                layers.extend(AxisSolution(k, s, d, 0, 0, a, word=word) for a in range(s))
            else:
                layers.append(AxisSolution(k, s, d, 0, 0, word=word))
    return layers


def _brute_answers(
    kind: LayerKind, size: int, target: int, limits: Limits
) -> set[tuple[int, int, int, int, int, int, bool, str]]:
    found = set()
    for layer in _every_layer(kind, limits, symmetric=False):
        shape = _output(kind, size, layer, limits.framework)
        if shape is None or shape.output[2] != target:
            continue
        if layer.before != layer.after and (layer.before > layer.after or layer.after - layer.before > 1):
            continue  # solve offers one split per total padding: the odd zero after
        (before, after), a = shape.padding[0], shape.output_padding[0]
        found.add((layer.kernel, layer.stride, layer.dilation, before, after, a, layer.ceil_mode, layer.word))
    return found


def _brute_nearest(kind: LayerKind, size: int, want: int, limits: Limits) -> tuple[int | None, int | None]:
    reached = set()
    for layer in _every_layer(kind, limits, symmetric=True):
        shape = _output(kind, size, layer, limits.framework)
        if shape is not None:
            reached.add(shape.output[2])
    below, above = [o for o in reached if o < want], [o for o in reached if o > want]
    return (max(below) if below else None), (min(above) if above else None)


SOLVED = [LayerKind.CONV, LayerKind.CONVTRANSPOSE, LayerKind.MAXPOOL, LayerKind.AVGPOOL]

limits_drawn = st.builds(
    Limits,
    kernel=st.tuples(st.integers(1, 3), st.integers(3, 6)),
    stride=st.tuples(st.integers(1, 2), st.integers(2, 4)),
    dilation=st.tuples(st.just(1), st.integers(1, 3)),
    max_padding=st.integers(0, 4),
    symmetric_only=st.booleans(),
    framework=st.sampled_from(list(Framework)),
)


@SETTINGS
@given(kind=st.sampled_from(SOLVED), size=st.integers(1, 24), target=st.integers(1, 40), limits=limits_drawn)
def test_answers_match_trying_every_padding(kind: LayerKind, size: int, target: int, limits: Limits) -> None:
    """solve_axis finds exactly the layers that trying every padding through the core finds."""
    solved = {
        (a.kernel, a.stride, a.dilation, a.before, a.after, a.output_padding, a.ceil_mode, a.word)
        for a in solve_axis(kind, size, target, limits)
    }
    assert solved == _brute_answers(kind, size, target, limits)


@SETTINGS
@given(kind=st.sampled_from(SOLVED), size=st.integers(1, 24), want=st.integers(1, 40), limits=limits_drawn)
@example(  # JAX makes an empty array where the formula goes below zero: 0 is reachable
    kind=LayerKind.CONVTRANSPOSE,
    size=1,
    want=1,
    limits=Limits(kernel=(3, 3), stride=(1, 2), dilation=(1, 1), max_padding=0, framework=Framework.JAX),
)
def test_nearest_matches_trying_every_padding(kind: LayerKind, size: int, want: int, limits: Limits) -> None:
    """The nearest reachable sizes below and above are those trying every symmetric padding reaches."""
    assert nearest_reachable(kind, size, want, limits) == _brute_nearest(kind, size, want, limits)
