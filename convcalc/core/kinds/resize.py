"""Crops and pads: to another layer's size (`to`), or by amounts per axis (negative pads crop)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import LayerError, Problem
from convcalc.core.kinds.base import OtherRules, OtherShape
from convcalc.core.kinds.file_types import IGNORED, FileTypes, OtherType
from convcalc.core.kinds.shared import ComparesSizes, ShiftsFields, kept_period, name_axes
from convcalc.core.spec import LayerKind, OtherSpec, PaddingPairs
from convcalc.core.text import spatial_axes

if TYPE_CHECKING:
    from convcalc.core.spec import AxisValues


def _resize(layer: OtherSpec, shape: AxisValues, target: AxisValues) -> tuple[AxisValues, tuple[int, ...]]:
    """Crop or pad the spatial axes to the target layer's; return the output and each axis's shift."""
    if len(target) != len(shape):
        raise LayerError(f"{layer.to} gives {list(target)}, a different rank from {list(shape)}")
    offsets = []
    wrong = []
    for axis in range(2, len(shape)):
        have, want = shape[axis], target[axis]
        extra = have - want if layer.kind is LayerKind.CROP else want - have
        wrong += [axis] if extra < 0 else []
        before = max(extra, 0) // 2 if layer.align == "center" else 0  # centre: the odd cell goes after
        offsets.append(before if layer.kind is LayerKind.CROP else -before)
    if wrong:
        verb, other = ("crop", "pad") if layer.kind is LayerKind.CROP else ("pad", "crop")
        have_text, want_text = ("x".join(str(v[a]) for a in wrong) for v in (shape, target))
        names = [name_axes(shape)[a] for a in wrong]
        msg = f"cannot {verb} {have_text} to {want_text}"
        hint = f"{other} instead, or take `to` from a smaller layer" if verb == "crop" else f"{other} instead"
        raise LayerError(msg, axis=names, hint=hint, problem=Problem.CROP)
    return (*shape[:2], *target[2:]), tuple(offsets)


def _pad_by(layer: OtherSpec, shape: AxisValues, amounts: PaddingPairs) -> tuple[AxisValues, tuple[int, ...]]:
    """Pad (or crop, where negative) each spatial axis by explicit amounts; return the output and the shifts."""
    spatial = shape[2:]
    if len(amounts) != len(spatial):
        raise LayerError(f"{layer.type_name} has {spatial_axes(len(amounts))} but {len(spatial)} come in")
    out = tuple(size + before + after for size, (before, after) in zip(spatial, amounts, strict=True))
    wrong = [axis for axis, size in enumerate(out) if size < 1]
    if wrong:
        names = [name_axes(shape)[axis + 2] for axis in wrong]
        have = "x".join(str(spatial[axis]) for axis in wrong)
        cut = "x".join(str(-sum(amounts[axis])) for axis in wrong)
        raise LayerError(f"cannot crop {cut} from {have}", axis=names, hint="crop less", problem=Problem.CROP)
    return (*shape[:2], *out), tuple(-before for before, _ in amounts)


class CropPad(ComparesSizes, ShiftsFields, OtherRules):
    """Crop or pad the spatial axes; cells shift by what is cut or added before them."""

    positional = True
    period = staticmethod(kept_period)

    def __init__(self, kind: LayerKind, amounts_key: str) -> None:
        self.kinds = (kind,)
        self.amounts_key = amounts_key
        """The key a file gives explicit amounts under (a crop's are cropping, a pad's padding)."""
        self.exclusive = ("to", amounts_key)

    def as_if_held(
        self, layer: OtherSpec, given: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> AxisValues:
        """Take the `to` layer's spatial sizes."""
        del layer, sources
        first = given[0]
        if target is None or len(target) != len(first):
            raise LayerError("no size to crop or pad to")
        return (*first[:2], *target[2:])

    def written(self, layer: OtherSpec) -> tuple[tuple[str, object], ...]:
        """Write the amounts as the layer's type takes them (torch.nn's ZeroPad: the last axis first, flat)."""
        amounts = layer.amounts
        if amounts is None:
            return ()
        name = layer.type_name.lower()
        if name.startswith(("zeropad", "constantpad")) and not name.startswith("zeropadding"):
            return (("padding", [value for pair in reversed(amounts) for value in pair]),)
        if layer.kind is LayerKind.CROP:
            return (("cropping", [[-b, -a] for b, a in amounts]),)
        return (("padding", [list(pair) for pair in amounts]),)

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Resize by the amounts, or to the `to` layer's size."""
        del sources
        shape = shapes[0]
        if layer.amounts is not None:
            output, offsets = _pad_by(layer, shape, layer.amounts)
        else:
            output, offsets = _resize(layer, shape, target or shape)
        return OtherShape(output=output, offsets=offsets)

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say the amounts (c1:2 for a crop, p1 for a pad) or the `to` layer."""
        del shape
        if spec.amounts is not None:
            sign, letter = (-1, "c") if spec.kind is LayerKind.CROP else (1, "p")
            pairs = [(sign * b, sign * a) for b, a in spec.amounts]
            return letter + ",".join(f"{b}:{a}" if b != a else str(b) for b, a in pairs)
        return f"to {spec.to}" + ("" if spec.align == "center" else f" {spec.align}")

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Give the amounts, or the `to` layer and the alignment."""
        if spec.amounts is not None:
            return {"padding": [list(pair) for pair in spec.amounts]}
        return {"to": spec.to, "align": spec.align}


_RANKS = (1, 2, 3)


@cache
def file_types() -> FileTypes:
    """Crops and pads: convcalc's own `crop` and `pad` (to another layer's size), torch's and Keras' classes."""
    return FileTypes(
        torch={
            "crop": OtherType(LayerKind.CROP, {"to": "name", "align": "align", "cropping": "crops"}),
            "pad": OtherType(LayerKind.PAD, {"to": "name", "align": "align", "padding": "pads"}),
            **{f"zeropadding{rank}d": OtherType(LayerKind.PAD, {"padding": "pads"}, rank=rank) for rank in _RANKS},
            **{f"cropping{rank}d": OtherType(LayerKind.CROP, {"cropping": "crops"}, rank=rank) for rank in _RANKS},
            **{f"zeropad{rank}d": OtherType(LayerKind.PAD, {"padding": "torchpads"}, rank=rank) for rank in _RANKS},
            **{
                f"constantpad{rank}d": OtherType(LayerKind.PAD, {"padding": "torchpads", "value": IGNORED}, rank=rank)
                for rank in _RANKS
            },
        },
        spellings=(
            *(f"ZeroPad{rank}d" for rank in _RANKS),
            *(f"ConstantPad{rank}d" for rank in _RANKS),
            *(f"ZeroPadding{rank}D" for rank in _RANKS),
            *(f"Cropping{rank}D" for rank in _RANKS),
        ),
    )
