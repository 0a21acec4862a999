"""An independent brute-force model: slide kernels over explicit index grids and count.

Nothing here calls convcalc's arithmetic; it enumerates positions the slow way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer1d:
    """One axis of a layer, as torch.nn describes it."""

    kind: str  # conv | convtranspose | maxpool | avgpool
    kernel: int
    stride: int
    before: int
    after: int
    dilation: int = 1
    output_padding: int = 0
    ceil_mode: bool = False


def taps(layer: Layer1d) -> list[int]:
    """Offsets of the kernel's taps from the window's first cell."""
    return [t * layer.dilation for t in range(layer.kernel)]


def window_starts(layer: Layer1d, size: int) -> list[int]:
    """Start positions (padded coordinates) of every window of a conv or pool, by walking the grid."""
    padded = size + layer.before + layer.after
    last_tap = taps(layer)[-1]
    starts = []
    start = 0
    while True:
        if layer.ceil_mode:
            # PyTorch's documented rule: a window may run off the right edge as long as the window
            # before it did not already reach the last cell, but it must start inside the input
            # or the left padding
            fits = start - layer.stride + last_tap < padded - 1 and start < size + layer.before
        else:
            fits = start + last_tap <= padded - 1
        if not fits:
            break
        starts.append(start)
        start += layer.stride
    return starts


def output_size(layer: Layer1d, size: int) -> int:
    """Count output cells: windows for conv/pool, scattered cells for a transposed conv."""
    if layer.kind != "convtranspose":
        return len(window_starts(layer, size))
    # scatter every input cell through every tap, then crop the padding and add output_padding
    reached = [m * layer.stride + tap for m in range(size) for tap in taps(layer)]
    full = max(reached) + 1
    return full - layer.before - layer.after + layer.output_padding


def dependencies(layer: Layer1d, size: int, out: int) -> dict[int, set[int]]:
    """Map each output cell to the input cells (unclipped coordinates) it depends on."""
    deps: dict[int, set[int]] = {o: set() for o in range(out)}
    if layer.kind != "convtranspose":
        for o, start in enumerate(window_starts(layer, size)):
            deps[o] = {start + tap - layer.before for tap in taps(layer)}
        return deps
    for m in range(size):
        for tap in taps(layer):
            o = m * layer.stride + tap - layer.before
            if 0 <= o < out:
                deps[o].add(m)
    return deps


def unread_inputs(layer: Layer1d, size: int) -> set[int]:
    """Input cells (0..size-1) on which no output depends."""
    out = output_size(layer, size)
    used: set[int] = set()
    for cells in dependencies(layer, size, out).values():
        used |= cells
    return {m for m in range(size) if m not in used}


def stack_dependencies(layers: list[Layer1d], positions: range) -> dict[int, set[int]]:
    """Compose dependencies of a stack over unclipped coordinates, for outputs in `positions`.

    Works on an input so wide that the outputs asked for never see a border.
    """
    current = {o: {o} for o in positions}  # output position -> positions in the current layer's output
    for layer in reversed(layers):
        stepped: dict[int, set[int]] = {}
        for o, cells in current.items():
            found: set[int] = set()
            for cell in cells:
                found |= _one_step(layer, cell)
            stepped[o] = found
        current = stepped
    return current


def _one_step(layer: Layer1d, cell: int) -> set[int]:
    """Input positions one output cell of an unbounded layer depends on."""
    if layer.kind != "convtranspose":
        return {cell * layer.stride - layer.before + tap for tap in taps(layer)}
    return {
        (cell + layer.before - tap) // layer.stride
        for tap in taps(layer)
        if (cell + layer.before - tap) % layer.stride == 0
    }


def graph_dependencies(network: object, axis: int, node: int, position: int) -> set[int]:  # noqa: C901 - one model
    """Input positions (unclipped) one output position of a layer depends on, through any graph.

    Walks back from the layer, by its own arithmetic on the specs' numbers: windows read
    o*s - pb + t*d, transposed layers the i with i*s + t*d = o + pb, merges every source,
    explicit crops and pads shift by their amount before, the rest keep o.
    """
    layers = network.layers  # type: ignore[attr-defined]
    index_of = {"input": -1}
    for i, layer in enumerate(layers):
        index_of[str(i + 1)] = i
        if layer.name is not None:
            index_of[layer.name] = i
    memo: dict[tuple[int, int], frozenset[int]] = {}

    def sources(i: int) -> list[int]:
        layer = layers[i]
        return [index_of[s] for s in layer.inputs] if layer.inputs else [i - 1]

    def deps(i: int, o: int) -> frozenset[int]:
        if i == -1:
            return frozenset({o})
        if (i, o) in memo:
            return memo[i, o]
        layer = layers[i]
        kind = layer.kind.value
        found: set[int] = set()
        if kind in ("conv", "maxpool", "avgpool"):
            pb = layer.padding[axis][0] if not isinstance(layer.padding, str) else 0
            for t in range(layer.kernel_size[axis]):
                found |= deps(sources(i)[0], o * layer.stride[axis] - pb + t * layer.dilation[axis])
        elif kind == "convtranspose":
            s, d, pb = layer.stride[axis], layer.dilation[axis], layer.padding[axis][0]
            for t in range(layer.kernel_size[axis]):
                if (o + pb - t * d) % s == 0:
                    found |= deps(sources(i)[0], (o + pb - t * d) // s)
        elif getattr(layer, "amounts", None) is not None:  # an explicit pad (> 0) or crop (< 0) before o
            found |= deps(sources(i)[0], o - layer.amounts[axis][0])
        else:  # add, concat and the shape-keeping layers read position o of every source
            for source in sources(i):
                found |= deps(source, o)
        memo[i, o] = frozenset(found)
        return memo[i, o]

    return set(deps(node, position))
