"""Layers that keep the shape: activations, dropouts, norms, learnable scales (BatchNorm2d, ReLU, LayerNorm, ...).

`type_name` keeps the class written; what it counts comes from the vocabulary entry
(parameters and buffers per channel, a LayerNorm's normalized shape, a scale's shape).
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import (
    FieldsAndNotes,
    Flow,
    NamedAsWritten,
    OtherRules,
    OtherShape,
    mixes_positions,
)
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType, ignoring, kept
from convcalc.core.kinds.shared import PositionWise, arguments_cell, kept_period
from convcalc.core.spec import LayerKind, OtherSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues


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


def _scale_params(shape: AxisValues, weights: tuple[int | None, ...]) -> int:
    """Return the size of a learnable scale, which must broadcast into the input without growing it."""
    sizes = tuple(size or 1 for size in weights)
    aligned = shape[len(shape) - len(sizes) :] if len(sizes) <= len(shape) else None
    if aligned is None or any(s not in (1, own) for s, own in zip(sizes, aligned, strict=True)):
        msg = f"a scale of shape {list(sizes)} does not broadcast into {list(shape)} without growing it"
        hint = f"use the last axes' sizes or 1, such as {[shape[1], *([1] * (len(shape) - 2))]}"
        raise LayerError(msg, hint=hint, problem=Problem.CHANNELS)
    return prod(sizes)


def _kept_shape(layer: OtherSpec, shape: AxisValues) -> OtherShape:
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
    if isinstance(weights, tuple):
        spread = _scale_params(shape, weights)
        params += layer.integer("params", spread)  # a table indexed into the shape holds fewer
    return OtherShape(output=shape, params=params)


def _positions_read(layer: OtherSpec, shape: AxisValues) -> list[int]:
    """Return the axes whose positions one output combines: a norm's, a softmax's (none for an activation)."""
    name = layer.type_name.lower().replace("_", "")
    if (axes := normalized_axes(layer, len(shape))) is not None:  # a LayerNorm, any framework's
        return list(axes)
    if name in ("softmax", "logsoftmax"):
        return [layer.dim % len(shape)] if shape else []
    if name == "groupnorm" or ("instancenorm" in name and layer.argument("track_running_stats") is not True):
        return list(range(2, len(shape)))  # statistics over every position of a sample
    return []


class Identity(NamedAsWritten, PositionWise, OtherRules):
    """A layer that keeps the shape: the field passes unchanged."""

    kinds = (LayerKind.IDENTITY,)
    period = staticmethod(kept_period)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Keep the shape; check the rank, channels and groups the layer needs; count its parameters."""
        del sources, target
        return _kept_shape(layer, shapes[0])

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Pass the field unchanged."""
        del layer, shape
        return inputs[0].fields, []

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Say that a norm or softmax over positions makes each output read every one of them."""
        del output
        shape = node.shape or ()
        return len(node.axes) == len(shape) and mixes_positions(node, _positions_read(layer, shape))

    def held(self, spec: OtherSpec) -> tuple[int, int]:
        """Return the buffers a learned scale or shift is made from (float, int64), as its file says."""
        return spec.integer("buffers", 0), spec.integer("indices", 0)

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Return the FLOPs of making a learned scale's or shift's tensor, as its file says (none for the rest)."""
        del shapes, output, weight
        return spec.integer("flops", 0)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the groups when given (a channel shuffle, a GroupNorm)."""
        del shape
        return arguments_cell(spec)


RUNNING_STATS = (2, 1)
"""torch's BatchNorm buffers: running_mean and running_var per channel, and num_batches_tracked."""

_NORM = ("eps", "momentum", "track_running_stats")


def _learned() -> OtherType:
    """Return a learned tensor broadcast into the input: its shape, and the values behind it when fewer.

    `params`: the learned values it is made from (a relative position bias: a table indexed
    into the shape); `buffers` and `indices`: the float and int64 buffers it is made from;
    `flops`: what torch spends making it from them (XCiT's Fourier features through a 1x1 conv).
    """
    keys = {"shape": "dims", "params": "natural", "buffers": "natural", "indices": "natural", "flops": "natural"}
    return OtherType(LayerKind.IDENTITY, keys, required=("shape",), stored=tuple(keys))


def _instance_norm(rank: int, **read: str) -> OtherType:
    """Return InstanceNorm1d/2d/3d (LazyInstanceNorm without num_features): not affine unless asked."""
    return kept(
        "eps",
        "momentum",
        needs_rank=(rank + 1, rank + 2),
        per_channel=2,
        affine_default=False,
        affine="bool",
        track_running_stats="bool",
        buffers=RUNNING_STATS,
        tracks_by_default=False,
        **read,
    )


_LAYER_NORM = {"normalized_shape": "sizes", "eps": IGNORED, "elementwise_affine": "bool"}
_RANKS = (1, 2, 3)

_IDENTITY_SPELLINGS = (
        "Identity",
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "PReLU",
        "ELU",
        "SELU",
        "CELU",
        "GELU",
        "SiLU",
        "Mish",
        "Sigmoid",
        "Tanh",
        "Hardswish",
        "Hardsigmoid",
        "Hardtanh",
        "Softplus",
        "Softmax",
        "LogSoftmax",
        "Softmax2d",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "StochasticDepth",
        "DropPath",
        "Contiguous",
        "ChannelShuffle",
        "LayerNorm",
        "RMSNorm",
        "LocalResponseNorm",
        "CrossMapLRN2d",
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "LazyBatchNorm1d",
        "LazyBatchNorm2d",
        "LazyBatchNorm3d",
        "SyncBatchNorm",
        "FrozenBatchNorm2d",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "LazyInstanceNorm1d",
        "LazyInstanceNorm2d",
        "LazyInstanceNorm3d",
        "GroupNorm",
        "Scale",
)  # fmt: skip

_IDENTITY_DIALECT_SPELLINGS = (
        "LayerNormalization",
        "BatchNormalization",
        "InstanceNormalization",
        "GroupNormalization",
        "Normalization",
        "Activation",
        "AlphaDropout",
        "GaussianDropout",
        "GaussianNoise",
        *(f"SpatialDropout{rank}D" for rank in _RANKS),
        "Rescaling",
        "UnitNormalization",
        "ActivityRegularization",
)  # fmt: skip


@cache
def file_types() -> FileTypes:
    """Return the shape-keeping layers' names: activations, dropouts, norms and scales in torch.nn, ONNX and Keras."""
    return FileTypes(
        torch={
            "identity": kept(),
            "relu": kept("inplace"),
            "relu6": kept("inplace"),
            "leakyrelu": kept("negative_slope", "inplace"),
            "prelu": kept("init", num_parameters="count"),
            "elu": kept("alpha", "inplace"),
            "selu": kept("inplace"),
            "celu": kept("alpha", "inplace"),
            "gelu": kept("approximate"),
            "silu": kept("inplace"),
            "mish": kept("inplace"),
            "sigmoid": kept(),
            "tanh": kept(),
            "hardswish": kept("inplace"),
            "hardsigmoid": kept("inplace"),
            "hardtanh": kept("min_val", "max_val", "inplace"),
            "softplus": kept("beta", "threshold"),
            "softmax": OtherType(
                LayerKind.IDENTITY, {"dim": "int"}, stored=("dim",)
            ),  # over `dim`: positions, if spatial
            "logsoftmax": OtherType(LayerKind.IDENTITY, {"dim": "int"}, stored=("dim",)),
            "softmax2d": kept(needs_rank=(3, 4)),
            "dropout": kept("p", "inplace"),
            **{f"dropout{rank}d": kept("p", "inplace") for rank in _RANKS},
            "alphadropout": kept("p", "inplace"),
            "stochasticdepth": kept("p", "mode"),  # torchvision.ops: drops whole samples or rows, shapes unchanged
            "droppath": kept("drop_prob", "scale_by_keep"),  # timm's name for the same
            "contiguous": kept(),
            "channelshuffle": OtherType(
                LayerKind.IDENTITY, {"groups": "count"}, required=("groups",), stored=("groups",)
            ),
            "layernorm": OtherType(
                LayerKind.IDENTITY,
                _LAYER_NORM | {"bias": "bool"},
                required=("normalized_shape",),
                stored=("normalized_shape", "elementwise_affine"),
            ),
            "rmsnorm": OtherType(  # torch.nn.RMSNorm: a weight per normalized element, no bias
                LayerKind.IDENTITY,
                _LAYER_NORM,
                required=("normalized_shape",),
                stored=("normalized_shape", "elementwise_affine"),
            ),
            "localresponsenorm": kept("size", "alpha", "beta", "k"),
            "crossmaplrn2d": kept("size", "alpha", "beta", "k", needs_rank=(4,)),
            **{
                f"batchnorm{rank}d": kept(
                    *_NORM,
                    needs_rank=ranks,
                    per_channel=2,
                    buffers=RUNNING_STATS,
                    num_features="count",
                    affine="bool",
                    track_running_stats="bool",
                )
                for rank, ranks in ((1, (2, 3)), (2, (4,)), (3, (5,)))
            },
            **{
                f"lazybatchnorm{rank}d": kept(
                    *_NORM,
                    needs_rank=(rank + 1, rank + 2),
                    per_channel=2,
                    buffers=RUNNING_STATS,
                    affine="bool",
                    track_running_stats="bool",
                )
                for rank in _RANKS
            },
            "syncbatchnorm": kept(
                *_NORM,
                "process_group",
                per_channel=2,
                buffers=RUNNING_STATS,
                num_features="count",
                affine="bool",
                track_running_stats="bool",
            ),
            "frozenbatchnorm2d": kept("eps", needs_rank=(4,), buffers=(4, 0), num_features="count"),  # buffers only
            **{f"instancenorm{rank}d": _instance_norm(rank, num_features="count") for rank in _RANKS},
            **{f"lazyinstancenorm{rank}d": _instance_norm(rank) for rank in _RANKS},
            "groupnorm": kept("eps", "num_groups", per_channel=2, num_channels="count", affine="bool"),
            # a learnable tensor that multiplies the input, broadcast (ConvNeXt's layer scale: shape [C, 1, 1])
            "scale": _learned(),
            # a learnable tensor added to the input, broadcast (a ViT's position embedding: shape [1, L, D])
            "shift": _learned(),
        },
        onnx={
            **{  # elementwise on one tensor: the shape stays (Clip is ReLU6's export, Erf and Pow GELU's)
                name: ignoring(LayerKind.IDENTITY, *keys)
                for name, keys in (
                    ("identity", ()),
                    ("relu", ()),
                    ("sigmoid", ()),
                    ("tanh", ()),
                    ("hardswish", ()),
                    ("mish", ()),
                    ("dropout", ("seed",)),  # its ratio and training_mode are inputs
                    ("clip", ("min", "max")),
                    ("erf", ()),
                    ("sqrt", ()),
                    ("exp", ()),
                    ("log", ()),
                    ("neg", ()),
                    ("abs", ()),
                    ("reciprocal", ()),
                    ("cast", ("to", "saturate")),
                    ("floor", ()),
                    ("ceil", ()),
                    ("round", ()),
                    ("sign", ()),
                    ("pow", ()),
                    ("leakyrelu", ("alpha",)),
                    ("hardsigmoid", ("alpha", "beta")),
                    ("elu", ("alpha",)),
                    ("selu", ("alpha", "gamma")),
                    ("celu", ("alpha",)),
                    ("gelu", ("approximate",)),
                    ("thresholdedrelu", ("alpha",)),
                    ("softsign", ()),
                    ("softplus", ()),
                )
            },
            **{  # over one axis (-1 by default since opset 13)
                name: OtherType(
                    LayerKind.IDENTITY,
                    {"axis": "int"},
                    stored=("dim",),
                    renames=(("axis", "dim"),),
                    defaults=(("dim", -1),),
                )
                for name in ("softmax", "logsoftmax")
            },
            "layernormalization": OtherType(  # over the axes from `axis` to the last; scale and bias per element
                LayerKind.IDENTITY,
                {"axis": "int", "epsilon": IGNORED, "stash_type": IGNORED},
                stored=("axis",),
                operation="layernorm_from",
                defaults=(("axis", -1),),
            ),
            "batchnormalization": OtherType(  # its mean and variance inputs are the running statistics
                LayerKind.IDENTITY,
                {"epsilon": IGNORED, "momentum": IGNORED, "training_mode": IGNORED},
                params_per_channel=2,
                buffers=(2, 0),
            ),
            "instancenormalization": OtherType(LayerKind.IDENTITY, {"epsilon": IGNORED}, params_per_channel=2),
        },
        keras={
            "layernormalization": OtherType(  # over the channels (axis -1, channels-last), or the axes given
                LayerKind.IDENTITY,
                {"axis": "ints", "epsilon": IGNORED, "center": IGNORED, "scale": IGNORED},
                stored=("norm_axes",),
                operation="layernorm_axes",
                renames=(("axis", "norm_axes"),),
                defaults=(("norm_axes", (-1,)),),
                channels_last=True,
            ),
            "softmax": OtherType(
                LayerKind.IDENTITY,
                {"axis": "int"},
                stored=("dim",),
                renames=(("axis", "dim"),),
                defaults=(("dim", -1),),
                channels_last=True,
            ),
            "batchnormalization": OtherType(  # gamma (scale) and beta (center) are parameters; the moving statistics
                LayerKind.IDENTITY,  # are not
                {"center": "bool", "scale": "bool", "momentum": IGNORED, "epsilon": IGNORED, "synchronized": IGNORED},
                affine_parts=("center", "scale"),
                frozen=(2, 0),  # the moving mean and variance: non-trainable weights, in count_params() as Keras counts
            ),
            "groupnormalization": OtherType(
                LayerKind.IDENTITY,
                {"groups": IGNORED, "epsilon": IGNORED, "center": "bool", "scale": "bool"},
                affine_parts=("center", "scale"),
            ),
            "normalization": OtherType(  # adapted: a mean and variance per channel and the count, non-trainable
                # weights; given `mean` and `variance` in its config, they are constants of the layer, no weights
                LayerKind.IDENTITY,
                {"axis": IGNORED, "invert": IGNORED, "mean": "values", "variance": "values"},
                frozen=(2, 1),
                frozen_unless="mean",
            ),
            # keras.applications.convnext's LayerScale: a learned factor per channel (projection_dim of them)
            "layerscale": OtherType(
                LayerKind.IDENTITY, {"init_values": IGNORED, "projection_dim": IGNORED}, params_per_channel=1
            ),
            **{  # the shape stays: activations, noise and dropout, fixed rescalings
                name: ignoring(LayerKind.IDENTITY, *keys)
                for name, keys in (
                    ("activation", ("activation",)),
                    ("relu", ("max_value", "negative_slope", "threshold")),
                    ("leakyrelu", ("negative_slope", "alpha")),
                    ("elu", ("alpha",)),
                    ("dropout", ("rate", "noise_shape", "seed")),
                    ("alphadropout", ("rate", "noise_shape", "seed")),
                    ("gaussiandropout", ("rate", "seed")),
                    ("gaussiannoise", ("stddev", "seed")),
                    *((f"spatialdropout{rank}d", ("rate", "seed", "data_format")) for rank in _RANKS),
                    ("rescaling", ("scale", "offset")),
                    ("unitnormalization", ("axis",)),
                    ("activityregularization", ("l1", "l2")),
                )
            },
        },
        spellings=_IDENTITY_SPELLINGS,
        dialect_spellings=_IDENTITY_DIALECT_SPELLINGS,
    )
