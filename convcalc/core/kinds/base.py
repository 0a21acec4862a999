"""What a layer kind declares in its one home: the record every kind's module fills in.

A kind's module says, for its layers, the shape rule, how the receptive field and the
axes' labels pass through, which positions each output reads, the cost, and how tables
and JSON show it. The analysis, the cost model and the renderers look these up in the
registry (kinds/__init__.py) instead of branching on the kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from convcalc.core.rearrange import is_spatial, standard_labels
from convcalc.core.spec import LayerSpec, OtherSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from convcalc.core.rearrange import Labels
    from convcalc.core.receptive import AxisField
    from convcalc.core.spec import AnyLayer, AxisValues, LayerKind


@dataclass(frozen=True, slots=True)
class OtherShape:
    """What a non-window layer does: its output shape, weights, and where it shifts each axis."""

    output: AxisValues
    weight_shape: AxisValues | None = None
    params: int = 0
    offsets: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()


FieldsAndNotes = tuple[list["AxisField | None"], list[str]]
"""The receptive field per spatial axis after a layer (None: not followed), and notes on why not."""


class Flow(Protocol):
    """What the walk knows of a tensor a layer reads: its shape, fields and what each axis holds."""

    @property
    def shape(self) -> AxisValues | None:
        """The tensor's shape, None when not computed."""

    @property
    def fields(self) -> list[AxisField | None]:
        """The receptive field per spatial axis (None: not followed)."""

    @property
    def axes(self) -> Labels:
        """What each axis holds: batch, channels, which spatial axis (core/rearrange.py)."""

    @property
    def flat(self) -> bool:
        """Whether spatial axes were flattened into one before."""


def standard(output: AxisValues) -> Labels:
    """Return the labels of [N, C, *spatial] for an output of this rank."""
    return standard_labels(len(output), len(output) - 2)


def mixes_positions(node: Flow, read: Sequence[int]) -> bool:
    """Whether reading these axes of a tensor combines positions: one of them holds a spatial axis of more than 1."""
    shape = node.shape or ()
    if len(node.axes) != len(shape):
        return False
    return any(is_spatial(node.axes[axis]) and shape[axis] > 1 for axis in read if 0 <= axis < len(shape))


class Rules:
    """One kind's (or family's) rules. The defaults are those of most kinds; a module overrides what differs."""

    kinds: tuple[LayerKind, ...] = ()

    def type_word(self, spec: AnyLayer) -> str:
        """Return the layer's `type` in JSON: the kind (a module may say the class or operation instead)."""
        return spec.kind.value

    def type_cell(self, spec: AnyLayer) -> str:
        """Return the word of the table's layer column (the JSON's word unless a module says otherwise)."""
        return self.type_word(spec)

    def macs_on_output_grid(self) -> bool:
        """Whether torchinfo counts the layer's Mult-Adds once per output position (convolutions) or per sample."""
        return False

    def period(self, layer: AnyLayer, axis: int) -> int | None:
        """Return how many input sizes apart the layer behaves alike on an axis (`sizes`' sweep).

        Each output size is floor((a*i + b) / c) of the input size i; c is the period. None:
        the size is not of that form (a pixel unshuffle, a reduction, a rearrangement).
        """
        del layer, axis
        return None


class WindowRules(Rules):
    """A sliding-window kind: its shape and field are core/windows.py's and core/receptive.py's."""

    short = ""
    """The word in the table's layer column."""
    torch_class = ""
    """torch.nn's class without its rank (Conv: Conv1d, Conv2d, Conv3d)."""
    keras_class: str | None = None
    """Keras' class, {} standing for the rank (None: Keras has no such layer)."""
    onnx_op = ""
    """ONNX's operator."""
    pads_with_minus_infinity = False
    """Whether padding must never win (a max pool's): a padding layer before it pads with -inf, not zeros."""
    counts_padding_option = False
    """Whether the layer chooses to count padded cells (an average pool's count_include_pad)."""
    takes_norm = False
    """Whether the layer takes a power p (torch's norm_type, ONNX's p): an Lp pool."""
    torch_padding = True
    """Whether torch.nn's class takes a padding argument (LPPool does not)."""

    def period(self, layer: AnyLayer, axis: int) -> int | None:
        """Return the stride: sizes a stride apart give outputs one apart."""
        return layer.stride[axis] if isinstance(layer, LayerSpec) else None

    def flops(self, spec: LayerSpec, shape: AxisValues, output: AxisValues, weight: AxisValues) -> int:
        """Return the layer's FLOPs as FlopCounterMode counts them (pools: none)."""
        del spec, shape, output, weight
        return 0

    def json(self, spec: LayerSpec) -> dict[str, Any]:
        """Return the keys this kind adds to a layer's JSON record."""
        raise NotImplementedError


class OtherRules(Rules):
    """A kind without a sliding window: merges, crops and pads, shape-only layers."""

    positional = False
    """Whether the layer works on the trailing axes as spatial axes, one field per axis."""

    exclusive: tuple[str, ...] = ()
    """Keys of which a file gives exactly one (an upsample's size, scale_factor or to)."""

    size_key = "size"
    """The key a file gives the layer's `size` under (an adaptive pool's is output_size)."""

    writes_dim = False
    """Whether a file always says `dim`, even at 1 (a slice: chunk's own default is 0)."""

    def relation(
        self, layer: OtherSpec, given: list[AxisValues], target: AxisValues | None, place: int
    ) -> tuple[int, ...] | None:
        """Return the sizes the layer compares on an axis (its refusal is a relation between them), or None.

        Most refusals are bounds on one size; a merge, a crop or pad, a Linear compare sizes.
        """
        del layer, given, target, place
        return None

    def as_if_held(
        self, layer: OtherSpec, given: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> AxisValues:
        """Return the shape a relation would give had it held (its inputs made to agree)."""
        raise NotImplementedError

    def written(self, layer: OtherSpec) -> tuple[tuple[str, object], ...]:
        """Return the keys a file writes beyond the common ones (a crop's or pad's amounts)."""
        del layer
        return ()

    def axes_worked_on(self, shape: OtherShape) -> int | None:
        """Return how many trailing axes the layer works on as spatial axes (None: it follows no axis by place)."""
        return len(shape.output) - 2 if self.positional else None

    def shape(
        self, layer: OtherSpec, shapes: list[AxisValues], sources: list[str], target: AxisValues | None
    ) -> OtherShape:
        """Compute the output from the inputs' shapes (and the `to` layer's, for a crop, pad or upsample)."""
        raise NotImplementedError

    def fields(self, layer: OtherSpec, inputs: Sequence[Flow], shape: OtherShape) -> FieldsAndNotes:
        """Follow the receptive field through the layer, with a note where it is not followed."""
        raise NotImplementedError

    def labels(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Return what each axis of the output holds, from what the inputs' axes held."""
        del layer, inputs
        return standard(output)

    def labels_after(self, layer: OtherSpec, inputs: Sequence[Flow], output: AxisValues) -> Labels:
        """Return the output's labels by the kind's rule, or the standard ones when the input's are not known."""
        first = inputs[0]
        if len(first.axes) != len(first.shape or ()):
            return standard(output)
        return self.labels(layer, inputs, output)

    def flattens_space(self, layer: OtherSpec, node: Flow) -> bool:
        """Whether the layer folds spatial axes of more than one cell into one axis (a Linear on it reads them all)."""
        del layer, node
        return False

    def reads_moved_axes(self, layer: OtherSpec, node: Flow) -> bool:
        """Whether the layer reads positions along trailing axes that no longer hold the spatial axes in order."""
        del layer, node
        return True

    def global_from_here(self, layer: OtherSpec, node: Flow, output: AxisValues) -> bool:
        """Whether each output reads every position of its input (global pooling, a Linear over positions)."""
        del layer, node, output
        return False

    def flops(self, spec: OtherSpec, shapes: Sequence[AxisValues], output: AxisValues, weight: AxisValues) -> int:
        """Return the layer's FLOPs as FlopCounterMode counts them from its inputs' shapes (most layers: none)."""
        del spec, shapes, output, weight
        return 0

    def held(self, spec: OtherSpec) -> tuple[int, int]:
        """Return the buffers the layer keeps by its keys alone: values in the dtype, and int64 indices (most: none)."""
        del spec
        return 0, 0

    def cell(self, spec: OtherSpec, shape: AxisValues | None) -> str:
        """Say in a few characters what the layer does (the table's k/s/p/d column)."""
        raise NotImplementedError

    def json(self, spec: OtherSpec) -> dict[str, Any]:
        """Return the keys the layer was given, under their torch.nn names (its `arguments` follow)."""
        del spec
        return {}


class NamedAsWritten:
    """A kind that files name by many classes or functions: its type and cell say the name written.

    ReLU and BatchNorm2d are identities, mean and sum reductions, narrow and chunk slices.
    """

    def type_word(self, spec: AnyLayer) -> str:
        """Give the name written, in lower case (batchnorm2d, relu, mean, narrow)."""
        return spec.type_name.lower() if isinstance(spec, OtherSpec) else spec.kind.value

    def type_cell(self, spec: AnyLayer) -> str:
        """Give the name written (BatchNorm2d, ReLU, mean, narrow)."""
        return spec.type_name if isinstance(spec, OtherSpec) else spec.kind.value


def first_labels(inputs: Sequence[Flow], output: AxisValues) -> Labels:
    """Keep the first input's axis labels where the output has as many axes, else the standard ones."""
    first = inputs[0].axes
    return first if len(first) == len(output) else standard(output)
