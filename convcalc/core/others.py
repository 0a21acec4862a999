"""Pure shape arithmetic of the layers around convolutions: merges, crops and pads, shape-only layers.

As in windows.py, a layer torch.nn would refuse raises LayerError with the axis, the
reason and what would fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import floor, prod
from typing import TypeVar

from convcalc.core.errors import LayerError, Problem, axes_label
from convcalc.core.rearrange import rearranged_shape
from convcalc.core.spec import AxisValues, LayerKind, OtherSpec, PaddingPairs, axis_names
from convcalc.core.text import spatial_axes

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class OtherShape:
    """What a non-window layer does: its output shape, weights, and where it shifts each axis."""

    output: AxisValues
    weight_shape: AxisValues | None = None
    params: int = 0
    offsets: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


def _dims(shape: AxisValues) -> str:
    return "x".join(map(str, shape))


def _name_axes(shape: AxisValues) -> tuple[str, ...]:
    spatial = len(shape) - 2
    return ("N", "C", *axis_names(spatial)) if 1 <= spatial <= 3 else tuple(f"dim {i}" for i in range(len(shape)))  # noqa: PLR2004


def _merge(layer: OtherSpec, shapes: list[AxisValues], sources: list[str]) -> AxisValues:
    """Concat needs equal shapes but along its dim, which it sums; the elementwise merges broadcast."""
    if layer.kind is LayerKind.ADD:
        return broadcast_shapes(shapes, sources)
    first = shapes[0]
    dim = layer.dim if layer.dim >= 0 else layer.dim + len(first)
    if not 0 <= dim < len(first):
        raise LayerError(f"dim {layer.dim} is out of range for {len(first)}-D tensors")
    for shape, source in zip(shapes[1:], sources[1:], strict=True):
        if len(shape) != len(first):
            msg = f"{sources[0]} gives {list(first)} but {source} gives {list(shape)}: the ranks differ"
            raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
        differ = [axis for axis, (a, b) in enumerate(zip(first, shape, strict=True)) if a != b and axis != dim]
        if differ:
            _refuse_to_meet(first, shape, (sources[0], source), differ)
    return (*first[:dim], sum(shape[dim] for shape in shapes), *first[dim + 1 :])


def broadcast_shapes(shapes: list[AxisValues], sources: list[str]) -> AxisValues:
    """Return the shape of an elementwise merge by torch's broadcasting rule.

    Shapes are aligned at their last axis (the shorter one has 1s in front); on each axis the
    sizes must be equal or one of them 1, and the output takes the other.
    """
    out = shapes[0]
    for shape, source in zip(shapes[1:], sources[1:], strict=True):
        rank = max(len(out), len(shape))
        ours, theirs = (1,) * (rank - len(out)) + out, (1,) * (rank - len(shape)) + shape
        differ = [axis for axis, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b and 1 not in (a, b)]
        if differ:
            _refuse_to_meet(ours, theirs, (sources[0], source), differ, shown=(out, shape))
        out = tuple(max(a, b) for a, b in zip(ours, theirs, strict=True))
    return out


def _refuse_to_meet(
    first: AxisValues,
    shape: AxisValues,
    names: tuple[str, str],
    differ: list[int],
    shown: tuple[AxisValues, AxisValues] | None = None,
) -> None:
    """Raise the refusal of two inputs that differ on some axes, naming both shapes (as given), the axes and a fix."""
    axes = [_name_axes(first)[axis] for axis in differ]
    ours, theirs = "x".join(str(first[a]) for a in differ), "x".join(str(shape[a]) for a in differ)
    label = f"{axes_label(axes)} {'is' if len(differ) == 1 else 'are'}"
    given = shown or (first, shape)
    msg = f"{names[0]} gives {list(given[0])} but {names[1]} gives {list(given[1])}: {label} {ours} vs {theirs}"
    gaps = {abs(first[a] - shape[a]) for a in differ}
    amount = str(gaps.pop()) if len(gaps) == 1 else "x".join(str(abs(first[a] - shape[a])) for a in differ)
    bigger, smaller = names if first[differ[0]] > shape[differ[0]] else names[::-1]
    hint = f"crop {amount} from {bigger} or pad {smaller} by {amount} (a crop or pad layer with to:)"
    raise LayerError(msg, hint=hint, problem=Problem.INPUTS_DIFFER)


def _resize(layer: OtherSpec, shape: AxisValues, target: AxisValues) -> tuple[AxisValues, tuple[int, ...]]:
    """Crop or pad the spatial axes to the target layer's; return the output and each axis's shift."""
    if len(target) != len(shape):
        raise LayerError(f"{layer.to} gives {list(target)}, a different rank from {list(shape)}")
    offsets = []
    wrong = []
    for axis in range(2, len(shape)):
        have, want = shape[axis], target[axis]
        extra = have - want if layer.kind is LayerKind.CROP else want - have
        wrong += [axis] if extra < 0 else []
        before = max(extra, 0) // 2 if layer.align == "center" else 0  # centre: the odd cell goes after
        offsets.append(before if layer.kind is LayerKind.CROP else -before)
    if wrong:
        verb, other = ("crop", "pad") if layer.kind is LayerKind.CROP else ("pad", "crop")
        have_text, want_text = ("x".join(str(v[a]) for a in wrong) for v in (shape, target))
        names = [_name_axes(shape)[a] for a in wrong]
        msg = f"cannot {verb} {have_text} to {want_text}"
        hint = f"{other} instead, or take `to` from a smaller layer" if verb == "crop" else f"{other} instead"
        raise LayerError(msg, axis=names, hint=hint, problem=Problem.CROP)
    return (*shape[:2], *target[2:]), tuple(offsets)


def _pad_by(layer: OtherSpec, shape: AxisValues, amounts: PaddingPairs) -> tuple[AxisValues, tuple[int, ...]]:
    """Pad (or crop, where negative) each spatial axis by explicit amounts; return the output and the shifts."""
    spatial = shape[2:]
    if len(amounts) != len(spatial):
        raise LayerError(f"{layer.type_name} has {spatial_axes(len(amounts))} but {len(spatial)} come in")
    out = tuple(size + before + after for size, (before, after) in zip(spatial, amounts, strict=True))
    wrong = [axis for axis, size in enumerate(out) if size < 1]
    if wrong:
        names = [_name_axes(shape)[axis + 2] for axis in wrong]
        have = "x".join(str(spatial[axis]) for axis in wrong)
        cut = "x".join(str(-sum(amounts[axis])) for axis in wrong)
        raise LayerError(f"cannot crop {cut} from {have}", axis=names, hint="crop less", problem=Problem.CROP)
    return (*shape[:2], *out), tuple(-before for before, _ in amounts)


def _per_axis(values: tuple[_T, ...], layer: OtherSpec, key: str, rank: int) -> tuple[_T, ...]:
    """Return one value per spatial axis: as given, or one value for every axis."""
    if len(values) == rank:
        return values
    if len(values) == 1:
        return values * rank
    msg = f"{layer.type_name} has {len(values)} {key} values but {spatial_axes(rank)} come in"
    raise LayerError(msg, hint=f"give one value, or {rank}")


def _upsample(layer: OtherSpec, shape: AxisValues, target: AxisValues | None) -> AxisValues:
    """Resize the spatial axes: to another layer's size (`to`), to a size, or by factors rounded down."""
    spatial = shape[2:]
    if layer.to is not None and target is not None:
        if len(target) != len(shape):
            msg = f"{layer.to} gives {list(target)}, a different rank from {list(shape)}"
            raise LayerError(msg, problem=Problem.RANK)
        return (*shape[:2], *target[2:])
    if layer.size is not None:
        sizes = _per_axis(layer.size, layer, "size", len(spatial))
        return (*shape[:2], *(int(s or i) for s, i in zip(sizes, spatial, strict=True)))
    factors = _per_axis(layer.scale_factor or (1.0,), layer, "scale_factor", len(spatial))
    # as torch.nn.functional.interpolate: floor(float(size) * scale), in doubles
    out = tuple(_scaled(i, f) for i, f in zip(spatial, factors, strict=True))
    if any(o < 1 for o in out):
        msg = f"output size {list(out)} has an axis below 1"
        raise LayerError(msg, hint="use a larger scale_factor", problem=Problem.OUTPUT_BELOW_ONE)
    return (*shape[:2], *out)


DOUBLE_MAX = 2**1023
"""Sizes at or past this cannot be held as doubles, in which torch computes an interpolation's size."""


def _scaled(size: int, factor: float) -> int:
    """Return floor(float(size) * factor) as torch computes it, or say that doubles cannot hold it."""
    product = float(size) * float(factor) if size < DOUBLE_MAX else float("inf")
    if product == float("inf"):
        msg = f"{size} × {factor} is past the largest double, in which torch computes an interpolation's size"
        raise LayerError(msg, hint="use smaller sizes or factors", problem=Problem.OUTPUT_TOO_LARGE)
    return floor(product)


def _adaptive(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    spatial = shape[2:]
    wanted = _per_axis(layer.size or (1,), layer, "output_size", len(spatial))
    return (*shape[:2], *(i if w is None else w for w, i in zip(wanted, spatial, strict=True)))


def _flatten(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    rank = len(shape)
    start = layer.start_dim + rank if layer.start_dim < 0 else layer.start_dim
    end = layer.end_dim + rank if layer.end_dim < 0 else layer.end_dim
    if not 0 <= start < rank or not 0 <= end < rank:
        msg = f"start_dim {layer.start_dim} and end_dim {layer.end_dim} must lie in a {rank}-D shape"
        raise LayerError(msg)
    if start > end:
        raise LayerError(f"start_dim {layer.start_dim} comes after end_dim {layer.end_dim}")
    return (*shape[:start], prod(shape[start : end + 1]), *shape[end + 1 :])


def features_axis(layer: OtherSpec, rank: int) -> int:
    """Return the axis a linear layer maps: the last (torch), or the channels (Keras' Dense, channels-last)."""
    axis = layer.integer("features_dim", -1)
    return axis % rank if rank else 0


def _linear(layer: OtherSpec, shape: AxisValues) -> OtherShape:
    axis = features_axis(layer, len(shape))
    features = shape[axis]
    wanted = layer.in_features
    if wanted is not None and wanted != features:
        rows = prod(shape) // features
        msg = f"mat1 and mat2 shapes cannot be multiplied ({rows}x{features} and {wanted}x{layer.out_features})"
        where = "last axis" if axis == len(shape) - 1 else "channels"
        hint = f"in_features must be {features}, the size of the {where} coming in"
        raise LayerError(msg, hint=hint, problem=Problem.CHANNELS, channels=features)
    out = layer.out_features or 0
    stated = wanted is not None or layer.argument("features_dim") is not None  # Keras' Dense never states it
    notes = () if stated else (f"in_features is {features} (filled in from the input)",)
    weight = (out, features)
    output = (*shape[:axis], out, *shape[axis + 1 :])
    return OtherShape(
        output=output, weight_shape=weight, params=out * features + (out if layer.bias else 0), notes=notes
    )


def _shape_kept(layer: OtherSpec, shape: AxisValues) -> OtherShape:
    if layer.needs_rank is not None and len(shape) not in layer.needs_rank:
        wanted = " or ".join(f"{r}-D" for r in layer.needs_rank)
        msg = f"{layer.type_name} expects {wanted} input, got {len(shape)}-D {list(shape)}"
        raise LayerError(msg, problem=Problem.RANK)
    channels = channels_of(shape)
    if layer.num_features is not None and layer.num_features != channels:
        msg = f"num_features is {layer.num_features} but {channels} channels come in"
        raise LayerError(msg, hint=f"set num_features to {channels}", problem=Problem.CHANNELS, channels=channels)
    groups = layer.argument("groups")
    if isinstance(groups, int) and channels % groups:
        msg = f"{channels} channels do not split into {groups} groups"
        raise LayerError(msg, hint=f"use groups that divide {channels}", problem=Problem.CHANNELS, channels=channels)
    params = layer.params_per_channel * channels + layer.fixed_params + frozen_params(layer, channels)
    normalized = layer.argument("normalized_shape")
    if isinstance(normalized, tuple):
        params += _layer_norm_params(layer, shape, normalized)
    axes = normalized_axes(layer, len(shape))
    if axes is not None and normalized is None:  # ONNX's and Keras' LayerNormalization: a scale and a bias per element
        params += 2 * prod(shape[axis] for axis in axes)
    weights = layer.argument("shape")
    if isinstance(weights, tuple):  # a learnable scale: it must broadcast into the input without growing it
        sizes = tuple(size or 1 for size in weights)
        aligned = shape[len(shape) - len(sizes) :] if len(sizes) <= len(shape) else None
        if aligned is None or any(s not in (1, own) for s, own in zip(sizes, aligned, strict=True)):
            msg = f"a scale of shape {list(sizes)} does not broadcast into {list(shape)} without growing it"
            hint = f"use the last axes' sizes or 1, such as {[shape[1], *([1] * (len(shape) - 2))]}"
            raise LayerError(msg, hint=hint, problem=Problem.CHANNELS)
        params += prod(sizes)
    return OtherShape(output=shape, params=params)


def channels_of(shape: AxisValues) -> int:
    """Return the channels of a tensor as per-channel layers count them: axis 1, the only axis, or 1 for a scalar."""
    return shape[1] if len(shape) > 1 else shape[0] if shape else 1


def frozen_params(layer: OtherSpec, channels: int) -> int:
    """Return the parameters of a layer that are never trained (Keras' non-trainable weights), part of its count."""
    return layer.frozen_per_channel * channels + layer.fixed_frozen


def normalized_axes(layer: OtherSpec, rank: int) -> tuple[int, ...] | None:
    """Return the axes a LayerNorm normalizes over: the last ones of normalized_shape, from ONNX's axis, or Keras'."""
    normalized = layer.argument("normalized_shape")
    if isinstance(normalized, tuple):
        return tuple(range(rank - len(normalized), rank))
    if layer.operation == "layernorm_from":
        axis = layer.integer("axis", -1)
        start = axis + rank if axis < 0 else axis
        if not 0 <= start < rank:
            raise LayerError(f"axis {axis} is out of range for {rank}-D tensors", problem=Problem.RANK)
        return tuple(range(start, rank))
    if layer.operation == "layernorm_axes":
        given = layer.argument("norm_axes", ())
        axes = tuple(int(a) for a in given) if isinstance(given, tuple) else ()
        if any(not 0 <= a < rank for a in axes):
            raise LayerError(f"axis {list(axes)} is out of range for {rank}-D tensors", problem=Problem.RANK)
        return axes
    return None


def _layer_norm_params(layer: OtherSpec, shape: AxisValues, normalized: tuple[int | None, ...]) -> int:
    """Check LayerNorm's normalized_shape against the last axes coming in; return its weight and bias count."""
    if len(normalized) > len(shape) or tuple(shape[len(shape) - len(normalized) :]) != normalized:
        msg = f"normalized_shape {list(normalized)} is not the last axes of {list(shape)}"
        hint = f"use normalized_shape {list(shape[-len(normalized) :])}"
        raise LayerError(msg, hint=hint, problem=Problem.CHANNELS)
    if layer.argument("elementwise_affine", default=True) is False:
        return 0
    with_bias = layer.bias and layer.operation != "rmsnorm"  # RMSNorm scales only
    return prod(n or 1 for n in normalized) * (2 if with_bias else 1)


def _pixel_shuffle(layer: OtherSpec, shape: AxisValues) -> AxisValues:
    """Move r*r channels into an r times larger H and W (PixelShuffle), or back (PixelUnshuffle)."""
    if len(shape) != 4:  # noqa: PLR2004 - N, C, H, W
        msg = f"{layer.type_name} takes [N, C, H, W], got {list(shape)}"
        raise LayerError(msg, problem=Problem.RANK)
    n, c, h, w = shape
    if layer.kind is LayerKind.PIXELSHUFFLE:
        r = layer.integer("upscale_factor", 1)
        if c % (r * r):
            msg = f"{c} channels are not divisible by upscale_factor² = {r * r}"
            raise LayerError(msg, problem=Problem.CHANNELS, channels=c)
        return (n, c // (r * r), h * r, w * r)
    r = layer.integer("downscale_factor", 1)
    if layer.operation == "spacetodepth":  # ONNX's shape inference divides and rounds down
        wrong = [name for name, size in (("H", h), ("W", w)) if size < r]
    else:
        wrong = [name for name, size in (("H", h), ("W", w)) if size % r]
    if wrong:
        how = (
            "is smaller than blocksize" if layer.operation == "spacetodepth" else "is not divisible by downscale_factor"
        )
        msg = f"{'x'.join(str(s) for s in (h, w))} {how} {r}"
        raise LayerError(msg, axis=wrong, problem=Problem.OUTPUT_BELOW_ONE)
    return (n, c * r * r, h // r, w // r)


def _slice(layer: OtherSpec, shape: AxisValues) -> OtherShape:
    """Keep a piece of one axis: narrow's [start, start + length), or chunk's piece `index`; shift it."""
    dim = layer.dim if layer.dim >= 0 else layer.dim + len(shape)
    if not 0 <= dim < len(shape):
        raise LayerError(f"dim {layer.dim} is out of range for {len(shape)}-D tensors", problem=Problem.RANK)
    size = shape[dim]
    chunks = layer.argument("chunks")
    if isinstance(chunks, int):
        piece = -(-size // chunks)  # torch.chunk: pieces of ceil(n / chunks), the last one shorter
        count = -(-size // piece) if piece else chunks  # an empty axis (JAX allows size 0): `chunks` empty pieces
        index = layer.integer("index", 0)
        if not -count <= index < count:
            msg = f"chunk {index} of {count} ({size} split into pieces of {piece})"
            raise LayerError(msg + " is out of range", hint=f"use an index below {count}", problem=Problem.RANK)
        start = (index % count) * piece
        length = min(piece, size - start)
    else:
        start = layer.integer("start", 0)
        length = layer.integer("length", size)
        start = start + size if start < 0 else start
        if not 0 <= start <= size or start + length > size:
            msg = f"narrow of {length} from {start} runs past the end of an axis of {size}"
            raise LayerError(msg, hint=f"use start + length <= {size}", problem=Problem.CROP)
    output = (*shape[:dim], length, *shape[dim + 1 :])
    offsets = tuple(start if axis == dim else 0 for axis in range(2, len(shape)))
    return OtherShape(output=output, offsets=offsets)


def _reduce(layer: OtherSpec, shape: AxisValues) -> OtherShape:
    """Reduce over the axes of `dim`: they go, or stay at size 1 with keepdim."""
    given = layer.argument("dim", ())
    dims = given if isinstance(given, tuple) else (given,)
    axes = set()
    for dim in dims:
        axis = int(dim) + len(shape) if int(dim) < 0 else int(dim)
        if not 0 <= axis < len(shape) or axis in axes:
            msg = f"dim {dim} is {'repeated' if axis in axes else 'out of range'} for {len(shape)}-D tensors"
            raise LayerError(msg, problem=Problem.RANK)
        axes.add(axis)
    if layer.argument("keepdim", default=False):
        return OtherShape(output=tuple(1 if axis in axes else size for axis, size in enumerate(shape)))
    return OtherShape(output=tuple(size for axis, size in enumerate(shape) if axis not in axes))


_ONE_INPUT: dict[LayerKind, Callable[[OtherSpec, AxisValues], OtherShape]] = {
    LayerKind.FLATTEN: lambda layer, shape: OtherShape(output=_flatten(layer, shape)),
    LayerKind.LINEAR: _linear,
    LayerKind.IDENTITY: _shape_kept,
    LayerKind.SLICE: _slice,
    LayerKind.REDUCE: _reduce,
    LayerKind.REARRANGE: lambda layer, shape: OtherShape(output=rearranged_shape(layer, shape)),
    LayerKind.PIXELSHUFFLE: lambda layer, shape: OtherShape(output=_pixel_shuffle(layer, shape)),
    LayerKind.PIXELUNSHUFFLE: lambda layer, shape: OtherShape(output=_pixel_shuffle(layer, shape)),
}
"""The layers whose shape follows from their one input alone, at any rank."""


def other_shape(
    layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
) -> OtherShape:
    """Compute a non-window layer's output from its inputs' shapes (and the `to` layer's, for crop and pad)."""
    kind = layer.kind
    shape = shapes[0]
    if kind.is_merge:
        return OtherShape(output=_merge(layer, shapes, sources))
    if kind in (LayerKind.CROP, LayerKind.PAD) and layer.amounts is not None:
        output, offsets = _pad_by(layer, shape, layer.amounts)
        return OtherShape(output=output, offsets=offsets)
    if kind in (LayerKind.CROP, LayerKind.PAD):
        output, offsets = _resize(layer, shape, target or shape)
        return OtherShape(output=output, offsets=offsets)
    if kind in _ONE_INPUT:
        return _ONE_INPUT[kind](layer, shape)
    if len(shape) < 3:  # noqa: PLR2004 - N, C and at least one spatial axis
        raise LayerError(f"{layer.type_name} expects [N, C, *spatial], got {list(shape)}", problem=Problem.RANK)
    if kind is LayerKind.UPSAMPLE:
        return OtherShape(output=_upsample(layer, shape, target))
    return OtherShape(output=_adaptive(layer, shape))
