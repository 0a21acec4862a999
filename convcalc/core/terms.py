"""Pure: the words and limits every layer is described by, and the check of per-axis values.

Its kind, its padding words, its framework: core/spec.py builds layers from them, and
core/framework_rules.py says what each framework takes.
"""

from __future__ import annotations

from enum import StrEnum

from convcalc.core.errors import InputError

AxisValues = tuple[int, ...]
PaddingPairs = tuple[tuple[int, int], ...]


class LayerKind(StrEnum):
    """The layer types convcalc computes: the sliding-window ones of the contract, and the ones around them."""

    CONV = "conv"
    CONVTRANSPOSE = "convtranspose"
    MAXPOOL = "maxpool"
    AVGPOOL = "avgpool"
    LPPOOL = "lppool"  # torch.nn.LPPool1d/2d/3d, ONNX's LpPool: an average pool's windows, of x**p
    ADD = "add"
    CONCAT = "concat"
    CROP = "crop"
    PAD = "pad"
    IDENTITY = "identity"
    UPSAMPLE = "upsample"
    ADAPTIVEAVGPOOL = "adaptiveavgpool"
    ADAPTIVEMAXPOOL = "adaptivemaxpool"
    FLATTEN = "flatten"
    LINEAR = "linear"
    PIXELSHUFFLE = "pixelshuffle"
    PIXELUNSHUFFLE = "pixelunshuffle"
    SLICE = "slice"
    REDUCE = "reduce"
    REARRANGE = "rearrange"
    SELECT = "select"  # one index of an axis, the axis gone: x[:, 0], torch.select, a piece of unbind
    MATMUL = "matmul"  # the product of two computed tensors, broadcast as torch.matmul
    ATTENTION = "attention"  # scaled dot-product attention of queries, keys and values
    MULTIHEADATTENTION = "multiheadattention"  # torch.nn.MultiheadAttention: projections around attention
    TOKENS = "tokens"  # learned tokens joined to a sequence (a class token, register tokens)
    WINDOWATTENTION = "windowattention"  # Swin's shifted window attention, channels-last
    PATCHMERGING = "patchmerging"  # Swin's 2x2 patch merging, channels-last
    EINSUM = "einsum"  # torch.einsum of one or two tensors
    ROIALIGN = "roialign"  # torchvision's roi_align: one grid per box of a detector's proposals
    MULTISCALEATTENTION = "multiscaleattention"  # MViT's pooling attention over a token grid
    TOKENPOOL = "tokenpool"  # MViT's pool of a token grid, the class token kept
    CONSTANT = "constant"  # a tensor made from the input's size alone (RAFT's first flow)
    GRIDSAMPLE = "gridsample"  # F.grid_sample: values read at a grid's positions
    UNFOLD = "unfold"  # F.unfold (im2col): each window a column
    SCATTER = "scatter"  # values written into a tensor at positions: ScatterND, slice_scatter

    @property
    def is_window(self) -> bool:
        """Whether a kernel slides over the input (conv, convtranspose, maxpool, avgpool)."""
        return self in _WINDOWS

    @property
    def is_merge(self) -> bool:
        """Whether the layer combines several inputs (add, concat)."""
        return self in (LayerKind.ADD, LayerKind.CONCAT)

    @property
    def is_pool(self) -> bool:
        """Whether this is a pooling layer (no weights, channels unchanged)."""
        return self in _POOLS

    @property
    def averages(self) -> bool:
        """Whether the pool sums its window (avgpool, lppool): their windows follow the same rules."""
        return self in (LayerKind.AVGPOOL, LayerKind.LPPOOL)

    @property
    def is_transposed(self) -> bool:
        """Whether this is a transposed convolution."""
        return self is LayerKind.CONVTRANSPOSE


_POOLS = frozenset({LayerKind.MAXPOOL, LayerKind.AVGPOOL, LayerKind.LPPOOL})
_WINDOWS = frozenset({LayerKind.CONV, LayerKind.CONVTRANSPOSE, *_POOLS})


class PaddingMode(StrEnum):
    """Padding given as a word instead of numbers, resolved against the layer (and, outside torch, the input).

    SAME puts the odd extra zero after (Keras `same`, ONNX SAME_UPPER, JAX SAME), SAME_LOWER
    before (ONNX and JAX); CAUSAL (Keras Conv1D) puts all of it before.
    """

    SAME = "same"
    VALID = "valid"
    SAME_LOWER = "same_lower"
    CAUSAL = "causal"


class Framework(StrEnum):
    """Whose rules a layer follows: torch.nn (the reference), Keras 3, ONNX or JAX."""

    TORCH = "torch"
    KERAS = "keras"
    ONNX = "onnx"
    JAX = "jax"

    @classmethod
    def parse(cls, text: str) -> Framework:
        """Read a framework's name in any case (a Framework reads as itself); tf and tensorflow mean keras."""
        word = text.strip().lower()
        word = {"tf": "keras", "tensorflow": "keras", "pytorch": "torch"}.get(word, word)
        try:
            return cls(word)
        except ValueError:
            msg = f"expected torch, keras (or tf), onnx or jax, got {text!r}"
            raise InputError(msg, where="framework") from None


PADDING_WORDS = {"same": "same", "same_upper": "same", "valid": "valid", "same_lower": "same_lower", "causal": "causal"}
"""Padding words of every framework (any case) and the mode each means."""


Padding = PaddingPairs | PaddingMode

MAX_DIGITS = 100
"""Largest number of digits of any value given (10**20-pixel axes are fine; 10**100 is plenty)."""
HUGE = 10**MAX_DIGITS

AXIS_NAMES: dict[int, tuple[str, ...]] = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
MAX_RANK = 3
MAX_TENSOR_RANK = 8
"""Most axes an expected output may have (a Swin or MaxViT window partition holds 6)."""


def axis_names(rank: int) -> tuple[str, ...]:
    """Return the conventional names of the spatial axes of a rank (L; H, W; D, H, W)."""
    return AXIS_NAMES[rank]


def check_axes(key: str, values: AxisValues, rank: int, minimum: int) -> None:
    """Refuse per-axis values that are not `rank` whole numbers from `minimum` up (below 10**MAX_DIGITS)."""
    if len(values) == rank and all(type(value) is int and minimum <= value < HUGE for value in values):
        return  # the usual case, checked in one pass; bool is not int here (type, not isinstance)
    if len(values) != rank:
        noun = "value" if rank == 1 else "values"
        msg = f"expected {rank} {noun} (one per spatial axis), got {len(values)}: {list(values)}"
        raise InputError(msg, where=key)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"expected an integer, got {value!r}", where=key)
        if value < minimum:
            what = "a positive integer" if minimum == 1 else "a non-negative integer"
            raise InputError(f"expected {what}, got {value}", where=key)
        if value >= HUGE:
            raise InputError(f"expected at most {MAX_DIGITS} digits, got {len(str(value))}", where=key)


_CONVOLUTIONS = frozenset({LayerKind.CONV, LayerKind.CONVTRANSPOSE})
WINDOW_KEYS: dict[str, frozenset[LayerKind]] = {
    "in_channels": _CONVOLUTIONS,
    "out_channels": _CONVOLUTIONS,
    "dilation": _WINDOWS,  # an average pool's: ONNX's AveragePool only (the layer's framework decides)
    "groups": _CONVOLUTIONS,
    "bias": _CONVOLUTIONS,
    "output_padding": frozenset({LayerKind.CONVTRANSPOSE}),
    "output_size": frozenset({LayerKind.CONVTRANSPOSE}),
    "ceil_mode": _POOLS,
    "padding_mode": _CONVOLUTIONS,
    "count_include_pad": frozenset({LayerKind.AVGPOOL}),
    "divisor_override": frozenset({LayerKind.AVGPOOL}),
    "norm_type": frozenset({LayerKind.LPPOOL}),
    "return_indices": frozenset({LayerKind.MAXPOOL}),
}
"""The window layers' keys that only some window kinds take, and which: the layer checks and the files' vocabulary
(and so the JSON Schema) read this one table."""
