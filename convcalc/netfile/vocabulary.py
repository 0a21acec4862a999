"""The vocabulary of network files, shared by the loader and the schema: layer types, keys and their values.

The layer types around convolutions are accepted under their torch.nn names.

Each entry says which kind of layer it is, which keys it takes (torch.nn's argument
names) and how it counts parameters. Keys that do not change a shape (inplace, eps,
momentum, p, ...) are accepted and ignored, so a model's own arguments can be pasted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from convcalc.core.spec import LayerKind
from convcalc.core.terms import WINDOW_KEYS

IGNORED = "ignored"  # a key accepted as torch.nn takes it, that changes no shape


@dataclass(frozen=True, slots=True)
class OtherType:
    """A non-window layer type: its kind, keys (key -> what is read), rank and parameters."""

    kind: LayerKind
    keys: dict[str, str] = field(default_factory=dict)
    rank: int | None = None  # spatial axes a class name fixes (AdaptiveAvgPool2d: 2)
    needs_rank: tuple[int, ...] | None = None  # whole-tensor ranks it accepts (BatchNorm2d: 4)
    params_per_channel: int = 0  # when affine
    affine_default: bool = True
    required: tuple[str, ...] = ()
    min_inputs: int = 1
    operation: str = ""  # an elementwise merge's operation (add, mul, sub, div), or which rearrangement
    stored: tuple[str, ...] = ()  # keys kept as they are in the layer's `arguments` (by their torch names)
    renames: tuple[tuple[str, str], ...] = ()  # a framework's key -> the torch key it stands for
    defaults: tuple[tuple[str, object], ...] = ()  # values a framework gives where torch's differ
    channels_last: bool = False  # axes are numbered as in [N, *spatial, C] (Keras): `dim` is mapped to [N, C, ...]
    affine_parts: tuple[str, ...] = ()  # flags each giving one parameter per channel when true (Keras' center, scale)
    buffers: tuple[int, int] = (0, 0)  # (per channel, fixed) values of state kept beside the parameters
    frozen: tuple[int, int] = (0, 0)  # (per channel, fixed) non-trainable parameters: Keras' non-trainable weights
    frozen_unless: str = ""  # a key that, given, means there are none (Keras' Normalization given its `mean`)
    tracks_by_default: bool = True  # whether those buffers exist when `track_running_stats` is not given


def _kept(
    *ignored: str,
    needs_rank: tuple[int, ...] | None = None,
    per_channel: int = 0,
    affine_default: bool = True,
    buffers: tuple[int, int] = (0, 0),
    tracks_by_default: bool = True,
    **read: str,
) -> OtherType:
    """Return a shape-keeping type that ignores some keys and reads others (key=what); booleans are kept."""
    keys = dict.fromkeys(ignored, IGNORED) | read
    kept = tuple(key for key, what in read.items() if what == "bool")
    return OtherType(
        LayerKind.IDENTITY,
        keys,
        needs_rank=needs_rank,
        params_per_channel=per_channel,
        affine_default=affine_default,
        stored=kept,
        buffers=buffers,
        tracks_by_default=tracks_by_default,
    )


RUNNING_STATS = (2, 1)
"""torch's BatchNorm buffers: running_mean and running_var per channel, and num_batches_tracked."""


_NORM = ("eps", "momentum", "track_running_stats")


def _instance_norm(rank: int, **read: str) -> OtherType:
    """Return InstanceNorm1d/2d/3d (LazyInstanceNorm without num_features): not affine unless asked."""
    return _kept(
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


OTHER_TYPES: dict[str, OtherType] = {
    # elementwise merges, broadcast by torch's rule: torch (add, mul, sub, div), Keras and ONNX names
    **{
        name: OtherType(LayerKind.ADD, min_inputs=2, operation=operation)
        for name, operation in (
            ("add", "add"),
            ("mul", "mul"),
            ("multiply", "mul"),
            ("sub", "sub"),
            ("subtract", "sub"),
            ("div", "div"),
            ("divide", "div"),
        )
    },
    "concat": OtherType(LayerKind.CONCAT, {"dim": "int"}),  # of one tensor too, as torch.cat([x]) (DenseNet)
    "cat": OtherType(LayerKind.CONCAT, {"dim": "int"}),
    "crop": OtherType(LayerKind.CROP, {"to": "name", "align": "align", "cropping": "crops"}),
    "pad": OtherType(LayerKind.PAD, {"to": "name", "align": "align", "padding": "pads"}),
    **{f"zeropadding{rank}d": OtherType(LayerKind.PAD, {"padding": "pads"}, rank=rank) for rank in (1, 2, 3)},
    **{f"cropping{rank}d": OtherType(LayerKind.CROP, {"cropping": "crops"}, rank=rank) for rank in (1, 2, 3)},
    **{f"zeropad{rank}d": OtherType(LayerKind.PAD, {"padding": "torchpads"}, rank=rank) for rank in (1, 2, 3)},
    **{
        f"constantpad{rank}d": OtherType(LayerKind.PAD, {"padding": "torchpads", "value": IGNORED}, rank=rank)
        for rank in (1, 2, 3)
    },
    "identity": _kept(),
    "relu": _kept("inplace"),
    "relu6": _kept("inplace"),
    "leakyrelu": _kept("negative_slope", "inplace"),
    "prelu": _kept("init", num_parameters="count"),
    "elu": _kept("alpha", "inplace"),
    "selu": _kept("inplace"),
    "celu": _kept("alpha", "inplace"),
    "gelu": _kept("approximate"),
    "silu": _kept("inplace"),
    "mish": _kept("inplace"),
    "sigmoid": _kept(),
    "tanh": _kept(),
    "hardswish": _kept("inplace"),
    "hardsigmoid": _kept("inplace"),
    "hardtanh": _kept("min_val", "max_val", "inplace"),
    "softplus": _kept("beta", "threshold"),
    "softmax": OtherType(LayerKind.IDENTITY, {"dim": "int"}, stored=("dim",)),  # over `dim`: positions, if spatial
    "logsoftmax": OtherType(LayerKind.IDENTITY, {"dim": "int"}, stored=("dim",)),
    "dropout": _kept("p", "inplace"),
    "stochasticdepth": _kept("p", "mode"),
    "channelshuffle": OtherType(LayerKind.IDENTITY, {"groups": "count"}, required=("groups",), stored=("groups",)),
    "pixelshuffle": OtherType(
        LayerKind.PIXELSHUFFLE, {"upscale_factor": "count"}, required=("upscale_factor",), stored=("upscale_factor",)
    ),
    "pixelunshuffle": OtherType(
        LayerKind.PIXELUNSHUFFLE,
        {"downscale_factor": "count"},
        required=("downscale_factor",),
        stored=("downscale_factor",),
    ),
    "layernorm": OtherType(
        LayerKind.IDENTITY,
        {"normalized_shape": "sizes", "eps": IGNORED, "elementwise_affine": "bool", "bias": "bool"},
        required=("normalized_shape",),
        stored=("normalized_shape", "elementwise_affine"),
    ),
    "rmsnorm": OtherType(  # torch.nn.RMSNorm: a weight per normalized element, no bias
        LayerKind.IDENTITY,
        {"normalized_shape": "sizes", "eps": IGNORED, "elementwise_affine": "bool"},
        required=("normalized_shape",),
        stored=("normalized_shape", "elementwise_affine"),
    ),
    "localresponsenorm": _kept("size", "alpha", "beta", "k"),
    "crossmaplrn2d": _kept("size", "alpha", "beta", "k", needs_rank=(4,)),
    "syncbatchnorm": _kept(
        *_NORM,
        "process_group",
        per_channel=2,
        buffers=RUNNING_STATS,
        num_features="count",
        affine="bool",
        track_running_stats="bool",
    ),
    **{
        f"lazybatchnorm{rank}d": _kept(
            *_NORM,
            needs_rank=(rank + 1, rank + 2),
            per_channel=2,
            buffers=RUNNING_STATS,
            affine="bool",
            track_running_stats="bool",
        )
        for rank in (1, 2, 3)
    },
    **{f"lazyinstancenorm{rank}d": _instance_norm(rank) for rank in (1, 2, 3)},
    # a learnable tensor that multiplies the input, broadcast (ConvNeXt's layer scale: shape [C, 1, 1])
    "scale": OtherType(LayerKind.IDENTITY, {"shape": "dims"}, required=("shape",), stored=("shape",)),
    **{  # torch.mean(x, dim, keepdim) and friends: the axes of `dim` go, or stay at size 1
        name: OtherType(
            LayerKind.REDUCE, {"dim": "ints", "keepdim": "bool"}, required=("dim",), stored=("dim", "keepdim")
        )
        for name in ("mean", "sum", "amax", "amin", "prod", "std", "var", "logsumexp")
    },
    "softmax2d": _kept(needs_rank=(3, 4)),
    # the axes rearranged, the values untouched: the walk follows where the spatial axes go
    "permute": OtherType(LayerKind.REARRANGE, {"dims": "ints"}, required=("dims",), stored=("dims",)),
    "transpose": OtherType(
        LayerKind.REARRANGE, {"dim0": "int", "dim1": "int"}, required=("dim0", "dim1"), stored=("dim0", "dim1")
    ),
    "view": OtherType(LayerKind.REARRANGE, {"shape": "ints"}, required=("shape",), stored=("shape",)),
    "reshape": OtherType(LayerKind.REARRANGE, {"shape": "ints"}, required=("shape",), stored=("shape",)),
    "unflatten": OtherType(
        LayerKind.REARRANGE,
        {"dim": "int", "sizes": "ints", "unflattened_size": "ints"},
        required=("dim",),
        stored=("sizes", "unflattened_size"),
    ),
    "squeeze": OtherType(LayerKind.REARRANGE, {"dim": "ints"}, stored=("dim",)),  # torch.squeeze(x, dim)
    "unsqueeze": OtherType(LayerKind.REARRANGE, {"dim": "int"}, required=("dim",), stored=("dim",)),
    "contiguous": _kept(),
    "narrow": OtherType(  # torch.narrow(x, dim, start, length)
        LayerKind.SLICE,
        {"dim": "int", "start": "int", "length": "count"},
        required=("dim", "start", "length"),
        stored=("start", "length"),
    ),
    "chunk": OtherType(  # torch.chunk(x, chunks, dim)[index]: one piece, as a layer of its own
        LayerKind.SLICE,
        {"chunks": "count", "dim": "int", "index": "int"},
        required=("chunks", "index"),
        stored=("chunks", "index"),
    ),  # torchvision.ops: drops whole samples or rows, shapes unchanged
    "droppath": _kept("drop_prob", "scale_by_keep"),  # timm's name for the same
    "dropout1d": _kept("p", "inplace"),
    "dropout2d": _kept("p", "inplace"),
    "dropout3d": _kept("p", "inplace"),
    "alphadropout": _kept("p", "inplace"),
    **{
        f"batchnorm{rank}d": _kept(
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
    **{f"instancenorm{rank}d": _instance_norm(rank, num_features="count") for rank in (1, 2, 3)},
    "frozenbatchnorm2d": _kept("eps", needs_rank=(4,), buffers=(4, 0), num_features="count"),  # buffers only
    "groupnorm": _kept("eps", "num_groups", per_channel=2, num_channels="count", affine="bool"),
    "upsample": OtherType(
        LayerKind.UPSAMPLE,
        {
            "scale_factor": "factors",
            "size": "sizes",
            "to": "name",  # the spatial size of another layer, as F.interpolate(x, size=y.shape[2:])
            "mode": "mode",
            "align_corners": "bool",
            "recompute_scale_factor": "bool",
        },
        stored=("align_corners", "recompute_scale_factor"),
    ),
    "upsamplingnearest2d": OtherType(
        LayerKind.UPSAMPLE, {"scale_factor": "factors", "size": "sizes", "to": "name"}, rank=2
    ),
    "upsamplingbilinear2d": OtherType(
        LayerKind.UPSAMPLE, {"scale_factor": "factors", "size": "sizes", "to": "name"}, rank=2
    ),
    "interpolate": OtherType(  # torch.nn.functional.interpolate, as a layer
        LayerKind.UPSAMPLE,
        {
            "scale_factor": "factors",
            "size": "sizes",
            "to": "name",
            "mode": "mode",
            "align_corners": "bool",
            "recompute_scale_factor": "bool",
            "antialias": IGNORED,
        },
        stored=("align_corners", "recompute_scale_factor"),
    ),
    **{
        f"adaptive{pool}pool{rank}d": OtherType(
            LayerKind.ADAPTIVEAVGPOOL if pool == "avg" else LayerKind.ADAPTIVEMAXPOOL,
            {"output_size": "sizes", "return_indices": IGNORED},
            rank=rank,
            required=("output_size",),
        )
        for pool in ("avg", "max")
        for rank in (1, 2, 3)
    },
    "flatten": OtherType(LayerKind.FLATTEN, {"start_dim": "int", "end_dim": "int"}),
    "linear": OtherType(
        LayerKind.LINEAR, {"in_features": "count", "out_features": "count", "bias": "bool"}, required=("out_features",)
    ),
}
"""Non-window layer types by lower-case name (underscores dropped), as `type` is matched."""

CLASS_NAMES = (
    "Identity", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
    "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus", "Softmax", "LogSoftmax", "Dropout", "Dropout1d",
    "Dropout2d", "Dropout3d", "AlphaDropout", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d",
    "InstanceNorm2d", "InstanceNorm3d", "GroupNorm", "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d", "Flatten", "Linear", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
    "StochasticDepth", "DropPath", "FrozenBatchNorm2d", "ChannelShuffle", "PixelShuffle", "PixelUnshuffle", "LayerNorm",
    "LocalResponseNorm", "CrossMapLRN2d", "RMSNorm", "SyncBatchNorm", "LazyBatchNorm1d", "LazyBatchNorm2d",
    "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d", "Softmax2d", "Permute",
    "Transpose", "View", "Reshape", "Unflatten", "Squeeze", "Unsqueeze", "Contiguous",
    "Mean", "Sum", "AMax", "AMin", "Add", "Mul", "Sub", "Div", "Multiply",
    "Subtract", "Concat", "Scale",
)  # fmt: skip
"""The torch.nn (and Keras) spelling of every class above, for the JSON Schema (the loader ignores case)."""


WINDOW_CLASSES: dict[str, tuple[LayerKind, int | None]] = {
    **{
        f"{base}{rank}d": (kind, rank)
        for base, kind in sorted(
            {
                "AvgPool": LayerKind.AVGPOOL,
                "LPPool": LayerKind.LPPOOL,
                "Conv": LayerKind.CONV,
                "ConvTranspose": LayerKind.CONVTRANSPOSE,
                "MaxPool": LayerKind.MAXPOOL,
            }.items()
        )
        for rank in (1, 2, 3)
    },
    **{
        f"{base}{rank}D": (kind, rank)
        for base, kind in (
            ("AveragePooling", LayerKind.AVGPOOL),
            ("Conv", LayerKind.CONV),
            ("MaxPooling", LayerKind.MAXPOOL),
        )
        for rank in (1, 2, 3)
    },
    **{f"Conv{rank}DTranspose": (LayerKind.CONVTRANSPOSE, rank) for rank in (1, 2, 3)},
    # ONNX's operators: the rank comes from the input
    "Conv": (LayerKind.CONV, None),
    "ConvTranspose": (LayerKind.CONVTRANSPOSE, None),
    "MaxPool": (LayerKind.MAXPOOL, None),
    "AveragePool": (LayerKind.AVGPOOL, None),
    "LpPool": (LayerKind.LPPOOL, None),
}
"""The sliding-window layers' class names in torch.nn, Keras and ONNX, with the kind and rank each means."""

KIND_NAMES: dict[str, tuple[LayerKind, int | None]] = {
    "conv": (LayerKind.CONV, None),
    "convtranspose": (LayerKind.CONVTRANSPOSE, None),
    "maxpool": (LayerKind.MAXPOOL, None),
    "avgpool": (LayerKind.AVGPOOL, None),
    "lppool": (LayerKind.LPPOOL, None),
    **{name.lower(): meaning for name, meaning in WINDOW_CLASSES.items()},
}
"""Layer types as a file may write them, in any case: convcalc's short names and every class name."""

KEY_ALIASES: dict[str, dict[str, str]] = {
    "keras": {
        "filters": "out_channels",
        "strides": "stride",
        "dilation_rate": "dilation",
        "pool_size": "kernel_size",
        "use_bias": "bias",
    },
    "onnx": {
        "kernel_shape": "kernel_size",
        "strides": "stride",
        "pads": "padding",
        "auto_pad": "padding",
        "dilations": "dilation",
        "output_shape": "output_size",
        "group": "groups",
        "p": "norm_type",
    },
    "jax": {"window_strides": "stride", "strides": "stride", "rhs_dilation": "dilation", "window_dilation": "dilation"},
}
"""Each framework's own argument names in network files, and the torch.nn name each stands for."""


@dataclass(frozen=True, slots=True)
class Key:
    """A layer key: the kind of value it takes (a reader in the loader, a fragment in the schema), who takes it."""

    value: str
    kinds: frozenset[LayerKind] | None = None
    doc: str = ""


SHAPE_NEUTRAL = frozenset({"divisor_override", "return_indices"})
"""Keys read and checked, that change no shape and nothing convcalc reports."""

LAYER_KEYS: dict[str, Key] = {
    "type": Key("type", doc="conv | convtranspose | maxpool | avgpool, or a torch.nn class name"),
    "name": Key("name", doc="shown in tables and messages; default: the layer's index"),
    "in_channels": Key("count", WINDOW_KEYS["in_channels"], "checked against the channels coming in"),
    "out_channels": Key("count", WINDOW_KEYS["out_channels"], "default: unchanged"),
    "kernel_size": Key("positive", doc="int or per-axis list"),
    "stride": Key("positive", doc="default 1 (pools: the kernel size)"),
    "padding": Key("padding", doc="int, per-axis list, same or valid"),
    "dilation": Key("positive", WINDOW_KEYS["dilation"]),
    "groups": Key("count", WINDOW_KEYS["groups"]),
    "bias": Key("boolean", WINDOW_KEYS["bias"], "counts in params"),
    "output_padding": Key("non_negative", WINDOW_KEYS["output_padding"]),
    "output_size": Key("shape", WINDOW_KEYS["output_size"], "as forward(output_size=...): sets output_padding"),
    "ceil_mode": Key("boolean", WINDOW_KEYS["ceil_mode"]),
    "padding_mode": Key("padding_mode", WINDOW_KEYS["padding_mode"], "zeros (default), reflect, replicate or circular"),
    "count_include_pad": Key("boolean", WINDOW_KEYS["count_include_pad"], "whether padding counts in the average"),
    "divisor_override": Key("count", WINDOW_KEYS["divisor_override"], "changes values, not shapes"),
    "norm_type": Key("norm", WINDOW_KEYS["norm_type"], "p of an lppool (ONNX: p); changes values, not shapes"),
    "return_indices": Key("boolean", WINDOW_KEYS["return_indices"], "the indices have the output's shape"),
    "expect": Key("shape", doc="the output shape this layer must have: [N, C, *spatial]"),
    "trainable": Key("boolean", doc="false: its parameters are frozen (counted as non-trainable)"),
}
"""Keys of a layer, named as the torch.nn arguments."""

TOP_KEYS = ("input", "layers", "description", "framework", "blocks")
