"""Walk a network layer by layer: shapes, receptive field, jump, warnings and expect checks.

Pure: no I/O and no printing. An impossible layer becomes a result with an error, never
an exception, and the layers after it are marked as not computed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from convcalc.errors import LayerError
from convcalc.receptive import (
    AxisField,
    EquivalentConv,
    direct_field,
    equivalent_conv,
    input_field,
    transposed_field,
)
from convcalc.shapes import CELL_NOUNS, MAX_RESULT, AxisGaps, LayerShape, layer_shape
from convcalc.spec import AxisValues, LayerSpec, NetworkSpec, PaddingPairs, axis_names


class Status(StrEnum):
    """How a layer came out."""

    OK = "ok"
    INVALID = "invalid"
    EXPECT_FAILED = "expect_failed"
    NOT_COMPUTED = "not_computed"


@dataclass(frozen=True, slots=True)
class LayerResult:
    """Everything convcalc knows about one layer of a network; mirrors the contract's JSON."""

    index: int
    name: str
    spec: LayerSpec
    status: Status
    input: AxisValues | None
    output: AxisValues | None
    padding: PaddingPairs | None
    receptive_field: AxisValues | None
    jump: tuple[Fraction, ...] | None
    equivalent_conv: EquivalentConv | None
    weight_shape: AxisValues | None
    params: int
    warnings: tuple[str, ...]
    error: str | None

    def __post_init__(self) -> None:
        if (self.status is Status.OK) != (self.error is None):
            msg = "a layer has an error exactly when it is not ok"
            raise ValueError(msg)
        if self.equivalent_conv is not None and not self.spec.kind.is_transposed:
            msg = "only transposed layers have an equivalent direct convolution"
            raise ValueError(msg)

    @property
    def label(self) -> str:
        """Return how messages name this layer: 'layer 3 (conv3)', or 'layer 3' when unnamed."""
        return f"layer {self.index}" if self.name == str(self.index) else f"layer {self.index} ({self.name})"

    @property
    def message(self) -> str:
        """Return the one-line report of this layer's error: 'layer 3 (conv3), axis W: ...'."""
        error = self.error or ""
        joint = ", " if error.startswith(("axis ", "axes ")) else ": "
        return f"{self.label}{joint}{error}"

    @property
    def params_without_bias(self) -> int:
        """Return the parameter count of the weight alone."""
        bias = self.spec.bias and self.weight_shape is not None and self.output is not None
        return self.params - (self.output[1] if bias and self.output else 0)


@dataclass(frozen=True, slots=True)
class StackResult:
    """The analysis of a whole network."""

    input: AxisValues
    layers: tuple[LayerResult, ...]
    source: str

    @property
    def ok(self) -> bool:
        """Whether every layer is valid and every expect is met."""
        return all(layer.status is Status.OK for layer in self.layers)

    @property
    def output(self) -> AxisValues | None:
        """Return the final output shape, or None when a layer failed."""
        if not self.layers:
            return self.input
        return self.layers[-1].output if self.ok else None

    @property
    def failures(self) -> tuple[LayerResult, ...]:
        """Return the layers that are invalid or miss their expect (not those left uncomputed)."""
        return tuple(r for r in self.layers if r.status in (Status.INVALID, Status.EXPECT_FAILED))

    @property
    def total_params(self) -> int:
        """Return the parameter count of all computed layers."""
        return sum(layer.params for layer in self.layers)

    @property
    def scale(self) -> tuple[Fraction, ...] | None:
        """Return output/input size per spatial axis, or None when a layer failed."""
        out = self.output
        if out is None:
            return None
        return tuple(Fraction(o, i) for o, i in zip(out[2:], self.input[2:], strict=True))

    @property
    def receptive_field(self) -> AxisValues | None:
        """Return the receptive field of the last layer."""
        return self.layers[-1].receptive_field if self.layers else None


def _gap_warnings(layer: LayerSpec, shape: LayerShape) -> list[str]:
    warnings = []
    names = axis_names(layer.rank)
    for axis, gaps in enumerate(shape.gaps):
        if gaps is None:
            warnings.append(f"axis {names[axis]}: coverage not checked: the dilated kernel is too long to enumerate")
        elif gaps.total:
            warnings.append(_describe_gaps(layer, shape, axis, names[axis], gaps))
    return warnings


def _cells(where: str, count: int, noun: str, verb: str) -> str:
    """Say 'the last input row is never read' or 'the last 2 input rows are never read'."""
    if count == 1:
        return f"{where} input {noun} is {verb}" if where else f"1 input {noun} is {verb}"
    return f"{where} {count} input {noun}s are {verb}" if where else f"{count} input {noun}s are {verb}"


def _describe_gaps(layer: LayerSpec, shape: LayerShape, axis: int, name: str, gaps: AxisGaps) -> str:
    noun = CELL_NOUNS[name]
    size = shape.input[2 + axis]
    out = shape.output[2 + axis]
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    before, after = shape.padding[axis]
    parts = []
    if layer.kind.is_transposed:
        if gaps.before:
            parts.append(_cells("the first", gaps.before, noun, f"cropped away by padding {before}"))
        if gaps.after:
            parts.append(_cells("the last", gaps.after, noun, f"cropped away by padding {after}"))
        if gaps.inside:
            parts.append(_cells("", gaps.inside, noun, "used by no output"))
        return f"axis {name}: " + "; ".join(parts) + "; less padding keeps them"
    if gaps.before:
        parts.append(_cells("the first", gaps.before, noun, "never read"))
    if gaps.inside:
        parts.append(
            _cells("", gaps.inside, noun, "never read") + " between windows "
            f"(stride {s} with kernel {k}, dilation {d} leaves gaps; a smaller stride reads them)"
        )
    if gaps.after:
        span = (out - 1) * s + (k - 1) * d + 1
        crop = size - gaps.after
        grow = out * s + (k - 1) * d + 1 - before - after
        cells = f"{size} {noun}s" if before + after == 0 else f"{size + before + after} padded {noun}s"
        parts.append(
            _cells("the last", gaps.after, noun, "never read")
            + f" (the windows cover {span} of the {cells}); an input of {crop} or {grow} reads every {noun}"
        )
    return f"axis {name}: " + "; ".join(parts)


def _advance(fields: list[AxisField | None], layer: LayerSpec, padding: PaddingPairs) -> list[AxisField | None]:
    """Step every axis's field through the layer; axes that agree so far share one computation."""
    advanced: list[AxisField | None] = []
    done: dict[tuple[int, int, int, int, int], AxisField | None] = {}
    step = transposed_field if layer.kind.is_transposed else direct_field
    for axis, previous in enumerate(fields):
        if previous is None:
            advanced.append(None)
            continue
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        key = (id(previous), k, s, padding[axis][0], d)  # square layers: every axis is the same object
        if key not in done:
            done[key] = step(previous, k, s, padding[axis][0], d)
        advanced.append(done[key])
    return advanced


NO_FIELD = "receptive field not computed from here on: too many positions to follow, or past 4000 digits"


def _too_big(field: AxisField) -> bool:
    """Whether a field's numbers have grown past what convcalc prints (4000 digits)."""
    jump = field.jump
    return max(jump.numerator, jump.denominator, field.receptive_field) >= MAX_RESULT


def _expect_error(expect: AxisValues, output: AxisValues) -> str | None:
    compared = output if len(expect) == len(output) else output[2:]
    if tuple(expect) == compared:
        return None
    return f"expected output {list(expect)}, got {list(compared)}"


def analyze(network: NetworkSpec) -> StackResult:
    """Compute every layer of a network; a failing layer stops the shapes, not the analysis."""
    fields: list[AxisField | None] = [input_field()] * network.rank
    current: AxisValues | None = network.input
    results: list[LayerResult] = []
    blocked_by: LayerResult | None = None
    shapes_seen: dict[tuple[object, ...], LayerShape] = {}
    for index, layer in enumerate(network.layers, start=1):
        name = layer.name if layer.name is not None else str(index)
        common = {"index": index, "name": name, "spec": layer}
        if blocked_by is not None or current is None:
            reason = f"not computed: {blocked_by.label} is invalid" if blocked_by else "not computed"
            results.append(_without_output(Status.NOT_COMPUTED, None, reason, **common))  # type: ignore[arg-type]
            continue
        try:
            shape = _shape_of(layer, current, shapes_seen)
        except LayerError as error:
            result = _without_output(Status.INVALID, current, str(error), **common)  # type: ignore[arg-type]
            results.append(result)
            blocked_by = result
            current = None
            continue
        known_before = None not in fields
        fields = [None if f is None or _too_big(f) else f for f in _advance(fields, layer, shape.padding)]
        warnings = _gap_warnings(layer, shape)
        if known_before and None in fields:
            warnings.append(NO_FIELD)
        equivalent = None
        if layer.kind.is_transposed:
            if layer.output_size is not None:  # the result shows the output_padding the size implied
                common["spec"] = replace(layer, output_padding=shape.output_padding)
            equivalent = equivalent_conv(
                current[2:], layer.kernel_size, layer.stride, shape.padding, layer.dilation, shape.output_padding
            )
        mismatch = None if layer.expect is None else _expect_error(layer.expect, shape.output)
        known = [f for f in fields if f is not None]
        complete = len(known) == len(fields)
        results.append(
            LayerResult(
                **common,  # type: ignore[arg-type]
                status=Status.OK if mismatch is None else Status.EXPECT_FAILED,
                input=current,
                output=shape.output,
                padding=shape.padding,
                receptive_field=tuple(f.receptive_field for f in known) if complete else None,
                jump=tuple(f.jump for f in known) if complete else None,
                equivalent_conv=equivalent,
                weight_shape=shape.weight_shape,
                params=shape.params,
                warnings=tuple(warnings),
                error=mismatch,
            )
        )
        current = shape.output
    return StackResult(input=network.input, layers=tuple(results), source=network.source)


def _shape_of(layer: LayerSpec, shape: AxisValues, seen: dict[tuple[object, ...], LayerShape]) -> LayerShape:
    """Return layer_shape(layer, shape), once per geometry: networks repeat their blocks."""
    key = (
        layer.kind,
        layer.output_size,
        layer.kernel_size,
        layer.stride,
        layer.padding,
        layer.dilation,
        layer.output_padding,
        layer.ceil_mode,
        layer.groups,
        layer.bias,
        layer.out_channels,
        layer.in_channels,
        shape,
    )
    found = seen.get(key)
    if found is None:
        found = seen[key] = layer_shape(layer, shape)
    return found


def _without_output(  # noqa: PLR0913 - the fields a result without output still has
    status: Status, shape: AxisValues | None, error: str, *, index: int, name: str, spec: LayerSpec
) -> LayerResult:
    """Return the result of a layer that has no output: invalid, or after an invalid one."""
    return LayerResult(
        index=index,
        name=name,
        spec=spec,
        status=status,
        input=shape,
        output=None,
        padding=None,
        receptive_field=None,
        jump=None,
        equivalent_conv=None,
        weight_shape=None,
        params=0,
        warnings=(),
        error=error,
    )
