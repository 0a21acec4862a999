"""Attention: scaled dot-product attention of queries, keys and values, and torch.nn.MultiheadAttention around it.

FLOPs are FlopCounterMode's: its formula for torch's attention kernels (and what its math path
counts as two batched products), 2 * batch * L * S * (E + Ev) for queries [.., L, E], keys
[.., S, E] and values [.., S, Ev]; a causal mask does not lower the count. FlopCounterMode has
no formula for the CPU's fused kernel (it counts 0 there): convcalc counts what the others do.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import PositionWise, kept_period, positive
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AnyLayer, AxisValues, OtherSpec


def attention_flops(batch: int, queries: int, keys: int, key_width: int, value_width: int) -> int:
    """Return the FLOPs of attention: the scores q·kᵀ and their weighted sum of v, two FLOPs a multiply-add."""
    return 2 * batch * queries * keys * (key_width + value_width)


class _Attends(PositionWise, OtherRules):
    """Every output reads every key position: the field is the whole input from here on."""

    period = staticmethod(kept_period)

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Keep the queries' fields (the walk makes them global)."""
        del layer, shape
        return inputs[0].fields, []

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Say yes: each output weighs every key position."""
        del layer, node, output
        return True


def _three(shapes: list[AxisValues], names: tuple[str, str, str] = ("query", "key", "value")) -> None:
    """Refuse inputs other than query, key and value of two or more axes each."""
    if len(shapes) != len(names):
        msg = f"attention reads {', '.join(names[:-1])} and {names[-1]} (`from` with 3 layers), got {len(shapes)}"
        raise LayerError(msg, problem=Problem.RANK)
    for shape, name in zip(shapes, names, strict=True):
        if len(shape) < 2:  # noqa: PLR2004 - [.., length, features]
            raise LayerError(f"the {name} has {len(shape)} axes, not [.., length, features]", problem=Problem.RANK)


def _batch(query: AxisValues, key: AxisValues, value: AxisValues, *, grouped: bool) -> AxisValues:
    """Return the batch axes of attention's output: the query's, the keys' and values' broadcast into them."""
    if key[:-2] != value[:-2]:
        msg = f"the key's batch axes {list(key[:-2])} differ from the value's {list(value[:-2])}"
        raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
    ours, theirs = query[:-2], key[:-2]
    rank = max(len(ours), len(theirs))
    ours, theirs = (1,) * (rank - len(ours)) + ours, (1,) * (rank - len(theirs)) + theirs
    out = []
    for axis, (q, k) in enumerate(zip(ours, theirs, strict=True)):
        heads = grouped and axis == rank - 1 and k and q % k == 0
        if q != k and 1 not in (q, k) and not heads:
            msg = f"the query's batch axes {list(query[:-2])} and the key's {list(key[:-2])} do not broadcast"
            hint = "with enable_gqa, the query's heads must be a multiple of the key's" if grouped else None
            raise LayerError(msg, hint=hint, problem=Problem.INPUTS_DIFFER)
        out.append(max(q, k))
    return tuple(out)


class Attention(_Attends):
    """F.scaled_dot_product_attention(q, k, v): softmax(q·kᵀ·scale)·v over the last two axes."""

    kinds = (LayerKind.ATTENTION,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give [.., L, Ev] for queries [.., L, E], keys [.., S, E] and values [.., S, Ev]."""
        del sources, target
        _three(shapes)
        query, key, value = shapes
        if query[-1] != key[-1]:
            msg = f"the query's features {query[-1]} differ from the key's {key[-1]}"
            raise LayerError(msg, hint="queries and keys need the same last axis", problem=Problem.CHANNELS)
        if key[-2] != value[-2]:
            msg = f"{key[-2]} keys but {value[-2]} values"
            raise LayerError(msg, hint="keys and values need the same length", problem=Problem.INPUTS_DIFFER)
        batch = _batch(query, key, value, grouped=layer.argument("enable_gqa") is True)
        return OtherShape(output=(*batch, query[-2], value[-1]), params=layer.integer("params", 0))

    def held(self, spec: OtherSpec) -> tuple[int, int]:
        """Return the buffers its mask is made from (values, int64 indices)."""
        return spec.integer("buffers", 0), spec.integer("indices", 0)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count the scores and the weighted sum (FlopCounterMode's formula)."""
        del spec, weight
        query, key, value = shapes
        return attention_flops(prod(output[:-2]), query[-2], key[-2], query[-1], value[-1])

    def type_word(self, spec: AnyLayer) -> str:
        """Say the function."""
        del spec
        return "scaled_dot_product_attention"

    def type_cell(self, spec: AnyLayer) -> str:
        """Say it short."""
        del spec
        return "attention"

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say causal, when it is."""
        del shape
        return "causal" if spec.argument("is_causal") is True else "-"


def _projected(layer: OtherSpec, key: str, embed: int) -> int:
    """Return kdim or vdim: given, or the embedding's size."""
    return positive(layer, key, embed)


class MultiheadAttention(NamedAsWritten, _Attends):
    """torch.nn.MultiheadAttention: queries, keys and values projected, attended per head, projected out."""

    kinds = (LayerKind.MULTIHEADATTENTION,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give the query's shape; the key and value (the query itself, when one input) must agree with it."""
        del sources, target
        if len(shapes) > 3:  # noqa: PLR2004 - query, key, value
            raise LayerError(f"MultiheadAttention reads 1 to 3 inputs, got {len(shapes)}", problem=Problem.RANK)
        query = shapes[0]
        key = shapes[1] if len(shapes) > 1 else query
        value = shapes[2] if len(shapes) > 2 else key  # noqa: PLR2004 - the third input
        embed, heads = positive(layer, "embed_dim", 1), positive(layer, "num_heads", 1)
        kdim, vdim = _projected(layer, "kdim", embed), _projected(layer, "vdim", embed)
        if embed % heads:
            msg = f"embed_dim {embed} does not split into {heads} heads"
            raise LayerError(msg, hint=f"use an embed_dim divisible by {heads}", problem=Problem.CHANNELS)
        for shape, name, width in ((query, "query", embed), (key, "key", kdim), (value, "value", vdim)):
            if len(shape) not in (2, 3):
                msg = f"the {name} is {len(shape)}-D {list(shape)}: MultiheadAttention takes 2-D or 3-D"
                raise LayerError(msg, problem=Problem.RANK)
            if shape[-1] != width:
                what = "embed_dim" if name == "query" else ("kdim" if name == "key" else "vdim")
                msg = f"the {name} has {shape[-1]} features but {what} is {width}"
                raise LayerError(msg, hint=f"set {what} to {shape[-1]}", problem=Problem.CHANNELS, channels=shape[-1])
        if not len(query) == len(key) == len(value) or key[:-1] != value[:-1]:
            msg = f"the key {list(key)} and value {list(value)} do not match the query {list(query)}"
            raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
        batched = len(query) == 3  # noqa: PLR2004 - [N, L, E] or [L, N, E]
        batch_axis = (0 if layer.argument("batch_first") is True else 1) if batched else None
        if batch_axis is not None and query[batch_axis] != key[batch_axis]:
            msg = f"the query's batch {query[batch_axis]} differs from the key's {key[batch_axis]}"
            raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
        projections = embed * (embed + kdim + vdim) + embed * embed  # in (q, k, v) and out
        biases = 4 * embed if layer.bias else 0
        extra = 2 * embed if layer.argument("add_bias_kv") is True else 0
        weight = (3 * embed, embed) if kdim == vdim == embed else (embed, embed + kdim + vdim)
        return OtherShape(output=query, weight_shape=weight, params=projections + biases + extra)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count the four projections and the attention between them (FlopCounterMode's counts)."""
        del weight
        query = shapes[0]
        key = shapes[1] if len(shapes) > 1 else query
        embed = query[-1]
        kdim, vdim = key[-1], (shapes[2] if len(shapes) > 2 else key)[-1]  # noqa: PLR2004 - the third input
        batched = len(query) == 3  # noqa: PLR2004 - [N, L, E] or [L, N, E]
        length_axis = (1 if spec.argument("batch_first") is True else 0) if batched else 0
        batch = prod(query) // (query[length_axis] * embed)
        queries, keys = query[length_axis], key[length_axis]
        keys += (spec.argument("add_bias_kv") is True) + (spec.argument("add_zero_attn") is True)
        projections = 2 * batch * embed * (queries * embed + key[length_axis] * (kdim + vdim) + queries * embed)
        del output
        return projections + attention_flops(batch, queries, keys, embed, embed)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the heads."""
        del shape
        return f"{spec.integer('num_heads', 1)} heads"

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the embedding size and the heads."""
        return {"embed_dim": spec.argument("embed_dim"), "num_heads": spec.argument("num_heads")}


@cache
def file_types() -> FileTypes:
    """Return attention's names: torch's function and torch.nn.MultiheadAttention."""
    return FileTypes(
        torch={
            "scaleddotproductattention": OtherType(  # F.scaled_dot_product_attention(q, k, v): from: [q, k, v]
                LayerKind.ATTENTION,
                {
                    "is_causal": "bool",
                    "enable_gqa": "bool",
                    "dropout_p": IGNORED,
                    "scale": IGNORED,
                    "attn_mask": IGNORED,
                    "params": "natural",  # a mask made from learned tables (BEiT's relative position bias)
                    "buffers": "natural",
                    "indices": "natural",
                },
                min_inputs=3,
                stored=("is_causal", "enable_gqa", "params", "buffers", "indices"),
            ),
            "multiheadattention": OtherType(  # from: the query (self-attention), or [query, key, value]
                LayerKind.MULTIHEADATTENTION,
                {
                    "embed_dim": "count",
                    "num_heads": "count",
                    "bias": "bool",
                    "add_bias_kv": "bool",
                    "add_zero_attn": "bool",
                    "kdim": "count",
                    "vdim": "count",
                    "batch_first": "bool",
                    "dropout": IGNORED,
                },
                required=("embed_dim", "num_heads"),
                stored=("embed_dim", "num_heads", "add_bias_kv", "add_zero_attn", "kdim", "vdim", "batch_first"),
            ),
        },
        spellings=("MultiheadAttention", "scaled_dot_product_attention"),
    )
