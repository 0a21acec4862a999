"""Pure: what each framework's sliding-window layers take, one record per framework.

The checks of a layer (core/spec.py) and the JSON Schema of network files (netfile/schema.py)
are both made from these records, so that what a file may say and what the loader accepts
cannot drift apart. Each field is a fact of the framework's own API, confirmed against it:
torch.nn's Conv*/Pool* classes, Keras 3's layers, ONNX's operator schemas (run by onnxruntime)
and jax.lax.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol

from convcalc.core.errors import InputError
from convcalc.core.terms import WINDOW_KEYS, Framework, LayerKind, PaddingMode, PaddingPairs, check_axes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from convcalc.core.terms import AxisValues, Padding


class _Window(Protocol):
    """What the checks read of a window layer: core/spec.py's LayerSpec, which calls them as it is built."""

    @property
    def kind(self) -> LayerKind: ...
    @property
    def framework(self) -> Framework: ...
    @property
    def padding(self) -> Padding: ...
    @property
    def rank(self) -> int: ...
    @property
    def dilation(self) -> AxisValues: ...
    @property
    def output_padding(self) -> AxisValues: ...
    @property
    def output_padding_given(self) -> bool: ...
    @property
    def ceil_mode(self) -> bool: ...
    @property
    def groups(self) -> int: ...
    @property
    def norm_type(self) -> float: ...
    @property
    def padding_mode(self) -> str: ...
    @property
    def count_include_pad(self) -> bool | None: ...


@dataclass(frozen=True, slots=True)
class Takes:
    """What one framework's window layers take."""

    words: Mapping[PaddingMode, str]
    """The padding words, each as the framework spells it (causal: a 1-D convolution's only)."""
    words_beyond_conv: bool
    """Whether layers other than a direct convolution take the words too (torch.nn's take numbers only)."""
    numbers: Literal["natural", "zero", "integer"]
    """The padding numbers: from 0 up; only 0 (Keras pads by a ZeroPadding layer); any (lax crops by negatives)."""
    padding_modes: bool
    """Whether a convolution pads otherwise than with zeros (reflect, replicate, circular)."""
    pool_dilation: bool
    """Whether max pools take a dilation."""
    average_dilation: bool
    """Whether average and Lp pools take a dilation."""
    ceil_mode: bool
    """Whether pools may round their output size up."""
    transposed_groups: bool
    """Whether a transposed convolution takes groups."""
    transposed_output_padding: bool
    """Whether a transposed convolution takes output_padding."""
    count_include_pad: bool
    """Whether an average pool chooses to count padded cells."""
    lp_pool: bool
    """Whether there is an Lp pool."""
    lp_padding: bool
    """Whether the Lp pool takes padding."""
    transposed_name: str = ""
    """How the framework's transposed convolution is named in refusals."""


TAKES: Mapping[Framework, Takes] = MappingProxyType(
    {
        Framework.TORCH: Takes(
            words=MappingProxyType({PaddingMode.SAME: "same", PaddingMode.VALID: "valid"}),
            words_beyond_conv=False,
            numbers="natural",
            padding_modes=True,
            pool_dilation=True,
            average_dilation=False,
            ceil_mode=True,
            transposed_groups=True,
            transposed_output_padding=True,
            count_include_pad=True,
            lp_pool=True,
            lp_padding=False,
        ),
        Framework.KERAS: Takes(
            words=MappingProxyType(
                {PaddingMode.SAME: "same", PaddingMode.VALID: "valid", PaddingMode.CAUSAL: "causal"}
            ),
            words_beyond_conv=True,
            numbers="zero",
            padding_modes=False,
            pool_dilation=False,
            average_dilation=False,
            ceil_mode=False,
            transposed_groups=False,
            transposed_output_padding=True,
            count_include_pad=False,
            lp_pool=False,
            lp_padding=False,
            transposed_name="Keras' Conv*DTranspose",
        ),
        Framework.ONNX: Takes(
            words=MappingProxyType(
                {PaddingMode.SAME: "SAME_UPPER", PaddingMode.SAME_LOWER: "SAME_LOWER", PaddingMode.VALID: "VALID"}
            ),
            words_beyond_conv=True,
            numbers="natural",
            padding_modes=False,
            pool_dilation=True,
            average_dilation=True,  # AveragePool since opset 19, LpPool since 18
            ceil_mode=True,
            transposed_groups=True,
            transposed_output_padding=True,
            count_include_pad=True,
            lp_pool=True,
            lp_padding=True,
        ),
        Framework.JAX: Takes(
            words=MappingProxyType(
                {PaddingMode.SAME: "SAME", PaddingMode.SAME_LOWER: "SAME_LOWER", PaddingMode.VALID: "VALID"}
            ),
            words_beyond_conv=True,
            numbers="integer",
            padding_modes=False,
            pool_dilation=True,
            average_dilation=False,
            ceil_mode=False,
            transposed_groups=False,
            transposed_output_padding=False,  # lax.conv_transpose: the padding pairs say it
            count_include_pad=False,
            lp_pool=False,
            lp_padding=False,
            transposed_name="lax.conv_transpose",
        ),
    }
)
"""Every framework's record."""


SPELLING: Mapping[Framework, Mapping[PaddingMode, str]] = MappingProxyType(
    {framework: takes.words for framework, takes in TAKES.items() if framework is not Framework.TORCH}
)
"""The padding words outside torch.nn, as each framework spells them (generated code writes them)."""


def check_framework_arguments(layer: _Window) -> None:
    """Refuse the padding and arguments the layer's framework does not take (malformed input, exit 2)."""
    _check_padding(layer)
    takes = TAKES[layer.framework]
    framework = layer.framework
    if not takes.pool_dilation and layer.kind.is_pool and any(d != 1 for d in layer.dilation):
        raise InputError("Keras pooling layers have no dilation", where="dilation")
    if not takes.ceil_mode and layer.ceil_mode:
        raise InputError(f"{framework} pooling has no ceil_mode", where="ceil_mode")
    if not takes.transposed_groups and layer.kind.is_transposed and layer.groups != 1:
        raise InputError(f"{takes.transposed_name} has no groups", where="groups")
    if (
        not takes.transposed_output_padding
        and layer.kind.is_transposed
        and layer.output_padding_given
        and any(layer.output_padding)
    ):
        msg = f"{takes.transposed_name} has no output_padding: give the padding pairs instead"
        raise InputError(msg, where="output_padding")


def _check_padding(layer: _Window) -> None:
    """Refuse a padding word or form the layer's framework does not take."""
    takes = TAKES[layer.framework]
    framework = layer.framework
    padding = layer.padding
    if not isinstance(padding, PaddingMode):
        _check_numbers(layer, padding)
    elif framework is Framework.TORCH:  # the reference says it in its own words
        if layer.kind is not LayerKind.CONV or padding not in takes.words:
            msg = f"{layer.kind} takes numbers only; padding={padding.value!r} is for conv (as in torch.nn)"
            if layer.kind is LayerKind.CONV:
                msg = f"torch.nn takes padding 'same' or 'valid', not {padding.value!r}"
            raise InputError(msg, where="padding")
    elif padding not in takes.words:
        words = ", ".join(sorted(takes.words.values()))
        numbers = "0" if takes.numbers == "zero" else "numbers"  # Keras pads by a ZeroPadding layer
        raise InputError(f"{framework} takes padding {words} or {numbers}, not {padding.value!r}", where="padding")
    elif padding is PaddingMode.CAUSAL and (layer.kind is not LayerKind.CONV or layer.rank != 1):
        raise InputError("causal padding is for Conv1D only (Keras)", where="padding")


def _check_numbers(layer: _Window, padding: PaddingPairs) -> None:
    """Refuse padding numbers the layer's framework does not take."""
    takes = TAKES[layer.framework]
    if takes.numbers == "zero" and any(before or after for before, after in padding):
        msg = "Keras takes padding 'valid', 'same' or 'causal'; numbers need a ZeroPadding layer before it"
        raise InputError(msg, where="padding")
    if len(padding) != layer.rank:
        raise InputError(f"expected {layer.rank} values (one per spatial axis), got {len(padding)}", where="padding")
    if layer.framework is Framework.TORCH:
        for pair in padding:
            check_axes("padding", pair, 2, 0)
    elif takes.numbers == "natural" and any(min(pair) < 0 for pair in padding):
        raise InputError("pads must not contain negative values (ONNX)", where="padding")


def check_pool_arguments(layer: _Window) -> None:
    """Refuse a dilation, Lp pool, padding mode or count_include_pad the layer's framework does not take."""
    takes = TAKES[layer.framework]
    framework = layer.framework
    if layer.kind.averages and any(d != 1 for d in layer.dilation) and not takes.average_dilation:
        torch_name = "torch.nn.AvgPool" if layer.kind is LayerKind.AVGPOOL else "torch.nn.LPPool"
        msg = f"{layer.kind} has no dilation (as {torch_name})"
        if framework is not Framework.TORCH:
            msg = f"{framework}'s {layer.kind} has no dilation (ONNX's has: framework onnx)"
            raise InputError(msg, where="dilation", asks="framework")
        raise InputError(msg, where="dilation")
    if layer.kind is LayerKind.LPPOOL:
        _check_lp(layer, takes)
    _check_modes(layer, takes)


def _check_lp(layer: _Window, takes: Takes) -> None:
    """Refuse what torch.nn.LPPool and ONNX's LpPool do not take (Keras and JAX have no such pool)."""
    if not takes.lp_pool:
        raise InputError(f"{layer.framework} has no Lp pooling (torch.nn.LPPool, ONNX's LpPool)", where="type")
    if not takes.lp_padding and (
        isinstance(layer.padding, PaddingMode) or any(before or after for before, after in layer.padding)
    ):
        raise InputError("torch.nn.LPPool takes no padding", where="padding")
    if not layer.norm_type > 0:
        raise InputError(f"expected a positive p, got {layer.norm_type}", where="norm_type")


def _check_modes(layer: _Window, takes: Takes) -> None:
    """Refuse a padding_mode or count_include_pad the layer does not take (as torch.nn refuses it)."""
    if layer.padding_mode != "zeros":
        if layer.padding_mode not in PADDING_MODES:
            msg = f"padding_mode must be one of zeros, reflect, replicate or circular, got {layer.padding_mode!r}"
            raise InputError(msg, where="padding_mode")
        if not takes.padding_modes:
            raise InputError(f"padding_mode is torch.nn's; {layer.framework} pads with zeros", where="padding_mode")
        if layer.kind is not LayerKind.CONV:
            msg = f'only "zeros" padding mode is supported for {layer.kind} (torch.nn)'
            raise InputError(msg, where="padding_mode")
    taken = layer.kind in WINDOW_KEYS["count_include_pad"] and takes.count_include_pad
    if layer.count_include_pad is not None and not taken:
        raise InputError("count_include_pad is for torch.nn's and ONNX's average pools", where="count_include_pad")


PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
"""torch.nn's padding modes of a convolution: what the padded cells hold (the shape is the same)."""
