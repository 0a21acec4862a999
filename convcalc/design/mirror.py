"""Pure: the decoder that undoes an encoder's shapes exactly, layer by layer in reverse."""

from __future__ import annotations

from convcalc.core import formulas
from convcalc.core.analysis import StackResult, Status
from convcalc.core.errors import LayerError
from convcalc.core.spec import AxisValues, LayerKind, LayerSpec, NetworkSpec, axis_names


def _output_padding(
    spec: LayerSpec, sizes_in: AxisValues, sizes_out: AxisValues, padding: tuple[tuple[int, int], ...]
) -> AxisValues:
    """Return a = i - ((o-1)s - pads + e) per axis: relationship 14's a = (i + 2p - k) mod s, in general."""
    values = []
    for axis, (i, o, s, d, k, (before, after)) in enumerate(
        zip(sizes_in, sizes_out, spec.stride, spec.dilation, spec.kernel_size, padding, strict=True)
    ):
        a = formulas.output_padding_for(o, k, s, before, after, d, i)
        if not formulas.output_padding_allowed(a, s, d):
            name = axis_names(len(sizes_in))[axis]
            most = formulas.largest_output_padding(s, d)
            msg = f"no output_padding brings {o} back to {i} (it would be {a}; torch.nn allows 0 to {most})"
            raise LayerError(msg, axis=name, hint="ceil_mode or a stride larger than the kernel loses the size")
        values.append(a)
    return tuple(values)


def mirror(result: StackResult) -> NetworkSpec:
    """Return the decoder of an analysed encoder: each conv or pool becomes a transposed convolution.

    Kernel, stride, padding, dilation and groups stay; channels run backwards; output_padding
    restores every size; every layer expects the shape the encoder had there. A transposed
    layer in the encoder becomes a convolution. Raises LayerError naming the layer that cannot
    be undone exactly.
    """
    invalid = [layer for layer in result.layers if layer.status is Status.INVALID]
    if invalid:  # an expect that fails does not stop a mirror; an impossible layer does
        raise LayerError(f"{invalid[0].label} is not valid, so the network cannot be mirrored: {invalid[0].error}")
    layers = []
    for layer in reversed(result.layers):
        spec = layer.spec
        if not isinstance(spec, LayerSpec) or spec.inputs:
            msg = f"{layer.label} is {spec.kind}: mirror takes a straight stack of conv, convtranspose and pool layers"
            raise LayerError(msg)
        shape_in, shape_out, padding = layer.input or (), layer.output or (), layer.padding or ()  # all set: valid
        name = f"{spec.name or spec.kind.value + str(layer.index)}_mirror"
        try:
            if spec.kind.is_transposed:
                kind = LayerKind.CONV
                output_padding: AxisValues = (0,) * spec.rank
            else:
                kind = LayerKind.CONVTRANSPOSE
                output_padding = _output_padding(spec, shape_in[2:], shape_out[2:], padding)
        except LayerError as error:
            raise error.within(layer.label) from None
        layers.append(
            LayerSpec.create(
                kind,
                spec.kernel_size,
                stride=spec.stride,
                padding=padding,
                dilation=spec.dilation,
                output_padding=output_padding,
                groups=spec.groups,
                bias=spec.bias,
                out_channels=shape_in[1],
                name=name,
                expect=shape_in,
            )
        )
    final = (result.layers[-1].output if result.layers else None) or result.input
    return NetworkSpec(input=final, layers=tuple(layers), source=f"mirror of {result.source}")
