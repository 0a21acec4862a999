"""The framework rules one by one: exact refusals, padding splits and sizes at their boundaries.

The values were run in Keras 3.15 (JAX backend), JAX 0.10.2 and onnxruntime 1.32 with a kernel
of a single tap, which shows where each input cell lands and so the padding before it.
"""

from __future__ import annotations

import pytest

from convcalc import LayerSpec, NetworkSpec, Status, analyze
from convcalc.core.errors import InputError, LayerError
from convcalc.core.windows import layer_shape


def refusal(layer: LayerSpec, shape: tuple[int, ...]) -> str:
    """Return the refusal line the layer gets on this input."""
    with pytest.raises(LayerError) as caught:
        layer_shape(layer, shape)
    return str(caught.value)


def one(kind: str, kernel: int, framework: str, **options: object) -> LayerSpec:
    """Build a layer of another framework, 1-D unless told."""
    options.setdefault("rank", 1)
    return LayerSpec.create(kind, kernel, framework=framework, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("layer", "shape", "message"),
    [
        (
            LayerSpec.create("conv", 3, stride=2, dilation=2, framework="keras"),
            (1, 1, 9, 9),
            (
                "`strides > 1` not supported in conjunction with `dilation_rate > 1` (Keras): [2, 2], [2, 2]; "
                "use stride 1 or dilation 1"
            ),
        ),
        (
            LayerSpec.create("convtranspose", 3, stride=(1, 2), output_padding=(0, 2), framework="keras"),
            (1, 1, 3, 5),
            "axis W: `output_padding` must be strictly less than `strides` (Keras): 2 >= 2; use output_padding <= 1",
        ),
        (
            one("conv", 1, "jax", padding=[(-2, -2)]),
            (1, 1, 3),
            "axis L: negative padding 4 in all is larger than the size 3 of the dimension (JAX); crop at most 3",
        ),
        (
            one("convtranspose", 3, "jax", stride=2, padding=[(-3, -3)]),
            (1, 1, 3),
            "axis L: negative padding 6 in all is larger than the size 5 of the dimension (JAX); crop at most 5",
        ),
        (
            LayerSpec.create("conv", 3, framework="onnx"),
            (1, 1, 2, 9),
            (
                "axis H: the padded input 2 is shorter than the dilated kernel 3 (onnxruntime 1.32); "
                "use an input of at least 3, more padding or a smaller kernel"
            ),
        ),
        (
            one("maxpool", 5, "onnx", stride=2),
            (1, 1, 1),
            (
                "axis L: output size -1 < 1: computed output size would be zero or negative (onnx); "
                "use a larger input, a smaller kernel or more padding"
            ),
        ),
        (
            one("maxpool", 2, "onnx", padding=[(0, 2)]),
            (1, 1, 9),
            (
                "axis L: pads 2 not smaller than the kernel 2 (onnxruntime 1.32: pad should be smaller than kernel); "
                "use pads of at most 1, or a Pad node before the pool"
            ),
        ),
        (
            one("conv", 3, "onnx", dilation=2, padding="SAME_UPPER"),
            (1, 1, 9),
            (
                "axis L: dilation is not supported with auto_pad SAME_UPPER or SAME_LOWER (onnxruntime 1.32); "
                "give explicit pads, or use dilation 1"
            ),
        ),
        (
            one("convtranspose", 3, "onnx", stride=2, output_padding=2),
            (1, 1, 4),
            (
                "axis L: output_padding 2 must be less than max(stride, dilation) 2 (onnxruntime 1.32); "
                "use output_padding <= 1"
            ),
        ),
        (
            one("convtranspose", 3, "onnx", dilation=2, output_padding=1),
            (1, 1, 4),
            (
                "axis L: output_padding 1 must be less than the stride 1 (onnxruntime 1.32): the output would not "
                "convolve back to the input's size; use output_padding <= 0"
            ),
        ),
        (
            one("maxpool", 1, "onnx", stride=3, padding="SAME_UPPER"),
            (1, 1, 9),
            (
                "axis L: padding values must be non-negative (onnxruntime 1.32): auto_pad SAME pads -2 in all for "
                "kernel 1; use VALID or explicit pads: a kernel shorter than the stride needs no padding"
            ),
        ),
        (
            one("convtranspose", 3, "onnx", stride=2, output_size=[12]),
            (1, 1, 4),
            "axis L: output_shape 12 is inconsistent with the input size 4 (onnxruntime 1.32); ask for at most 10",
        ),
    ],
    ids=[
        "keras stride with dilation",
        "keras output_padding",
        "jax crop",
        "jax transposed crop",
        "onnx input below kernel",
        "onnx size below 1",
        "onnx pool pads",
        "onnx SAME with dilation",
        "onnx output_padding",
        "onnx output_padding and stride",
        "onnx negative SAME pool",
        "onnx output_shape",
    ],
)
def test_refusals_word_for_word(layer: LayerSpec, shape: tuple[int, ...], message: str) -> None:
    """Each framework's refusal: its reason, the axis and what would work."""
    assert refusal(layer, shape) == message


@pytest.mark.parametrize(
    ("layer", "size", "output", "padding"),
    [
        # a crop of the whole dimension but one cell less is taken: JAX gives an empty output
        (one("conv", 1, "jax", padding=[(-2, -1)]), 3, 0, (-2, -1)),
        (one("convtranspose", 3, "jax", stride=2, padding=[(-3, -2)]), 3, 0, (5, 4)),
        # Keras crops the larger half of a `same` transposed layer's padding first: x lands at 0, 2, 4
        (one("convtranspose", 1, "keras", stride=2, padding="same", output_padding=1), 3, 6, (0, -1)),
        # lax.conv_transpose SAME pads the stretched input by 2 before for k=4, s=2 (x lands at 2, 4)
        (one("convtranspose", 4, "jax", stride=2, padding="same"), 3, 6, (1, 1)),
        (one("convtranspose", 3, "jax", stride=2, padding="same"), 3, 6, (0, 1)),
        (one("convtranspose", 5, "jax", stride=3, padding="same"), 3, 9, (1, 1)),
    ],
    ids=[
        "jax crop to 0",
        "jax transposed crop to 0",
        "keras same op",
        "jax same k4s2",
        "jax same k3s2",
        "jax same k5s3",
    ],
)
def test_padding_and_size_as_the_framework_runs_it(
    layer: LayerSpec, size: int, output: int, padding: tuple[int, int]
) -> None:
    """The padding before and after (negative: a crop) and the output size, as the framework computes them."""
    shape = layer_shape(layer, (1, 1, size))
    assert shape.output[2:] == (output,)
    assert shape.padding == (padding,)


@pytest.mark.parametrize("pads", [None, (1, 2), (2, 0)])
@pytest.mark.parametrize(
    ("target", "before", "before_upper"),
    [(5, 1, 1), (6, 1, 0), (7, 0, 0), (8, 0, 0)],
)
def test_onnx_output_shape_sets_the_size_and_its_own_pads(
    pads: tuple[int, int] | None, target: int, before: int, before_upper: int
) -> None:
    """An ONNX ConvTranspose with output_shape gives that size and ignores `pads` (as onnxruntime runs it).

    k=3, s=2 on 3 cells: onnxruntime put x at 2i - before, with auto_pad NOTSET or SAME_UPPER.
    """
    for padding, expected in (([pads] if pads else 0, before), ("same", before_upper)):
        layer = one("convtranspose", 3, "onnx", stride=2, padding=padding, output_size=target)
        (result,) = analyze(NetworkSpec(input=(1, 1, 3), layers=(layer,))).layers
        assert result.status is Status.OK, result.error
        assert result.output == (1, 1, target)
        assert result.padding is not None
        assert result.padding[0][0] == expected


@pytest.mark.parametrize(("target", "before"), [(6, 1), (7, 1), (8, 0)])
def test_onnx_output_shape_counts_output_padding(target: int, before: int) -> None:
    """output_padding 1 with output_shape: the padding in all counts it (onnxruntime 1.32, k=3, s=2, 3 cells)."""
    layer = one("convtranspose", 3, "onnx", stride=2, output_padding=1, output_size=target)
    (result,) = analyze(NetworkSpec(input=(1, 1, 3), layers=(layer,))).layers
    assert result.output == (1, 1, target)
    assert result.padding is not None
    assert result.padding[0][0] == before


@pytest.mark.parametrize(
    ("kind", "framework", "options", "where", "message"),
    [
        ("maxpool", "keras", {"dilation": 2}, "dilation", "Keras pooling layers have no dilation"),
        ("maxpool", "jax", {"ceil_mode": True}, "ceil_mode", "jax pooling has no ceil_mode"),
        ("avgpool", "keras", {"ceil_mode": True}, "ceil_mode", "keras pooling has no ceil_mode"),
        ("convtranspose", "keras", {"groups": 2}, "groups", "Keras' Conv*DTranspose has no groups"),
        ("convtranspose", "jax", {"groups": 2}, "groups", "lax.conv_transpose has no groups"),
        ("conv", "jax", {"padding": "causal"}, "padding", "jax takes padding SAME, SAME_LOWER, VALID or numbers, not 'causal'"),
        ("conv", "keras", {"padding": [(1, 0)]}, "padding", "Keras takes padding 'valid', 'same' or 'causal'; numbers need a ZeroPadding layer before it"),
        ("conv", "keras", {"padding": [(0, 1)]}, "padding", "Keras takes padding 'valid', 'same' or 'causal'; numbers need a ZeroPadding layer before it"),
    ],
    ids=["keras pool dilation", "jax ceil", "keras ceil", "keras groups", "jax groups", "jax causal", "keras pads", "keras pad after"],
)  # fmt: skip
def test_arguments_a_framework_does_not_take(
    kind: str, framework: str, options: dict[str, object], where: str, message: str
) -> None:
    """Refused as malformed input (exit 2), naming the argument."""
    with pytest.raises(InputError) as caught:
        one(kind, 2, framework, **options)
    assert (caught.value.where, caught.value.message) == (where, message)


def test_padding_per_axis_count() -> None:
    """A per-axis padding list of the wrong length names the padding."""
    with pytest.raises(InputError) as caught:
        LayerSpec.create("conv", 3, rank=2, padding=[(1, 1)], framework="onnx")
    assert (caught.value.where, caught.value.message) == ("padding", "expected 2 values (one per spatial axis), got 1")


def test_axes_that_fail_alike_share_one_line() -> None:
    """The same refusal on every axis names them together; different ones give the first axis alone."""
    square = LayerSpec.create("conv", 3)
    assert refusal(square, (1, 1, 2, 2)).startswith("axes H, W: output size 0 < 1: input 2 + padding 0")
    assert refusal(square, (1, 1, 1, 2)).startswith("axis H: output size -1 < 1: input 1 + padding 0")
    assert refusal(square, (1, 1, 9, 2)).startswith("axis W: output size 0 < 1: input 2 + padding 0")
