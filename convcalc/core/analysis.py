"""Walk a network layer by layer: shapes, receptive field, jump, warnings and expect checks.

Pure: no I/O and no printing. An impossible layer becomes a result with an error, never
an exception, and the layers after it are marked as not computed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from math import prod

from convcalc.core import formulas
from convcalc.core.errors import Diagnostic, LayerError, Problem, axes_label
from convcalc.core.kinds import OtherShape, other_rules, other_shape
from convcalc.core.kinds.base import FieldsAndNotes
from convcalc.core.rearrange import Labels, in_place, standard_labels
from convcalc.core.receptive import (
    FIELD_WORK,
    GLOBAL,
    AxisField,
    EquivalentConv,
    direct_field,
    equivalent_conv,
    input_field,
    step_work,
    transposed_field,
)
from convcalc.core.spec import (
    AnyLayer,
    AxisValues,
    InputSpec,
    LayerKind,
    LayerSpec,
    NetworkSpec,
    OtherSpec,
    PaddingPairs,
    axis_names,
)
from convcalc.core.text import spatial_axes
from convcalc.core.windows import CELL_NOUNS, MAX_RESULT, AxisGaps, LayerShape, layer_shape


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
    spec: AnyLayer
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
    sources: tuple[str, ...] = ()
    diagnostic: Diagnostic | None = None  # an invalid layer's refusal as data
    whole_input: bool = False  # global: after global pooling every output reads every position (no finite field)
    meeting_sizes: tuple[int, ...] | None = None
    fields: tuple[AxisField, ...] | None = None  # per spatial axis, the dependency sets on the network input
    other_inputs: tuple[AxisValues, ...] = ()  # the shapes of its second and later inputs (attention's keys, values)

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
        joint = ", " if self.diagnostic and self.diagnostic.axes else ": "  # the error starts with its axes
        return f"{self.label}{joint}{self.error or ''}"

    @property
    def params_without_bias(self) -> int:
        """Return the parameter count of the weight alone (0 for weights another layer holds, `shares`)."""
        if not (self.spec.bias and self.weight_shape is not None and self.output is not None and self.params):
            return self.params
        if self.spec.kind is LayerKind.LINEAR:  # weight [out, in]: one bias per output feature, on whatever axis
            return self.params - self.weight_shape[0]
        return self.params - self.output[1]


@dataclass(frozen=True, slots=True)
class StackResult:
    """The analysis of a whole network."""

    input: AxisValues
    layers: tuple[LayerResult, ...]
    source: str
    inputs: tuple[tuple[str, AxisValues], ...] = ()
    """A network of several inputs: each by name, the first (whose shape is `input`) among them."""

    @property
    def input_values(self) -> int:
        """Return how many values the network's inputs hold together."""
        return prod(self.input) + sum(prod(shape) for _, shape in self.inputs[1:])

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
        if out is None or len(out) != len(self.input):  # a classifier's head has no spatial axes left
            return None
        return tuple(Fraction(o, i) for o, i in zip(out[2:], self.input[2:], strict=True))

    @property
    def receptive_field(self) -> AxisValues | None:
        """Return the receptive field of the last layer."""
        return self.layers[-1].receptive_field if self.layers else None


def gap_warnings(layer: LayerSpec, shape: LayerShape) -> list[str]:
    """Say which input cells no window reads (or no output uses), per axis, and what would fix it."""
    warnings = []
    names = axis_names(layer.rank)
    for axis, gaps in enumerate(shape.gaps):
        if gaps is None:
            warnings.append(
                f"{axes_label([names[axis]])}: coverage not checked: the dilated kernel is too long to enumerate"
            )
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
        return f"{axes_label([name])}: " + "; ".join(parts) + "; less padding keeps them"
    cropped_before = min(gaps.before, max(0, -before))  # negative (JAX) padding crops these by design
    cropped_after = min(gaps.after, max(0, -after))
    if cropped_before:
        parts.append(_cells("the first", cropped_before, noun, f"cropped away by padding {before}"))
    if gaps.before > cropped_before:
        parts.append(_cells("the first", gaps.before - cropped_before, noun, "never read"))
    if gaps.inside:
        parts.append(
            _cells("", gaps.inside, noun, "never read") + " between windows "
            f"(stride {s} with kernel {k}, dilation {d} leaves gaps; a smaller stride reads them)"
        )
    tail = gaps.after - cropped_after
    if tail:
        span = formulas.window_span(out, k, s, d)
        crop = size - tail
        grow = formulas.window_span(out + 1, k, s, d) - before - after
        cells = f"{size} {noun}s" if before + after == 0 else f"{size + before + after} padded {noun}s"
        outcome = f"reads every {noun}" if min(before, after) >= 0 else "leaves no gap before the crop"
        unread = (
            _cells("the last", tail, noun, "never read")
            if not cropped_after
            else (_cells("", tail, noun, "never read") + " before the cropped end")
        )
        parts.append(unread + f" (the windows cover {span} of the {cells}); an input of {crop} or {grow} {outcome}")
    if cropped_after:
        parts.append(_cells("the last", cropped_after, noun, f"cropped away by padding {after}"))
    return f"{axes_label([name])}: " + "; ".join(parts)


def _advance(
    fields: list[AxisField | None], layer: LayerSpec, padding: PaddingPairs, budget: list[int]
) -> list[AxisField | None]:
    """Step every axis's field through the layer; axes that agree so far share one computation.

    `budget` holds the positions the network's steps may still look at (FIELD_WORK in all);
    a step that needs more gives no field.
    """
    advanced: list[AxisField | None] = []
    done: dict[tuple[int, int, int, int, int], AxisField | None] = {}
    transposed = layer.kind.is_transposed
    step = transposed_field if transposed else direct_field
    for axis, previous in enumerate(fields):
        if previous is None:
            advanced.append(None)
            continue
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        key = (id(previous), k, s, padding[axis][0], d)  # square layers: every axis is the same object
        if key not in done:
            work = step_work(previous, k, s, d, transposed=transposed)
            if work > budget[0]:
                done[key] = None
            else:
                budget[0] -= work
                done[key] = step(previous, k, s, padding[axis][0], d)
        advanced.append(done[key])
    return advanced


MOVED = (
    "receptive field not followed: the spatial axes are not where this layer reads them (a permute or view moved them)"
)
NO_FIELD = "receptive field not computed from here on: too many positions to follow, or past 4000 digits"


JUMP_LIMIT = 10**3800
"""A receptive field grows by at most (layers x kernel x jump) a layer; with inputs under 100 digits and
100,000 layers, jumps under this keep it under 4,000 digits, so the jump alone is checked."""


def _too_big(field: AxisField) -> bool:
    """Whether a field's numbers have grown past what convcalc prints (4000 digits)."""
    jump = field.jump
    return jump.numerator >= JUMP_LIMIT or jump.denominator >= JUMP_LIMIT


def _expect_error(expect: AxisValues, output: AxisValues) -> str | None:
    compared = output if len(expect) == len(output) else output[2:]
    if tuple(expect) == compared:
        return None
    return f"expected output {list(expect)}, got {list(compared)}"


@dataclass(slots=True)
class _Node:
    """What the walk knows of a layer's output: its shape (None when not computed) and its fields."""

    shape: AxisValues | None
    fields: list[AxisField | None]
    result: LayerResult | None = None
    whole: bool = False  # every output reads the whole network input
    flat: bool = False  # spatial axes flattened into the last one: a Linear on it reads every cell
    axes: Labels = ()  # what each axis holds (batch, features, which spatial axis): see core/rearrange.py


def _window_fields(node: _Node, layer: LayerSpec, shape: LayerShape, budget: list[int]) -> FieldsAndNotes:
    known_before = None not in node.fields
    fields = [None if f is None or _too_big(f) else f for f in _advance(node.fields, layer, shape.padding, budget)]
    return fields, [NO_FIELD] if known_before and None in fields else []


def _other_fields(layer: OtherSpec, nodes: list[_Node], shape: OtherShape) -> FieldsAndNotes:
    """Follow the receptive field through a non-window layer by its kind's rule."""
    rules = other_rules(layer.kind)
    worked_on = rules.axes_worked_on(shape)
    if worked_on is not None and len(nodes[0].fields) != worked_on:
        return [None] * max(worked_on, 0), []  # the axes it works on are not the ones followed so far
    return rules.fields(layer, nodes, shape)


def _flattens_space(layer: AnyLayer, node: _Node) -> bool:
    """Whether a layer folds spatial axes of more than one cell into one axis (a Linear on it reads them all)."""
    return isinstance(layer, OtherSpec) and other_rules(layer.kind).flattens_space(layer, node)


def _labels_after(layer: AnyLayer, inputs: list[_Node], output: AxisValues) -> Labels:
    """Return what each axis of a layer's output holds, from what its inputs' axes held."""
    if isinstance(layer, LayerSpec):
        return standard_labels(len(output), len(output) - 2)
    return other_rules(layer.kind).labels_after(layer, inputs, output)


def _not_in_place(layer: OtherSpec, node: _Node) -> bool:
    """Whether a layer reads positions along the trailing axes, which do not hold the spatial axes in order."""
    spatial = len(node.fields)
    if in_place(node.axes, spatial) or not spatial:
        return False
    return other_rules(layer.kind).reads_moved_axes(layer, node)


def _input_node(shape: AxisValues) -> _Node:
    """Return an input of the network: its fields are single cells of it (every input in one frame)."""
    rank = len(shape) - 2
    return _Node(shape, [input_field()] * rank, axes=standard_labels(len(shape), rank))


class _Walk:
    """Walk a network's layers in order, each reading the layer before it or the ones it names."""

    def __init__(self, network: NetworkSpec) -> None:
        start = _input_node(network.input)
        self.nodes: dict[str, _Node] = {"input": start}
        for name, shape in network.input_shapes().items():  # several inputs: each a node of its own
            self.nodes[name] = start if shape is network.input else _input_node(shape)
        self.previous = "input"
        self.shapes_seen: dict[tuple[object, ...], LayerShape] = {}
        self.results: list[LayerResult] = []
        self.field_budget = [FIELD_WORK]  # positions the receptive-field steps may still look at

    def step(self, index: int, layer: AnyLayer) -> None:
        name = layer.name if layer.name is not None else str(index)
        sources = list(layer.inputs or (self.previous,))
        inputs = [self.nodes[source] for source in sources]
        common = {"index": index, "name": name, "spec": layer, "sources": tuple(layer.inputs or ())}
        waiting = [node for node in inputs if node.shape is None]
        target = self.nodes.get(layer.to) if isinstance(layer, OtherSpec) and layer.to else None
        if target is not None and target.shape is None:
            waiting.append(target)
        if waiting:
            blocked = waiting[0].result
            reason, diagnostic = "not computed", None
            if blocked is not None and blocked.status is Status.INVALID:
                reason = f"not computed: {blocked.label} is invalid"
            elif blocked is not None and blocked.error:
                reason, diagnostic = blocked.error, blocked.diagnostic
            skipped = _without_output(Status.NOT_COMPUTED, None, reason, diagnostic=diagnostic, **common)  # type: ignore[arg-type]  # common holds each field with its own type
            self._keep(name, index, _Node(None, [], skipped))
            return
        try:
            result, fields = self._compute(layer, inputs, sources, target, common)
        except LayerError as error:
            failed = _without_output(
                Status.INVALID,
                inputs[0].shape,
                str(error),
                diagnostic=error.diagnostic,
                **common,  # type: ignore[arg-type]  # common holds each field with its own type
            )
            self._keep(name, index, _Node(None, [], failed))
            return
        flat = any(node.flat for node in inputs) or _flattens_space(layer, inputs[0])
        axes = _labels_after(layer, inputs, result.output or ())
        self._keep(name, index, _Node(result.output, fields, result, whole=result.whole_input, flat=flat, axes=axes))

    def _keep(self, name: str, index: int, node: _Node) -> None:
        assert node.result is not None  # every layer node has its result
        self.results.append(node.result)
        self.nodes[name] = self.nodes[str(index)] = node
        self.previous = str(index)

    def _compute(
        self, layer: AnyLayer, inputs: list[_Node], sources: list[str], target: _Node | None, common: dict[str, object]
    ) -> tuple[LayerResult, list[AxisField | None]]:
        current = inputs[0].shape or ()
        if isinstance(layer, LayerSpec):
            step = self._window_step(layer, inputs[0], len(inputs), common)
        else:
            step = _other_step(layer, inputs, sources, target)
        output, fields, notes = step.output, step.fields, step.notes
        _check_size(output)
        mismatch = None if layer.expect is None else _expect_error(layer.expect, output)
        whole = any(node.whole for node in inputs)
        spans = isinstance(layer, OtherSpec) and other_rules(layer.kind).global_from_here(layer, inputs[0], output)
        if not whole and spans:
            whole = True
            notes.append(f"receptive field: {GLOBAL} from here on (each output reads every position of its input)")
        if whole:
            fields = [None] * len(fields)
        complete = bool(fields) and None not in fields
        known = [f for f in fields if f is not None]
        result = LayerResult(
            **common,  # type: ignore[arg-type]  # common holds each field with its own type
            status=Status.OK if mismatch is None else Status.EXPECT_FAILED,
            input=current,
            output=output,
            padding=step.padding,
            receptive_field=tuple(f.receptive_field for f in known) if complete else None,
            jump=tuple(f.jump for f in known) if complete else None,
            equivalent_conv=step.equivalent,
            weight_shape=step.weight,
            params=step.params,
            warnings=tuple(notes),
            error=mismatch,
            whole_input=whole,
            fields=tuple(known) if complete else None,
            other_inputs=tuple(node.shape for node in inputs[1:] if node.shape is not None),
        )
        if layer.shares is not None:
            result = self._shared(layer.shares, result)
        return result, fields

    def _shared(self, owner_name: str, result: LayerResult) -> LayerResult:
        """Return a layer that uses another's weights: the same weights, counted there (its parameters 0 here)."""
        owner = self.nodes[owner_name].result
        if owner is None or owner.output is None:
            raise LayerError(f"it shares the weights of {owner_name}, which is not computed")
        if not owner.params:
            raise LayerError(f"it shares the weights of {owner.label}, which has none", problem=Problem.REFUSED)
        if (owner.weight_shape, owner.params) != (result.weight_shape, result.params):
            mine = list(result.weight_shape or ())
            theirs = list(owner.weight_shape or ())
            msg = (
                f"it shares the weights of {owner.label}, but needs {result.params:,} parameters {mine} "
                f"where {owner.label} has {owner.params:,} {theirs}"
            )
            raise LayerError(msg, problem=Problem.REFUSED)
        return replace(result, params=0)

    def _window_step(self, layer: LayerSpec, source: _Node, count: int, common: dict[str, object]) -> _Step:
        """Compute a sliding-window layer: its shape by the framework's rule, the field through its window."""
        current = source.shape or ()
        if count > 1:
            raise LayerError(f"{layer.kind} reads one input, not {count}")
        if len(current) - 2 != layer.rank:
            msg = f"{layer.kind} expects [N, C] and {spatial_axes(layer.rank)}, got {list(current)}"
            raise LayerError(msg, problem=Problem.RANK)
        shape = _shape_of(layer, current, self.shapes_seen)
        if in_place(source.axes, len(source.fields)) or not source.fields:
            fields, notes = _window_fields(source, layer, shape, self.field_budget)
        else:  # the spatial axes are elsewhere: torch computes a shape, the field is not followed
            fields, notes = [None] * layer.rank, [MOVED] if None not in source.fields else []
        equivalent = None
        if layer.kind.is_transposed:
            if layer.output_size is not None:  # the result shows the output_padding the size implied
                common["spec"] = replace(layer, output_padding=shape.output_padding)
            equivalent = equivalent_conv(
                current[2:], layer.kernel_size, layer.stride, shape.padding, layer.dilation, shape.output_padding
            )
        notes = list(shape.notes) + gap_warnings(layer, shape) + notes
        return _Step(shape.output, fields, notes, shape.padding, shape.weight_shape, shape.params, equivalent)


@dataclass(frozen=True, slots=True)
class _Step:
    """What one layer computes, before the walk adds what holds across layers (the global field, expect)."""

    output: AxisValues
    fields: list[AxisField | None]
    notes: list[str]
    padding: PaddingPairs | None = None
    weight: AxisValues | None = None
    params: int = 0
    equivalent: EquivalentConv | None = None


def _other_step(layer: OtherSpec, inputs: list[_Node], sources: list[str], target: _Node | None) -> _Step:
    """Compute a layer without a sliding window by its kind's rules."""
    shapes = [node.shape or () for node in inputs]
    other = other_shape(layer, shapes, sources, target.shape if target else None)
    fields: list[AxisField | None]
    if _not_in_place(layer, inputs[0]):
        fields, notes = [None] * len(inputs[0].fields), [MOVED] if None not in inputs[0].fields else []
    else:
        fields, notes = _other_fields(layer, inputs, other)
    return _Step(other.output, fields, list(other.notes) + notes, None, other.weight_shape, other.params)


def _check_size(output: AxisValues) -> None:
    """Refuse an output of 10^4000 elements or more, whatever made it (a flatten, a linear, an upsample).

    Every number convcalc derives from shapes (parameters, FLOPs, bytes) is then a product of a
    few numbers under 4,000 digits, quick to compute and to print.
    """
    if prod(output) >= MAX_RESULT:
        msg = "output has more than 4000 digits of elements: far beyond any framework's tensor sizes"
        raise LayerError(msg, hint="use smaller sizes", problem=Problem.OUTPUT_TOO_LARGE)


class Walker:
    """Analyse a network one layer at a time: what importers measure as they read a model, layer after layer.

    `step` gives each layer's result as `analyze` would (without its merge hints), so reading
    n layers costs n steps, not the n²/2 of analysing every prefix anew.
    """

    def __init__(self, input_shape: AxisValues, inputs: tuple[InputSpec, ...] = ()) -> None:
        self._walk = _Walk(NetworkSpec(input=tuple(input_shape), layers=(), inputs=inputs))

    def step(self, layer: AnyLayer) -> LayerResult:
        """Compute the next layer and return its result."""
        self._walk.step(len(self._walk.results) + 1, layer)
        return self._walk.results[-1]


def analyze(network: NetworkSpec, *, hints: bool = True) -> StackResult:
    """Compute every layer of a network; a failing layer stops what depends on it, not the analysis.

    With hints, a merge whose inputs do not meet also says which input sizes make them meet.
    """
    walk = _Walk(network)
    for index, layer in enumerate(network.layers, start=1):
        walk.step(index, layer)
    results = walk.results
    if hints:
        budget = [MEETING_WORK]  # shared by every merge of the file
        results = [_with_meeting_sizes(network, r, budget) if _unmet_merge(r) else r for r in results]
    others = tuple((name, shape) for name, shape in network.input_shapes().items() if name != "input")
    return StackResult(input=network.input, layers=tuple(results), source=network.source, inputs=others)


MEETING_WORK = 50_000
"""Most layer analyses one file spends looking for the input sizes at which merges' inputs meet."""


def _unmet_merge(result: LayerResult) -> bool:
    diagnostic = result.diagnostic
    return result.status is Status.INVALID and diagnostic is not None and diagnostic.problem is Problem.INPUTS_DIFFER


def _with_meeting_sizes(network: NetworkSpec, result: LayerResult, budget: list[int]) -> LayerResult:
    """Add to a merge's error the square input sizes at which its inputs would meet, within the budget."""
    spatial = network.input[2:]
    high = 2 * spatial[0]
    if len(set(spatial)) > 1 or high * result.index > budget[0]:
        return result  # only square inputs are tried, within a bounded effort
    budget[0] -= high * result.index
    upto = network.layers[: result.index]
    meeting = []
    for size in range(1, high + 1):
        trial = analyze(replace(network, input=(*network.input[:2], *(size,) * len(spatial)), layers=upto), hints=False)
        if all(layer.status in (Status.OK, Status.EXPECT_FAILED) for layer in trial.layers):
            meeting.append(size)
    from convcalc.core.runs import describe_runs  # only an unmet merge needs it

    hint = f"input sizes where they meet (up to {high}): {describe_runs(tuple(meeting))}"
    return replace(result, error=f"{result.error}; {hint}", meeting_sizes=tuple(meeting))


def _shape_of(layer: LayerSpec, shape: AxisValues, seen: dict[tuple[object, ...], LayerShape]) -> LayerShape:
    """Return layer_shape(layer, shape), once per geometry: networks repeat their blocks."""
    key = (
        layer.kind,
        layer.framework,
        layer.output_padding_given,
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
        layer.padding_mode,
        shape,
    )
    found = seen.get(key)
    if found is None:
        found = seen[key] = layer_shape(layer, shape)
    return found


def _without_output(  # noqa: PLR0913 - the fields a result without output still has
    status: Status,
    shape: AxisValues | None,
    error: str,
    *,
    index: int,
    name: str,
    spec: AnyLayer,
    sources: tuple[str, ...] = (),
    diagnostic: Diagnostic | None = None,
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
        sources=sources,
        diagnostic=diagnostic,
    )
