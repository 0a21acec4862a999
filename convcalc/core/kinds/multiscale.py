"""MViT's blocks (torchvision's multiscale vision transformers, V1 and V2): pooling attention and token pooling.

Both read a sequence [N, 1 + T·H·W, C]: a class token, then the tokens of a T×H×W grid, which
`thw` gives (the sequence does not say it). Multiscale attention projects the tokens to
queries, keys and values (`output_dim` wide, `num_heads` heads), pools each of them over the
grid with a depthwise Conv3d (kernel_q/stride_q for the queries, kernel_kv/stride_kv for keys
and values, padding half the kernel) and a LayerNorm, attends, and projects: the output is
[N, 1 + T'·H'·W', output_dim] on the queries' pooled grid. V2's relative positions
(`rel_pos`: the rows of its height, width and time tables) add three products. A token pool
(torchvision's Pool around a MaxPool3d: the block's skip path) pools the grid alike and keeps
the class token. FLOPs are FlopCounterMode's: the projections, the pooling convolutions, the
two products per head and V2's relative-position products.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import PositionWise, positive
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

GRID = 3
"""The axes of the token grid: T, H, W."""
ATTENTION_KEYS = (
    "embed_dim",
    "output_dim",
    "num_heads",
    "thw",
    "kernel_q",
    "kernel_kv",
    "stride_q",
    "stride_kv",
    "rel_pos",
)
"""The keys a MultiscaleAttention keeps."""


def _triple(layer: OtherSpec, key: str, default: int) -> tuple[int, ...]:
    """Return a key of three sizes (one number: all three)."""
    value = layer.argument(key)
    values = tuple(value) if isinstance(value, tuple) else (value if isinstance(value, int) else default,)
    values = values * GRID if len(values) == 1 else values
    if len(values) != GRID or any(type(v) is not int or v < 0 for v in values):
        raise LayerError(f"{key} is {list(values)}: expected three sizes (T, H, W)", problem=Problem.REFUSED)
    return tuple(int(v) for v in values)


def _grid(layer: OtherSpec, shape: AxisValues) -> tuple[int, ...]:
    """Check a [N, 1 + T·H·W, C] input against `thw`; return the grid."""
    if len(shape) != 3:  # noqa: PLR2004 - [N, L, C]
        raise LayerError(f"{layer.type_name} takes [N, 1 + T·H·W, C], got {list(shape)}", problem=Problem.RANK)
    thw = _triple(layer, "thw", 1)
    if shape[1] != 1 + prod(thw):
        msg = f"thw {list(thw)} holds {prod(thw)} tokens and a class token, but {shape[1]} come in"
        raise LayerError(msg, hint=f"set thw to a grid of {shape[1] - 1} cells", problem=Problem.RANK)
    return thw


def _pooled(
    grid: Sequence[int], kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int]
) -> tuple[int, ...]:
    """Return a grid pooled by a window (floor, as a Conv3d or MaxPool3d without dilation)."""
    out = tuple((g + 2 * p - k) // s + 1 for g, k, s, p in zip(grid, kernel, stride, padding, strict=True))
    if min(out) < 1:
        raise LayerError(f"the grid {list(grid)} pooled by {list(kernel)} gives {list(out)}", problem=Problem.RANK)
    return out


class _Sequence(NamedAsWritten, PositionWise, OtherRules):
    """Fields are not followed through them (a token reads the grid around it, pooled); the labels stay."""

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Not followed."""
        del layer, shape
        return [None] * len(inputs[0].fields), []


class _Attention:
    """One MultiscaleAttention's sizes: the grids, the heads, which of its pools exist."""

    def __init__(self, layer: OtherSpec, shape: AxisValues) -> None:
        self.grid = _grid(layer, shape)  # [N, 1 + T·H·W, C] first
        self.batch, self.tokens, self.embed = shape
        embed = positive(layer, "embed_dim", 1)
        if self.embed != embed:
            msg = f"embed_dim is {embed} but {self.embed} features come in"
            raise LayerError(msg, hint=f"set embed_dim to {self.embed}", problem=Problem.CHANNELS, channels=self.embed)
        self.out = positive(layer, "output_dim", embed)
        self.heads = positive(layer, "num_heads", 1)
        if self.out % self.heads:
            raise LayerError(f"output_dim {self.out} does not split into {self.heads} heads", problem=Problem.CHANNELS)
        self.head = self.out // self.heads
        self.pools: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}  # q, k, v: kernel, grid after
        for name, which in (("q", "q"), ("k", "kv"), ("v", "kv")):
            kernel, stride = _triple(layer, f"kernel_{which}", 1), _triple(layer, f"stride_{which}", 1)
            if prod(kernel) > 1 or prod(stride) > 1:  # torchvision pools only then
                self.pools[name] = (kernel, _pooled(self.grid, kernel, stride, [k // 2 for k in kernel]))
        self.q_grid = self.pools["q"][1] if "q" in self.pools else self.grid
        self.kv_grid = self.pools["k"][1] if "k" in self.pools else self.grid
        rel_pos = layer.argument("rel_pos")
        self.rel_pos = tuple(rel_pos) if isinstance(rel_pos, tuple) else ()


class MultiscaleAttention(_Sequence):
    """torchvision's MultiscaleAttention: pooled queries, keys and values; the output on the queries' grid."""

    kinds = (LayerKind.MULTISCALEATTENTION,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give [N, 1 + T'·H'·W', output_dim]; count the projections, the pools and the relative positions."""
        del sources, target
        found = _Attention(layer, shapes[0])
        params = found.embed * 3 * found.out + 3 * found.out + found.out * found.out + found.out
        params += sum(found.head * prod(kernel) + 2 * found.head for kernel, _ in found.pools.values())
        params += sum(int(rows) for rows in found.rel_pos) * found.head
        output = (found.batch, 1 + prod(found.q_grid), found.out)
        return OtherShape(output=output, weight_shape=(3 * found.out, found.embed), params=params)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count the projections, the depthwise pools, both products per head and V2's relative positions."""
        del weight
        found = _Attention(spec, shapes[0])
        batch, queries = output[0], output[1]
        keys = 1 + prod(found.kv_grid)
        total = 2 * batch * found.tokens * found.embed * 3 * found.out + 2 * batch * queries * found.out * found.out
        groups = batch * found.heads * found.head  # each pool is a depthwise Conv3d over [N·heads, head, T, H, W]
        total += sum(2 * groups * prod(grid) * prod(kernel) for kernel, grid in found.pools.values())
        total += 2 * 2 * batch * found.heads * queries * keys * found.head
        if found.rel_pos:
            qt, qh, qw = found.q_grid
            kt, kh, kw = found.kv_grid
            cells = batch * found.heads * qt * qh * qw
            total += 2 * cells * found.head * (kh + kw + kt)
        return total

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the heads and the queries' and keys' strides."""
        del shape
        stride_q, stride_kv = spec.argument("stride_q"), spec.argument("stride_kv")
        strides = [
            f"{name} /{'x'.join(map(str, value))}"
            for name, value in (("q", stride_q), ("kv", stride_kv))
            if isinstance(value, tuple) and prod(value) > 1
        ]
        return ", ".join([f"{spec.argument('num_heads')} heads", *strides])

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the widths, the heads and the grid."""
        return {key: spec.argument(key) for key in ("embed_dim", "output_dim", "num_heads", "thw")}


class TokenPool(_Sequence):
    """torchvision's mvit Pool around a MaxPool3d (a block's skip path): the grid pooled, the class token kept."""

    kinds = (LayerKind.TOKENPOOL,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give [N, 1 + T'·H'·W', C]."""
        del sources, target
        grid = _grid(layer, shapes[0])
        batch, _, channels = shapes[0]
        kernel = _triple(layer, "kernel_size", 1)
        pooled = _pooled(grid, kernel, _triple(layer, "stride", 1), _triple(layer, "padding", 0))
        return OtherShape(output=(batch, 1 + prod(pooled), channels))

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the window."""
        del shape
        kernel, stride = spec.argument("kernel_size"), spec.argument("stride")
        return "/".join("x".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in (kernel, stride))


@cache
def file_types() -> FileTypes:
    """Return MViT's names: torchvision's MultiscaleAttention, and its Pool of tokens as `TokenPool`."""
    attention = OtherType(
        LayerKind.MULTISCALEATTENTION,
        {
            "embed_dim": "count",
            "output_dim": "count",
            "num_heads": "count",
            "thw": "sizes",
            "kernel_q": "sizes",
            "kernel_kv": "sizes",
            "stride_q": "sizes",
            "stride_kv": "sizes",
            "rel_pos": "sizes",
            "residual_pool": IGNORED,
            "residual_with_cls_embed": IGNORED,
            "dropout": IGNORED,
        },
        required=("embed_dim", "num_heads", "thw"),
        stored=ATTENTION_KEYS,
    )
    pool = OtherType(
        LayerKind.TOKENPOOL,
        {"thw": "sizes", "kernel_size": "sizes", "stride": "sizes", "padding": "ints"},
        required=("thw", "kernel_size"),
        stored=("thw", "kernel_size", "stride", "padding"),
    )
    return FileTypes(
        torch={"multiscaleattention": attention, "tokenpool": pool},
        spellings=("MultiscaleAttention", "TokenPool"),
    )
