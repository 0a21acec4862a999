"""The transformer kinds on any inputs: a shape, parameters and FLOPs, or a LayerError; never another exception.

Attention, MultiheadAttention, matmul, einsum, select, tokens, window attention and patch
merging get one to four inputs of 0 to 6 axes and drawn keys; every outcome is checked for
whole numbers, as the walk would use them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.core.errors import LayerError
from convcalc.core.kinds import other_rules, other_shape
from convcalc.core.spec import LayerKind, OtherSpec
from tests.property.strategies import SETTINGS

pytestmark = pytest.mark.slow

KINDS = {
    LayerKind.ATTENTION: ("scaled_dot_product_attention", ("enable_gqa", "is_causal")),
    LayerKind.MULTIHEADATTENTION: (
        "MultiheadAttention",
        ("embed_dim", "num_heads", "kdim", "vdim", "add_bias_kv", "add_zero_attn", "batch_first"),
    ),
    LayerKind.MATMUL: ("matmul", ()),
    LayerKind.EINSUM: ("einsum", ("equation",)),
    LayerKind.SELECT: ("select", ("index",)),
    LayerKind.TOKENS: ("tokens", ("count",)),
    LayerKind.WINDOWATTENTION: ("ShiftedWindowAttentionV2", ("dim", "window_size", "shift_size", "num_heads")),
    LayerKind.PATCHMERGING: ("PatchMerging", ("dim",)),
}
VALUES: dict[str, Any] = {
    "equation": st.sampled_from(["ij,jk->ik", "bhid,bhjd->bhij", "...ij->...ji", "ab", "a,a", "i,j->ij", "x"]),
    "window_size": st.tuples(st.integers(1, 9), st.integers(1, 9)),
    "shift_size": st.tuples(st.integers(0, 4), st.integers(0, 4)),
}


@st.composite
def cases(draw: st.DrawFn) -> tuple[OtherSpec, list[tuple[int, ...]]]:
    """Draw a kind, its keys and its inputs."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    name, keys = KINDS[kind]
    arguments = []
    for key in keys:
        if draw(st.booleans()):
            strategy = VALUES.get(key, st.one_of(st.booleans(), st.integers(-3, 12)))
            arguments.append((key, draw(strategy)))
    spec = OtherSpec(kind=kind, type_name=name, dim=draw(st.integers(-4, 4)), arguments=tuple(arguments))
    shapes = draw(st.lists(st.lists(st.integers(1, 9), max_size=6).map(tuple), min_size=1, max_size=4))
    return spec, shapes


@settings(SETTINGS, max_examples=3000)
@given(case=cases())
def test_a_shape_or_a_layer_error(case: tuple[OtherSpec, list[tuple[int, ...]]]) -> None:
    """Whatever comes in, the rules give whole numbers or refuse in a LayerError."""
    spec, shapes = case
    names = [f"in{i}" for i in range(len(shapes))]
    try:
        shape = other_shape(spec, shapes, names, None)
    except LayerError:
        return
    assert all(type(size) is int and size >= 0 for size in shape.output)
    assert shape.params >= 0
    flops = other_rules(spec.kind).flops(spec, shapes, shape.output, shape.weight_shape or ())
    assert type(flops) is int
    assert flops >= 0


def test_patch_merging_of_three_axes_is_refused() -> None:
    """Found by CI's fuzzing: [1, 1, 1] into PatchMerging was unpacked before its rank was checked."""
    spec = OtherSpec(kind=LayerKind.PATCHMERGING, type_name="patchmerging", arguments=(("dim", 1),))
    with pytest.raises(LayerError, match=r"takes \[N, H, W, C\], got 3-D \[1, 1, 1\]"):
        other_shape(spec, [(1, 1, 1)], ["input"], None)
