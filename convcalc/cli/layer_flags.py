"""A layer, an input shape or a framework from the flags of a command, each flag checked and named when wrong."""

from __future__ import annotations

from typing import Any

from convcalc import Framework, InputError, LayerKind, LayerSpec, NetworkSpec
from convcalc.cli.arguments import decide_rank, parse_axes, parse_int, parse_padding, parse_shape
from convcalc.cli.keys import flag_for

POOL_MODES = {"max": LayerKind.MAXPOOL, "avg": LayerKind.AVGPOOL, "lp": LayerKind.LPPOOL}
"""The pools `--mode` picks: max, average, and Lp (torch.nn.LPPool, ONNX's LpPool)."""


def pool_kind(mode: str) -> LayerKind:
    """Return the pool `--mode` names, or raise InputError."""
    if mode.lower() not in POOL_MODES:
        raise InputError(f"expected max, avg or lp, got {mode!r}", where="--mode")
    return POOL_MODES[mode.lower()]


def network_from_flags(  # noqa: PLR0913 - the flags of one layer, each checked
    kind: LayerKind,
    *,
    size: str,
    kernel: str,
    stride: str | None = None,
    padding: str = "0",
    dilation: str = "1",
    dims: str | None = None,
    batch: str = "1",
    channels: str = "1",
    output_padding: str | None = None,
    out_channels: str | None = None,
    groups: str = "1",
    bias: bool = True,
    ceil: bool = False,
    mode: str = "max",
    target: str | None = None,
    framework: str = "torch",
) -> NetworkSpec:
    """Build the one-layer network that a layer command's flags describe."""
    try:
        rules = Framework.parse(framework) if framework else Framework.TORCH
    except InputError as error:
        raise error.located(where="--framework") from None
    if kind.is_pool:
        kind = pool_kind(mode)
    rank_given = None if dims is None else parse_int(dims, "--dims")
    if rank_given is not None and rank_given not in (1, 2, 3):
        raise InputError(f"expected 1, 2 or 3, got {rank_given}", where="--dims")
    values: dict[str, tuple[Any, ...]] = {
        "--input": parse_axes(size, "--input"),
        "--kernel": parse_axes(kernel, "--kernel"),
        "--dilation": parse_axes(dilation, "--dilation"),
        "--output-padding": parse_axes(output_padding or "0", "--output-padding", minimum=0),
    }
    if stride is not None:
        values["--stride"] = parse_axes(stride, "--stride")
    if target is not None:
        values["--target"] = parse_axes(target, "--target")
    pad = parse_padding(padding, "--padding")
    if not isinstance(pad, str):
        values["--padding"] = pad
    rank = decide_rank(values, rank_given)

    def axes(flag: str) -> tuple[int, ...]:
        value = values[flag]
        return value * rank if len(value) == 1 else value

    try:
        spec = LayerSpec.create(
            kind,
            axes("--kernel"),
            rank=rank,
            stride=None if stride is None else axes("--stride"),
            padding=pad if isinstance(pad, str) else axes("--padding"),
            dilation=axes("--dilation"),
            output_padding=None if output_padding is None else axes("--output-padding"),
            ceil_mode=ceil,
            groups=parse_int(groups, "--groups"),
            bias=bias,
            out_channels=None if out_channels is None else parse_int(out_channels, "--out-channels"),
            output_size=None if target is None else axes("--target"),
            framework=rules,
        )
        shape = (parse_int(batch, "--batch"), parse_int(channels, "--channels"), *axes("--input"))
        return NetworkSpec(input=shape, layers=(spec,), source=f"{kind.value} layer")
    except InputError as error:
        if error.where.startswith("--"):
            raise
        raise error.located(where=flag_for(error.where)) from None


def input_override(text: str | None) -> tuple[int, ...] | None:
    """Parse --input of a network command (the whole shape N, C, spatial), when it is given."""
    return None if text is None else parse_shape(text, "--input")


def require_layer_flags(command: str, what: str, flags: dict[str, Any]) -> None:
    """Refuse a layer from flags without its input size or its kernel."""
    for needed, flag in (("size", "--input"), ("kernel", "--kernel")):
        if needed not in flags:
            raise InputError(f"{command} {what} needs {flag}", where=flag)


def framework_flag(text: str, flag: str) -> Framework:
    """Parse a framework's name given to `flag` (--framework, --from, --to)."""
    try:
        return Framework.parse(text)
    except InputError as error:
        raise error.located(where=flag) from None
