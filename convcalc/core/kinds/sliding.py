"""The sliding-window kinds: conv, convtranspose and the pools (max, average, Lp).

Their shapes are core/windows.py's and their receptive fields core/receptive.py's; this
module says what else each kind means: its cost, its cells and JSON keys, its class names.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.core.kinds.base import WindowRules
from convcalc.core.kinds.file_types import FileTypes
from convcalc.core.spec import LayerKind, LayerSpec, PaddingMode
from convcalc.core.text import axes_text, padding_cell

if TYPE_CHECKING:
    from convcalc.core.spec import AnyLayer, AxisValues, PaddingPairs


def geometry_cell(spec: LayerSpec, padding: PaddingPairs | None) -> str:
    """Say kernel/stride/padding/dilation (and a transposed layer's output_padding) in a few characters."""
    given = padding if padding is not None else spec.padding
    pad = given.value if isinstance(given, PaddingMode) else padding_cell(given)
    text = "/".join((axes_text(spec.kernel_size), axes_text(spec.stride), pad, axes_text(spec.dilation)))
    if spec.kind.is_transposed and any(spec.output_padding):
        text += f" a{axes_text(spec.output_padding)}"
    return text


class _Convolution(WindowRules):
    def type_cell(self, spec: AnyLayer) -> str:
        """Give the short word, with the groups when not 1 (conv g32)."""
        groups = spec.groups if isinstance(spec, LayerSpec) else 1
        return self.short + (f" g{groups}" if groups != 1 else "")

    def macs_on_output_grid(self) -> bool:
        """Torchinfo counts a convolution's Mult-Adds once per output position."""
        return True

    def json(self, spec: LayerSpec) -> dict[str, Any]:
        """Give the groups and the bias."""
        return {"groups": spec.groups, "bias": spec.bias}


class Conv(_Convolution):
    """A direct convolution: FLOPs on the output grid."""

    kinds = (LayerKind.CONV,)
    short = "conv"
    torch_class = "Conv"
    keras_class = "Conv{}D"
    onnx_op = "Conv"

    def flops(self, spec: LayerSpec, shape: AxisValues, output: AxisValues, weight: AxisValues) -> int:
        """Each output position multiplies the whole weight: 2 x N x positions x weight."""
        del spec
        return 2 * shape[0] * prod(output[2:]) * prod(weight)


class ConvTranspose(_Convolution):
    """A transposed convolution: FLOPs on the input grid (each input scatters the whole weight)."""

    kinds = (LayerKind.CONVTRANSPOSE,)
    short = "convT"
    torch_class = "ConvTranspose"
    keras_class = "Conv{}DTranspose"
    onnx_op = "ConvTranspose"

    def period(self, layer: AnyLayer, axis: int) -> int | None:
        """Each input size gives its own output size: the period is 1."""
        del layer, axis
        return 1

    def flops(self, spec: LayerSpec, shape: AxisValues, output: AxisValues, weight: AxisValues) -> int:
        """Each input position scatters the whole weight: 2 x N x input positions x weight."""
        del spec, output
        return 2 * shape[0] * prod(shape[2:]) * prod(weight)

    def json(self, spec: LayerSpec) -> dict[str, Any]:
        """Give the output padding (and output size, when given) before the groups and bias."""
        keys: dict[str, Any] = {"output_padding": spec.output_padding}
        if spec.output_size is not None:
            keys["output_size"] = spec.output_size
        return keys | super().json(spec)


class _Pool(WindowRules):
    def type_cell(self, spec: AnyLayer) -> str:
        """Give the word, with ceil under ceil_mode."""
        ceil = isinstance(spec, LayerSpec) and spec.ceil_mode
        return self.short + (" ceil" if ceil else "")

    def json(self, spec: LayerSpec) -> dict[str, Any]:
        """Give the ceil mode."""
        return {"ceil_mode": spec.ceil_mode}


class MaxPool(_Pool):
    """Max pooling."""

    kinds = (LayerKind.MAXPOOL,)
    short = "maxpool"
    torch_class = "MaxPool"
    keras_class = "MaxPooling{}D"
    onnx_op = "MaxPool"
    pads_with_minus_infinity = True


class AvgPool(_Pool):
    """Average pooling."""

    kinds = (LayerKind.AVGPOOL,)
    short = "avgpool"
    torch_class = "AvgPool"
    keras_class = "AveragePooling{}D"
    onnx_op = "AveragePool"
    counts_padding_option = True


class LpPool(_Pool):
    """Lp pooling: an average pool's windows, of x**p (torch's norm_type, ONNX's p)."""

    kinds = (LayerKind.LPPOOL,)
    short = "lppool"
    torch_class = "LPPool"
    onnx_op = "LpPool"
    takes_norm = True
    torch_padding = False

    def json(self, spec: LayerSpec) -> dict[str, Any]:
        """Give the ceil mode and p."""
        return super().json(spec) | {"norm_type": spec.norm_type}


_RANKS = (1, 2, 3)


@cache
def file_types() -> FileTypes:
    """Return the sliding-window layers' class names in torch.nn, Keras and ONNX, with the kind and rank each means."""
    return FileTypes(
        windows={
            **{
                f"{base}{rank}d": (kind, rank)
                for base, kind in (
                    ("AvgPool", LayerKind.AVGPOOL),
                    ("Conv", LayerKind.CONV),
                    ("ConvTranspose", LayerKind.CONVTRANSPOSE),
                    ("LPPool", LayerKind.LPPOOL),
                    ("MaxPool", LayerKind.MAXPOOL),
                )
                for rank in _RANKS
            },
            **{
                f"{base}{rank}D": (kind, rank)
                for base, kind in (
                    ("AveragePooling", LayerKind.AVGPOOL),
                    ("Conv", LayerKind.CONV),
                    ("MaxPooling", LayerKind.MAXPOOL),
                )
                for rank in _RANKS
            },
            **{f"Conv{rank}DTranspose": (LayerKind.CONVTRANSPOSE, rank) for rank in _RANKS},
            # ONNX's operators: the rank comes from the input
            "Conv": (LayerKind.CONV, None),
            "ConvTranspose": (LayerKind.CONVTRANSPOSE, None),
            "MaxPool": (LayerKind.MAXPOOL, None),
            "AveragePool": (LayerKind.AVGPOOL, None),
            "LpPool": (LayerKind.LPPOOL, None),
        },
    )
