"""Matrix products of two computed tensors (torch.matmul, @, bmm): [.., n, k] @ [.., k, m] -> [.., n, m]."""

from __future__ import annotations

from functools import cache
from math import prod
from typing import TYPE_CHECKING

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import Flow, OtherRules, OtherShape, mixes_positions
from convcalc.core.kinds.file_types import FileTypes, OtherType
from convcalc.core.kinds.shared import Contracts, kept_period
from convcalc.core.spec import LayerKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.spec import AxisValues, OtherSpec


def _as_matrices(left: AxisValues, right: AxisValues) -> tuple[AxisValues, AxisValues, AxisValues]:
    """Return torch.matmul's batch axes and its two operands as [.., n, k] and [.., k, m] (vectors widened)."""
    a = (1, *left) if len(left) == 1 else left
    b = (*right, 1) if len(right) == 1 else right
    ours, theirs = a[:-2], b[:-2]
    rank = max(len(ours), len(theirs))
    ours, theirs = (1,) * (rank - len(ours)) + ours, (1,) * (rank - len(theirs)) + theirs
    if any(x != y and 1 not in (x, y) for x, y in zip(ours, theirs, strict=True)):
        msg = f"the batch axes of {list(left)} and {list(right)} do not broadcast"
        raise LayerError(msg, problem=Problem.INPUTS_DIFFER)
    batch = tuple(max(x, y) for x, y in zip(ours, theirs, strict=True))
    return batch, a[-2:], b[-2:]


class MatMul(Contracts, OtherRules):
    """torch.matmul's rule: vectors widened to matrices and back, batch axes broadcast."""

    kinds = (LayerKind.MATMUL,)
    period = staticmethod(kept_period)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Multiply the two inputs' last two axes; the axes before them broadcast."""
        del target
        if len(shapes) != 2:  # noqa: PLR2004 - a product of two
            raise LayerError(f"matmul multiplies 2 inputs, got {len(shapes)}", problem=Problem.RANK)
        left, right = shapes
        if layer.type_name.lower() == "bmm" and ((len(left), len(right)) != (3, 3) or left[0] != right[0]):
            msg = f"bmm multiplies 3-D tensors of one batch, got {list(left)} and {list(right)}"
            raise LayerError(msg, hint="use matmul to broadcast", problem=Problem.RANK)
        if not left or not right:
            raise LayerError("matmul needs inputs of 1 axis or more, not scalars", problem=Problem.RANK)
        batch, a, b = _as_matrices(left, right)
        if a[1] != b[0]:
            msg = f"{sources[0]} {list(left)} and {sources[1]} {list(right)} cannot be multiplied ({a[1]} vs {b[0]})"
            hint = "the first's last axis must equal the second's next to last (its only one, for a vector)"
            raise LayerError(msg, hint=hint, problem=Problem.CHANNELS)
        rows = (a[0],) if len(left) > 1 else ()
        columns = (b[1],) if len(right) > 1 else ()
        return OtherShape(output=(*batch, *rows, *columns))

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Over flattened positions, or along an axis holding positions, each output reads them all."""
        del layer, output
        return node.flat or mixes_positions(node, [len(node.shape or ()) - 1])

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Count batch x n x k x m multiply-adds, two FLOPs each (FlopCounterMode's mm and bmm).

        torch computes a product by a vector as mv or dot, which FlopCounterMode does not count
        (0): a vector on the right always; a vector on the left of a batch of [k, m] matrices when
        k is 1 (torch folds the batch into one matrix then; otherwise it is a bmm). A vector on
        the left of one matrix is an mm.
        """
        del spec, output, weight
        left, right = shapes[0], shapes[1]
        if len(right) == 1 or (len(left) == 1 and len(right) >= 3 and right[-2] == 1):  # noqa: PLR2004 - a batch
            return 0
        batch, a, b = _as_matrices(left, right)
        return 2 * prod(batch) * a[0] * a[1] * b[1]

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Nothing to say: the shapes say it."""
        del spec, shape
        return "-"


@cache
def file_types() -> FileTypes:
    """Return the products' names: torch.matmul and torch.bmm (from: [a, b])."""
    product = OtherType(LayerKind.MATMUL, min_inputs=2)
    return FileTypes(torch={"matmul": product, "bmm": product}, spellings=("matmul", "bmm"))
