"""Sizes that an ONNX graph computes from tensors' shapes: Shape -> Gather -> Unsqueeze -> Concat and kin.

Dynamic exports compute a Reshape's target, a Resize's sizes or a Slice's ends from the shapes
of tensors (`x.view(x.size(0), -1)`, `F.interpolate(x, size=y.shape[-2:])`, `x.chunk(2, 1)`).
Each element of such a computed tensor is kept as an expression over the sizes it was read
from (`Size`), so that the importer can write what the graph means (a 0 that copies an axis, a
`to:` another layer) and, where it must write a number, evaluate it at any input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import ceil, floor, trunc
from typing import Any

from convcalc.importers.onnx_proto import INTEGER_TYPES

Number = int | float
Lookup = Callable[[str], Sequence[int]]
"""The shape of a tensor (by its name in the graph) at one input."""

"""TensorProto.DataType of the integer types (a Cast to one of them rounds toward zero)."""
ARITHMETIC = {"Add", "Sub", "Mul", "Div", "Max", "Min"}
SHAPE_OPERATORS = {"Shape", "Gather", "Slice", "Concat", "Unsqueeze", "Squeeze", "Reshape", "Cast", "Identity",
                   "Floor", "Ceil", "Neg", "Abs", *ARITHMETIC}  # fmt: skip
"""Operators followed on computed sizes (their inputs are constants or sizes computed from shapes)."""


@dataclass(frozen=True, slots=True)
class Size:
    """One element of a tensor computed from shapes: a number, the size of a tensor's axis, or arithmetic.

    Operands are shared, not copied: a size added to itself forty times is a chain of forty
    nodes, so everything asked of a size visits each node once (never once per path).
    """

    value: Number | None = None
    tensor: str = ""  # with `axis`: the size of this axis of this tensor
    axis: int = 0
    operation: str = ""  # with `operands`: Add, Sub, Mul, Div, Max, Min, Floor, Ceil, Neg, Abs, int, float
    operands: tuple[Size, ...] = ()
    integral: bool = field(init=False, compare=False, repr=False)
    """Whether the element is an integer at every input (a Cast to an integer type keeps it)."""

    def __post_init__(self) -> None:
        if self.value is not None:
            whole = isinstance(self.value, int)
        elif self.tensor or self.operation in ("int", "Floor", "Ceil"):
            whole = True
        else:
            whole = self.operation != "float" and all(operand.integral for operand in self.operands)
        object.__setattr__(self, "integral", whole)

    @property
    def known(self) -> bool:
        """Return True when the element is a number, the same at every input."""
        return self.value is not None

    def at(self, shape_of: Lookup) -> Number:
        """Return the element's value at the input whose tensors' shapes `shape_of` gives (each node once)."""
        values: dict[int, Number] = {}
        pending: list[tuple[Size, bool]] = [(self, False)]
        while pending:
            size, ready = pending.pop()
            if id(size) in values:
                continue
            if size.value is not None:
                values[id(size)] = size.value
            elif size.tensor:
                values[id(size)] = int(shape_of(size.tensor)[size.axis])
            elif ready:
                values[id(size)] = _apply(size.operation, [values[id(operand)] for operand in size.operands])
            else:
                pending.append((size, True))
                pending.extend((operand, False) for operand in size.operands if id(operand) not in values)
        return values[id(self)]


def _divide(a: Number, b: Number) -> Number:
    """Divide as ONNX does: integers round toward zero, other numbers divide exactly."""
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return quotient if (a < 0) == (b < 0) else -quotient
    return a / b


OPERATIONS: dict[str, Callable[..., Number]] = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": _divide,
    "Max": max,
    "Min": min,
    "Floor": floor,
    "Ceil": ceil,
    "Neg": lambda a: -a,
    "Abs": abs,
    "int": trunc,  # a Cast to an integer type
    "float": float,
}
"""Each operation on sizes, as ONNX computes it."""


def _apply(operation: str, values: list[Number]) -> Number:
    """Apply one operation to numbers, or raise ValueError."""
    try:
        return OPERATIONS[operation](*values)
    except (KeyError, TypeError, ZeroDivisionError):
        msg = f"cannot apply {operation} to {values}"
        raise ValueError(msg) from None


def combine(operation: str, operands: Sequence[Size]) -> Size:
    """Return an operation on elements, folded to a number when every operand is one."""
    if all(operand.value is not None for operand in operands):
        return Size(value=_apply(operation, [operand.value for operand in operands if operand.value is not None]))
    if operation == "int" and operands[0].integral:
        return operands[0]
    return Size(operation=operation, operands=tuple(operands))


@dataclass(frozen=True, slots=True)
class Computed:
    """A small tensor computed from shapes (a scalar or a 1-D tensor): its elements."""

    elements: tuple[Size, ...]
    scalar: bool = False

    @property
    def known(self) -> bool:
        """Return True when every element is a number."""
        return all(element.known for element in self.elements)


def constant(values: Sequence[Any], dims: Sequence[int]) -> Computed:
    """Return a constant tensor (an initializer's or a Constant node's values) as computed sizes."""
    return Computed(tuple(Size(value=value) for value in values), scalar=not dims)


def _ints(values: Computed | None, what: str) -> list[int]:
    if values is None or not values.known:
        msg = f"its {what} are computed at run time"
        raise ValueError(msg)
    return [int(element.value) for element in values.elements if element.value is not None]


def _operand(inputs: list[Computed | None], position: int, what: str) -> Computed:
    """Return an input the operator needs, or raise ValueError."""
    found = inputs[position] if position < len(inputs) else None
    if found is None:
        msg = f"its {what} input is left out"
        raise ValueError(msg)
    return found


def evaluate(operator: str, attributes: dict[str, Any], inputs: list[Computed | None]) -> Computed:
    """Return the output of a shape operator over computed tensors (None where an optional input is left out).

    `Shape` is handled by `shape_of_tensor` (it reads a data tensor). Raise ValueError for what
    is not followed.
    """
    first = _operand(inputs, 0, "first")
    rule = RULES.get(operator)
    if rule is None:
        raise ValueError("this operator is not followed on sizes")
    return rule(operator, attributes, first, inputs)


_Rule = Callable[[str, dict[str, Any], Computed, list[Computed | None]], Computed]


def _kept(operator: str, _attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    """Identity, Unsqueeze, Squeeze, Reshape: the same sizes (a scalar or a 1-D tensor either way)."""
    return Computed(first.elements, scalar=operator == "Squeeze" and len(first.elements) == 1)


def _cast(_operator: str, attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    kind = "int" if int(attributes.get("to", 7)) in INTEGER_TYPES else "float"
    return Computed(tuple(combine(kind, [e]) for e in first.elements), scalar=first.scalar)


def _unary(operator: str, _attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    return Computed(tuple(combine(operator, [e]) for e in first.elements), scalar=first.scalar)


def _arithmetic(operator: str, _attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    second = _operand(inputs, 1, "second")
    left, right = list(first.elements), list(second.elements)
    if len(left) != len(right):
        if min(len(left), len(right)) != 1:
            raise ValueError("its operands do not broadcast")
        left, right = (left * len(right), right) if len(left) == 1 else (left, right * len(left))
    combined = tuple(combine(operator, [a, b]) for a, b in zip(left, right, strict=True))
    return Computed(combined, scalar=first.scalar and second.scalar)


def _concat(_operator: str, _attributes: dict[str, Any], _first: Computed, inputs: list[Computed | None]) -> Computed:
    return Computed(tuple(e for part in inputs if part is not None for e in part.elements))


def _gather(_operator: str, attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    indices = _operand(inputs, 1, "indices")
    if int(attributes.get("axis", 0)) != 0:
        raise ValueError("it gathers along an axis other than 0")
    wanted = _ints(indices, "indices")
    elements = first.elements
    if any(not -len(elements) <= i < len(elements) for i in wanted):
        raise ValueError(f"its indices {wanted} reach past its {len(elements)} sizes")
    return Computed(tuple(elements[i] for i in wanted), scalar=indices.scalar)


def _slice(_operator: str, _attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    starts, ends = _ints(_operand(inputs, 1, "starts"), "starts"), _ints(_operand(inputs, 2, "ends"), "ends")
    axes_input, steps_input = (*inputs[3:5], None, None)[:2]  # both optional
    axes = _ints(axes_input, "axes") if axes_input is not None else [0]
    steps = _ints(steps_input, "steps") if steps_input is not None else [1]
    if axes not in ([0], [-1]) or len(starts) != 1 or len(ends) != 1:
        raise ValueError("it slices a 1-D tensor along another axis")
    if len(steps) != 1 or steps[0] == 0:
        raise ValueError(f"its steps {steps} are not one step other than 0")
    return Computed(tuple(first.elements[slice(starts[0], ends[0], steps[0])]))


RULES: dict[str, _Rule] = {
    **dict.fromkeys(("Identity", "Unsqueeze", "Squeeze", "Reshape"), _kept),
    "Cast": _cast,
    **dict.fromkeys(("Floor", "Ceil", "Neg", "Abs"), _unary),
    **dict.fromkeys(ARITHMETIC, _arithmetic),
    "Concat": _concat,
    "Gather": _gather,
    "Slice": _slice,
}
"""How each shape operator computes sizes from sizes."""


def shape_of_tensor(tensor: str, rank: int, attributes: dict[str, Any]) -> Computed:
    """Return Shape(tensor) (with its `start` and `end` attributes) as the sizes of its axes."""
    axes = list(range(rank))[slice(attributes.get("start", 0), attributes.get("end"))]
    return Computed(tuple(Size(tensor=tensor, axis=axis) for axis in axes))
