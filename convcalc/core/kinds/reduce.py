"""Reductions over axes (mean, sum, amax, ...; ONNX's Reduce*): the axes go, or stay at 1 with keepdim."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import FieldsAndNotes, Flow, NamedAsWritten, OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.rearrange import is_spatial
from convcalc.core.spec import LayerKind, OtherSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.rearrange import Labels
    from convcalc.core.spec import AxisValues


def _dims(layer: OtherSpec, rank: int) -> set[int]:
    """Return the reduced axes, counted from 0 (an empty tensor's: none)."""
    given = layer.argument("dim", ())
    return {int(d) % rank for d in (given if isinstance(given, tuple) else (given,))} if rank else set()


class Reduce(NamedAsWritten, OtherRules):
    """Reduce over the axes of `dim`: over channels the field stays; over positions, it is not followed."""

    kinds = (LayerKind.REDUCE,)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Drop the reduced axes, or keep them at size 1 with keepdim."""
        del sources, target
        shape = shapes[0]
        given = layer.argument("dim", ())
        dims = given if isinstance(given, tuple) else (given,)
        axes = set()
        for dim in dims:
            axis = int(dim) + len(shape) if int(dim) < 0 else int(dim)
            if not 0 <= axis < len(shape) or axis in axes:
                msg = f"dim {dim} is {'repeated' if axis in axes else 'out of range'} for {len(shape)}-D tensors"
                raise LayerError(msg, problem=Problem.RANK)
            axes.add(axis)
        if layer.argument("keepdim", default=False):
            return OtherShape(output=tuple(1 if axis in axes else size for axis, size in enumerate(shape)))
        return OtherShape(output=tuple(size for axis, size in enumerate(shape) if axis not in axes))

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Over non-spatial axes (or single cells) every position keeps its field; else it is not followed."""
        node = inputs[0]
        before = node.shape or ()
        dims = _dims(layer, len(before))
        if len(node.axes) == len(before) and not any(is_spatial(node.axes[d]) and before[d] > 1 for d in dims):
            return node.fields, []
        return ([None] * len(node.fields) if len(shape.output) == len(before) else []), []

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Drop the labels of the reduced axes (keepdim: they become single cells)."""
        axes = inputs[0].axes
        dims = _dims(layer, len(axes))
        if len(output) == len(axes):
            return tuple("1" if axis in dims else label for axis, label in enumerate(axes))
        return tuple(label for axis, label in enumerate(axes) if axis not in dims)

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Reducing every spatial axis of more than one cell (keeping N and C) reads every position."""
        del layer
        before = node.shape or ()
        if len(before) < 3 or all(size == 1 for size in before[2:]):  # noqa: PLR2004 - N, C and a spatial axis
            return False
        return output[:2] == before[:2] and all(size == 1 for size in output[2:])

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the axes (and keep, with keepdim)."""
        del shape
        dims = spec.argument("dim")
        shown = ",".join(map(str, dims)) if isinstance(dims, tuple) else str(dims)
        return f"dim {shown}" + (" keep" if spec.argument("keepdim") else "")


_ONNX_REDUCTIONS = {"reducemean": "mean", "reducesum": "sum", "reducemax": "amax", "reducemin": "amin",
                    "reduceprod": "prod", "reducelogsumexp": "logsumexp", "reducel1": "sum", "reducel2": "sum",
                    "reducesumsquare": "sum", "reducelogsum": "sum"}  # fmt: skip
"""ONNX's reductions and the torch reduction of the same shape (a norm is a sum's shape: F.normalize's ReduceL2)."""

_REDUCE_DIALECT_SPELLINGS = (
        "ReduceMean",
        "ReduceSum",
        "ReduceMax",
        "ReduceMin",
        "ReduceProd",
        "ReduceLogSumExp",
        "ReduceL1",
        "ReduceL2",
        "ReduceSumSquare",
        "ReduceLogSum",
        *(f"Global{pool}Pooling{rank}D" for pool in ("Average", "Max") for rank in (1, 2, 3)),
        "mean",
        "sum",
        "max",
        "min",
)  # fmt: skip


@cache
def file_types() -> FileTypes:
    """Return the reductions' names: torch's functions, ONNX's Reduce operators, Keras' global pools, jax.numpy's."""
    return FileTypes(
        torch={  # torch.mean(x, dim, keepdim) and friends: the axes of `dim` go, or stay at size 1
            name: OtherType(
                LayerKind.REDUCE, {"dim": "ints", "keepdim": "bool"}, required=("dim",), stored=("dim", "keepdim")
            )
            for name in ("mean", "sum", "amax", "amin", "prod", "std", "var", "logsumexp")
        },
        onnx={
            name: OtherType(
                LayerKind.REDUCE,
                {"axes": "ints", "keepdims": "flag", "noop_with_empty_axes": IGNORED},
                required=("axes",),
                stored=("dim", "keepdim"),
                operation=torch_name,
                renames=(("axes", "dim"), ("keepdims", "keepdim")),
                defaults=(("keepdim", True),),
            )
            for name, torch_name in _ONNX_REDUCTIONS.items()
        },
        keras={
            f"global{pool}pooling{rank}d": OtherType(
                LayerKind.REDUCE,
                {"keepdims": "bool", "data_format": IGNORED},
                rank=rank,
                stored=("dim", "keepdim"),
                operation="mean" if pool == "average" else "amax",
                renames=(("keepdims", "keepdim"),),
                defaults=(("dim", tuple(range(2, 2 + rank))),),
            )
            for pool in ("average", "max")
            for rank in (1, 2, 3)
        },
        jax={
            name: OtherType(  # jnp.mean(x, axis, keepdims) and friends
                LayerKind.REDUCE,
                {"axis": "ints", "keepdims": "bool"},
                required=("axis",),
                stored=("dim", "keepdim"),
                operation=torch_name,
                renames=(("axis", "dim"), ("keepdims", "keepdim")),
            )
            for name, torch_name in (("mean", "mean"), ("sum", "sum"), ("max", "amax"), ("min", "amin"))
        },
        spellings=("Mean", "Sum", "AMax", "AMin"),
        dialect_spellings=_REDUCE_DIALECT_SPELLINGS,
    )
