"""Pure: the PyTorch layers that give exactly what a layer of another framework gives.

A layer of any framework is first resolved to padding before and after each axis (negative
crops), output_padding and output sizes. PyTorch then needs, per case:

- a direct convolution or pool: `padding=p` when both sides agree; otherwise a padding
  module before it (`nn.ZeroPad2d` for a convolution, `nn.ConstantPad2d(..., -inf)` for a
  max pool, as their padding reads nothing) and `padding=0`; a pool that ONNX rounds up
  without dropping a window gets the cells it needs as padding after.
- a transposed convolution: `padding=p, output_padding=a` when the crops agree and `a` is
  one torch.nn accepts; otherwise `padding=0` and a padding module after it that crops
  (negative) or pads what is left.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from convcalc.errors import LayerError
from convcalc.shapes import effective_kernel, layer_shape
from convcalc.spec import AxisValues, Framework, LayerKind, LayerSpec

TORCH_CLASSES = {
    LayerKind.CONV: "Conv",
    LayerKind.CONVTRANSPOSE: "ConvTranspose",
    LayerKind.MAXPOOL: "MaxPool",
    LayerKind.AVGPOOL: "AvgPool",
}


@dataclass(frozen=True, slots=True)
class Ported:
    """The torch.nn layers that replace one layer: an optional pad before, the layer, an optional pad after."""

    source: LayerSpec
    layer: LayerSpec
    pad_before: tuple[tuple[int, int], ...] | None
    pad_after: tuple[tuple[int, int], ...] | None
    output: AxisValues
    notes: tuple[str, ...]


def _torch_direct(layer: LayerSpec, spatial: AxisValues, pads: tuple[tuple[int, int], ...], out: AxisValues) -> Ported:
    notes = []
    # cells a pool needs after the input so that floor division gives the source's output size
    needed = []
    for axis, (size, (before, after), want) in enumerate(zip(spatial, pads, out, strict=True)):
        e = effective_kernel(layer.kernel_size[axis], layer.dilation[axis])
        needed.append(after + max(0, (want - 1) * layer.stride[axis] + e - (size + before + after)))
    pads = tuple((before, after) for (before, _), after in zip(pads, needed, strict=True))
    symmetric = all(before == after and before >= 0 for before, after in pads)
    pool_bound = all(before <= k // 2 for (before, _), k in zip(pads, layer.kernel_size, strict=True))
    small_3d = (
        layer.kind is LayerKind.AVGPOOL
        and layer.rank == 3  # noqa: PLR2004 - AvgPool3d refuses inputs smaller than the kernel, padding or not
        and any(size < k for size, k in zip(spatial, layer.kernel_size, strict=True))
    )
    if symmetric and not small_3d and (not layer.kind.is_pool or pool_bound):
        target = replace(layer, padding=pads, framework=Framework.TORCH, ceil_mode=False, output_padding_given=True)
        return Ported(layer, target, None, None, out, ())
    if layer.kind is LayerKind.AVGPOOL and any(before or after for before, after in pads):
        notes.append("border averages differ: the padding cells count in torch.nn's average (shapes are exact)")
    target = replace(
        layer, padding=((0, 0),) * layer.rank, framework=Framework.TORCH, ceil_mode=False, output_padding_given=True
    )
    return Ported(layer, target, pads, None, out, tuple(notes))


def _torch_transposed(
    layer: LayerSpec, pads: tuple[tuple[int, int], ...], extra: AxisValues, out: AxisValues
) -> Ported:
    fits = all(
        before == after >= 0 and (a < s or a < d)
        for (before, after), a, s, d in zip(pads, extra, layer.stride, layer.dilation, strict=True)
    )
    if fits:
        target = replace(layer, padding=pads, output_padding=extra, framework=Framework.TORCH, output_size=None)
        return Ported(layer, replace(target, output_padding_given=True), None, None, out, ())
    # padding 0 and no output_padding, then crop (negative) or pad what the source crops or adds
    after_pad = tuple((-before, a - after) for (before, after), a in zip(pads, extra, strict=True))
    target = replace(
        layer,
        padding=((0, 0),) * layer.rank,
        output_padding=(0,) * layer.rank,
        framework=Framework.TORCH,
        output_size=None,
        output_padding_given=True,
    )
    notes: tuple[str, ...] = ()
    if any(a - after > 0 for (_, after), a in zip(pads, extra, strict=True)):
        notes = ("the cells added after are zeros here, where the source adds its bias (shapes are exact)",)
    return Ported(layer, target, None, after_pad, out, notes)


def to_torch(layer: LayerSpec, shape: AxisValues) -> Ported:
    """Return the torch.nn layers that give the same output as `layer` (any framework) on `shape`."""
    source = layer_shape(layer, shape)
    out = source.output[2:]
    if min(out) < 1:
        raise LayerError(f"no torch.nn layer gives an output of size {list(out)}: torch.nn refuses sizes below 1")
    if layer.kind.is_transposed:
        ported = _torch_transposed(layer, source.padding, source.output_padding, out)
    else:
        ported = _torch_direct(layer, shape[2:], source.padding, out)
    if torch_output(ported, shape) != out:  # convcalc's own torch.nn arithmetic must agree
        msg = f"porting gave {list(torch_output(ported, shape))}, not {list(out)}"
        raise AssertionError(msg)
    return ported


def torch_output(ported: Ported, shape: AxisValues) -> AxisValues:
    """Return the spatial output of the ported torch.nn layers, by torch.nn's own rules."""
    spatial = list(shape[2:])
    if ported.pad_before is not None:
        spatial = [size + before + after for size, (before, after) in zip(spatial, ported.pad_before, strict=True)]
    out = list(layer_shape(ported.layer, (*shape[:2], *spatial)).output[2:])
    if ported.pad_after is not None:
        out = [size + before + after for size, (before, after) in zip(out, ported.pad_after, strict=True)]
    return tuple(out)


def _pad_tuple(pads: tuple[tuple[int, int], ...]) -> str:
    """torch.nn's padding modules take the last axis first: (left, right, top, bottom, front, back)."""
    return "(" + ", ".join(f"{before}, {after}" for before, after in reversed(pads)) + ")"


def _axes(values: AxisValues) -> str:
    return str(values[0]) if len(set(values)) == 1 else "(" + ", ".join(map(str, values)) + ")"


def torch_snippet(ported: Ported, in_channels: int, out_channels: int) -> str:
    """Return Python that builds the ported layers with torch.nn."""
    layer = ported.layer
    rank = layer.rank
    parts = []
    if ported.pad_before is not None:
        if layer.kind is LayerKind.MAXPOOL:
            parts.append(f'nn.ConstantPad{rank}d({_pad_tuple(ported.pad_before)}, float("-inf"))')
        else:
            parts.append(f"nn.ZeroPad{rank}d({_pad_tuple(ported.pad_before)})")
    args = []
    if not layer.kind.is_pool:
        args += [str(in_channels), str(out_channels)]
    args.append(f"kernel_size={_axes(layer.kernel_size)}")
    args.append(f"stride={_axes(layer.stride)}")
    padding = layer.padding
    pads = padding if not isinstance(padding, str) else ((0, 0),) * rank
    args.append(f"padding={_axes(tuple(before for before, _ in pads))}")
    if layer.kind.is_transposed and any(layer.output_padding):
        args.append(f"output_padding={_axes(layer.output_padding)}")
    if layer.kind is not LayerKind.AVGPOOL and any(d != 1 for d in layer.dilation):
        args.append(f"dilation={_axes(layer.dilation)}")
    if not layer.kind.is_pool and layer.groups != 1:
        args.append(f"groups={layer.groups}")
    if not layer.kind.is_pool and not layer.bias:
        args.append("bias=False")
    parts.append(f"nn.{TORCH_CLASSES[layer.kind]}{rank}d({', '.join(args)})")
    if ported.pad_after is not None:
        parts.append(f"nn.ZeroPad{rank}d({_pad_tuple(ported.pad_after)})")
    body = parts[0] if len(parts) == 1 else "nn.Sequential(\n    " + ",\n    ".join(parts) + ",\n)"
    return f"from torch import nn\n\nlayer = {body}\n"
