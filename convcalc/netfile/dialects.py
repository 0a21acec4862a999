"""The layer types of Keras, ONNX and JAX around their convolutions, by each framework's own names and keys.

A file with `framework: keras` (or onnx, jax) may write these types as that framework does;
each maps onto the torch type that computes the same shape, with the framework's keys renamed
and its defaults (ONNX reductions keep their axes; Keras concatenates along the channels,
numbering axes channels-last). Types not listed here are read by their torch names.
"""

from __future__ import annotations

from convcalc.core.spec import LayerKind
from convcalc.netfile.vocabulary import IGNORED, OtherType

_REDUCE_KEYS = {"axes": "ints", "keepdims": "flag", "noop_with_empty_axes": IGNORED}
_ONNX_REDUCTIONS = {"reducemean": "mean", "reducesum": "sum", "reducemax": "amax", "reducemin": "amin",
                    "reduceprod": "prod", "reducelogsumexp": "logsumexp"}  # fmt: skip

ONNX: dict[str, OtherType] = {
    "transpose": OtherType(
        LayerKind.REARRANGE,
        {"perm": "ints"},
        required=("perm",),
        stored=("dims",),
        operation="permute",
        renames=(("perm", "dims"),),
    ),
    "reshape": OtherType(  # 0 copies the input's size on that axis, -1 takes what is left
        LayerKind.REARRANGE,
        {"shape": "ints", "allowzero": IGNORED},
        required=("shape",),
        stored=("shape",),
        operation="onnx_reshape",
    ),
    "flatten": OtherType(  # always 2-D: [prod(before axis), prod(from axis)]
        LayerKind.REARRANGE, {"axis": "int"}, stored=("axis",), operation="onnx_flatten", defaults=(("axis", 1),)
    ),
    "concat": OtherType(LayerKind.CONCAT, {"axis": "int"}, required=("axis",), renames=(("axis", "dim"),)),
    "globalaveragepool": OtherType(LayerKind.ADAPTIVEAVGPOOL),
    "globalmaxpool": OtherType(LayerKind.ADAPTIVEMAXPOOL),
    "depthtospace": OtherType(
        LayerKind.PIXELSHUFFLE,
        {"blocksize": "count", "mode": IGNORED},
        required=("blocksize",),
        stored=("upscale_factor",),
        renames=(("blocksize", "upscale_factor"),),
    ),
    "spacetodepth": OtherType(
        LayerKind.PIXELUNSHUFFLE,
        {"blocksize": "count"},
        required=("blocksize",),
        stored=("downscale_factor",),
        renames=(("blocksize", "downscale_factor"),),
    ),
    **{
        name: OtherType(
            LayerKind.REDUCE,
            _REDUCE_KEYS,
            required=("axes",),
            stored=("dim", "keepdim"),
            operation=torch_name,
            renames=(("axes", "dim"), ("keepdims", "keepdim")),
            defaults=(("keepdim", True),),
        )
        for name, torch_name in _ONNX_REDUCTIONS.items()
    },
    "squeeze": OtherType(  # the axes named must be 1 (every axis of size 1 when none is named)
        LayerKind.REARRANGE, {"axes": "ints"}, stored=("dim",), operation="onnx_squeeze", renames=(("axes", "dim"),)
    ),
    "unsqueeze": OtherType(  # an axis of size 1 at each position of `axes`, numbered in the output
        LayerKind.REARRANGE,
        {"axes": "ints"},
        required=("axes",),
        stored=("dim",),
        operation="unsqueeze",
        renames=(("axes", "dim"),),
    ),
    **{  # elementwise on one tensor: the shape stays (Clip is ReLU6's export, Erf and Pow GELU's)
        name: OtherType(LayerKind.IDENTITY, dict.fromkeys(keys, IGNORED))
        for name, keys in (
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
            LayerKind.IDENTITY, {"axis": "int"}, stored=("dim",), renames=(("axis", "dim"),), defaults=(("dim", -1),)
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
}
"""ONNX's operators, as `framework: onnx` files name them (the tensors are [N, C, ...], as torch's)."""

KERAS: dict[str, OtherType] = {
    "concatenate": OtherType(
        LayerKind.CONCAT, {"axis": "int"}, renames=(("axis", "dim"),), defaults=(("dim", -1),), channels_last=True
    ),
    **{
        f"global{pool}pooling{rank}d": OtherType(
            LayerKind.REDUCE,
            {"keepdims": "bool", "data_format": IGNORED},
            rank=rank,
            stored=("dim", "keepdim"),
            operation="mean" if pool == "average" else "amax",
            renames=(("keepdims", "keepdim"),),
            defaults=(("dim", tuple(range(2, 2 + rank))),),
        )
        for pool in ("average", "max")
        for rank in (1, 2, 3)
    },
    **{
        f"upsampling{rank}d": OtherType(  # `size` is the factor per axis
            LayerKind.UPSAMPLE,
            {"size": "factors", "interpolation": "mode", "data_format": IGNORED},
            rank=rank,
            renames=(("size", "scale_factor"), ("interpolation", "mode")),
            defaults=(("scale_factor", (2.0,)),),
        )
        for rank in (1, 2, 3)
    },
    "layernormalization": OtherType(  # over the channels (axis -1, channels-last), or the axes given
        LayerKind.IDENTITY,
        {"axis": "ints", "epsilon": IGNORED, "center": IGNORED, "scale": IGNORED},
        stored=("norm_axes",),
        operation="layernorm_axes",
        renames=(("axis", "norm_axes"),),
        defaults=(("norm_axes", (-1,)),),
        channels_last=True,
    ),
    "dense": OtherType(  # over the last axis as Keras holds the tensor: the channels
        LayerKind.LINEAR,
        {"units": "count", "use_bias": "bool"},
        required=("units",),
        stored=("features_dim",),
        renames=(("units", "out_features"), ("use_bias", "bias")),
        defaults=(("features_dim", -1),),
        channels_last=True,
    ),
    "flatten": OtherType(LayerKind.FLATTEN, {"data_format": IGNORED}),  # every axis after the batch, into one
    "reshape": OtherType(  # the shape after the batch, channels-last (one size may be -1)
        LayerKind.REARRANGE,
        {"target_shape": "ints"},
        required=("target_shape",),
        stored=("target_shape",),
        operation="keras_reshape",
    ),
    "permute": OtherType(  # the axes after the batch, numbered from 1, channels-last
        LayerKind.REARRANGE, {"dims": "ints"}, required=("dims",), stored=("dims",), operation="keras_permute"
    ),
    "softmax": OtherType(
        LayerKind.IDENTITY,
        {"axis": "int"},
        stored=("dim",),
        renames=(("axis", "dim"),),
        defaults=(("dim", -1),),
        channels_last=True,
    ),
    "batchnormalization": OtherType(  # gamma (scale) and beta (center) are parameters; the moving statistics are not
        LayerKind.IDENTITY,
        {"center": "bool", "scale": "bool", "momentum": IGNORED, "epsilon": IGNORED, "synchronized": IGNORED},
        affine_parts=("center", "scale"),
        frozen=(2, 0),  # the moving mean and variance: non-trainable weights, in count_params() as Keras counts
    ),
    "groupnormalization": OtherType(
        LayerKind.IDENTITY,
        {"groups": IGNORED, "epsilon": IGNORED, "center": "bool", "scale": "bool"},
        affine_parts=("center", "scale"),
    ),
    **{
        name: OtherType(LayerKind.ADD, min_inputs=2, operation=operation)
        for name, operation in (("average", "mean"), ("maximum", "max"), ("minimum", "min"))
    },
    "normalization": OtherType(  # adapted: a mean and variance per channel and the count, non-trainable weights;
        # given `mean` and `variance` in its config, they are constants of the layer, no weights at all
        LayerKind.IDENTITY,
        {"axis": IGNORED, "invert": IGNORED, "mean": "values", "variance": "values"},
        frozen=(2, 1),
        frozen_unless="mean",
    ),
    **{  # the shape stays: activations, noise and dropout, fixed rescalings
        name: OtherType(LayerKind.IDENTITY, dict.fromkeys(keys, IGNORED))
        for name, keys in (
            ("activation", ("activation",)),
            ("relu", ("max_value", "negative_slope", "threshold")),
            ("leakyrelu", ("negative_slope", "alpha")),
            ("elu", ("alpha",)),
            ("dropout", ("rate", "noise_shape", "seed")),
            ("alphadropout", ("rate", "noise_shape", "seed")),
            ("gaussiandropout", ("rate", "seed")),
            ("gaussiannoise", ("stddev", "seed")),
            *((f"spatialdropout{rank}d", ("rate", "seed", "data_format")) for rank in (1, 2, 3)),
            ("rescaling", ("scale", "offset")),
            ("unitnormalization", ("axis",)),
            ("activityregularization", ("l1", "l2")),
        )
    },
}
"""Keras 3's layers, as `framework: keras` files name them (the tensors stay [N, C, ...]; Keras numbers [N, ..., C])."""

JAX: dict[str, OtherType] = {
    "transpose": OtherType(  # jnp.transpose(x, axes)
        LayerKind.REARRANGE,
        {"axes": "ints"},
        required=("axes",),
        stored=("dims",),
        operation="permute",
        renames=(("axes", "dims"),),
    ),
    "concatenate": OtherType(LayerKind.CONCAT, {"axis": "int"}, renames=(("axis", "dim"),), defaults=(("dim", 0),)),
    **{
        name: OtherType(  # jnp.mean(x, axis, keepdims) and friends
            LayerKind.REDUCE,
            {"axis": "ints", "keepdims": "bool"},
            required=("axis",),
            stored=("dim", "keepdim"),
            operation=torch_name,
            renames=(("axis", "dim"), ("keepdims", "keepdim")),
        )
        for name, torch_name in (("mean", "mean"), ("sum", "sum"), ("max", "amax"), ("min", "amin"))
    },
}
"""jax.numpy's functions, as `framework: jax` files name them (the tensors are [N, C, ...])."""

DIALECT_TYPES: dict[str, dict[str, OtherType]] = {"onnx": ONNX, "keras": KERAS, "jax": JAX}
"""Each framework's own non-window types, looked up before the torch names in its files."""

DIALECT_CLASS_NAMES = (
    "Transpose", "Reshape", "Flatten", "Concat", "GlobalAveragePool", "GlobalMaxPool", "DepthToSpace",
    "SpaceToDepth", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceLogSumExp",
    "LayerNormalization", "BatchNormalization", "InstanceNormalization", "Concatenate",
    *(f"Global{pool}Pooling{rank}D" for pool in ("Average", "Max") for rank in (1, 2, 3)),
    *(f"UpSampling{rank}D" for rank in (1, 2, 3)),
    "Dense", "Permute", "GroupNormalization", "Average", "Maximum", "Minimum", "Activation", "AlphaDropout",
    "GaussianDropout", "GaussianNoise", *(f"SpatialDropout{rank}D" for rank in (1, 2, 3)), "Rescaling",
    "Normalization", "UnitNormalization", "ActivityRegularization",
    "transpose", "concatenate", "mean", "sum", "max", "min",
)  # fmt: skip
"""The dialect types as their frameworks spell them, for the schema."""
