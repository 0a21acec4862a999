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
from math import ceil, floor, prod, sqrt, trunc
from typing import Any

from convcalc.importers.onnx_proto import INTEGER_TYPES

Number = int | float
Lookup = Callable[[str], Sequence[int]]
"""The shape of a tensor (by its name in the graph) at one input."""

"""TensorProto.DataType of the integer types (a Cast to one of them rounds toward zero)."""
ARITHMETIC = {"Add", "Sub", "Mul", "Div", "Mod", "Pow", "Max", "Min", "Equal", "Less", "Greater"}
VARIADIC = {"Max", "Min"}
"""Operators of one input or more: one is itself, more fold left."""
SHAPE_OPERATORS = {"Shape", "Gather", "Slice", "Concat", "Unsqueeze", "Squeeze", "Reshape", "Cast", "Identity",
                   "Floor", "Ceil", "Neg", "Abs", "Sqrt", "ConstantOfShape", "Where", "Transpose", "Expand",
                   *ARITHMETIC}  # fmt: skip
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
    operation: str = ""  # with `operands`: one of OPERATIONS
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


def _modulo(a: Number, b: Number) -> Number:
    """Mod as ONNX computes it (fmod=0): the remainder takes the divisor's sign, as Python's %."""
    return a % b


OPERATIONS: dict[str, Callable[..., Number]] = {
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": _divide,
    "Max": max,
    "Min": min,
    "Mod": _modulo,
    "Pow": lambda a, b: a**b,  # attention's scale: head_dim ** -0.5
    "Equal": lambda a, b: int(a == b),  # a comparison gives a boolean: 1 or 0
    "Less": lambda a, b: int(a < b),
    "Greater": lambda a, b: int(a > b),
    "Where": lambda condition, a, b: a if condition else b,
    "Floor": floor,
    "Ceil": ceil,
    "Neg": lambda a: -a,
    "Abs": abs,
    "Sqrt": sqrt,  # attention's scale, 1/sqrt(E), from the shape of its query
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
    """A small tensor computed from shapes (a scalar, a 1-D tensor or a matrix): its elements, row by row.

    A matrix is how the TorchScript exporter turns F.pad's amounts (last axis first, in pairs)
    into ONNX's order: viewed as rows of two, rows reversed, transposed, flattened.
    """

    elements: tuple[Size, ...]
    scalar: bool = False
    matrix: tuple[int, int] | None = None  # rows and columns, when 2-D

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
    """Identity, Unsqueeze, Squeeze: the same sizes (a scalar or a 1-D tensor either way)."""
    if first.matrix is not None and operator != "Identity":
        raise ValueError("it adds or drops an axis of a matrix of sizes")
    return Computed(first.elements, scalar=operator == "Squeeze" and len(first.elements) == 1, matrix=first.matrix)


def _reshape(_operator: str, _attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    """Reshape sizes to one axis or to a matrix (a 0 copies the axis, -1 takes what is left)."""
    shape = inputs[1] if len(inputs) > 1 else None
    if first.matrix is None and (shape is None or not shape.known):  # to a computed shape: still a list of sizes
        return Computed(first.elements)
    target = _ints(shape, "shape")
    count = len(first.elements)
    dims = reshaped(first.matrix or ([] if first.scalar else [count]), target)
    if dims is None or len(dims) > len(("rows", "columns")):
        raise ValueError(f"it lays out {count} sizes as {target}")
    if len(dims) == len(("rows", "columns")):
        return Computed(first.elements, matrix=(dims[0], dims[1]))
    return Computed(first.elements, scalar=not dims)


def broadcast_dims(shapes: Sequence[Sequence[int]]) -> tuple[int, ...] | None:
    """Return shapes broadcast together, as numpy (and ONNX) do, or None where they do not broadcast."""
    rank = max(len(shape) for shape in shapes)
    out = []
    for sizes in zip(*[(1,) * (rank - len(shape)) + tuple(shape) for shape in shapes], strict=True):
        wider = {size for size in sizes if size != 1}
        if len(wider) > 1:
            return None
        out.append(wider.pop() if wider else 1)
    return tuple(out)


def clamped(start: int, end: int, size: int) -> tuple[int, int]:
    """Return the start and length a one-axis Slice keeps of `size` (Python's bounds, negative from the end)."""
    first, last = (min(max(v + size if v < 0 else v, 0), size) for v in (start, end))
    return first, max(last - first, 0)


def reshaped(dims: Sequence[int], target: Sequence[int], *, allowzero: bool = False) -> list[int] | None:
    """Return Reshape's output shape, as ONNX computes it, or None when the target does not fit.

    A 0 copies the input's axis (unless `allowzero`), one -1 takes what the others leave.
    """
    shape = [dims[i] if size == 0 and not allowzero and i < len(dims) else size for i, size in enumerate(target)]
    total, known = prod(dims), prod(size for size in shape if size != -1)
    if shape.count(-1) == 1 and known and total % known == 0:
        shape[shape.index(-1)] = total // known
    return None if any(size < 0 for size in shape) or prod(shape) != total else shape


def _transpose(_operator: str, attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    """Transpose a matrix of sizes (a 1-D tensor stays as it is)."""
    if first.matrix is None:
        return first
    if list(attributes.get("perm", [1, 0])) != [1, 0]:
        raise ValueError("its perm is not [1, 0]")
    rows, columns = first.matrix
    elements = tuple(first.elements[row * columns + column] for column in range(columns) for row in range(rows))
    return Computed(elements, matrix=(columns, rows))


def _cast(_operator: str, attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    kind = "int" if int(attributes.get("to", 7)) in INTEGER_TYPES else "float"
    return Computed(tuple(combine(kind, [e]) for e in first.elements), scalar=first.scalar, matrix=first.matrix)


def _unary(operator: str, _attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    return Computed(tuple(combine(operator, [e]) for e in first.elements), scalar=first.scalar, matrix=first.matrix)


def _arithmetic(operator: str, attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    if operator in VARIADIC and len(inputs) != 2:  # noqa: PLR2004 - Max and Min take one input or more
        if len(inputs) == 1:
            return first
        return _arithmetic(operator, attributes, _arithmetic(operator, attributes, first, inputs[:2]), inputs[1:])
    second = _operand(inputs, 1, "second")
    left, right = list(first.elements), list(second.elements)
    if len(left) != len(right):
        if min(len(left), len(right)) != 1:
            raise ValueError("its operands do not broadcast")
        left, right = (left * len(right), right) if len(left) == 1 else (left, right * len(left))
    combined = tuple(combine(operator, [a, b]) for a, b in zip(left, right, strict=True))
    return Computed(combined, scalar=first.scalar and second.scalar, matrix=first.matrix or second.matrix)


def _concat(_operator: str, _attributes: dict[str, Any], _first: Computed, inputs: list[Computed | None]) -> Computed:
    if any(part is not None and part.matrix is not None for part in inputs):
        raise ValueError("it joins matrices of sizes")
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
    rank = 1 if first.matrix is None else len(first.matrix)
    if len(axes) != 1 or not -rank <= axes[0] < rank or len(starts) != 1 or len(ends) != 1:
        raise ValueError(f"it slices a {rank}-D tensor of sizes along axes {axes}")
    if len(steps) != 1 or steps[0] == 0:
        raise ValueError(f"its steps {steps} are not one step other than 0")
    chosen = slice(starts[0], ends[0], steps[0])
    if first.matrix is None:
        return Computed(tuple(first.elements[chosen]))
    rows, columns = first.matrix
    table = [first.elements[row * columns : (row + 1) * columns] for row in range(rows)]
    table = table[chosen] if axes[0] % rank == 0 else [row[chosen] for row in table]
    return Computed(tuple(e for row in table for e in row), matrix=(len(table), len(table[0]) if table else 0))


def _where(_operator: str, _attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    """Where(condition, a, b), element by element (`expand(n, -1, -1)`'s sizes: -1 where a size is kept)."""
    operands = [list(first.elements), list(_operand(inputs, 1, "second").elements)]
    operands.append(list(_operand(inputs, 2, "third").elements))
    length = max(len(elements) for elements in operands)
    if any(len(elements) not in (1, length) for elements in operands):
        raise ValueError("its operands do not broadcast")
    spread = [elements * length if len(elements) == 1 else elements for elements in operands]
    return Computed(tuple(combine("Where", list(chosen)) for chosen in zip(*spread, strict=True)))


MOST_FILLED = 64
"""The most elements a ConstantOfShape may fill and still be sizes (more is a data tensor)."""


def _expand(_operator: str, _attributes: dict[str, Any], first: Computed, inputs: list[Computed | None]) -> Computed:
    """Expand sizes to a 1-D shape: one size repeated, or the sizes as they are."""
    target = _ints(_operand(inputs, 1, "shape"), "shape")
    length = len(first.elements)
    if first.matrix is not None or len(target) != 1 or (length not in (1, target[0]) and target[0] != 1):
        raise ValueError(f"it expands {length} sizes to {target}")
    return Computed(first.elements * (target[0] if length == 1 else 1))


def fills_sizes(shape: Computed | None) -> bool:
    """Return True when ConstantOfShape of this shape makes a short list of sizes (not a data tensor)."""
    if shape is None or len(shape.elements) != 1:
        return False
    length = shape.elements[0].value
    return isinstance(length, int) and 0 <= length <= MOST_FILLED


def _filled(_operator: str, attributes: dict[str, Any], first: Computed, _inputs: list[Computed | None]) -> Computed:
    """ConstantOfShape of a 1-D shape: that many copies of its value (0 unless its `value` says)."""
    dims = _ints(first, "sizes")
    if not fills_sizes(first):
        raise ValueError(f"it fills a tensor of shape {dims}, not a short list of sizes")
    filling = getattr(attributes.get("value"), "values", None) or [0]
    return Computed(tuple(Size(value=filling[0]) for _ in range(dims[0])))


RULES: dict[str, _Rule] = {
    **dict.fromkeys(("Identity", "Unsqueeze", "Squeeze"), _kept),
    "Reshape": _reshape,
    "Transpose": _transpose,
    "Cast": _cast,
    **dict.fromkeys(("Floor", "Ceil", "Neg", "Abs", "Sqrt"), _unary),
    **dict.fromkeys(ARITHMETIC, _arithmetic),
    "Concat": _concat,
    "Gather": _gather,
    "Slice": _slice,
    "Where": _where,
    "Expand": _expand,
    "ConstantOfShape": _filled,
}
"""How each shape operator computes sizes from sizes."""


def shape_of_tensor(tensor: str, rank: int, attributes: dict[str, Any]) -> Computed:
    """Return Shape(tensor) (with its `start` and `end` attributes) as the sizes of its axes."""
    axes = list(range(rank))[slice(attributes.get("start", 0), attributes.get("end"))]
    return Computed(tuple(Size(tensor=tensor, axis=axis) for axis in axes))


def shape_of_sizes(sizes: Computed, attributes: dict[str, Any]) -> Computed:
    """Return Shape of a tensor of sizes: its length, a number (none for a scalar)."""
    dims = [] if sizes.scalar else [len(sizes.elements)]
    return Computed(tuple(Size(value=size) for size in dims[slice(attributes.get("start", 0), attributes.get("end"))]))
