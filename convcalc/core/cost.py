"""What a network costs: FLOPs and MACs, parameters trainable or not, buffers, and memory by dtype.

FLOPs are counted as torch.utils.flop_counter.FlopCounterMode counts them: two per
multiply-add of a convolution (a transposed one on its input grid: each input cell meets the
whole kernel once), of a linear layer and of a matrix product; bias additions, normalizations,
activations, pools, merges and resizes count 0. MACs are half the FLOPs. torchinfo's
convention is kept for comparison: a convolution's weights and bias times its output cells (a
transposed convolution's output grid too), any other layer's parameters times the batch.

Memory follows the tensors' lifetimes in the graph: during inference a layer's output lives
from the layer that makes it to the last layer that reads it (a skip connection holds its
tensor until the merge), an output nobody reads is the network's and lives to the end; the
peak is the largest sum of live tensors while a layer runs (its inputs and its output both
held). Training keeps every activation for the backward pass: the input and every output.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from math import prod

from convcalc.core.analysis import LayerResult, StackResult
from convcalc.core.errors import InputError
from convcalc.core.kinds import other_rules, rules_of, window_rules
from convcalc.core.kinds.identity import channels_of, frozen_params
from convcalc.core.spec import LayerSpec, OtherSpec

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
"""Bytes per value of each dtype `--dtype` takes."""


class Convention(StrEnum):
    """Whose way of counting multiply-adds."""

    TORCH = "torch"  # FlopCounterMode
    TORCHINFO = "torchinfo"  # torchinfo 1.8's Mult-Adds


@dataclass(frozen=True, slots=True)
class LayerCost:
    """One layer's cost: operations, parameters by kind, buffers, and its output's size in values."""

    flops: int
    macs: int
    trainable_params: int
    non_trainable_params: int
    buffers: int
    output_values: int


@dataclass(frozen=True, slots=True)
class Memory:
    """A network's memory in bytes for one dtype (the figures a forward pass needs)."""

    dtype: str
    params: int
    buffers: int
    input: int
    peak_activations: int  # inference: the most activation bytes alive at once
    peak_layer: int  # the index of the layer running at that peak (0: none, the input alone)
    training_activations: int  # every activation kept for the backward pass

    @property
    def inference_total(self) -> int:
        """Parameters, buffers and the activations' peak: what inference holds at its worst."""
        return self.params + self.buffers + self.peak_activations

    @property
    def training_total(self) -> int:
        """Parameters, buffers and every activation (gradients and optimizer state not counted)."""
        return self.params + self.buffers + self.training_activations


@dataclass(frozen=True, slots=True)
class Cost:
    """A network's cost: per layer, and in total."""

    layers: tuple[LayerCost, ...]
    memory: Memory
    convention: Convention

    @property
    def total_flops(self) -> int:
        """All layers' FLOPs."""
        return sum(layer.flops for layer in self.layers)

    @property
    def total_macs(self) -> int:
        """All layers' multiply-adds (in the chosen convention)."""
        return sum(layer.macs for layer in self.layers)

    @property
    def trainable_params(self) -> int:
        """Parameters of layers that train."""
        return sum(layer.trainable_params for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        """Parameters of frozen layers (`trainable: false`)."""
        return sum(layer.non_trainable_params for layer in self.layers)

    @property
    def buffers(self) -> int:
        """Values kept beside the parameters (running statistics)."""
        return sum(layer.buffers for layer in self.layers)


def dtype_bytes(dtype: str) -> int:
    """Return the bytes per value of a dtype name, or raise InputError naming those taken."""
    try:
        return DTYPE_BYTES[dtype.lower()]
    except KeyError:
        *most, last = DTYPE_BYTES
        raise InputError(f"expected {', '.join(most)} or {last}, got {dtype!r}", where="dtype") from None


def convention(name: str, where: str = "count") -> Convention:
    """Return the counting convention a name gives (torch or torchinfo), or raise InputError saying which exist."""
    try:
        return Convention(name.lower())
    except ValueError:
        raise InputError(f"expected torch or torchinfo, got {name!r}", where=where) from None


def layer_flops(layer: LayerResult) -> int:
    """Return a layer's FLOPs as FlopCounterMode counts them (0 for an invalid layer)."""
    spec, shape, output, weight = layer.spec, layer.input, layer.output, layer.weight_shape
    if shape is None or output is None:
        return 0
    if isinstance(spec, LayerSpec):
        return 0 if weight is None else window_rules(spec.kind).flops(spec, shape, output, weight)
    return other_rules(spec.kind).flops(spec, (shape, *layer.other_inputs), output, weight or ())


LEARNED = ("scale", "shift", "tokens", "scaled_dot_product_attention")
"""Learnable tensors used by the module around them (an attention mask's tables too): torchinfo counts no
Mult-Adds for them."""


def torchinfo_macs(layer: LayerResult) -> int:
    """Return a layer's Mult-Adds as torchinfo 1.8 reports them (convolutions on their output grid)."""
    output = layer.output
    spec = layer.spec
    if output is None or not layer.params or (isinstance(spec, OtherSpec) and spec.type_name.lower() in LEARNED):
        return 0  # a learnable scale or shift is a tensor of the module around it, not a module's weight
    if rules_of(spec.kind).macs_on_output_grid():
        return layer.params * output[0] * prod(output[2:])
    return layer.params * output[0]


def _per_channel(layer: LayerResult) -> tuple[OtherSpec, int] | None:
    """Return a computed non-window layer and its input's channels, for what it keeps per channel; else None."""
    spec, shape = layer.spec, layer.input
    if not isinstance(spec, OtherSpec) or shape is None or layer.output is None or spec.shares is not None:
        return None  # a layer sharing another's weights keeps nothing of its own
    return spec, channels_of(shape)


def _held(spec: OtherSpec) -> tuple[int, int]:
    """Return the buffers a kind keeps by its keys (values in the dtype, int64 indices): Swin's position tables."""
    return other_rules(spec.kind).held(spec)


def layer_buffers(layer: LayerResult) -> int:
    """Return the values a layer keeps beside its parameters: running statistics per channel, counts, tables."""
    found = _per_channel(layer)
    if found is None:
        return 0
    return found[0].buffers_per_channel * found[1] + found[0].fixed_buffers + sum(_held(found[0]))


COUNTER_BYTES = 8
"""A count kept beside the statistics (torch's num_batches_tracked) is an int64 whatever the dtype."""


def layer_buffer_bytes(layer: LayerResult, size: int) -> int:
    """Return the bytes of a layer's buffers: statistics in the dtype (`size` bytes each), counts as int64."""
    found = _per_channel(layer)
    if found is None:
        return 0
    values, indices = _held(found[0])
    return (found[0].buffers_per_channel * found[1] + values) * size + (
        found[0].fixed_buffers + indices
    ) * COUNTER_BYTES


def layer_frozen(layer: LayerResult) -> int:
    """Return the layer's parameters that are never trained whatever `trainable` says (Keras' moving statistics)."""
    found = _per_channel(layer)
    return 0 if found is None else frozen_params(*found)


def layer_cost(layer: LayerResult, convention: Convention = Convention.TORCH) -> LayerCost:
    """Return one layer's cost: its parameters split as the framework splits them (trainable or not)."""
    flops = layer_flops(layer)
    macs = flops // 2 if convention is Convention.TORCH else torchinfo_macs(layer)
    frozen = layer_frozen(layer)
    trained = layer.params - frozen if layer.spec.trainable else 0
    return LayerCost(
        flops=flops,
        macs=macs,
        trainable_params=trained,
        non_trainable_params=layer.params - trained,
        buffers=layer_buffers(layer),
        output_values=prod(layer.output) if layer.output is not None else 0,
    )


def readers(result: StackResult) -> list[list[int]]:
    """Return, for the input (0) and each layer (1..n), the layers that read its output."""
    index_of = {"input": 0} | {name: 0 for name, _ in result.inputs}  # several inputs: read as one
    read: list[list[int]] = [[] for _ in range(len(result.layers) + 1)]
    for layer in result.layers:
        sources = layer.sources or (("input",) if layer.index == 1 else (str(layer.index - 1),))
        for source in sources:  # the loader has checked that each names an earlier layer
            read[index_of[source]].append(layer.index)
        index_of[layer.name] = index_of[str(layer.index)] = layer.index
    return read


def network_cost(result: StackResult, dtype: str = "float32", convention: Convention = Convention.TORCH) -> Cost:
    """Return a network's cost, its memory for `dtype` (float32, float16, bfloat16 or int8)."""
    size = dtype_bytes(dtype)
    layers = tuple(layer_cost(layer, convention) for layer in result.layers)
    values = [result.input_values, *(layer.output_values for layer in layers)]
    peak, at = _peak(values, readers(result))
    params = sum(layer.trainable_params + layer.non_trainable_params for layer in layers)
    memory = Memory(
        dtype=dtype.lower(),
        params=params * size,
        buffers=sum(layer_buffer_bytes(layer, size) for layer in result.layers),
        input=values[0] * size,
        peak_activations=peak * size,
        peak_layer=at,
        training_activations=sum(values) * size,
    )
    return Cost(layers=layers, memory=memory, convention=convention)


def _peak(values: list[int], read: list[list[int]]) -> tuple[int, int]:
    """Return the most values alive while a layer runs, and that layer (tensors live to their last reader)."""
    count = len(values) - 1
    last = [max(readers, default=count) for readers in read]  # nobody reads it: an output, alive to the end
    ends: list[list[int]] = [[] for _ in range(count + 1)]
    for tensor, end in enumerate(last):
        ends[end].append(tensor)
    alive = values[0]
    peak, at = alive, 0
    for index in range(1, count + 1):
        alive += values[index]  # its output is written while its inputs are read
        if alive > peak:
            peak, at = alive, index
        alive -= sum(values[tensor] for tensor in ends[index])
    return peak, at
