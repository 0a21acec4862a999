"""Every torch.nn size rule and its inverse, on plain integers: the one place each is written.

The functions take the torch.nn parameters of one axis (input size i, kernel k, stride s,
padding before pb and after pa, dilation d, output_padding a) and know nothing of layers,
files or messages. Python integers make every size exact at any magnitude; results may
be below 1, and the callers decide what torch.nn refuses.
"""

from __future__ import annotations


def effective_kernel(kernel: int, dilation: int) -> int:
    """Return the span of a dilated kernel, d*(k-1)+1."""
    return dilation * (kernel - 1) + 1


def conv_output_size(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    """Return floor((i + pb + pa - e) / s) + 1, as Conv1d/2d/3d compute it (may be < 1)."""
    return (size + before + after - effective_kernel(kernel, dilation)) // stride + 1


def convtranspose_output_size(  # one argument per torch.nn parameter
    size: int, kernel: int, stride: int, before: int, after: int, dilation: int, output_padding: int
) -> int:
    """Return (i-1)*s - (pb+pa) + e + a, as ConvTranspose1d/2d/3d compute it (may be < 1)."""
    return (size - 1) * stride - (before + after) + effective_kernel(kernel, dilation) + output_padding


def pool_output_size(  # one argument per torch.nn parameter
    size: int, kernel: int, stride: int, before: int, after: int, dilation: int, *, ceil_mode: bool
) -> int:
    """Return the pooled size as ATen's pooling_output_shape_pad_lr does (may be < 1).

    With ceil_mode the division rounds up (`windows_rounded_up`), and then the last window
    is dropped when it would start inside the right padding (`last_window_in_padding`).
    """
    if not ceil_mode:
        return conv_output_size(size, kernel, stride, before, after, dilation)
    out = windows_rounded_up(size, kernel, stride, before, after, dilation)
    return out - 1 if last_window_in_padding(out, stride, size, before) else out


def windows_toward_zero(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    """Return (i + pb + pa - e) / s + 1 with the division toward zero, as onnxruntime counts a pool's windows.

    It is floor's count where the padded input holds the kernel, and 1 where it falls short by less than s.
    """
    span = size + before + after - effective_kernel(kernel, dilation)
    return (span // stride if span >= 0 else -(-span // stride)) + 1


def windows_rounded_up(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    """Return ceil((i + pb + pa - e) / s) + 1, the windows of ceil_mode before the last one is checked."""
    return (size + before + after - effective_kernel(kernel, dilation) + stride - 1) // stride + 1  # // is div_rtn


def last_window_in_padding(count: int, stride: int, size: int, before: int) -> bool:
    """Whether the last of `count` pooling windows starts in the right padding, (o-1)*s >= i + pb.

    torch.nn drops that window under ceil_mode: "ensure that the last pooling starts inside
    the image" (ATen Pool.h).
    """
    return (count - 1) * stride >= size + before


def ceil_same_padding(size: int, kernel: int, stride: int, dilation: int, *, lower: bool) -> tuple[int, int]:
    """Pad to ceil(i/s) outputs, as TensorFlow, ONNX and JAX compute SAME: the odd zero after (before if lower)."""
    total = max(conv_padding_for(size, kernel, stride, dilation, -(-size // stride)), 0)
    small, large = total // 2, total - total // 2
    return (large, small) if lower else (small, large)


def same_padding(kernel: int, dilation: int) -> tuple[int, int]:
    """Split the total d*(k-1) of padding='same' as torch.nn does: the odd extra zero goes after."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def pool_padding_limit(kernel: int) -> int:
    """Return the most padding on one side that a torch.nn pool takes: half the raw kernel (dilation ignored)."""
    return kernel // 2


def onnx_pool_padding_limit(kernel: int) -> int:
    """Return the most padding on one side that onnxruntime's pools take: less than the kernel."""
    return kernel - 1


def output_padding_allowed(output_padding: int, stride: int, dilation: int) -> bool:
    """Whether torch.nn's ConvTranspose takes this output_padding: 0 <= a, and a < s or a < d."""
    return output_padding >= 0 and (output_padding < stride or output_padding < dilation)


def largest_output_padding(stride: int, dilation: int) -> int:
    """Return the largest output_padding torch.nn's ConvTranspose takes, max(s, d) - 1."""
    return max(stride, dilation) - 1


def output_padding_for(size: int, kernel: int, stride: int, before: int, after: int, dilation: int, target: int) -> int:
    """Return the output_padding that makes a transposed layer give `target`: the inverse of its size rule.

    It may be negative or too large; `output_padding_allowed` says whether torch.nn takes it.
    """
    return target - convtranspose_output_size(size, kernel, stride, before, after, dilation, 0)


def output_size_range(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> tuple[int, int]:
    """Return the sizes ConvTranspose's forward(output_size=...) reaches: output_padding 0 to s - 1."""
    smallest = convtranspose_output_size(size, kernel, stride, before, after, dilation, 0)
    return smallest, smallest + stride - 1


def conv_padding_for(size: int, kernel: int, stride: int, dilation: int, target: int) -> int:
    """Return the least total padding pb + pa that makes a convolution give `target`: the inverse of its rule.

    floor((i + P - e) / s) + 1 == o holds for exactly the totals P from this value to this value + s - 1.
    """
    return (target - 1) * stride + effective_kernel(kernel, dilation) - size


def avgpool3d_accepts(size: int, kernel: int) -> bool:
    """Whether AvgPool3d takes an input this size: it refuses one smaller than the kernel, padding or not."""
    return size >= kernel


def smallest_window_input(kernel: int, stride: int, before: int, after: int, dilation: int, *, ceil_mode: bool) -> int:
    """Return the smallest input a conv or pool turns into an output of at least 1 (may be <= 0: every size).

    The padded input must hold the dilated kernel; a pool rounding up needs only a window that
    starts inside it, s - 1 fewer cells.
    """
    reach = stride - 1 if ceil_mode else 0
    return effective_kernel(kernel, dilation) - before - after - reach


def smallest_transposed_input(  # one argument per torch.nn parameter
    kernel: int, stride: int, before: int, after: int, dilation: int, output_padding: int
) -> int:
    """Return the smallest input a transposed layer turns into an output of at least 1: (i-1)*s - pads + e + a >= 1."""
    need = before + after + 1 - effective_kernel(kernel, dilation) - output_padding  # > 0: some size fails
    return -(-need // stride) + 1


def window_span(count: int, kernel: int, stride: int, dilation: int) -> int:
    """Return how many padded cells `count` windows cover from the first cell: (n-1)*s + e."""
    return (count - 1) * stride + effective_kernel(kernel, dilation)


def equivalent_padding(kernel: int, dilation: int, padding: int) -> int:
    """Return d*(k-1) - p: a transposed layer's padding as the direct convolution over the stretched input pads it.

    Relationship 14 of the convolution arithmetic guide (p' = k - p - 1), with dilation; the
    rule is its own inverse, and a negative result is a crop.
    """
    return dilation * (kernel - 1) - padding


def stretched_size(size: int, stride: int) -> int:
    """Return (i-1)*s + 1: the input of a transposed layer with s - 1 zeros between its cells."""
    return (size - 1) * stride + 1


def padding_mode_accepts(mode: str, padding: int, size: int) -> bool:
    """Whether torch.nn's Conv pads an input this size in this mode: reflect needs p < i, circular p <= i."""
    if mode == "reflect":
        return padding < size
    if mode == "circular":
        return padding <= size
    return True
