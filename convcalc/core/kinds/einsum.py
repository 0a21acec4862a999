"""torch.einsum of one or two computed tensors: the equation says the output's axes and what is summed.

`equation` is torch's: a letter per axis of each operand (spaces allowed, `...` for the axes
not named), `->` and the output's letters (without it, the letters used once, in alphabetical
order). Axes of one letter must agree (or be 1, broadcast). FLOPs are FlopCounterMode's count
of what torch computes: a product of two operands that sums over a shared letter of more than
one cell is a bmm (2 x every letter's size, multiplied); anything else (one operand, an outer
product, a sum over single cells) is elementwise, which it does not count.
"""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING, Any, NamedTuple

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import Flow, OtherRules, OtherShape, mixes_positions
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.kinds.shared import Contracts
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec

ELLIPSIS = "."
"""The letter `...` stands for, once parsed."""


class Equation(NamedTuple):
    """An einsum equation parsed: each operand's letters, and the output's (`.` for the ellipsis's axes).

    A NamedTuple, not a dataclass: every command imports this module, and a slotted dataclass
    costs a millisecond to make.
    """

    operands: tuple[str, ...]
    output: str


def parse_equation(text: str) -> Equation | str:
    """Return the equation parsed, or why it is not one (said as a message)."""
    compact = text.replace(" ", "").replace("...", ELLIPSIS)
    left, arrow, right = compact.partition("->")
    operands = tuple(left.split(","))
    for part in (*operands, right):
        if any(not (c.isalpha() and c.isascii()) and c != ELLIPSIS for c in part) or part.count(ELLIPSIS) > 1:
            return f"expected letters, `...` once per operand, `,` and `->`, got {text!r}"
    if not 1 <= len(operands) <= 2:  # noqa: PLR2004 - one or two operands
        return f"convcalc follows einsum of one or two operands, got {len(operands)}"
    used = "".join(operands)
    if arrow:
        unknown = [c for c in right if c not in used]
        if unknown or len(set(right)) != len(right):
            return f"the output's letters must be operands' letters, each once, got {right!r}"
        output = right
    else:
        output = (ELLIPSIS if ELLIPSIS in used else "") + "".join(
            sorted(c for c in set(used) if c != ELLIPSIS and used.count(c) == 1)
        )
    if any(len(set(part.replace(ELLIPSIS, ""))) != len(part.replace(ELLIPSIS, "")) for part in operands):
        return "a letter repeated within an operand (a diagonal) is not followed"
    return Equation(operands, output)


def _equation(layer: OtherSpec) -> Equation:
    parsed = parse_equation(str(layer.argument("equation", "")))
    if isinstance(parsed, str):
        raise LayerError(parsed, problem=Problem.REFUSED)
    return parsed


def _sizes(equation: Equation, shapes: Sequence[AxisValues]) -> tuple[dict[str, int], AxisValues]:
    """Return each letter's size and the ellipsis's axes, broadcast as torch does."""
    if len(shapes) != len(equation.operands):
        msg = f"the equation has {len(equation.operands)} operands but {len(shapes)} inputs come in"
        raise LayerError(msg, problem=Problem.RANK)
    sizes: dict[str, int] = {}
    spread: AxisValues = ()
    for letters, shape in zip(equation.operands, shapes, strict=True):
        named = len(letters) - (ELLIPSIS in letters)
        if len(shape) < named or (ELLIPSIS not in letters and len(shape) != named):
            msg = f"{letters.replace(ELLIPSIS, '...')!r} names {named} axes of a {len(shape)}-D input {list(shape)}"
            raise LayerError(msg, problem=Problem.RANK)
        at = letters.find(ELLIPSIS)
        extra = len(shape) - named
        if at >= 0:
            spread = _broadcast(spread, shape[at : at + extra])
        for position, letter in enumerate(letters.replace(ELLIPSIS, "")):
            axis = position + (extra if 0 <= at <= position else 0)
            size = shape[axis]
            known = sizes.get(letter, size)
            if size != known and 1 not in (size, known):
                msg = f"letter {letter!r} is {known} in one operand and {size} in another"
                raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
            sizes[letter] = max(size, known)
    return sizes, spread


def _broadcast(ours: AxisValues, theirs: AxisValues) -> AxisValues:
    rank = max(len(ours), len(theirs))
    a, b = (1,) * (rank - len(ours)) + ours, (1,) * (rank - len(theirs)) + theirs
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b, strict=True)):
        raise LayerError(f"the axes of `...` do not broadcast: {list(ours)} and {list(theirs)}", problem=Problem.RANK)
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))


class Einsum(Contracts, OtherRules):
    """The output's axes in the equation's order; the letters left out are summed."""

    kinds = (LayerKind.EINSUM,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Give each output letter's size (the ellipsis's axes where it stands)."""
        del sources, target
        equation = _equation(layer)
        sizes, spread = _sizes(equation, shapes)
        output: list[int] = []
        for letter in equation.output:
            output.extend(spread if letter == ELLIPSIS else (sizes[letter],))
        return OtherShape(output=tuple(output))

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count a bmm when two operands share a letter summed over; else nothing FlopCounterMode counts."""
        del output, weight
        equation = _equation(spec)
        if len(equation.operands) != 2:  # noqa: PLR2004 - a product of two
            return 0
        sizes, spread = _sizes(equation, shapes)
        left, right = (set(part) - {ELLIPSIS} for part in equation.operands)
        summed = (left & right) - set(equation.output)
        if all(sizes[letter] == 1 for letter in summed):  # nothing summed but single cells: torch multiplies
            return 0
        kept = (left | right) - ((left ^ right) - set(equation.output))  # a letter of one operand only, summed first
        return 2 * prod(spread) * prod(sizes[letter] for letter in kept)

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Over flattened positions, or summing an axis that holds positions, each output reads them all."""
        del output
        equation = _equation(layer)
        letters = equation.operands[0].replace(ELLIPSIS, "")
        summed = [axis for axis, letter in enumerate(letters) if letter not in equation.output]
        return node.flat or mixes_positions(node, summed)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the equation."""
        del shape
        return str(spec.argument("equation", "")).replace(" ", "")

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the equation."""
        return {"equation": spec.argument("equation")}


@cache
def file_types() -> FileTypes:
    """Return einsum's name: torch.einsum (from: one input, or [a, b])."""
    return FileTypes(
        torch={
            "einsum": OtherType(
                LayerKind.EINSUM, {"equation": "equation"}, required=("equation",), stored=("equation",)
            )
        },
        spellings=("einsum",),
    )
