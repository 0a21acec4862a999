"""Pure: the output-size rules and refusals of Keras 3, ONNX and JAX, as padding torch.nn would use.

Each framework's layer is resolved to what convcalc computes everywhere else: the padding
before and after each axis (negative means a crop), the output_padding, and the output
size. Receptive field, jump and the equivalent convolution then follow unchanged.

Facts checked against the frameworks themselves (tests/fixtures/*_layers.json):
- Keras 3: `same` pads to ceil(i/s) with the odd zero after, at any stride; `causal` pads
  e-1 before; a stride above 1 with a dilation above 1 is refused; output_padding must be
  below the stride; a transposed layer without output_padding gives i*s (same) or
  i*s + max(e-s, 0) (valid); with output_padding and `same` it crops the larger half of
  its padding first (checked value for value, tests/fixtures/port_values.json). Outputs
  below 1 are refused.
- ONNX, as onnxruntime 1.32 computes it (tests/fixtures/onnx_layers.json, 480 layers run by
  onnxruntime): explicit `pads` (not negative) or SAME_UPPER, SAME_LOWER, VALID. Pools round
  up with ceil_mode and drop a last window that starts in the right padding (as the operator
  spec says and opset-22 shape inference does; opset 21 keeps it); otherwise they divide toward
  zero, as C++ does. onnxruntime refuses pool pads not below the kernel, a convolution's padded
  input shorter than its dilated kernel, auto_pad SAME with dilation in Conv, output_padding not
  below max(stride, dilation) and, through its consistency check, not below the stride. Its
  SAME pools pad for the undilated kernel (the spec and shape inference for the dilated one);
  a MaxPool without dilation refuses the negative padding that gives, AveragePool takes it. A
  ConvTranspose with auto_pad SAME gives i*s, or less when the kernel and output_padding are
  shorter than the stride (shape inference adds output_padding to that). With output_shape it
  ignores `pads` and makes its own. Where a shape-inference version writes another size,
  the layer carries a warning that says so. Outputs below 1 are refused (onnxruntime computes
  an empty tensor for 0).
- JAX (lax): explicit (low, high) pairs, negative allowed, or SAME, SAME_LOWER, VALID; an
  output of 0 is allowed; negative padding beyond the input is refused.
"""

from __future__ import annotations

from convcalc.core import formulas, onnx_rules
from convcalc.core.errors import LayerError, Problem, join_axes
from convcalc.core.formulas import convtranspose_output_size, effective_kernel, equivalent_padding
from convcalc.core.spec import AxisValues, Framework, LayerKind, LayerSpec, PaddingMode, PaddingPairs, axis_names


def _direct_padding(layer: LayerSpec, axis: int, size: int) -> tuple[int, int]:
    e = effective_kernel(layer.kernel_size[axis], layer.dilation[axis])
    padding = layer.padding
    if padding is PaddingMode.VALID:
        return 0, 0
    if padding is PaddingMode.CAUSAL:
        return e - 1, 0
    if isinstance(padding, PaddingMode):
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        return formulas.ceil_same_padding(size, k, s, d, lower=padding is PaddingMode.SAME_LOWER)
    return padding[axis]


def _refuse_strided_dilation(layer: LayerSpec) -> None:
    if any(s > 1 for s in layer.stride) and any(d > 1 for d in layer.dilation):
        msg = "`strides > 1` not supported in conjunction with `dilation_rate > 1` (Keras): "
        msg += f"{list(layer.stride)}, {list(layer.dilation)}"
        raise LayerError(msg, hint="use stride 1 or dilation 1", problem=Problem.STRIDED_DILATION)


def _jax_transpose_padding(e: int, s: int, mode: PaddingMode) -> tuple[int, int]:
    """Return the padding of the stretched input that lax.conv_transpose uses for SAME and VALID."""
    if mode is PaddingMode.VALID:
        length = e + s - 2 + max(e - s, 0)
        low = e - 1
    else:
        length = e + s - 2
        low = min(e - 1, -(-length // 2))  # half of it before, the odd cell before, at most e - 1
    return low, length - low


def _transposed(layer: LayerSpec, axis: int) -> tuple[tuple[int, int], int]:
    """Return a transposed layer's (before, after) padding and output_padding in torch.nn's terms."""
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    e = effective_kernel(k, d)
    framework, padding = layer.framework, layer.padding
    if framework is Framework.KERAS:
        if layer.output_padding_given and padding is PaddingMode.SAME:
            # Keras pads the stretched input by e + e%2 - 2 + a in all, the larger half first:
            # keras/src/backend/common/backend_utils.py, the conversion of padding arguments to JAX
            total = e + e % 2 - 2 + layer.output_padding[axis]
            low = min(total - total // 2, e - 1)
            return (equivalent_padding(k, d, low), equivalent_padding(k, d, total - low)), 0
        if layer.output_padding_given:
            return (0, 0), layer.output_padding[axis]
        if padding is PaddingMode.SAME:
            total = max(e - s, 0)
            return (total // 2, total - total // 2), max(s - e, 0)
        return (0, 0), max(s - e, 0)
    if framework is Framework.ONNX:
        a = layer.output_padding[axis]
        if isinstance(padding, PaddingMode) and padding is not PaddingMode.VALID:
            total = max(e + a - s, 0)  # the output is i*s, or s*(i-1) + e + a when that is shorter
            half = total // 2
            return ((half, total - half) if padding is PaddingMode.SAME else (total - half, half)), a
        return ((0, 0) if isinstance(padding, PaddingMode) else padding[axis]), a
    # JAX: lax.conv_transpose pads the stretched input; in torch.nn's terms that is e-1 minus it
    if isinstance(padding, PaddingMode):
        low, high = _jax_transpose_padding(e, s, padding)
    else:
        low, high = padding[axis]
    return (equivalent_padding(k, d, low), equivalent_padding(k, d, high)), 0


def _onnx_output_shape_padding(layer: LayerSpec, axis: int, size: int) -> tuple[tuple[int, int], int]:
    """Return the padding and output_padding of an ONNX ConvTranspose whose output_shape is given.

    ONNX ignores `pads` then and makes its own from the padding in all: half before, the odd
    cell after with SAME_UPPER and before otherwise. An output larger than the layer's own
    (a negative padding in all) grows at the end, as onnxruntime 1.32 computes it.
    """
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    a = layer.output_padding[axis]
    assert layer.output_size is not None  # the caller checked
    total = convtranspose_output_size(size, k, s, 0, 0, d, a) - layer.output_size[axis]
    grown, total = max(-total, 0), max(total, 0)
    before = total // 2 if layer.padding is PaddingMode.SAME else total - total // 2
    return (before, total - before), a + grown


def resolve(layer: LayerSpec, spatial: AxisValues) -> tuple[PaddingPairs, AxisValues, AxisValues, tuple[str, ...]]:
    """Return the padding, output_padding, output size per axis and the warnings, or raise the framework's refusal."""
    framework = layer.framework
    names = axis_names(layer.rank)
    if framework is Framework.KERAS and not layer.kind.is_pool:
        _refuse_strided_dilation(layer)
    if framework is Framework.ONNX:
        onnx_rules.refuse_layer(layer)
    pads, extras, outs, notes = [], [], [], []
    for axis, size in enumerate(spatial):
        axis_size = _transposed_axis if layer.kind.is_transposed else _direct_axis
        (before, after), a, out = axis_size(layer, axis, size, names[axis])
        if framework is Framework.JAX:
            out = max(out, 0)
        lowest = 0 if framework is Framework.JAX else 1
        if out < lowest:
            raise LayerError(
                f"output size {out} < {lowest}: computed output size would be zero or negative ({framework})",
                axis=names[axis],
                hint="use a larger input, a smaller kernel or more padding",
                problem=Problem.OUTPUT_BELOW_ONE,
                output=out,
            )
        if framework is Framework.ONNX:
            note = _onnx_inference_note(layer, axis, size, out)
            notes.extend([(names[axis], note)] if note else [])
        pads.append((before, after))
        extras.append(a)
        outs.append(out)
    return tuple(pads), tuple(extras), tuple(outs), tuple(join_axes(notes))


def _onnx_inference_note(layer: LayerSpec, axis: int, size: int, out: int) -> str | None:
    """Say where ONNX shape inference writes another size than onnxruntime computes (output_shape: it never does)."""
    if layer.kind.is_pool:
        return onnx_rules.pool_inference_note(layer, axis, size, out)
    if (
        layer.kind.is_transposed
        and layer.output_size is None
        and layer.padding in (PaddingMode.SAME, PaddingMode.SAME_LOWER)
    ):
        return onnx_rules.transposed_same_note(layer, axis, size, out)
    return None


def output_padding_limit(framework: Framework, stride: int, dilation: int) -> int:
    """Return the largest output_padding a framework's transposed layer takes on an axis.

    torch.nn: below the stride or the dilation; Keras and onnxruntime: below the stride;
    lax.conv_transpose has none.
    """
    if framework is Framework.TORCH:
        return formulas.largest_output_padding(stride, dilation)
    return 0 if framework is Framework.JAX else stride - 1


def pool_padding_limit(framework: Framework, kernel: int) -> int | None:
    """Return the most padding on one side a framework's pool takes, None for any.

    torch.nn: half the raw kernel; onnxruntime: less than the kernel.
    """
    if framework is Framework.TORCH:
        return formulas.pool_padding_limit(kernel)
    return formulas.onnx_pool_padding_limit(kernel) if framework is Framework.ONNX else None


def _transposed_axis(layer: LayerSpec, axis: int, size: int, name: str) -> tuple[tuple[int, int], int, int]:
    """Return a transposed layer's padding, output_padding and output size on one axis."""
    framework = layer.framework
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    e = effective_kernel(k, d)
    most = output_padding_limit(framework, s, d)
    if framework is Framework.KERAS and layer.output_padding_given and layer.output_padding[axis] > most:
        a = layer.output_padding[axis]
        msg = f"`output_padding` must be strictly less than `strides` (Keras): {a} >= {s}"
        hint = f"use output_padding <= {most}"
        raise LayerError(msg, axis=name, hint=hint, problem=Problem.OUTPUT_PADDING, output_padding=a, largest=most)
    if framework is Framework.ONNX and layer.output_size is not None:
        (before, after), a = _onnx_output_shape_padding(layer, axis, size)
        if a >= s:  # grown past what a convolution of the output could bring back to the input's size
            wanted = layer.output_size[axis]
            msg = f"output_shape {wanted} is inconsistent with the input size {size} ({onnx_rules.RUNTIME})"
            largest = convtranspose_output_size(size, k, s, 0, 0, d, s - 1)
            hint = f"ask for at most {largest}"
            raise LayerError(msg, axis=name, hint=hint, problem=Problem.OUTPUT_SIZE_UNREACHABLE, largest=largest)
    else:
        (before, after), a = _transposed(layer, axis)
    if framework is Framework.JAX:  # the padding lax.conv_transpose puts on the stretched input
        _refuse_negative(2 * (e - 1) - before - after, formulas.stretched_size(size, s), name)
    return (before, after), a, convtranspose_output_size(size, k, s, before, after, d, a)


def _direct_axis(layer: LayerSpec, axis: int, size: int, name: str) -> tuple[tuple[int, int], int, int]:
    """Return a convolution's or a pool's padding, output_padding (0) and output size on one axis."""
    framework = layer.framework
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    if framework is Framework.ONNX and layer.kind.is_pool:
        before, after = onnx_rules.pool_padding(layer, axis, size)
        return (before, after), 0, onnx_rules.pool_size(layer, axis, size, (before, after))
    before, after = _direct_padding(layer, axis, size)
    if framework is Framework.ONNX:
        onnx_rules.refuse_short_input(layer, axis, size, before, after)
    if framework is Framework.JAX and layer.kind is LayerKind.CONV:  # lax.reduce_window does not check
        _refuse_negative(before + after, size, name)
    return (before, after), 0, formulas.conv_output_size(size, k, s, before, after, d)


def _refuse_negative(total: int, size: int, name: str) -> None:
    """Refuse padding that crops more than the whole dimension, as lax's convolutions do."""
    if total < -size:
        msg = f"negative padding {-total} in all is larger than the size {size} of the dimension (JAX)"
        raise LayerError(
            msg, axis=name, hint=f"crop at most {size}", problem=Problem.NEGATIVE_PADDING, crop=-total, size=size
        )
