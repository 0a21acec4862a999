"""Pure: what an animation of one layer shows, stage by stage and stop by stop.

A scene holds, per spatial axis, the cells drawn (a long axis keeps its first and last
windows, the middle left out), the outputs drawn, and for each drawn output the grid cells
its kernel covers and the input cells it reads. What an output reads comes from the core's
dependency rules (`window_inputs`, `transposed_inputs`), the ones the receptive field is
computed with, so a picture cannot disagree with the numbers. A transposed convolution is
shown as its recipe: the input, zeros inserted, rings of zeros added (or cells cropped), then
the stride-1 convolution over that grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from math import prod

from convcalc.core.formulas import equivalent_padding, stretched_size
from convcalc.core.receptive import AxisField, merge_intervals, transposed_inputs, window_inputs
from convcalc.core.spec import AxisValues, LayerKind, LayerSpec, axis_names
from convcalc.core.windows import layer_shape
from convcalc.design.explain import layer_title

OUTPUTS_DRAWN = {1: 16, 2: 8, 3: 4}
"""Most outputs drawn per axis, by the layer's rank (so that a scene has at most 64 stops in 2-D)."""
LAST_DRAWN = {1: 4, 2: 3, 3: 2}
"""Of those, how many are the last outputs of a long axis (the rest are its first ones)."""


class CellKind(StrEnum):
    """What a drawn cell holds."""

    INPUT = "input"  # an input cell
    PAD = "pad"  # a padding zero (or a ring of the transposed recipe)
    ZERO = "zero"  # a zero inserted between input cells (transposed)
    EXTRA = "extra"  # output_padding's extra zeros after (transposed)
    CROP = "crop"  # a stretched cell the recipe crops away (transposed, padding beyond d(k-1))


class Stage(StrEnum):
    """What one step of the animation shows."""

    INPUT = "input"  # the input alone, compact
    STRETCHED = "stretched"  # transposed: zeros inserted between the input cells
    PADDED = "padded"  # padding added (transposed: rings added, cells cropped)
    STOP = "stop"  # the kernel at one stop, the output cell it writes
    OUTPUT = "output"  # the whole output


MILLISECONDS = {Stage.INPUT: 1400, Stage.STRETCHED: 1400, Stage.PADDED: 1400, Stage.STOP: 450, Stage.OUTPUT: 2200}
"""How long each stage shows, in the GIF and on the page alike."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One drawn cell of an axis: what it holds, where the kernel sees it, the input it is."""

    kind: CellKind
    position: int | None  # on the grid the kernel moves over; None for a cropped cell
    index: int | None  # the input cell it is (INPUT only)
    stretched: int | None  # transposed: its place in the stretched input (INPUT, ZERO, CROP)
    read: bool = True  # INPUT: whether any output reads it


@dataclass(frozen=True, slots=True)
class AxisScene:
    """One spatial axis of a scene. Tuples with None mark where the middle of a long axis is left out."""

    name: str
    size: int  # input cells
    length: int  # cells of the grid the kernel moves over
    output: int  # output cells
    kernel: int
    stride: int
    dilation: int
    padding: tuple[int, int]  # the layer's padding (before, after)
    grid_padding: tuple[int, int]  # what the grid adds (negative: crops): the padding, or the transposed d(k-1)-p
    output_padding: int
    cells: tuple[Cell | None, ...]  # drawn, in order
    inputs: tuple[int | None, ...]  # the input cells drawn (the compact view)
    outputs: tuple[int | None, ...]  # the outputs drawn
    windows: tuple[tuple[int, ...], ...]  # per drawn output: the grid positions its kernel taps cover
    reads: tuple[tuple[int, ...], ...]  # per drawn output: the input cells it reads (padding left out)

    @property
    def shown_outputs(self) -> tuple[int, ...]:
        """Return the drawn outputs, without the gaps."""
        return tuple(o for o in self.outputs if o is not None)

    def reads_of(self, output: int) -> tuple[int, ...]:
        """Return the input cells a drawn output reads."""
        return self.reads[self.shown_outputs.index(output)]

    def readers(self, index: int) -> tuple[int, ...]:
        """Return the drawn outputs that read input cell `index`."""
        return tuple(o for o, read in zip(self.shown_outputs, self.reads, strict=True) if index in read)


@dataclass(frozen=True, slots=True)
class Step:
    """One frame's worth: a stage, and at a stop the output cell written (one index per axis)."""

    stage: Stage
    caption: str
    stop: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class Scene:
    """Everything an animation or a page of one layer draws."""

    title: str
    kind: LayerKind
    axes: tuple[AxisScene, ...]
    steps: tuple[Step, ...]
    stops: int  # every stop of the layer, drawn or not
    sizes: str  # "3×3 in, 7×7 grid, 6×6 out"
    notes: tuple[str, ...]

    @property
    def transposed(self) -> bool:
        """Whether the scene shows the transposed recipe."""
        return self.kind.is_transposed

    def reads(self, stop: tuple[int, ...]) -> set[tuple[int, ...]]:
        """Return the input cells (one index per axis) output `stop` reads: the product of the axes' sets."""
        return set(product(*(axis.reads_of(o) for axis, o in zip(self.axes, stop, strict=True))))


def _dims(values: AxisValues) -> str:
    return "×".join(map(str, values))


def _drawn_outputs(output: int, rank: int) -> list[int | None]:
    """Return the outputs drawn on an axis: all of them, or the first and last with None between."""
    most, last = OUTPUTS_DRAWN.get(rank, 4), LAST_DRAWN.get(rank, 2)
    if output <= most:
        return list(range(output))
    return [*range(most - last), None, *range(output - last, output)]


SHORT_RUN = 5
"""Runs of cells no drawn window covers are drawn whole up to this length, else as 2 … 2."""


EDGE_TAPS = 3
"""A kernel of more taps is drawn by its first and last three (a 1000-tap window costs what a 7-tap one does)."""


def _edge_taps(window: tuple[int, ...]) -> tuple[int, ...]:
    """Return the taps of a window that are drawn: all of a short one, the first and last EDGE_TAPS of a long one."""
    return window if len(window) <= 2 * EDGE_TAPS + 1 else window[:EDGE_TAPS] + window[-EDGE_TAPS:]


def _drawn_positions(length: int, windows: list[tuple[int, ...]]) -> list[int | None]:
    """Return the grid positions drawn: the drawn windows' taps (_edge_taps), the runs between them shortened."""
    taps = merge_intervals((t, t) for w in windows for t in _edge_taps(w) if 0 <= t < length)
    drawn: list[int | None] = []

    def between(low: int, high: int) -> None:
        if high - low + 1 <= SHORT_RUN:
            drawn.extend(range(low, high + 1))
        else:
            drawn.extend([low, low + 1, None, high - 1, high])

    cursor = 0
    for low, high in taps:
        if low > cursor:
            between(cursor, low - 1)
        drawn.extend(range(low, high + 1))
        cursor = high + 1
    if cursor < length:
        between(cursor, length - 1)
    return drawn


@dataclass(frozen=True, slots=True)
class _Axis:
    """The numbers of one axis, as the core resolved them."""

    size: int
    kernel: int
    stride: int
    dilation: int
    padding: tuple[int, int]
    output_padding: int
    output: int
    transposed: bool

    def reads(self, output: int) -> list[int]:
        """Return the input cells output `output` reads, by the core's dependency rule, padding left out."""
        rule = transposed_inputs if self.transposed else window_inputs
        found = rule(output, self.kernel, self.stride, self.padding[0], self.dilation)
        return [i for i in found if 0 <= i < self.size]

    def readers(self, index: int) -> list[int]:
        """Return every output that reads input `index`: one candidate per tap (k of them, whatever the span).

        Tap t of output o sits on the grid at o*s - p + t*d (direct) or input i feeds i*s - p + t*d
        (transposed), as `window_inputs` and `transposed_inputs` read them.
        """
        s, p, d = self.stride, self.padding[0], self.dilation
        if self.transposed:
            found = {index * s - p + t * d for t in range(self.kernel)}
        else:
            found = {(index + p - t * d) // s for t in range(self.kernel) if (index + p - t * d) % s == 0}
        return sorted(o for o in found if 0 <= o < self.output)

    @property
    def lead(self) -> int:
        """Return what the grid adds before the input (negative: crops), per the recipe for a transposed one."""
        if self.transposed:
            return equivalent_padding(self.kernel, self.dilation, self.padding[0])
        return self.padding[0]

    @property
    def trail(self) -> int:
        """Return what the grid adds after the input, output_padding included (negative: crops)."""
        if self.transposed:
            return equivalent_padding(self.kernel, self.dilation, self.padding[1]) + self.output_padding
        return self.padding[1]

    def window(self, output: int) -> tuple[int, ...]:
        """Return the grid positions output `output`'s taps cover (the transposed grid moves by 1)."""
        start = output if self.transposed else output * self.stride
        return tuple(start + tap * self.dilation for tap in range(self.kernel))

    def cell(self, position: int) -> Cell:
        """Return what grid position `position` holds."""
        if not self.transposed:
            index = position - self.lead
            if 0 <= index < self.size:
                return Cell(CellKind.INPUT, position, index, None, read=bool(self.readers(index)))
            return Cell(CellKind.PAD, position, None, None)
        long = stretched_size(self.size, self.stride)
        place = position - self.lead
        if 0 <= place < long - max(-self.trail, 0):  # the stretched cells not cropped
            if place % self.stride:
                return Cell(CellKind.ZERO, position, None, place)
            index = place // self.stride
            return Cell(CellKind.INPUT, position, index, place, read=bool(self.readers(index)))
        extra_from = self.length - min(self.output_padding, max(self.trail, 0))  # output_padding's zeros come last
        return Cell(CellKind.EXTRA if position >= extra_from else CellKind.PAD, position, None, None)

    def cropped(self, place: int) -> Cell:
        """Return a stretched cell the recipe crops away."""
        index = place // self.stride if place % self.stride == 0 else None
        return Cell(CellKind.CROP, None, index, place)

    @property
    def length(self) -> int:
        """Return the cells of the grid the kernel moves over."""
        inner = stretched_size(self.size, self.stride) if self.transposed else self.size
        return inner + self.lead + self.trail


def _axis_scene(name: str, axis: _Axis, rank: int) -> AxisScene:
    outputs = _drawn_outputs(axis.output, rank)
    shown = [o for o in outputs if o is not None]
    windows = [axis.window(o) for o in shown]
    positions = _drawn_positions(axis.length, windows)
    cells: list[Cell | None] = [None if p is None else axis.cell(p) for p in positions]
    if axis.transposed:  # the cropped cells, where they were, for the stage that crops them
        long = stretched_size(axis.size, axis.stride)
        before = [axis.cropped(place) for place in range(min(-axis.lead, long))]
        after = [axis.cropped(place) for place in range(max(long - max(-axis.trail, 0), 0), long)]
        cells = [*before, *cells, *after]  # output_padding only shortens a crop: no zeros follow one
    inputs: list[int | None] = []
    last = None
    for index in sorted({c.index for c in cells if c is not None and c.index is not None}):
        if last is not None and index != last + 1:
            inputs.append(None)
        inputs.append(index)
        last = index
    return AxisScene(
        name=name,
        size=axis.size,
        length=axis.length,
        output=axis.output,
        kernel=axis.kernel,
        stride=axis.stride,
        dilation=axis.dilation,
        padding=axis.padding,
        grid_padding=(axis.lead, axis.trail),
        output_padding=axis.output_padding,
        cells=tuple(cells),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        windows=tuple(windows),
        reads=tuple(tuple(axis.reads(o)) for o in shown),
    )


def _stops(axes: tuple[AxisScene, ...]) -> list[tuple[int, ...]]:
    """Return the drawn stops in row-major order (the last axis fastest)."""
    return list(product(*(axis.shown_outputs for axis in axes)))


def _padding_caption(axes: tuple[AxisScene, ...], grid: str) -> str:
    pads = {axis.grid_padding for axis in axes}
    if pads == {(0, 0)}:
        return f"no padding: the kernel moves over the {grid} input"
    (before, after), *_ = pads
    if len(pads) == 1 and before == after:
        return f"padding {before} on each side: {grid}"
    sides = ", ".join(f"{a.name} {a.grid_padding[0]} before, {a.grid_padding[1]} after" for a in axes)
    return f"padding {sides}: {grid}"


def _side_text(value: int) -> str:
    if value > 0:
        return f"{value} ring{'s' if value != 1 else ''} of zeros"
    if value < 0:
        return f"{-value} cell{'s' if value != -1 else ''} cropped"
    return "nothing added"


def _ring_text(axis: AxisScene) -> str:
    """Say what step 3 does on one axis: p' = d(k-1) - p rings of zeros, or that many cells cropped."""
    ring = axis.dilation * (axis.kernel - 1)
    (pb, pa), a = axis.padding, axis.output_padding
    if pb == pa:
        text = f"p' = d(k-1) - p = {ring} - {pb} = {ring - pb}: {_side_text(ring - pb)} on each side"
    else:
        text = (
            f"p' = d(k-1) - p: {ring} - {pb} = {ring - pb} before ({_side_text(ring - pb)}), "
            f"{ring} - {pa} = {ring - pa} after ({_side_text(ring - pa)})"
        )
    if a:
        text += f", then output_padding {a}: {a} zero{'s' if a != 1 else ''} after"
    return text


def _recipe_captions(axes: tuple[AxisScene, ...], grid: str) -> tuple[str, str]:
    """Return the captions of the transposed recipe's steps 2 and 3."""
    stretched = _dims(tuple(stretched_size(a.size, a.stride) for a in axes))
    zeros = {a.stride - 1 for a in axes}
    if zeros == {0}:
        step2 = f"step 2: stride 1, so no zeros are inserted: {stretched}"
    elif len(zeros) == 1:
        (z,) = zeros
        step2 = f"step 2: z = s - 1 = {z} zero{'s' if z != 1 else ''} inserted between the input cells: {stretched}"
    else:
        each = ", ".join(f"{a.name} {a.stride - 1}" for a in axes)
        step2 = f"step 2: z = s - 1 zeros inserted between the input cells ({each}): {stretched}"
    rings = [_ring_text(axis) for axis in axes]
    text = rings[0] if len(set(rings)) == 1 else "; ".join(f"{a.name}: {r}" for a, r in zip(axes, rings, strict=True))
    return step2, f"step 3: {text}: {grid}"


def build_scene(layer: LayerSpec, shape: AxisValues) -> Scene:
    """Return the scene of one layer on a full input shape; raise LayerError if the framework refuses it."""
    result = layer_shape(layer, shape)
    spatial, out = shape[2:], result.output[2:]
    padding, output_padding = result.padding, result.output_padding
    rank, transposed = layer.rank, layer.kind.is_transposed
    names = axis_names(rank)
    axes = tuple(
        _axis_scene(
            names[a],
            _Axis(
                spatial[a],
                layer.kernel_size[a],
                layer.stride[a],
                layer.dilation[a],
                padding[a],
                output_padding[a] if transposed else 0,
                out[a],
                transposed,
            ),
            rank,
        )
        for a in range(rank)
    )
    grid = _dims(tuple(axis.length for axis in axes))
    title = layer_title(layer.kind, spatial, out)
    first = f"input {_dims(spatial)}"
    if transposed:  # the recipe's step 1: the numbers the next steps use
        each = [f"z = s - 1 = {a.stride - 1}, p' = d(k-1) - p = {a.grid_padding[0]}" for a in axes]
        numbers = (
            each[0] if len(set(each)) == 1 else "; ".join(f"{a.name}: {e}" for a, e in zip(axes, each, strict=True))
        )
        first = f"step 1: {first}, and {numbers}"
    steps: list[Step] = [Step(Stage.INPUT, first)]
    if transposed:
        step2, step3 = _recipe_captions(axes, grid)
        steps.append(Step(Stage.STRETCHED, step2))
        steps.append(Step(Stage.PADDED, step3))
    elif any(axis.grid_padding != (0, 0) for axis in axes):
        steps.append(Step(Stage.PADDED, _padding_caption(axes, grid)))
    drawn = _stops(axes)
    total = prod(out)
    kernel = _dims(layer.kernel_size)
    moves = "stride 1" if transposed else f"stride {_dims(layer.stride)}"
    lead = "step 4: " if transposed else ""
    for stop in drawn:
        number = sum(o * prod(out[a + 1 :]) for a, o in enumerate(stop)) + 1
        where = ", ".join(map(str, stop))
        caption = f"{lead}kernel {kernel}, {moves}: stop {number} of {total}, output ({where})"
        steps.append(Step(Stage.STOP, caption, stop))
    steps.append(Step(Stage.OUTPUT, f"output {_dims(out)}"))
    notes: list[str] = []
    if len(drawn) < total:
        notes.append(f"{len(drawn)} of the {total} stops drawn: the middle of a long axis is left out")
    if transposed:
        notes.append(f"o = (i-1)s - (pb+pa) + d(k-1) + 1 + a on each axis; the grid moves the kernel by 1: {grid}")
    return Scene(
        title=title,
        kind=layer.kind,
        axes=axes,
        steps=tuple(steps),
        stops=total,
        sizes=f"{_dims(spatial)} in, {grid} grid, {_dims(out)} out",
        notes=tuple(notes),
    )


def traced(field: AxisField, output: int, size: int) -> tuple[tuple[int, int], ...]:
    """Return the network-input cells output `output` depends on, as intervals clipped to the input (0..size-1)."""
    clipped = ((max(lo, 0), min(hi, size - 1)) for lo, hi in field.at(output))
    return tuple((lo, hi) for lo, hi in clipped if lo <= hi)


def stage_cells(axis: AxisScene, stage: Stage) -> tuple[Cell | None, ...]:
    """Return an axis's cells as a stage draws them, in order (None where the middle is left out).

    The input stage shows the input cells alone, side by side; the stretched one the input
    with its inserted zeros; the padded one every cell, cropped ones included; a stop and the
    output stage the grid the kernel moves over.
    """
    if stage is Stage.INPUT:
        read = {c.index: c.read for c in axis.cells if c is not None and c.index is not None}
        return tuple(
            None if i is None else Cell(CellKind.INPUT, None, i, None, read=read.get(i, True)) for i in axis.inputs
        )
    if stage is Stage.STRETCHED:
        kept = [c for c in axis.cells if c is None or c.stretched is not None]
        return tuple(
            None if c is None else Cell(CellKind.INPUT if c.index is not None else CellKind.ZERO, None, c.index, None)
            for c in _trimmed(kept)
        )
    if stage is Stage.PADDED:
        return axis.cells
    return _trimmed([c for c in axis.cells if c is None or c.position is not None])


def _trimmed(cells: list[Cell | None]) -> tuple[Cell | None, ...]:
    """Drop gaps left at the ends or doubled once some cells are filtered out."""
    kept: list[Cell | None] = []
    for cell in cells:
        if cell is None and (not kept or kept[-1] is None):
            continue
        kept.append(cell)
    while kept and kept[-1] is None:
        kept.pop()
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class Drawn:
    """One cell of a drawn grid, its axes combined: padding anywhere makes it padding, and so on."""

    kind: CellKind | None  # None: where the middle is left out
    index: tuple[int, ...] | None = None  # the input (or output) cell, one index per axis
    position: tuple[int, ...] | None = None  # its place on the kernel's grid, one per axis
    read: bool = True


GAP = Drawn(None)
Slices = tuple[tuple[tuple[Drawn, ...], ...], ...]
"""A drawn grid: slices (one, but for 3-D) of rows of cells."""

_PRECEDENCE = (CellKind.CROP, CellKind.PAD, CellKind.EXTRA, CellKind.ZERO)


def _combined(cells: tuple[Cell, ...]) -> Drawn:
    kinds = {cell.kind for cell in cells}
    kind = next((k for k in _PRECEDENCE if k in kinds), CellKind.INPUT)
    indices = [cell.index for cell in cells]
    positions = [cell.position for cell in cells]
    return Drawn(
        kind,
        tuple(i for i in indices if i is not None) if kind is CellKind.INPUT else None,
        tuple(p for p in positions if p is not None) if None not in positions else None,
        all(cell.read for cell in cells),
    )


def _grid_of(lines: Sequence[Sequence[object]], make: Callable[..., Drawn]) -> Slices:
    """Lay per-axis sequences out as slices of rows of cells (1-D: one row; 3-D: a slice per depth)."""
    rank = len(lines)
    if rank == 1:
        return (((*(make(c) for c in lines[0]),),),)
    depth: tuple[object, ...] = (None,) if rank == 2 else tuple(lines[0])  # noqa: PLR2004 - a 2-D picture has no depth axis
    rows, columns = lines[-2], lines[-1]
    slices = []
    for d in depth:
        if rank == 3 and d is None:  # noqa: PLR2004 - the left-out middle of the depth axis
            continue
        prefix = () if rank == 2 else (d,)  # noqa: PLR2004 - a 2-D picture has no depth axis
        slices.append(
            tuple(tuple(make(*prefix, r, c) for c in columns) for r in rows),
        )
    return tuple(slices)


def depth_labels(scene: Scene, stage: Stage) -> tuple[str, ...]:
    """Return the label of each slice a 3-D grid is drawn as (nothing for 1-D and 2-D)."""
    if len(scene.axes) != 3:  # noqa: PLR2004 - only a 3-D picture has slices
        return ()
    axis = scene.axes[0]
    if stage is Stage.OUTPUT:
        return tuple(f"{axis.name} {o}" for o in axis.shown_outputs)
    labels = []
    for cell in stage_cells(axis, stage):
        if cell is None:
            continue
        if cell.index is not None and cell.kind is CellKind.INPUT:
            labels.append(f"{axis.name} {cell.index}")
        else:
            labels.append(f"{axis.name} {cell.kind.value}")
    return tuple(labels)


def stage_grid(scene: Scene, stage: Stage) -> Slices:
    """Return the grid a stage draws (the input, stretched, padded or the kernel's grid)."""

    def make(*cells: Cell | None) -> Drawn:
        if any(cell is None for cell in cells):
            return GAP
        return _combined(tuple(cell for cell in cells if cell is not None))

    return _grid_of([stage_cells(axis, stage) for axis in scene.axes], make)


def output_grid(scene: Scene) -> Slices:
    """Return the output as drawn: the drawn outputs of each axis, gaps where the middle is left out."""

    def make(*outputs: int | None) -> Drawn:
        if any(o is None for o in outputs):
            return GAP
        return Drawn(CellKind.INPUT, tuple(o for o in outputs if o is not None))

    return _grid_of([axis.outputs for axis in scene.axes], make)
