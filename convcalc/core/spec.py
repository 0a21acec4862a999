"""Frozen descriptions of layers and networks, checked when they are built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from convcalc.core.errors import InputError, Location
from convcalc.core.text import spatial_axes

AxisValues = tuple[int, ...]
PaddingPairs = tuple[tuple[int, int], ...]


class LayerKind(StrEnum):
    """The layer types convcalc computes: the sliding-window ones of the contract, and the ones around them."""

    CONV = "conv"
    CONVTRANSPOSE = "convtranspose"
    MAXPOOL = "maxpool"
    AVGPOOL = "avgpool"
    LPPOOL = "lppool"  # torch.nn.LPPool1d/2d/3d, ONNX's LpPool: an average pool's windows, of x**p
    ADD = "add"
    CONCAT = "concat"
    CROP = "crop"
    PAD = "pad"
    IDENTITY = "identity"
    UPSAMPLE = "upsample"
    ADAPTIVEAVGPOOL = "adaptiveavgpool"
    ADAPTIVEMAXPOOL = "adaptivemaxpool"
    FLATTEN = "flatten"
    LINEAR = "linear"
    PIXELSHUFFLE = "pixelshuffle"
    PIXELUNSHUFFLE = "pixelunshuffle"
    SLICE = "slice"
    REDUCE = "reduce"
    REARRANGE = "rearrange"

    @property
    def is_window(self) -> bool:
        """Whether a kernel slides over the input (conv, convtranspose, maxpool, avgpool)."""
        return self in _WINDOWS

    @property
    def is_merge(self) -> bool:
        """Whether the layer combines several inputs (add, concat)."""
        return self in (LayerKind.ADD, LayerKind.CONCAT)

    @property
    def is_pool(self) -> bool:
        """Whether this is a pooling layer (no weights, channels unchanged)."""
        return self in _POOLS

    @property
    def averages(self) -> bool:
        """Whether the pool sums its window (avgpool, lppool): their windows follow the same rules."""
        return self in (LayerKind.AVGPOOL, LayerKind.LPPOOL)

    @property
    def is_transposed(self) -> bool:
        """Whether this is a transposed convolution."""
        return self is LayerKind.CONVTRANSPOSE


_POOLS = frozenset({LayerKind.MAXPOOL, LayerKind.AVGPOOL, LayerKind.LPPOOL})
_WINDOWS = frozenset({LayerKind.CONV, LayerKind.CONVTRANSPOSE, *_POOLS})


class PaddingMode(StrEnum):
    """Padding given as a word instead of numbers, resolved against the layer (and, outside torch, the input).

    SAME puts the odd extra zero after (Keras `same`, ONNX SAME_UPPER, JAX SAME), SAME_LOWER
    before (ONNX and JAX); CAUSAL (Keras Conv1D) puts all of it before.
    """

    SAME = "same"
    VALID = "valid"
    SAME_LOWER = "same_lower"
    CAUSAL = "causal"


class Framework(StrEnum):
    """Whose rules a layer follows: torch.nn (the reference), Keras 3, ONNX or JAX."""

    TORCH = "torch"
    KERAS = "keras"
    ONNX = "onnx"
    JAX = "jax"

    @classmethod
    def parse(cls, text: str) -> Framework:
        """Read a framework's name in any case (a Framework reads as itself); tf and tensorflow mean keras."""
        word = text.strip().lower()
        word = {"tf": "keras", "tensorflow": "keras", "pytorch": "torch"}.get(word, word)
        try:
            return cls(word)
        except ValueError:
            msg = f"expected torch, keras (or tf), onnx or jax, got {text!r}"
            raise InputError(msg, where="framework") from None


PADDING_WORDS = {"same": "same", "same_upper": "same", "valid": "valid", "same_lower": "same_lower", "causal": "causal"}
"""Padding words of every framework (any case) and the mode each means."""


Padding = PaddingPairs | PaddingMode

MAX_DIGITS = 100
"""Largest number of digits of any value given (10**20-pixel axes are fine; 10**100 is plenty)."""
_HUGE = 10**MAX_DIGITS

AXIS_NAMES: dict[int, tuple[str, ...]] = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
MAX_RANK = 3


def axis_names(rank: int) -> tuple[str, ...]:
    """Return the conventional names of the spatial axes of a rank (L; H, W; D, H, W)."""
    return AXIS_NAMES[rank]


def _check_axes(key: str, values: AxisValues, rank: int, minimum: int) -> None:
    if len(values) == rank and all(type(value) is int and minimum <= value < _HUGE for value in values):
        return  # the usual case, checked in one pass; bool is not int here (type, not isinstance)
    if len(values) != rank:
        noun = "value" if rank == 1 else "values"
        msg = f"expected {rank} {noun} (one per spatial axis), got {len(values)}: {list(values)}"
        raise InputError(msg, where=key)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"expected an integer, got {value!r}", where=key)
        if value < minimum:
            what = "a positive integer" if minimum == 1 else "a non-negative integer"
            raise InputError(f"expected {what}, got {value}", where=key)
        if value >= _HUGE:
            raise InputError(f"expected at most {MAX_DIGITS} digits, got {len(str(value))}", where=key)


def broadcast(value: int | Sequence[int], rank: int) -> AxisValues:
    """Repeat a scalar over `rank` axes; keep a sequence as a tuple (its length is checked later)."""
    if isinstance(value, int):
        return (value,) * rank
    return tuple(value)


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One Conv, ConvTranspose or Pool layer, its per-axis values broadcast and checked."""

    kind: LayerKind
    kernel_size: AxisValues
    stride: AxisValues
    padding: Padding
    dilation: AxisValues
    output_padding: AxisValues
    ceil_mode: bool = False
    groups: int = 1
    bias: bool = True
    out_channels: int | None = None
    name: str | None = None
    expect: AxisValues | None = None
    in_channels: int | None = None
    output_size: AxisValues | None = None
    inputs: tuple[str, ...] | None = None
    framework: Framework = Framework.TORCH
    output_padding_given: bool = True
    padding_mode: str = "zeros"  # torch.nn's Conv: zeros, reflect, replicate or circular
    count_include_pad: bool | None = None  # an average pool's; None: the framework's default
    trainable: bool = True  # false: its parameters are frozen (counted as non-trainable)
    norm_type: float = 2.0  # an lppool's p (torch's norm_type, ONNX's p): it changes values, not shapes
    location: Location | None = field(default=None, compare=False)

    @property
    def rank(self) -> int:
        """Number of spatial axes."""
        return len(self.kernel_size)

    def __post_init__(self) -> None:  # noqa: C901, PLR0912 - one flat list of torch.nn's argument rules
        rank = self.rank
        if not 1 <= rank <= MAX_RANK:
            msg = f"expected 1 to {MAX_RANK} spatial axes, got {rank}"
            raise InputError(msg, where="kernel_size")
        if not self._plain_numbers():  # the usual case is checked in one pass; this says what is wrong
            _check_axes("kernel_size", self.kernel_size, rank, 1)
            _check_axes("stride", self.stride, rank, 1)
            _check_axes("dilation", self.dilation, rank, 1)
            _check_axes("output_padding", self.output_padding, rank, 0)
        if self.framework is not Framework.TORCH:
            check_framework_arguments(self)
        elif isinstance(self.padding, PaddingMode):
            if self.kind is not LayerKind.CONV or self.padding not in (PaddingMode.SAME, PaddingMode.VALID):
                msg = f"{self.kind} takes numbers only; padding={self.padding.value!r} is for conv (as in torch.nn)"
                if self.kind is LayerKind.CONV:
                    msg = f"torch.nn takes padding 'same' or 'valid', not {self.padding.value!r}"
                raise InputError(msg, where="padding")
        else:
            if len(self.padding) != rank:
                msg = f"expected {rank} values (one per spatial axis), got {len(self.padding)}"
                raise InputError(msg, where="padding")
            for pair in self.padding:
                _check_axes("padding", pair, 2, 0)
        if not self.kind.is_transposed and any(self.output_padding):
            raise InputError(f"only convtranspose takes output_padding, not {self.kind}", where="output_padding")
        dilated = any(d != 1 for d in self.dilation)
        if self.kind.averages and dilated and self.framework not in DILATED_AVERAGE:
            torch_name = "torch.nn.AvgPool" if self.kind is LayerKind.AVGPOOL else "torch.nn.LPPool"
            msg = f"{self.kind} has no dilation (as {torch_name})"
            if self.framework is not Framework.TORCH:
                msg = f"{self.framework}'s {self.kind} has no dilation (ONNX's has: --framework onnx)"
            raise InputError(msg, where="dilation")
        if self.kind is LayerKind.LPPOOL:
            self._check_lp()
        self._check_modes()
        if self.ceil_mode and not self.kind.is_pool:
            raise InputError(f"only pools take ceil_mode, not {self.kind}", where="ceil_mode")
        _check_axes("groups", (self.groups,), 1, 1)
        for key in ("in_channels", "out_channels"):
            channels = getattr(self, key)
            if channels is not None:
                _check_axes(key, (channels,), 1, 1)
                if self.kind.is_pool:
                    raise InputError(f"pools keep their channels and take no {key}", where=key)
        if self.expect is not None:
            _check_axes("expect", self.expect, len(self.expect), 1)
        if self.output_size is not None:
            if not self.kind.is_transposed:
                raise InputError(f"only convtranspose takes output_size, not {self.kind}", where="output_size")
            _check_axes("output_size", self.output_size, rank, 1)

    def _check_lp(self) -> None:
        """Refuse what torch.nn.LPPool and ONNX's LpPool do not take (Keras and JAX have no such pool)."""
        if self.framework in (Framework.KERAS, Framework.JAX):
            raise InputError(f"{self.framework} has no Lp pooling (torch.nn.LPPool, ONNX's LpPool)", where="type")
        if self.framework is Framework.TORCH and (
            isinstance(self.padding, PaddingMode) or any(before or after for before, after in self.padding)
        ):
            raise InputError("torch.nn.LPPool takes no padding", where="padding")
        if not self.norm_type > 0:
            raise InputError(f"expected a positive p, got {self.norm_type}", where="norm_type")

    def _check_modes(self) -> None:
        """Refuse a padding_mode or count_include_pad the layer does not take (as torch.nn refuses it)."""
        if self.padding_mode != "zeros":
            if self.padding_mode not in ("reflect", "replicate", "circular"):
                msg = f"padding_mode must be one of zeros, reflect, replicate or circular, got {self.padding_mode!r}"
                raise InputError(msg, where="padding_mode")
            if self.framework is not Framework.TORCH:
                raise InputError(f"padding_mode is torch.nn's; {self.framework} pads with zeros", where="padding_mode")
            if self.kind is not LayerKind.CONV:
                msg = f'only "zeros" padding mode is supported for {self.kind} (torch.nn)'
                raise InputError(msg, where="padding_mode")
        if self.count_include_pad is not None and (
            self.kind is not LayerKind.AVGPOOL or self.framework not in (Framework.TORCH, Framework.ONNX)
        ):
            raise InputError("count_include_pad is for torch.nn's and ONNX's average pools", where="count_include_pad")

    def _plain_numbers(self) -> bool:
        """Whether kernel, stride, dilation and output_padding are ints in range, one per axis."""
        rank = len(self.kernel_size)
        positive = (*self.kernel_size, *self.stride, *self.dilation)
        return (
            len(self.stride) == rank == len(self.dilation) == len(self.output_padding)
            and all(type(v) is int and 0 < v < _HUGE for v in positive)
            and all(type(v) is int and 0 <= v < _HUGE for v in self.output_padding)
        )

    @classmethod
    def create(  # noqa: PLR0913 - mirrors the torch.nn keyword arguments
        cls,
        kind: LayerKind | str,
        kernel_size: int | Sequence[int],
        *,
        rank: int | None = None,
        stride: int | Sequence[int] | None = None,
        padding: int | Sequence[int | Sequence[int]] | str = 0,
        dilation: int | Sequence[int] = 1,
        output_padding: int | Sequence[int] | None = 0,
        ceil_mode: bool = False,
        groups: int = 1,
        bias: bool = True,
        out_channels: int | None = None,
        name: str | None = None,
        expect: Sequence[int] | None = None,
        in_channels: int | None = None,
        output_size: int | Sequence[int] | None = None,
        inputs: Sequence[str] | None = None,
        framework: Framework | str = Framework.TORCH,
        padding_mode: str = "zeros",
        count_include_pad: bool | None = None,
        trainable: bool = True,
        norm_type: float = 2.0,
        location: Location | None = None,
    ) -> LayerSpec:
        """Build a layer as torch.nn would: scalars broadcast, pool stride defaults to the kernel."""
        kind = LayerKind(kind)
        if rank is None:
            lengths = [len(v) for v in (kernel_size, stride, dilation) if isinstance(v, Sequence)]
            rank = max(lengths, default=2)
        kernel = broadcast(kernel_size, rank)
        framework = Framework.parse(framework) if isinstance(framework, str) else framework
        if stride is None:  # torch.nn's and Keras' pools stride by their kernel; ONNX's operators by 1 (the spec)
            stride = kernel if kind.is_pool and framework is not Framework.ONNX else 1
        return cls(
            kind=kind,
            kernel_size=kernel,
            stride=broadcast(stride, rank),
            padding=padding_pairs(padding, rank),
            dilation=broadcast(dilation, rank),
            output_padding=broadcast(0 if output_padding is None else output_padding, rank),
            output_padding_given=output_padding is not None,
            ceil_mode=ceil_mode,
            groups=groups,
            bias=bias,
            out_channels=out_channels,
            name=name,
            expect=None if expect is None else tuple(expect),
            in_channels=in_channels,
            output_size=_spatial(output_size, rank),
            inputs=None if inputs is None else tuple(inputs),
            framework=framework,
            padding_mode=padding_mode,
            count_include_pad=count_include_pad,
            trainable=trainable,
            norm_type=norm_type,
            location=location,
        )


def _spatial(size: int | Sequence[int] | None, rank: int) -> AxisValues | None:
    """Accept an output size per spatial axis or as a full shape [N, C, *spatial], as forward(output_size=) does."""
    if size is None:
        return None
    values = broadcast(size, rank)
    return values[2:] if len(values) == rank + 2 else values


def padding_pairs(padding: int | Sequence[int | Sequence[int]] | str, rank: int) -> Padding:
    """Turn padding as torch.nn takes it (int, per-axis list, word) into (before, after) pairs or a mode."""
    if isinstance(padding, str):
        word = PADDING_WORDS.get(padding.lower().replace("-", "_"))
        if word is None:
            msg = f"expected an integer, a per-axis list, 'same' or 'valid', got {padding!r}"
            raise InputError(msg, where="padding")
        return PaddingMode(word)
    values: Sequence[int | Sequence[int]] = [padding] * rank if isinstance(padding, int) else padding
    pairs = []
    for value in values:
        if isinstance(value, int):
            pairs.append((value, value))
        elif len(value) == 2:  # noqa: PLR2004 - (before, after)
            pairs.append((value[0], value[1]))
        else:
            msg = f"expected a number or a (before, after) pair per axis, got {list(value)}"
            raise InputError(msg, where="padding")
    return tuple(pairs)


SPELLING = {
    Framework.KERAS: {PaddingMode.SAME: "same", PaddingMode.VALID: "valid", PaddingMode.CAUSAL: "causal"},
    Framework.ONNX: {PaddingMode.SAME: "SAME_UPPER", PaddingMode.SAME_LOWER: "SAME_LOWER", PaddingMode.VALID: "VALID"},
    Framework.JAX: {PaddingMode.SAME: "SAME", PaddingMode.SAME_LOWER: "SAME_LOWER", PaddingMode.VALID: "VALID"},
}


DILATED_AVERAGE = frozenset({Framework.ONNX})
"""Frameworks whose average pools take a dilation (ONNX's AveragePool since opset 19, run by onnxruntime)."""


def check_framework_arguments(layer: LayerSpec) -> None:
    """Refuse the arguments a framework does not take at all (malformed input, exit 2)."""
    _check_padding(layer)
    framework = layer.framework
    if framework is Framework.KERAS and layer.kind.is_pool and any(d != 1 for d in layer.dilation):
        raise InputError("Keras pooling layers have no dilation", where="dilation")
    if framework in (Framework.KERAS, Framework.JAX) and layer.ceil_mode:
        raise InputError(f"{framework} pooling has no ceil_mode", where="ceil_mode")
    if framework in (Framework.KERAS, Framework.JAX) and layer.kind.is_transposed and layer.groups != 1:
        name = "Keras' Conv*DTranspose" if framework is Framework.KERAS else "lax.conv_transpose"
        raise InputError(f"{name} has no groups", where="groups")
    if (
        framework is Framework.JAX
        and layer.kind.is_transposed
        and layer.output_padding_given
        and any(layer.output_padding)
    ):
        raise InputError(
            "lax.conv_transpose has no output_padding: give the padding pairs instead", where="output_padding"
        )


def _check_padding(layer: LayerSpec) -> None:
    """Refuse a padding word or form the layer's framework does not take."""
    framework = layer.framework
    padding = layer.padding
    if isinstance(padding, PaddingMode):
        if padding not in SPELLING[framework]:
            words = ", ".join(sorted(SPELLING[framework].values()))
            numbers = "0" if framework is Framework.KERAS else "numbers"  # Keras pads by a ZeroPadding layer
            raise InputError(f"{framework} takes padding {words} or {numbers}, not {padding.value!r}", where="padding")
        if padding is PaddingMode.CAUSAL and (layer.kind is not LayerKind.CONV or layer.rank != 1):
            raise InputError("causal padding is for Conv1D only (Keras)", where="padding")
    else:
        if framework is Framework.KERAS and any(before or after for before, after in padding):
            msg = "Keras takes padding 'valid', 'same' or 'causal'; numbers need a ZeroPadding layer before it"
            raise InputError(msg, where="padding")
        if len(padding) != layer.rank:
            raise InputError(
                f"expected {layer.rank} values (one per spatial axis), got {len(padding)}", where="padding"
            )
        if framework is Framework.ONNX and any(min(pair) < 0 for pair in padding):
            raise InputError("pads must not contain negative values (ONNX)", where="padding")


@dataclass(frozen=True, slots=True)
class OtherSpec:
    """A layer without a sliding window: a merge, a crop or pad, or a shape-only layer.

    `type_name` keeps the name written (BatchNorm2d, ReLU, concat); the fields a kind does not
    use keep their defaults.
    """

    kind: LayerKind
    type_name: str
    name: str | None = None
    inputs: tuple[str, ...] | None = None
    expect: AxisValues | None = None
    dim: int = 1
    to: str | None = None
    align: str = "center"
    scale_factor: tuple[float, ...] | None = None
    size: tuple[int | None, ...] | None = None
    mode: str = "nearest"
    start_dim: int = 1
    end_dim: int = -1
    in_features: int | None = None
    out_features: int | None = None
    bias: bool = True
    num_features: int | None = None
    amounts: PaddingPairs | None = None  # explicit pad (negative crops) per spatial axis, instead of `to`
    params_per_channel: int = 0
    fixed_params: int = 0
    buffers_per_channel: int = 0  # state that is not a parameter: BatchNorm's running statistics
    fixed_buffers: int = 0  # torch's num_batches_tracked
    frozen_per_channel: int = 0  # parameters never trained, in the count: Keras' BatchNormalization moving statistics
    fixed_frozen: int = 0  # and fixed ones (Keras' Normalization's count)
    trainable: bool = True  # false: its parameters are frozen (counted as non-trainable)
    needs_rank: tuple[int, ...] | None = None
    operation: str = "add"  # an elementwise merge (kind add): add, mul, sub or div, broadcast alike
    arguments: tuple[tuple[str, int | bool | tuple[int | None, ...]], ...] = ()  # the other keys, by torch name
    location: Location | None = field(default=None, compare=False)

    def argument(self, name: str, default: object = None) -> object:
        """Return one of the layer's other keys (`groups`, `upscale_factor`, `start`, ...), or `default`."""
        return dict(self.arguments).get(name, default)

    def integer(self, name: str, default: int) -> int:
        """Return one of the layer's other keys that holds one integer (`upscale_factor`, `start`), or `default`."""
        value = self.argument(name)
        return value if isinstance(value, int) else default

    def __post_init__(self) -> None:
        if self.kind.is_window:
            raise InputError(f"{self.kind} is a sliding-window layer: build it with LayerSpec", where="type")
        if self.expect is not None:
            _check_axes("expect", self.expect, len(self.expect), 1)


AnyLayer = LayerSpec | OtherSpec


def relocated(layer: AnyLayer, location: Location | None) -> AnyLayer:
    """Return the same layer written at another place in a file (its values are not checked again)."""
    kind = type(layer)
    moved = object.__new__(kind)
    for name in kind.__slots__:
        object.__setattr__(moved, name, location if name == "location" else getattr(layer, name))
    return moved


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A network: the full input shape [N, C, *spatial] and its layers in order.

    A layer reads the layer before it, or the layers its `inputs` name (earlier layers, by
    name or index, or `input`), so networks with skip connections are graphs.
    """

    input: AxisValues
    layers: tuple[AnyLayer, ...]
    source: str = "<network>"

    def without_expect(self) -> NetworkSpec:
        """Return the network with no layer's `expect`: to check that it holds at another input size."""
        return replace(self, layers=tuple(replace(layer, expect=None) for layer in self.layers))

    @property
    def rank(self) -> int:
        """Number of spatial axes of the input."""
        return len(self.input) - 2

    @property
    def framework(self) -> Framework:
        """Whose rules the layers follow (a file's `framework:`; torch.nn when it has no window layer)."""
        return next((layer.framework for layer in self.layers if isinstance(layer, LayerSpec)), Framework.TORCH)

    def __post_init__(self) -> None:
        if not 1 <= self.rank <= MAX_RANK:
            msg = f"expected [N, C] and 1 to {MAX_RANK} spatial sizes, got {len(self.input)} values"
            raise InputError(msg, where="input")
        _check_axes("input", self.input, len(self.input), 1)
        known = {"input"}
        for index, layer in enumerate(self.layers):
            if isinstance(layer, LayerSpec) and layer.rank != self.rank:
                msg = f"has {spatial_axes(layer.rank)} but the input has {self.rank}"
                raise InputError(msg, where=f"layers[{index}]", location=layer.location)
            for source in layer.inputs or ():
                if source not in known:
                    msg = f"`from` names {source!r}, which is not a layer before this one"
                    raise InputError(msg, where=f"layers[{index}].from", location=layer.location)
            name = layer.name if layer.name is not None else str(index + 1)
            known.update({name, str(index + 1)})
