"""Frozen descriptions of layers and networks, checked when they are built."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from convcalc.core.errors import InputError, Location
from convcalc.core.framework_rules import check_framework_arguments, check_pool_arguments
from convcalc.core.terms import (
    AXIS_NAMES,
    HUGE,
    MAX_DIGITS,
    MAX_RANK,
    MAX_TENSOR_RANK,
    PADDING_WORDS,
    WINDOW_KEYS,
    AxisValues,
    Framework,
    LayerKind,
    Padding,
    PaddingMode,
    PaddingPairs,
    axis_names,
    check_axes,
)
from convcalc.core.text import spatial_axes


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
    shares: str | None = None  # the layer whose weights this one uses (counted there, once)
    norm_type: float = 2.0  # an lppool's p (torch's norm_type, ONNX's p): it changes values, not shapes
    location: Location | None = field(default=None, compare=False)

    @property
    def rank(self) -> int:
        """Number of spatial axes."""
        return len(self.kernel_size)

    def __post_init__(self) -> None:  # noqa: C901 - one flat list of torch.nn's argument rules
        rank = self.rank
        if not 1 <= rank <= MAX_RANK:
            msg = f"expected 1 to {MAX_RANK} spatial axes, got {rank}"
            raise InputError(msg, where="kernel_size")
        if not self._plain_numbers():  # the usual case is checked in one pass; this says what is wrong
            check_axes("kernel_size", self.kernel_size, rank, 1)
            check_axes("stride", self.stride, rank, 1)
            check_axes("dilation", self.dilation, rank, 1)
            check_axes("output_padding", self.output_padding, rank, 0)
        check_framework_arguments(self)
        if self.kind not in WINDOW_KEYS["output_padding"] and any(self.output_padding):
            raise InputError(f"only convtranspose takes output_padding, not {self.kind}", where="output_padding")
        check_pool_arguments(self)
        if self.ceil_mode and self.kind not in WINDOW_KEYS["ceil_mode"]:
            raise InputError(f"only pools take ceil_mode, not {self.kind}", where="ceil_mode")
        check_axes("groups", (self.groups,), 1, 1)
        for key in ("in_channels", "out_channels"):
            channels = getattr(self, key)
            if channels is not None:
                check_axes(key, (channels,), 1, 1)
                if self.kind not in WINDOW_KEYS[key]:
                    raise InputError(f"pools keep their channels and take no {key}", where=key)
        if self.expect is not None:
            check_axes("expect", self.expect, len(self.expect), 1)
        if self.output_size is not None:
            if self.kind not in WINDOW_KEYS["output_size"]:
                raise InputError(f"only convtranspose takes output_size, not {self.kind}", where="output_size")
            check_axes("output_size", self.output_size, rank, 1)

    def _plain_numbers(self) -> bool:
        """Whether kernel, stride, dilation and output_padding are ints in range, one per axis."""
        rank = len(self.kernel_size)
        positive = (*self.kernel_size, *self.stride, *self.dilation)
        return (
            len(self.stride) == rank == len(self.dilation) == len(self.output_padding)
            and all(type(v) is int and 0 < v < HUGE for v in positive)
            and all(type(v) is int and 0 <= v < HUGE for v in self.output_padding)
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
        shares: str | None = None,
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
            shares=shares,
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
    shares: str | None = None  # the layer whose weights this one uses (counted there, once)
    needs_rank: tuple[int, ...] | None = None
    operation: str = "add"  # an elementwise merge (kind add): add, mul, sub or div, broadcast alike
    arguments: tuple[tuple[str, int | bool | str | tuple[int | None, ...]], ...] = ()  # the other keys, by torch name
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
            check_axes("expect", self.expect, len(self.expect), 1)


AnyLayer = LayerSpec | OtherSpec


def relocated(layer: AnyLayer, location: Location | None) -> AnyLayer:
    """Return the same layer written at another place in a file (its values are not checked again)."""
    kind = type(layer)
    moved = object.__new__(kind)
    for name in kind.__slots__:
        object.__setattr__(moved, name, location if name == "location" else getattr(layer, name))
    return moved


def input_name(name: str) -> str:
    """Return a name a network's input may go by: the name given, unless it is `input` or a number (then NAME_)."""
    return f"{name}_" if name == "input" or name.isdigit() else name


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One of a network's several inputs: its name, and its shape or the input whose shape it has.

    The first input's shape is the network's `input` (shape and like both None); a later one
    gives its own shape, or names an earlier input whose shape it has (`like`), so that it
    follows that one when the input is given anew (two images of one size).
    """

    name: str
    shape: AxisValues | None = None
    like: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A network: the full input shape [N, C, *spatial] and its layers in order.

    A layer reads the layer before it, or the layers its `inputs` name (earlier layers, by
    name or index, or `input`), so networks with skip connections are graphs. A network of
    several inputs names each (`inputs`): the first is `input`, whose shape the receptive
    fields are measured in and whose sizes the network is asked at.
    """

    input: AxisValues
    layers: tuple[AnyLayer, ...]
    source: str = "<network>"
    inputs: tuple[InputSpec, ...] = ()

    def input_shapes(self, first: AxisValues | None = None) -> dict[str, AxisValues]:
        """Return every input's shape by name: `input`, then each named input (the first is `input`).

        With `first`, as they are when the first input has that shape instead (those named
        after it follow it).
        """
        given = self.input if first is None else first
        shapes = {"input": given}
        for position, spec in enumerate(self.inputs):
            own = spec.shape if spec.shape is not None else shapes.get(spec.like or "input", given)
            shapes[spec.name] = given if position == 0 else own
        return shapes

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
        check_axes("input", self.input, len(self.input), 1)
        for position, spec in enumerate(self.inputs[1:], start=1):
            if spec.shape is not None:
                check_axes(f"inputs.{spec.name}", spec.shape, len(spec.shape), 1)
            elif spec.like not in {earlier.name for earlier in self.inputs[:position]}:
                raise InputError(f"names {spec.like!r}, which is not an input before it", where=f"inputs.{spec.name}")
        known = set(self.input_shapes())
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


__all__ = [  # with the words of core/terms.py, which the rest of the package imports from here
    "AXIS_NAMES",
    "MAX_DIGITS",
    "MAX_RANK",
    "MAX_TENSOR_RANK",
    "PADDING_WORDS",
    "AnyLayer",
    "AxisValues",
    "Framework",
    "InputSpec",
    "LayerKind",
    "LayerSpec",
    "NetworkSpec",
    "OtherSpec",
    "Padding",
    "PaddingMode",
    "PaddingPairs",
    "axis_names",
    "broadcast",
    "input_name",
    "padding_pairs",
    "relocated",
]
