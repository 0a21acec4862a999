"""Pure: the pictures and worked formulas that explain one layer, as styled lines of text.

Each cell is drawn with its own character, so a picture reads without colour:
`o` an input cell, `.` a padding zero, `0` a zero inserted between input cells (transposed),
`,` the extra output_padding row or column, `x` an input cell no window reads, and the
windows as `^` on the cells their taps read. Styles only add colour on top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from math import prod

from convcalc.core import formulas
from convcalc.core.analysis import gap_warnings
from convcalc.core.errors import LayerError, axes_label
from convcalc.core.formulas import effective_kernel, pool_output_size
from convcalc.core.receptive import equivalent_conv
from convcalc.core.spec import AxisValues, LayerKind, LayerSpec, axis_names
from convcalc.core.windows import layer_shape

Segment = tuple[str, str | None]
Line = tuple[Segment, ...]

MAX_DRAWN = 32
"""Axes longer than this (padded or stretched) are drawn as strips with the middle left out."""
MAX_WINDOWS = 10
"""Window stops drawn per axis; the rest are counted."""
MAX_MATRIX = 64
"""Largest number of rows or columns the matrix view prints."""

STYLES = {"o": "real", ".": "pad", "0": "zero", ",": "extra", "x": "unread", "^": "window"}


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of an explanation; `axes` names the spatial axes it is about (none: all of them)."""

    title: str
    lines: tuple[Line, ...]
    axes: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """Return the title as shown: 'axes H, W: <title>' for a section about some axes."""
        return f"{axes_label(self.axes)}: {self.title}" if self.axes else self.title


def _plain(text: str, style: str = "text") -> Line:
    """Return a line of text; its indentation is a segment of its own, so that SVG keeps it."""
    body = text.lstrip(" ")
    return ((text[: len(text) - len(body)], None), (body, style))


def _cells(chars: list[str], indent: str = "  ") -> Line:
    """Return a row of cells, one character each with a space between, styled by what they are."""
    segments: list[Segment] = [(indent, None)]
    for i, char in enumerate(chars):
        segments.append((char + (" " if i + 1 < len(chars) else ""), STYLES.get(char)))
    return tuple(segments)


def _elide(chars: list[str]) -> list[str]:
    """Keep a long strip readable: its first and last cells with the middle left out."""
    if len(chars) <= MAX_DRAWN:
        return chars
    return [*chars[:12], "…", *chars[-8:]]


def _strip(length: int, cell: Callable[[int], str]) -> list[str]:
    """Return a strip of `length` cells, the middle of a long one left out, computing only the cells shown."""
    if length <= MAX_DRAWN:
        return [cell(i) for i in range(length)]
    return [*(cell(i) for i in range(12)), "…", *(cell(i) for i in range(length - 8, length))]


def _stretched_cell(i: int, *, stride: int, start: int) -> str:
    """Return cell i of a stretched input whose first `start` cells are cropped: an input cell or a zero."""
    return "o" if (i + start) % stride == 0 else "0"


def _ring_cell(i: int, *, stride: int, lead: int, start: int, body: int, ring: int) -> str:
    """Return cell i of the stretched input with its rings: padding, the stretched cells, padding, output_padding."""
    if i < lead:
        return "."
    if i < lead + body:
        return _stretched_cell(i - lead, stride=stride, start=start)
    return "." if i < ring else ","


def _padded_strip(size: int, before: int, after: int, unread: set[int]) -> tuple[list[str], int]:
    """Return the padded (or cropped) input strip of one axis and its length."""
    lead, start = max(before, 0), max(-before, 0)
    real = max(size - max(-after, 0) - start, 0)

    def cell(i: int) -> str:
        if i < lead or i >= lead + real:
            return "."
        return "x" if i - lead + start in unread else "o"

    length = lead + real + max(after, 0)
    return _strip(length, cell), length


def _read_cells(size: int, kernel: int, stride: int, before: int, dilation: int, out: int) -> set[int]:
    """Return the input cells (0-based, real only) some window reads; for small axes only."""
    return {
        j * stride + t * dilation - before
        for j in range(out)
        for t in range(kernel)
        if 0 <= j * stride + t * dilation - before < size
    }


def _window_lines(padded: int, kernel: int, stride: int, dilation: int, out: int) -> list[Line]:
    lines: list[Line] = []
    shown = list(range(out)) if out <= MAX_WINDOWS else [*range(MAX_WINDOWS - 2), out - 2, out - 1]
    for n, j in enumerate(shown):
        if n and shown[n - 1] != j - 1:
            lines.append(_plain(f"  … {j - shown[n - 1] - 1} more windows", "note"))
        taps = {j * stride + t * dilation for t in range(kernel)}
        chars = ["^" if c in taps else " " for c in range(min(padded, j * stride + effective_kernel(kernel, dilation)))]
        note = f"window {j + 1}: cells {j * stride}..{j * stride + effective_kernel(kernel, dilation) - 1}"
        lines.append((*_cells(chars), ("   ", None), (note, "note")))
    return lines


def _floor_text(value: int, by: int) -> str:
    return f"floor({value} / {by})" if by != 1 else str(value)


def _direct_formula(layer: LayerSpec, axis: int, size: int, out: int) -> str:
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    before, after = layer.padding[axis] if not isinstance(layer.padding, str) else (0, 0)
    e = effective_kernel(k, d)
    top = size + before + after - e
    if layer.ceil_mode:
        rounded = formulas.windows_rounded_up(size, k, s, before, after, d)
        text = (
            "o = ceil((i + pb + pa - d(k-1) - 1) / s) + 1 = "
            f"ceil(({size} + {before} + {after} - {d}·{k - 1} - 1) / {s}) + 1 = {rounded}"
        )
        if rounded != out:
            text += f", minus the last window, which would start in the right padding = {out}"
        return text
    return (
        "o = floor((i + pb + pa - d(k-1) - 1) / s) + 1 = "
        f"floor(({size} + {before} + {after} - {d}·{k - 1} - 1) / {s}) + 1 = {_floor_text(top, s)} + 1 = {out}"
    )


def _grid(rows: list[str], cols: list[str]) -> list[Line]:
    """Draw a 2-D grid as the outer product of two axis strips (a cell is real only where both are)."""
    lines = []
    for r in _elide(rows):
        row = []
        for c in _elide(cols):
            if "…" in (r, c):
                row.append("…")
            elif "." in (r, c) or "," in (r, c):
                row.append("," if "," in (r, c) and "." not in (r, c) else ".")
            elif "0" in (r, c):
                row.append("0")
            elif "x" in (r, c):
                row.append("x")
            else:
                row.append("o")
        lines.append(_cells(row))
    return lines


def _explain_direct(
    layer: LayerSpec, spatial: AxisValues, out: AxisValues, padding: tuple[tuple[int, int], ...]
) -> list[Section]:
    names = axis_names(layer.rank)
    sections = []
    strips = []
    lengths: list[int] = []
    formula_lines: list[tuple[str, str]] = []
    for axis, size in enumerate(spatial):
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        before, after = padding[axis]
        padded = size + before + after
        small = padded <= MAX_DRAWN
        read = _read_cells(size, k, s, before, d, out[axis]) if small else set()
        unread = {i for i in range(size) if i not in read} if small else set()
        strip, length = _padded_strip(size, before, after, unread)
        strips.append(strip)
        lengths.append(length)
        lines: list[Line] = [_cells(_elide(strip))]
        if small:
            lines += _window_lines(padded, k, s, d, out[axis])
        else:
            last, e = (out[axis] - 1) * s, effective_kernel(k, d)
            text = f"  {out[axis]} windows of {e} cells, {s} apart: the first covers padded cells 0..{e - 1}, "
            lines.append(_plain(text + f"the last {last}..{last + e - 1} of 0..{padded - 1}", "note"))
        if layer.ceil_mode:
            floor_out = pool_output_size(size, k, s, before, after, d, ceil_mode=False)
            start, edge = floor_out * s, size + before
            if floor_out != out[axis]:
                text = (
                    f"  ceil_mode adds window {out[axis]}: it starts at cell {start}, inside the input or left padding"
                )
                lines.append(_plain(f"{text} (< {edge}), so it may run past the end", "note"))
            elif formulas.windows_rounded_up(size, k, s, before, after, d) != floor_out:
                text = f"  ceil_mode would add a window at cell {start}, but it would start in the right padding"
                lines.append(_plain(f"{text} (>= {edge}), so it is dropped", "note"))
        title = f"{size} cells, padding {before} before and {after} after"
        title += f", windows of kernel {k}, dilation {d}, stride {s}"
        sections.append(Section(title, tuple(lines), axes=(names[axis],)))
        formula_lines.append((names[axis], _direct_formula(_with_padding(layer, padding), axis, size, out[axis])))
    sections = _merge_axes(sections, names)
    if layer.rank == 2:  # noqa: PLR2004 - a picture of the whole padded input
        grid = _grid(strips[0], strips[1])
        sections.insert(
            0,
            Section(f"padded input {lengths[0]}×{lengths[1]}  (o input, . padding, x never read)", tuple(grid)),
        )
    sections.append(Section("output size", tuple(_same_for_axes(formula_lines))))
    sections.append(_output_section(out))
    return sections


def _merge_axes(sections: list[Section], names: tuple[str, ...]) -> list[Section]:
    """Draw an axis once when the others look exactly the same (square layers on square inputs)."""
    first = sections[0] if sections else None
    same = first is not None and all((s.title, s.lines) == (first.title, first.lines) for s in sections)
    if first is not None and len(sections) > 1 and same:
        return [Section(first.title, first.lines, axes=names)]
    return sections


def _joined(notes: list[str]) -> str:
    """Join 'H: a' and 'W: a' as 'H, W: a'."""
    texts = {note.split(": ", 1)[1] for note in notes}
    if len(notes) > 1 and len(texts) == 1:
        return ", ".join(note.split(": ", 1)[0] for note in notes) + ": " + texts.pop()
    return ", ".join(notes)


def _same_for_axes(lines: list[tuple[str, str]]) -> list[Line]:
    """Write (axis, text) lines once as 'H, W: text' when every axis says the same."""
    if len(lines) > 1 and len({text for _, text in lines}) == 1:
        return [_plain(f"  {', '.join(name for name, _ in lines)}: {lines[0][1]}")]
    return [_plain(f"  {name}: {text}") for name, text in lines]


def _with_padding(layer: LayerSpec, padding: tuple[tuple[int, int], ...]) -> LayerSpec:
    from dataclasses import replace

    return replace(layer, padding=padding)


def _output_section(out: AxisValues) -> Section:
    dims = "×".join(map(str, out))
    if len(out) == 2:  # noqa: PLR2004 - a 2-D output is drawn as a grid
        return Section(f"output {dims}", tuple(_grid(_strip(out[0], _output_cell), _strip(out[1], _output_cell))))
    return Section(f"output {dims}", tuple(_cells(_strip(n, _output_cell)) for n in out))


def _output_cell(_: int) -> str:
    return "o"


def _explain_transposed(
    layer: LayerSpec, spatial: AxisValues, out: AxisValues, padding: tuple[tuple[int, int], ...], a: AxisValues
) -> list[Section]:
    names = axis_names(layer.rank)
    eq = equivalent_conv(spatial, layer.kernel_size, layer.stride, padding, layer.dilation, a)
    step1: list[tuple[str, str]] = []
    for axis, name in enumerate(names):
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        pb, pa = eq.padding[axis]
        zeros = f"{s - 1} zero{'s' if s != 2 else ''}"  # noqa: PLR2004 - one zero
        sides = "on each side" if pb == pa else f"before, and {pa} after (p' + output_padding {a[axis]})"
        step1.append(
            (
                name,
                f"z = s - 1 = {zeros} between cells; p' = d(k-1) - p = {d}·{k - 1} - {padding[axis][0]} = {pb} {sides}",
            )
        )
    stretched = []
    padded = []
    step2: list[Line] = []
    step3: list[Line] = []
    step4: list[tuple[str, str]] = []
    notes2, notes3 = [], []
    for axis, name in enumerate(names):
        s, long = layer.stride[axis], eq.stretched_input[axis]
        strip = _strip(long, partial(_stretched_cell, stride=s, start=0))
        stretched.append(strip)
        notes2.append(f"{name}: {spatial[axis]} cells → {long}")
        pb, pa = eq.padding[axis]  # pa counts output_padding: it shortens a crop, or adds zeros last
        extra = min(a[axis], max(pa, 0))
        lead, start = max(pb, 0), max(-pb, 0)
        body = max(long - max(-pa, 0) - start, 0)
        ringed = lead + body + max(pa, 0)
        with_rings = _strip(
            ringed, partial(_ring_cell, stride=s, lead=lead, start=start, body=body, ring=ringed - extra)
        )
        padded.append(with_rings)
        note = f"{name}: {long} → {ringed}"
        if pb < 0 or pa < 0:
            note += f" (crop {max(-pb, 0)} before, {max(-pa, 0)} after)"
        notes3.append(note)
        if layer.rank != 2:  # noqa: PLR2004 - 2-D is drawn as one grid below
            step2.append((*_cells(_elide(strip)), ("   ", None), (notes2[-1], "note")))
            step3.append((*_cells(_elide(with_rings)), ("   ", None), (note, "note")))
        e = effective_kernel(layer.kernel_size[axis], layer.dilation[axis])
        pads, d, k = padding[axis][0] + padding[axis][1], layer.dilation[axis], layer.kernel_size[axis]
        general = f"({spatial[axis]}-1)·{s} - {pads} + {d}·{k - 1} + 1 + {a[axis]}"
        text = f"o = {ringed} - {e} + 1 = {out[axis]}   (as o = (i-1)s - (pb+pa) + d(k-1) + 1 + a = {general})"
        step4.append((name, text))
    if layer.rank == 2:  # noqa: PLR2004 - 2-D is drawn as one grid
        step2 = [_plain("  " + _joined(notes2), "note"), *_grid(stretched[0], stretched[1])]
        step3 = [_plain("  " + _joined(notes3), "note"), *_grid(padded[0], padded[1])]
    sections = [
        Section("step 1: zeros to insert and padding of the equivalent convolution", tuple(_same_for_axes(step1)))
    ]
    sections.append(Section("step 2: the input cells spaced stride apart  (o input, 0 inserted zero)", tuple(step2)))
    sections.append(Section("step 3: rings of zeros around it  (. padding, , output_padding)", tuple(step3)))
    sections.append(
        Section(
            "step 4: a stride-1 convolution with the same kernel (flipped) and dilation", tuple(_same_for_axes(step4))
        )
    )
    sections.append(_output_section(out))
    return sections


def layer_title(kind: LayerKind, spatial: AxisValues, out: AxisValues) -> str:
    """Return the heading of a layer's pictures: 'transposed convolution: input 3×3 → output 6×6'."""
    kinds = {LayerKind.CONV: "convolution", LayerKind.CONVTRANSPOSE: "transposed convolution"}
    what = kinds.get(kind, f"{kind.value[:3]} pooling")
    return f"{what}: input {'×'.join(map(str, spatial))} → output {'×'.join(map(str, out))}"


def explain_layer(layer: LayerSpec, shape: AxisValues, *, matrix: bool = False) -> tuple[Section, ...]:
    """Return the explanation of one layer on an input shape; raise LayerError if torch.nn refuses it."""
    result = layer_shape(layer, shape)
    spatial, out = shape[2:], result.output[2:]
    head = Section(layer_title(layer.kind, spatial, out), ())
    if layer.kind.is_transposed:
        body = _explain_transposed(layer, spatial, out, result.padding, result.output_padding)
    else:
        body = _explain_direct(layer, spatial, out, result.padding)
    sections = [head, *body]
    warnings = gap_warnings(layer, result)
    if warnings:
        sections.append(Section("coverage", tuple(_plain(f"  {w}", "unread") for w in warnings)))
    if matrix:
        sections.append(matrix_section(layer, spatial, result.padding, out))
    return tuple(sections)


TAP_NAMES = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def matrix_entry(  # the stop, the cell and the layer's numbers
    stop: AxisValues, cell: AxisValues, kernel: AxisValues, stride: AxisValues, before: AxisValues, dilation: AxisValues
) -> int | None:
    """Return the kernel tap (row-major) that window `stop` multiplies input `cell` by, or None: one entry of M."""
    tap = 0
    for a, k in enumerate(kernel):
        offset = cell[a] - stop[a] * stride[a] + before[a]
        if offset < 0 or offset % dilation[a] or offset // dilation[a] >= k:
            return None
        tap = tap * k + offset // dilation[a]
    return tap


def _unflat(index: int, dims: AxisValues) -> tuple[int, ...]:
    """Return the row-major multi-index of a flat index."""
    out = []
    for n in reversed(dims):
        index, i = divmod(index, n)
        out.append(i)
    return tuple(reversed(out))


def _shown(count: int) -> list[int | None]:
    """Return the rows (or columns) drawn of `count`: all of a small matrix, else the first 12, None, the last 8."""
    if count <= MAX_MATRIX:
        return list(range(count))
    return [*range(12), None, *range(count - 8, count)]


def matrix_section(
    layer: LayerSpec, spatial: AxisValues, padding: tuple[tuple[int, int], ...], out: AxisValues
) -> Section:
    """Show the convolution as a sparse matrix, and a transposed convolution as its transpose.

    Only the entries drawn are computed (a large matrix shows its corners), so any size costs the same.
    """
    taps = 1
    for k in layer.kernel_size:
        taps *= k
    if layer.rank > 2 or taps > len(TAP_NAMES):  # noqa: PLR2004 - taps are listed for 1-D and 2-D windows
        return Section("matrix view: for 1-D and 2-D layers with at most 52 kernel taps", ())
    before = tuple(p[0] for p in padding)
    numbers = (layer.kernel_size, layer.stride, before, layer.dilation)
    rows_of, columns_of = prod(out), prod(spatial)
    if layer.kind.is_transposed:  # the transpose of the convolution from the output size back to the input size

        def entry(row: int, column: int) -> int | None:
            return matrix_entry(_unflat(column, spatial), _unflat(row, out), *numbers)

        title = (
            f"matrix view: y = Mᵀ x, M the {columns_of}×{rows_of} matrix of the convolution from "
            f"{'×'.join(map(str, out))} back to {'×'.join(map(str, spatial))}; Mᵀ is {rows_of}×{columns_of}"
        )
    else:

        def entry(row: int, column: int) -> int | None:
            return matrix_entry(_unflat(row, out), _unflat(column, spatial), *numbers)

        title = f"matrix view: y = M x, M is {rows_of}×{columns_of} (a row per window stop, a column per input cell)"
    rows, columns = _shown(rows_of), _shown(columns_of)
    if None in rows or None in columns:
        title += "; the middle rows and columns left out"
    legend = "taps " + " ".join(f"{TAP_NAMES[i]}=w{i}" for i in range(taps)) + ", . is zero"
    lines = [_plain(f"  {legend}", "note")]
    for row in rows:
        cells = []
        for column in columns:
            value = None if row is None or column is None else entry(row, column)
            cells.append("…" if row is None or column is None else "." if value is None else TAP_NAMES[value])
        lines.append(_cells(cells))
    return Section(title, tuple(lines))


def explain_or_error(layer: LayerSpec, shape: AxisValues, *, matrix: bool = False) -> tuple[Section, ...] | LayerError:
    """Return the explanation, or the LayerError that says why torch.nn refuses the layer."""
    try:
        return explain_layer(layer, shape, matrix=matrix)
    except LayerError as error:
        return error
