"""Pure per-axis shape arithmetic, exact to torch.nn, including what it refuses.

Every function here is arithmetic on Python integers: sizes of any magnitude are exact
and cost the same. Refusals raise `LayerError` with the axis, the reason and a fix.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod

from convcalc.core import formulas
from convcalc.core.errors import LayerError, Problem
from convcalc.core.formulas import (
    conv_output_size,
    convtranspose_output_size,
    effective_kernel,
    pool_output_size,
    same_padding,
)
from convcalc.core.spec import AxisValues, Framework, LayerSpec, PaddingMode, PaddingPairs, axis_names

CELL_NOUNS = {"L": "position", "D": "slice", "H": "row", "W": "column"}


def resolve_padding(layer: LayerSpec) -> PaddingPairs:
    """Return the (before, after) padding the layer applies on each axis."""
    if not isinstance(layer.padding, PaddingMode):
        return layer.padding
    if layer.padding is PaddingMode.VALID:
        return ((0, 0),) * layer.rank
    if any(s != 1 for s in layer.stride):
        msg = "padding='same' is not supported for strided convolutions (torch.nn)"
        halves = [same_padding(k, d)[0] for k, d in zip(layer.kernel_size, layer.dilation, strict=True)]
        hint = f"use stride 1, or explicit padding such as {halves}"
        raise LayerError(msg, hint=hint, problem=Problem.PADDING_MODE)
    return tuple(same_padding(k, d) for k, d in zip(layer.kernel_size, layer.dilation, strict=True))


@dataclass(frozen=True, slots=True)
class AxisGaps:
    """Input cells of one axis that no window reads (direct) or no output uses (transposed)."""

    before: int = 0
    inside: int = 0
    after: int = 0

    @property
    def total(self) -> int:
        """Number of unused input cells."""
        return self.before + self.inside + self.after


def _aligned_count(lo: int, hi: int, first: int, step: int) -> tuple[int, int, int] | None:
    """Count the members first + n*step in [lo, hi] (lo >= first); return (count, smallest, largest) or None."""
    start = first + ((lo - first + step - 1) // step) * step
    end = first + ((hi - first) // step) * step  # end <= hi
    if start > end:
        return None
    return (end - start) // step + 1, start, end


MAX_ENUMERATION = 100_000
"""Kernels longer than this (with dilation) are not enumerated tap by tap: coverage is not checked."""


def _contiguous_gaps(size: int, kernel: int, stride: int, before: int, out: int) -> AxisGaps:
    """Count unread cells when window j reads the block [j*s, j*s + k - 1], in closed form."""
    lo, hi = before, before + size - 1
    if kernel >= stride:  # the blocks touch or overlap: one run from 0 to the last window's end
        end = (out - 1) * stride + kernel - 1
        if lo > end:
            return AxisGaps(inside=size)
        return AxisGaps(0, 0, hi - min(hi, end))

    def read_below(x: int) -> int:  # cells read in [0, x)
        turns, rest = divmod(max(x, 0), stride)
        return out * kernel if turns >= out else turns * kernel + min(rest, kernel)

    block = lo // stride
    first = lo if block < out and lo <= block * stride + kernel - 1 else (block + 1) * stride
    last_block = min(hi // stride, out - 1)
    last = min(last_block * stride + kernel - 1, hi)
    if first > hi or first >= out * stride or last < lo:
        return AxisGaps(inside=size)
    read = read_below(hi + 1) - read_below(lo)
    return AxisGaps(first - lo, size - read - (first - lo) - (hi - last), hi - last)


def conv_gaps(size: int, kernel: int, stride: int, before: int, dilation: int, out: int) -> AxisGaps | None:
    """Count the real input cells that no window of a conv or pool reads.

    Window j reads padded positions j*s + t*d (t < k). Taps with the same residue mod s
    read one arithmetic progression each; merging them per residue makes the count exact
    at a cost that depends on k, not on the input size. Undilated windows are blocks and
    are counted in closed form; None when a dilated kernel is too long to enumerate.
    """
    if out < 1:
        return AxisGaps()
    if before < 0:  # negative (JAX) padding: the first -before cells lie outside every window
        cropped = min(size, -before)
        rest = conv_gaps(size - cropped, kernel, stride, 0, dilation, out) if size > cropped else AxisGaps()
        if rest is None:
            return None
        if rest.total == size - cropped and not rest.before and not rest.after:  # nothing read at all
            return AxisGaps(inside=size)
        return AxisGaps(cropped + rest.before, rest.inside, rest.after)
    if dilation == 1 or kernel == 1:
        return _contiguous_gaps(size, kernel, stride, before, out)
    if kernel > MAX_ENUMERATION:
        return None
    return _dilated_gaps(size, kernel, stride, before, dilation, out)


def _dilated_gaps(size: int, kernel: int, stride: int, before: int, dilation: int, out: int) -> AxisGaps:
    """Count unread cells of dilated windows, tap residue by tap residue."""
    lo, hi = before, before + size - 1
    span = (out - 1) * stride
    by_residue: dict[int, list[int]] = {}
    for tap in range(kernel):
        by_residue.setdefault(tap * dilation % stride, []).append(tap * dilation)
    read, first_read, last_read = 0, None, None
    for offsets in by_residue.values():
        segments: list[list[int]] = []
        for offset in sorted(offsets):
            if segments and offset <= segments[-1][1] + stride:
                segments[-1][1] = max(segments[-1][1], offset + span)
            else:
                segments.append([offset, offset + span])
        for start, end in segments:
            found = _aligned_count(max(start, lo), min(end, hi), start, stride)
            if found is None:
                continue
            count, smallest, largest = found
            read += count
            first_read = smallest if first_read is None else min(first_read, smallest)
            last_read = largest if last_read is None else max(last_read, largest)
    if first_read is None or last_read is None:
        return AxisGaps(inside=size)
    gap_before, gap_after = first_read - lo, hi - last_read
    return AxisGaps(gap_before, size - read - gap_before - gap_after, gap_after)


def convtranspose_gaps(size: int, kernel: int, stride: int, before: int, dilation: int, out: int) -> AxisGaps | None:
    """Count the input cells of a transposed conv that no output depends on (cropped away).

    Input m feeds outputs m*s - pb + t*d (t < k); it is unused when none lies in [0, out).
    """
    if out < 1:
        return AxisGaps()
    reach = (kernel - 1) * dilation
    # m*s + reach < pb: every tap lands before output 0
    gap_before = min(size, max(0, (before - reach + stride - 1) // stride))
    # m*s - pb > out - 1: every tap lands after the last output
    gap_after = min(size, max(0, size - ((out - 1 + before) // stride + 1)))
    if out >= dilation:
        # an output range at least d wide always holds a tap of every cell that is not
        # wholly before or after it, so only the two ends can be cut off
        return AxisGaps(gap_before, 0, gap_after)
    # narrower: the taps of a middle cell can straddle the whole output; the middle holds at
    # most ((k-1)*d + out) / s + 1 cells, so look at each
    if (size - gap_before - gap_after) * kernel > MAX_ENUMERATION:
        return None
    used = [
        m
        for m in range(gap_before, size - gap_after)
        if any(0 <= m * stride - before + t * dilation < out for t in range(kernel))
    ]
    if not used:
        return AxisGaps(inside=size)
    return AxisGaps(used[0], size - len(used) - used[0] - (size - 1 - used[-1]), size - 1 - used[-1])


@dataclass(frozen=True, slots=True)
class LayerShape:
    """What one layer does to a full shape [N, C, *spatial]."""

    input: AxisValues
    output: AxisValues
    padding: PaddingPairs
    output_padding: AxisValues
    weight_shape: AxisValues | None
    params: int
    gaps: tuple[AxisGaps | None, ...]
    notes: tuple[str, ...] = ()  # where another version of the framework writes another size


def _check_channels(layer: LayerSpec, in_channels: int, out_channels: int) -> None:
    if layer.kind.is_pool:
        return
    if layer.in_channels is not None and layer.in_channels != in_channels:
        msg = f"in_channels is {layer.in_channels} but {in_channels} channels come in"
        hint = f"set in_channels to {in_channels} or change the layer before"
        raise LayerError(msg, hint=hint, problem=Problem.CHANNELS, given=layer.in_channels, channels=in_channels)
    for what, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % layer.groups:
            msg = f"{what} {channels} is not divisible by groups {layer.groups} (torch.nn)"
            hint = f"use a groups value that divides {in_channels} and {out_channels}"
            raise LayerError(msg, hint=hint, problem=Problem.CHANNELS, channels=channels, groups=layer.groups)


def _smallest_input(layer: LayerSpec, axis: int, before: int, after: int) -> int:
    """Return the smallest input size this axis accepts, for the hint of a size it refuses."""
    k, d, s = layer.kernel_size[axis], layer.dilation[axis], layer.stride[axis]
    if layer.kind.is_transposed:
        return formulas.smallest_transposed_input(k, s, before, after, d, layer.output_padding[axis])
    return formulas.smallest_window_input(k, s, before, after, d, ceil_mode=layer.ceil_mode)


def _axis_output(layer: LayerSpec, axis: int, size: int, before: int, after: int) -> int:
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    if layer.kind.is_transposed:
        return convtranspose_output_size(size, k, s, before, after, d, layer.output_padding[axis])
    if layer.kind.is_pool:
        return pool_output_size(size, k, s, before, after, d, ceil_mode=layer.ceil_mode)
    return conv_output_size(size, k, s, before, after, d)


def _check_parameters(layer: LayerSpec, axis: int, size: int, before: int, after: int) -> None:
    """Raise the refusals torch.nn checks before any output size, whatever the size."""
    del size
    _parameter_rules(layer, axis, before, after)


def _parameter_rules(layer: LayerSpec, axis: int, before: int, after: int) -> None:
    """Raise the refusals torch.nn checks before any output size: pool padding, output_padding."""
    name = axis_names(layer.rank)[axis]
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    if layer.kind.is_pool:
        limit = formulas.pool_padding_limit(k)  # raw kernel, dilation ignored, every rank (checked on torch 2.13)
        worst = max(before, after)
        if worst > limit:
            msg = f"padding {worst} is more than half the kernel {k} (torch.nn pools allow at most {limit})"
            hint = f"use padding <= {limit} or a kernel >= {2 * worst}"
            raise LayerError(msg, axis=name, hint=hint, problem=Problem.POOL_PADDING, padding=worst, limit=limit)
    if layer.kind.is_transposed:
        a = layer.output_padding[axis]
        if not formulas.output_padding_allowed(a, s, d):
            msg = f"output_padding {a} must be smaller than the stride {s} or the dilation {d} (torch.nn)"
            most = formulas.largest_output_padding(s, d)
            hint = f"use output_padding <= {most}"
            raise LayerError(msg, axis=name, hint=hint, problem=Problem.OUTPUT_PADDING, output_padding=a, largest=most)


def refuses_by_avgpool3d(layer: LayerSpec) -> bool:
    """Whether the layer is an AvgPool3d: it refuses inputs smaller than its kernel (`avgpool3d_accepts`)."""
    return layer.kind.averages and layer.rank == 3  # noqa: PLR2004 - three spatial axes (lp_pool3d is avg_pool3d)


def _check_input(layer: LayerSpec, axis: int, size: int, before: int, after: int) -> None:
    """Raise the refusals of an input size before any output: padding modes, AvgPool3d's own rule."""
    k = layer.kernel_size[axis]
    worst = max(before, after)
    if not formulas.padding_mode_accepts(layer.padding_mode, worst, size):
        limit = "less than" if layer.padding_mode == "reflect" else "at most"
        msg = f"{layer.padding_mode} padding {worst} must be {limit} the input size {size} (torch.nn)"
        hint = f"use padding <= {size - 1 if layer.padding_mode == 'reflect' else size} or a larger input"
        name = axis_names(layer.rank)[axis]
        raise LayerError(msg, axis=name, hint=hint, problem=Problem.PADDING_MODE, padding=worst, size=size)
    if refuses_by_avgpool3d(layer) and not formulas.avgpool3d_accepts(size, k):
        msg = f"input {size} is smaller than the kernel {k} (AvgPool3d refuses this, padding or not)"
        hint = f"use an input of at least {k} or a kernel <= {size}"
        name = axis_names(layer.rank)[axis]
        raise LayerError(msg, axis=name, hint=hint, problem=Problem.INPUT_BELOW_KERNEL, size=size, kernel=k)


MAX_RESULT = 10**4000
"""Results stop here: far past any framework's tensor sizes, and still quick to print in full."""


def _check_output(layer: LayerSpec, axis: int, size: int, before: int, after: int) -> None:
    """Raise the refusal of an output size below 1, with the smallest input or largest padding that works."""
    out = _axis_output(layer, axis, size, before, after)
    if out >= MAX_RESULT:
        msg = "output size has more than 4000 digits: far beyond any framework's tensor sizes"
        hint = "use smaller sizes or strides"
        raise LayerError(msg, axis=axis_names(layer.rank)[axis], hint=hint, problem=Problem.OUTPUT_TOO_LARGE)
    if out >= 1:
        return
    k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
    smallest = _smallest_input(layer, axis, before, after)
    if layer.kind.is_transposed:
        most = (convtranspose_output_size(size, k, s, 0, 0, d, layer.output_padding[axis]) - 1) // 2  # pads still >= 1
        made = out + before + after
        msg = (
            f"output size {out} < 1: padding {before}+{after} crops more than the layer makes ({made} before cropping)"
        )
        hint = f"use padding <= {most} per side or an input of at least {smallest}"
    else:
        span = effective_kernel(k, d)
        msg = (
            f"output size {out} < 1: input {size} + padding {before + after} is smaller than the dilated kernel {span}"
        )
        hint = f"use an input of at least {smallest}"
        if not layer.kind.is_pool:  # a convolution: more padding helps (a pool's is at most half its kernel)
            least = -(-formulas.conv_padding_for(size, k, s, d, 1) // 2)
            hint += f", padding of at least {least} per side, or a smaller kernel"
    name = axis_names(layer.rank)[axis]
    raise LayerError(msg, axis=name, hint=hint, problem=Problem.OUTPUT_BELOW_ONE, output=out, smallest_input=smallest)


CHECKS = (_check_parameters, _check_input, _check_output)
"""torch.nn's checks in its own order: every axis passes one before any axis meets the next."""


def check_rules(layer: LayerSpec, in_channels: int) -> tuple[int, PaddingPairs]:
    """Check what torch.nn refuses whatever the input size; return the output channels and the padding."""
    out_channels = in_channels if layer.out_channels is None else layer.out_channels
    _check_channels(layer, in_channels, out_channels)
    padding = resolve_padding(layer)
    errors = []
    for axis in range(layer.rank):
        try:
            _parameter_rules(
                layer if layer.output_size is None else replace(layer, output_padding=(0,) * layer.rank),
                axis,
                *padding[axis],
            )
        except LayerError as error:
            errors.append(error)
    if errors:
        raise _merge_axis_errors(errors)
    return out_channels, padding


def layer_shape(layer: LayerSpec, shape: AxisValues) -> LayerShape:
    """Compute what a layer does to a full input shape, or raise the LayerError torch.nn would give."""
    _, in_channels, *spatial = shape
    out_channels = in_channels if layer.out_channels is None else layer.out_channels
    _check_channels(layer, in_channels, out_channels)  # torch.nn checks groups before padding='same'
    if layer.framework is not Framework.TORCH:
        from convcalc.core.frameworks import resolve  # only other frameworks' layers need it

        padding, extra, sizes, notes = resolve(layer, tuple(spatial))
        return replace(_finish(replace(layer, output_padding=extra), shape, padding, sizes, out_channels), notes=notes)
    padding = resolve_padding(layer)
    if layer.output_size is not None:
        layer = replace(layer, output_padding=output_padding_for(layer, tuple(spatial), padding))
    for check in CHECKS:
        errors = []
        for axis, size in enumerate(spatial):
            try:
                check(layer, axis, size, *padding[axis])
            except LayerError as error:
                errors.append(error)
        if errors:
            raise _merge_axis_errors(errors)
    outs = tuple(_axis_output(layer, axis, size, *padding[axis]) for axis, size in enumerate(spatial))
    return _finish(layer, shape, padding, outs, out_channels)


def _finish(
    layer: LayerSpec, shape: AxisValues, padding: PaddingPairs, sizes: AxisValues, out_channels: int
) -> LayerShape:
    """Count the unread cells and the weights of a layer whose padding and output sizes are known."""
    batch, in_channels, *spatial = shape
    gaps: list[AxisGaps | None] = []
    seen: dict[tuple[int, ...], AxisGaps | None] = {}
    for axis, size in enumerate(spatial):
        before, after = padding[axis]
        out = sizes[axis]
        k, s, d = layer.kernel_size[axis], layer.stride[axis], layer.dilation[axis]
        key = (size, k, s, before, after, d)
        if key not in seen:  # a square layer on a square input is the same on every axis
            if layer.kind.is_transposed:
                seen[key] = convtranspose_gaps(size, k, s, before, d, out)
            else:
                seen[key] = conv_gaps(size, k, s, before, d, out)
        gaps.append(seen[key])
    weight, params = _weights(layer, in_channels, out_channels)
    return LayerShape(
        input=tuple(shape),
        output=(batch, out_channels, *sizes),
        padding=padding,
        output_padding=layer.output_padding,
        weight_shape=weight,
        params=params,
        gaps=tuple(gaps),
    )


def _weights(layer: LayerSpec, in_channels: int, out_channels: int) -> tuple[AxisValues | None, int]:
    """Return the weight shape (Conv: Cout x Cin/g x k; ConvTranspose: Cin x Cout/g x k) and the parameter count."""
    if layer.kind.is_pool:
        return None, 0
    if layer.kind.is_transposed:
        weight = (in_channels, out_channels // layer.groups, *layer.kernel_size)
    else:
        weight = (out_channels, in_channels // layer.groups, *layer.kernel_size)
    return weight, prod(weight) + (out_channels if layer.bias else 0)


def output_padding_for(layer: LayerSpec, sizes: AxisValues, padding: PaddingPairs) -> AxisValues:
    """Return the output_padding that gives layer.output_size, as ConvTranspose's forward(output_size=) does.

    The reachable sizes run from (i-1)*s - pads + e to that plus s - 1; outside them torch.nn
    raises "requested an output size of ..., but valid sizes range from ... to ...".
    """
    target = layer.output_size or ()
    ranges = [
        formulas.output_size_range(sizes[a], layer.kernel_size[a], layer.stride[a], *padding[a], layer.dilation[a])
        for a in range(layer.rank)
    ]
    if all(low <= want <= high for (low, high), want in zip(ranges, target, strict=True)):
        return tuple(want - low for (low, _), want in zip(ranges, target, strict=True))
    smallest, largest = [low for low, _ in ranges], [high for _, high in ranges]
    msg = f"requested an output size of {list(target)}, but valid sizes range from {smallest} to {largest}"
    hint = f"for an input of {list(sizes)} (torch.nn); pick output_size in that range or change stride or padding"
    problem = Problem.OUTPUT_SIZE_UNREACHABLE
    raise LayerError(msg, hint=hint, problem=problem, smallest=tuple(smallest), largest=tuple(largest))


def _merge_axis_errors(errors: list[LayerError]) -> LayerError:
    """Name every axis that fails the same way in one error; otherwise report the first axis."""
    first = errors[0]
    same = [e for e in errors if (e.message, e.hint) == (first.message, first.hint)]
    if len(same) == len(errors) and len(errors) > 1:
        return first.with_axes([a for e in errors for a in e.axes])
    return first
