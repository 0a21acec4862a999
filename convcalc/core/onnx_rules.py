"""Pure: ONNX's Conv, ConvTranspose and pools as onnxruntime 1.32 sizes and refuses them; where inference differs.

The rules were read off 6,000 random layers run by onnxruntime 1.32 (480 of them are
tests/fixtures/onnx_layers.json, made by tools/make_onnx_layers.py) and agree with every one:

- Pools divide toward zero (C++), or round up with ceil_mode and then drop a last window
  that starts in the right padding (the operator spec: "Sliding windows that would start in
  the right padded region are ignored"; opset-22 shape inference does it, opset 21 does not).
- SAME pools pad for the undilated kernel, (ceil(i/s) - 1)*s + k - i in all (the spec and shape
  inference use the dilated kernel); the odd cell goes after (SAME_UPPER) or before
  (SAME_LOWER). A MaxPool without dilation refuses a negative total; AveragePool and a dilated
  MaxPool take it.
- Refused whatever the input: pool pads not below the kernel; auto_pad SAME_* in a Conv with
  a dilation above 1; ConvTranspose output_padding not below max(stride, dilation), and (its
  check that the layer inverts a convolution) not below the stride.
- A Conv whose padded input is shorter than its dilated kernel is refused (shape inference
  writes 1 there).
- A ConvTranspose with auto_pad SAME_* gives min(i*s, s*(i-1) + e + a); shape inference writes
  min(i*s, s*(i-1) + e) + a, adding the output_padding the spec's SAME rule absorbs.
"""

from __future__ import annotations

from convcalc.core import formulas
from convcalc.core.errors import LayerError, Problem
from convcalc.core.formulas import effective_kernel
from convcalc.core.spec import LayerKind, LayerSpec, PaddingMode, axis_names

RUNTIME = "onnxruntime 1.32"
OPSETS = (21, 22)  # the shape-inference versions compared


def _toward_zero(numerator: int, denominator: int) -> int:
    """Divide as C++ does: the quotient rounded toward zero."""
    quotient = abs(numerator) // denominator
    return quotient if numerator >= 0 else -quotient


def refuse_layer(layer: LayerSpec) -> None:
    """Raise what onnxruntime refuses in a layer whatever the input size."""
    names = axis_names(layer.rank)
    padding = layer.padding
    if layer.kind is LayerKind.CONV and padding in (PaddingMode.SAME, PaddingMode.SAME_LOWER):
        dilated = [names[axis] for axis, d in enumerate(layer.dilation) if d > 1]
        if dilated:
            msg = f"dilation is not supported with auto_pad SAME_UPPER or SAME_LOWER ({RUNTIME})"
            raise LayerError(msg, axis=dilated, hint="give explicit pads, or use dilation 1")
    if layer.kind.is_pool and not isinstance(padding, PaddingMode):
        limit = formulas.onnx_pool_padding_limit
        wide = [axis for axis in range(layer.rank) if max(padding[axis]) > limit(layer.kernel_size[axis])]
        if wide:
            worst = max(max(padding[axis]) for axis in wide)
            least = min(layer.kernel_size[axis] for axis in wide)
            msg = f"pads {worst} not smaller than the kernel {least} ({RUNTIME}: pad should be smaller than kernel)"
            hint = f"use pads of at most {limit(least)}, or a Pad node before the pool"
            raise LayerError(
                msg,
                axis=[names[a] for a in wide],
                hint=hint,
                problem=Problem.POOL_PADDING,
                padding=worst,
                limit=limit(least),
            )
    if layer.kind.is_transposed:
        for word, bound in (("max(stride, dilation)", max), ("the stride", None)):
            limits = [
                layer.stride[axis] if bound is None else bound(layer.stride[axis], layer.dilation[axis])
                for axis in range(layer.rank)
            ]
            over = [axis for axis in range(layer.rank) if layer.output_padding[axis] >= limits[axis]]
            if over:
                a, most = layer.output_padding[over[0]], limits[over[0]]
                msg = f"output_padding {a} must be less than {word} {most} ({RUNTIME})"
                if bound is None:
                    msg += ": the output would not convolve back to the input's size"
                raise LayerError(
                    msg,
                    axis=[names[axis] for axis in over],
                    hint=f"use output_padding <= {most - 1}",
                    problem=Problem.OUTPUT_PADDING,
                    output_padding=a,
                    largest=most - 1,
                )


def pool_padding(layer: LayerSpec, axis: int, size: int) -> tuple[int, int]:
    """Return the (before, after) padding onnxruntime gives a pool's axis (SAME pads for the undilated kernel)."""
    padding = layer.padding
    if padding is PaddingMode.VALID:
        return 0, 0
    if not isinstance(padding, PaddingMode):
        return padding[axis]
    k, s = layer.kernel_size[axis], layer.stride[axis]
    total = formulas.conv_padding_for(size, k, s, 1, -(-size // s))  # for the undilated kernel, negative kept
    if total < 0 and layer.kind is LayerKind.MAXPOOL and all(d == 1 for d in layer.dilation):
        msg = f"padding values must be non-negative ({RUNTIME}): auto_pad SAME pads {total} in all for kernel {k}"
        hint = "use VALID or explicit pads: a kernel shorter than the stride needs no padding"
        raise LayerError(msg, axis=axis_names(layer.rank)[axis], hint=hint, problem=Problem.NEGATIVE_PADDING)
    before = _toward_zero(total + 1 if padding is PaddingMode.SAME_LOWER else total, 2)
    return before, total - before


def pool_size(layer: LayerSpec, axis: int, size: int, padding: tuple[int, int], *, drop_last: bool = True) -> int:
    """Return a pool's output size: toward zero, or rounded up and (drop_last) no window starting in the padding."""
    before, after = padding
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    if not layer.ceil_mode:
        return formulas.windows_toward_zero(size, k, s, before, after, d)
    out = formulas.windows_rounded_up(size, k, s, before, after, d)
    return out - 1 if drop_last and formulas.last_window_in_padding(out, s, size, before) else out


def refuse_short_input(layer: LayerSpec, axis: int, size: int, before: int, after: int) -> None:
    """Refuse a Conv whose padded input is shorter than its dilated kernel, as onnxruntime does."""
    e = effective_kernel(layer.kernel_size[axis], layer.dilation[axis])
    if size + before + after < e:
        msg = f"the padded input {size + before + after} is shorter than the dilated kernel {e} ({RUNTIME})"
        hint = f"use an input of at least {e - before - after}, more padding or a smaller kernel"
        raise LayerError(
            msg, axis=axis_names(layer.rank)[axis], hint=hint, problem=Problem.INPUT_BELOW_KERNEL, size=size, kernel=e
        )


def _written(out: int, written: dict[int, int], reason: str) -> str | None:
    """Say what shape inference writes at each opset where it is not `out`."""
    other = {opset: value for opset, value in written.items() if value != out}
    if not other:
        return None
    opsets = ("opsets " if len(other) > 1 else "opset ") + " and ".join(map(str, other))
    sizes = " or ".join(str(value) for value in sorted(set(other.values())))
    return f"ONNX shape inference ({opsets}) writes {sizes}, {RUNTIME} computes {out} ({reason})"


def pool_inference_note(layer: LayerSpec, axis: int, size: int, out: int) -> str | None:
    """Say what ONNX shape inference (opsets 21 and 22) writes for a pool's axis where it is not `out`."""
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    same = layer.padding in (PaddingMode.SAME, PaddingMode.SAME_LOWER)
    if same:  # shape inference pads SAME for the dilated kernel, as a Conv
        pads = formulas.ceil_same_padding(size, k, s, d, lower=layer.padding is PaddingMode.SAME_LOWER)
    else:
        pads = pool_padding(layer, axis, size)  # VALID or explicit: as onnxruntime
    written = {opset: pool_size(layer, axis, size, pads, drop_last=opset >= 22) for opset in OPSETS}  # noqa: PLR2004 - opset 22 drops a last window that starts in the right padding
    reasons = []
    if len(set(written.values())) > 1:
        reasons.append("opset 21 keeps a last window that starts in the right padding")
    if same and d > 1:
        reasons.append(f"it pads SAME for the dilated kernel, {RUNTIME} for the undilated one")
    return _written(out, written, "; ".join(reasons))


def transposed_same_note(layer: LayerSpec, axis: int, size: int, out: int) -> str | None:
    """Say what ONNX shape inference writes for a SAME ConvTranspose's axis where output_padding makes it differ."""
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    written = min(size * s, s * (size - 1) + effective_kernel(k, d)) + layer.output_padding[axis]
    reason = f"it adds output_padding {layer.output_padding[axis]}, which the spec's SAME rule absorbs"
    return _written(out, dict.fromkeys(OPSETS, written), reason)
