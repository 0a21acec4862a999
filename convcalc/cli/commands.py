"""What each command does, with its flags as strings and its exit code as the result.

No Typer here: the Typer app (app.py) and the fast path (fastpath.py) both parse argv into
these keyword arguments and call the same functions. Input errors become one stderr line
each and exit code 2; impossible layers exit 1. This is the single place that decides.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from convcalc.cli.arguments import decide_rank, parse_axes, parse_int, parse_padding, parse_range, parse_shape
from convcalc.cli.entry import say
from convcalc.core.analysis import LayerResult, StackResult, Status, analyze
from convcalc.core.errors import ExitCode, InputError, InputErrorGroup, LayerError, axes_label
from convcalc.core.spec import AnyLayer, Framework, LayerKind, LayerSpec, NetworkSpec, axis_names
from convcalc.netfile.files import is_standard_stream, write_text_atomically
from convcalc.render.stack import RENDERERS, Format, RenderOptions


@dataclass(frozen=True, slots=True)
class Flag:
    """A command-line option: the parameter it sets, its spellings, and whether it takes a value."""

    param: str
    names: tuple[str, ...]
    takes_value: bool = True
    sets: bool = True  # for a switch: the value it stores


SHARED = (
    Flag("framework", ("--framework",)),
    Flag("size", ("-i", "--input")),
    Flag("kernel", ("-k", "--kernel")),
    Flag("stride", ("-s", "--stride")),
    Flag("padding", ("-p", "--padding")),
    Flag("dilation", ("-d", "--dilation")),
    Flag("dims", ("--dims",)),
    Flag("batch", ("--batch",)),
    Flag("channels", ("--channels",)),
    Flag("fmt", ("-f", "--format")),
)
WEIGHTS = (
    Flag("out_channels", ("--out-channels",)),
    Flag("groups", ("--groups",)),
    Flag("bias", ("--bias",), takes_value=False, sets=True),
    Flag("bias", ("--no-bias",), takes_value=False, sets=False),
)
FLAGS: dict[str, tuple[Flag, ...]] = {
    "conv": SHARED + WEIGHTS,
    "convt": (*SHARED, Flag("output_padding", ("-a", "--output-padding")), Flag("target", ("--target",)), *WEIGHTS),
    "pool": (*SHARED, Flag("ceil", ("--ceil",), takes_value=False), Flag("mode", ("--mode",))),
    "stack": (Flag("input_shape", ("-i", "--input")), Flag("fmt", ("-f", "--format"))),
    "check": (Flag("input_shape", ("-i", "--input")),),
    "schema": (),
    "explain": (
        *(flag for flag in SHARED if flag.param != "fmt"),
        Flag("output_padding", ("-a", "--output-padding")),
        Flag("target", ("--target",)),
        Flag("ceil", ("--ceil",), takes_value=False),
        Flag("mode", ("--mode",)),
        Flag("layer", ("--layer",)),
        Flag("matrix", ("--matrix",), takes_value=False),
        Flag("svg", ("--svg",)),
    ),
    "mirror": (Flag("input_shape", ("-i", "--input")), Flag("out", ("-o", "--output"))),
    "port": (
        *(flag for flag in SHARED if flag.param not in ("framework", "fmt")),
        Flag("source", ("--from",)),
        Flag("target_framework", ("--to",)),
        Flag("output_padding", ("-a", "--output-padding")),
        Flag("ceil", ("--ceil",), takes_value=False),
        Flag("mode", ("--mode",)),
        Flag("out_channels", ("--out-channels",)),
        Flag("groups", ("--groups",)),
        Flag("port_format", ("-f", "--format")),
    ),
    "sizes": (Flag("size_range", ("-r", "--range")), Flag("fmt", ("-f", "--format"))),
    "solve": (
        Flag("size", ("-i", "--input")),
        Flag("output", ("-o", "--output")),
        Flag("kernel", ("--kernel",)),
        Flag("stride", ("--stride",)),
        Flag("dilation", ("--dilation",)),
        Flag("max_padding", ("--max-padding",)),
        Flag("symmetric_only", ("--symmetric-only",), takes_value=False),
        Flag("mode", ("--mode",)),
        Flag("dims", ("--dims",)),
        Flag("limit", ("--limit",)),
        Flag("fmt", ("-f", "--format")),
        Flag("framework", ("--framework",)),
    ),
}
"""Every command's options; tests/cli/test_fastpath.py checks that the Typer app declares the same."""

ALIASES = {"conv-transpose": "convt", "deconv": "convt"}


def report(errors: InputError | InputErrorGroup) -> int:
    """Write input errors to stderr, one line each, and return exit code 2.

    A located error starts with its place (net.yaml:7:5: layers[2].stride: ...), as the
    contract shows; a flag's error says which flag (convcalc: error: --kernel: ...).
    """
    for error in errors.errors if isinstance(errors, InputErrorGroup) else (errors,):
        # file:line:col first, as compilers print it, so editors and CI problem matchers find it
        say(f"{error}" if error.location else f"convcalc: error: {error}")
    return ExitCode.BAD_INPUT


def reporting(command: Callable[..., int]) -> Callable[..., int]:
    """Turn a command's input errors into stderr lines and exit code 2.

    Ctrl-C and output failures end the run here too, with their own codes: Typer would turn
    them into 130 without a word, or 1 (an invalid layer) for a closed pipe.
    """

    def run(**kwargs: object) -> int:
        try:
            code = command(**kwargs)
            sys.stdout.flush()
        except (InputError, InputErrorGroup) as errors:
            return report(errors)
        except (OSError, KeyboardInterrupt) as error:
            from convcalc.cli.entry import stop_code  # noqa: PLC0415 - the process boundary decides

            stopped = stop_code(error)
            if stopped is None:
                raise
            return stopped
        return code

    run.__name__ = command.__name__
    run.__doc__ = command.__doc__
    return run


def render_options() -> RenderOptions:
    """Pick the table width and colour: the terminal's, or COLUMNS and plain text when piped."""
    tty = sys.stdout.isatty()
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    else:
        try:
            width = os.get_terminal_size(sys.stdout.fileno()).columns if tty else 100
        except OSError:
            width = 100
    return RenderOptions(width=width, color=tty and "NO_COLOR" not in os.environ)


def output_format(text: str) -> Format:
    """Parse --format."""
    try:
        return Format(text.lower())
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise InputError(f"expected one of {choices}, got {text!r}", where="--format") from None


def where(layer: LayerResult) -> str:
    """Return 'file:line:col: ' for a layer read from a file, else ''."""
    location = layer.spec.location
    return f"{location}: " if location else ""


def emit(result: StackResult, fmt: Format) -> int:
    """Print the result, then one stderr line per failing layer; return 0 or 1."""
    sys.stdout.write(RENDERERS[fmt](result, render_options()))
    for layer in result.failures:
        say(f"{where(layer)}{layer.message}")
    return ExitCode.OK if result.ok else ExitCode.LAYER_INVALID


@reporting
def layer(kind: LayerKind, *, fmt: str = "table", **flags: Any) -> int:  # noqa: ANN401
    """Analyse one layer given by its flags and print it."""
    chosen = output_format(fmt)
    return emit(analyze(network_from_flags(kind, **flags)), chosen)


def network_from_flags(  # noqa: PLR0913, C901 - the flags of one layer, each checked
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
        kinds = {"max": LayerKind.MAXPOOL, "avg": LayerKind.AVGPOOL}
        if mode.lower() not in kinds:
            raise InputError(f"expected max or avg, got {mode!r}", where="--mode")
        kind = kinds[mode.lower()]
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
        flag = {"kernel_size": "--kernel", "input": "--input", "output_size": "--target"}.get(
            error.where, f"--{error.where}"
        )
        raise error.located(where=flag.replace("_", "-")) from None


def _input_override(text: str | None) -> tuple[int, ...] | None:
    return None if text is None else parse_shape(text, "--input")


@reporting
def stack(*, file: str, input_shape: str | None = None, fmt: str = "table") -> int:
    """Analyse a network file and print it."""
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    chosen = output_format(fmt)
    network = read_network(file, input_shape=_input_override(input_shape))
    return emit(analyze(network), chosen)


@reporting
def check(*, files: list[str], input_shape: str | None = None) -> int:
    """Check network files: one summary line when all pass, every failure otherwise."""
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    override = _input_override(input_shape)
    failures, malformed, layers = 0, 0, 0
    for file in files:
        try:
            network = read_network(file, input_shape=override)
        except InputErrorGroup as errors:
            malformed += 1
            report(errors)
            continue
        result = analyze(network)
        layers += len(result.layers)
        for failed in result.failures:
            failures += 1
            say(f"{where(failed) or network.source + ': '}{failed.message}")
    noun = "file" if len(files) == 1 else "files"
    if malformed or failures:
        sys.stdout.write(
            f"convcalc check: {len(files)} {noun}: {failures} failing layer(s), {malformed} unreadable file(s)\n"
        )
        return ExitCode.BAD_INPUT if malformed else ExitCode.LAYER_INVALID
    sys.stdout.write(f"convcalc check: {len(files)} {noun}, {layers} layers, every shape as expected\n")
    return ExitCode.OK


def schema() -> int:
    """Print the JSON Schema of network files."""
    from convcalc.netfile.schema import schema_text  # noqa: PLC0415 - only this command needs it

    sys.stdout.write(schema_text())
    return ExitCode.OK


@reporting
def solve(  # noqa: PLR0913 - the flags of solve
    *,
    kind: str,
    size: str,
    output: str,
    kernel: str = "1..7",
    stride: str = "1..4",
    dilation: str = "1..3",
    max_padding: str = "4",
    symmetric_only: bool = False,
    mode: str = "max",
    dims: str | None = None,
    limit: str = "10",
    fmt: str = "table",
    framework: str = "torch",
) -> int:
    """Print every parameter set within limits that maps the input size to the output size, best first."""
    from convcalc.design.solve import SEARCH_WORK, Limits, reachable, search_size  # noqa: PLC0415
    from convcalc.design.solve import solve as find  # noqa: PLC0415
    from convcalc.render.design import render_solutions  # noqa: PLC0415

    chosen = output_format(fmt)
    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    if kind not in kinds:
        raise InputError(f"expected conv, convt or pool, got {kind!r}", where="KIND")
    layer_kind = kinds[kind]
    if layer_kind.is_pool:
        if mode.lower() not in ("max", "avg"):
            raise InputError(f"expected max or avg, got {mode!r}", where="--mode")
        layer_kind = LayerKind.MAXPOOL if mode.lower() == "max" else LayerKind.AVGPOOL
    rank_given = None if dims is None else parse_int(dims, "--dims")
    if rank_given is not None and rank_given not in (1, 2, 3):
        raise InputError(f"expected 1, 2 or 3, got {rank_given}", where="--dims")
    values = {"--input": parse_axes(size, "--input"), "--output": parse_axes(output, "--output")}
    rank = decide_rank(values, rank_given)
    sizes, targets = (v * rank if len(v) == 1 else v for v in values.values())
    limits = Limits(
        kernel=parse_range(kernel, "--kernel"),
        stride=parse_range(stride, "--stride"),
        dilation=parse_range(dilation, "--dilation"),
        max_padding=parse_int(max_padding, "--max-padding", minimum=0),
        symmetric_only=symmetric_only,
        framework=_framework_flag(framework, "--framework"),
    )
    span = search_size(layer_kind, limits)
    if span > SEARCH_WORK:
        msg = (
            f"the limits span {span:,} layers (kernels x strides x dilations x paddings, with output_padding or "
            f"ceil_mode); at most {SEARCH_WORK:,} are tried: narrow --kernel, --stride, --dilation or --max-padding"
        )
        widths = {
            "--kernel": limits.kernel[1] - limits.kernel[0],
            "--stride": limits.stride[1] - limits.stride[0],
            "--dilation": limits.dilation[1] - limits.dilation[0],
            "--max-padding": limits.max_padding,
        }
        raise InputError(msg, where=max(widths, key=lambda flag: widths[flag]))
    names = axis_names(rank)
    solutions = find(layer_kind, sizes, targets, limits, names)
    shown = solutions[: parse_int(limit, "--limit")]
    if solutions or chosen is Format.JSON:
        sys.stdout.write(render_solutions(shown, layer_kind, chosen, render_options()))
    if solutions:
        return ExitCode.OK
    failing: dict[tuple[int, int], list[str]] = {}
    for name, size_in, want in zip(names, sizes, targets, strict=True):
        failing.setdefault((size_in, want), []).append(name)
    for (size_in, want), axes_named in failing.items():
        outputs = reachable(layer_kind, size_in, limits)
        below = [o for o in outputs if o < want]
        above = [o for o in outputs if o > want]
        nearest = ", ".join(
            text for text in (f"{below[-1]} below" if below else "", f"{above[0]} above" if above else "") if text
        )
        label = axes_label(axes_named)
        say(
            f"{label}: no {layer_kind} within kernel {_span(limits.kernel)}, stride {_span(limits.stride)}, "
            f"dilation {_span(limits.dilation)}, padding <= {limits.max_padding} maps {size_in} to {want}; "
            f"nearest reachable: {nearest or 'none'}"
        )
    return ExitCode.LAYER_INVALID


@reporting
def mirror(*, file: str, input_shape: str | None = None, out: str | None = None) -> int:
    """Write the decoder that restores every shape of an encoder file, as a network file."""
    from convcalc.core.errors import LayerError  # noqa: PLC0415
    from convcalc.design.mirror import mirror as decoder_of  # noqa: PLC0415
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read
    from convcalc.netfile.writer import network_yaml  # noqa: PLC0415

    network = read_network(file, input_shape=_input_override(input_shape))
    try:
        decoder = decoder_of(analyze(network))
    except LayerError as error:
        say(f"{network.source}: cannot mirror: {error}")
        return ExitCode.LAYER_INVALID
    comment = (
        f"The decoder that mirrors {network.source}: every layer in reverse as a transposed convolution\n"
        "(same kernel, stride, padding, dilation), channels backwards, output_padding restoring each size."
    )
    text = network_yaml(decoder, comment)
    if out is None or is_standard_stream(out, 1):
        sys.stdout.write(text)
        return ExitCode.OK
    write_text_atomically(out, text)
    return ExitCode.OK


@reporting
def sizes(*, file: str, size_range: str = "1:1024", fmt: str = "table") -> int:
    """Print which input sizes a network accepts per axis, and which come back out at the same size."""
    from convcalc.cli.arguments import parse_size_ranges  # noqa: PLC0415
    from convcalc.core.errors import LayerError  # noqa: PLC0415
    from convcalc.design.sweep import AxisSizes, sweep  # noqa: PLC0415
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read
    from convcalc.render.design import render_sizes  # noqa: PLC0415

    chosen = output_format(fmt)
    network = read_network(file)
    names = axis_names(network.rank)
    ranges = parse_size_ranges(size_range, "--range")
    if len(ranges) not in (1, network.rank):
        msg = f"expected one range or {network.rank} (one per spatial axis), got {len(ranges)}"
        raise InputError(msg, where="--range")
    ranges = ranges * network.rank if len(ranges) == 1 else ranges
    try:
        swept = []
        done: dict[tuple[object, ...], AxisSizes] = {}
        for axis in range(network.rank):
            key = (ranges[axis], tuple(_axis_key(layer, axis) for layer in network.layers))
            if key not in done:  # square networks: sweep one axis, reuse it for the others
                done[key] = sweep(network, axis, names[axis], *ranges[axis])
            swept.append(replace(done[key], axis=names[axis]))
    except LayerError as error:
        say(f"{network.source}: no input size works: {error}")
        return ExitCode.LAYER_INVALID
    sys.stdout.write(render_sizes(network.source, swept, chosen, render_options()))
    if all(axis.accepted for axis in swept):
        return ExitCode.OK
    say(f"{network.source}: no input size in the range works on every axis")
    return ExitCode.LAYER_INVALID


def _axis_key(layer: AnyLayer, axis: int) -> tuple[object, ...]:
    """Return what a layer does on one axis, to tell axes that behave the same."""
    if not isinstance(layer, LayerSpec):
        return (axis, layer)  # never shared: the slow sweep looks at every axis
    padding = layer.padding if isinstance(layer.padding, str) else layer.padding[axis]
    target = None if layer.output_size is None else layer.output_size[axis]
    values = (layer.kernel_size, layer.stride, layer.dilation, layer.output_padding)
    return (layer.kind, layer.ceil_mode, padding, target, *(v[axis] for v in values))


@reporting
def explain(*, what: str, layer: str | None = None, matrix: bool = False, svg: str | None = None, **flags: Any) -> int:  # noqa: ANN401
    """Draw how one layer computes its output size: windows, the transposed recipe, the matrix view."""
    from convcalc.design.explain import explain_or_error  # noqa: PLC0415
    from convcalc.render.explain import explanation_svg, render_explanation  # noqa: PLC0415

    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    kinds |= dict.fromkeys(ALIASES, LayerKind.CONVTRANSPOSE)
    flags = {key: value for key, value in flags.items() if value is not None and value is not False}
    if what in kinds:
        _require_layer_flags("explain", what, flags)
        if layer is not None:
            raise InputError("--layer picks a layer of a network file, not of a flag-given layer", where="--layer")
        network = network_from_flags(kinds[what], **flags)
        spec, shape, label = network.layers[0], network.input, network.source
    else:
        try:
            spec, shape, label = _layer_of_file(what, layer, flags)
        except LayerError as refused:
            say(f"{what}: {refused}")
            return ExitCode.LAYER_INVALID
    if not isinstance(spec, LayerSpec):
        raise InputError(f"explain draws conv, convtranspose and pool layers, not {spec.kind}", where="--layer")
    sections = explain_or_error(spec, shape, matrix=matrix)
    if isinstance(sections, LayerError):
        say(f"{label}: {sections}")
        return ExitCode.LAYER_INVALID
    sys.stdout.write(render_explanation(sections, render_options()))
    if svg is not None:
        write_text_atomically(svg, explanation_svg(sections, f"convcalc explain: {label}", 100))
    return ExitCode.OK


def _require_layer_flags(command: str, what: str, flags: dict[str, Any]) -> None:
    """Refuse a layer from flags without its input size or its kernel."""
    for needed, flag in (("size", "--input"), ("kernel", "--kernel")):
        if needed not in flags:
            raise InputError(f"{command} {what} needs {flag}", where=flag)


def _layer_of_file(path: str, layer: str | None, flags: dict[str, Any]) -> tuple[AnyLayer, tuple[int, ...], str]:
    """Return the layer N of a network file, the shape coming into it and its label."""
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    given = [f"--{key.replace('_', '-')}" for key, value in flags.items() if value not in (None, False)]
    if given:
        raise InputError(f"layer flags ({', '.join(given)}) go with conv, convt or pool, not a file", where=given[0])
    if layer is None:
        raise InputError("which layer? add --layer N (its index, from 1, or its name)", where="--layer")
    network = read_network(path)
    result = analyze(network)
    for found in result.layers:
        if layer in (str(found.index), found.name):
            if found.input is None:
                raise InputError(f"{found.label} is not computed: {found.error}", where="--layer")
            if found.status is Status.INVALID:  # nothing to draw: say why, as stack does
                raise LayerError(f"{found.label}: {found.error}")
            return found.spec, found.input, f"{network.source}, {found.label}"
    raise InputError(f"no layer {layer!r} in {network.source} (it has {len(result.layers)})", where="--layer")


@reporting
def port(
    *,
    what: str,
    source: str | None = None,
    target_framework: str = "torch",
    port_format: str = "table",
    **flags: Any,  # noqa: ANN401
) -> int:
    """Print the layers of the target framework that give exactly what a layer (or a network file) gives."""
    from convcalc.design.port import port as port_layer  # noqa: PLC0415 - port loads only for this command
    from convcalc.design.port_network import port_network  # noqa: PLC0415
    from convcalc.render.port import render_layer, render_network  # noqa: PLC0415

    formats = ("table", "python", "json", "yaml")
    chosen = port_format.lower()
    if chosen not in formats:
        raise InputError(f"expected one of {', '.join(formats)}, got {port_format!r}", where="--format")
    target = _framework_flag(target_framework, "--to")
    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    options = render_options()
    if what not in kinds:
        network = _port_file(what, source, flags)
        try:
            ported = port_network(network, target)
        except LayerError as error:
            say(f"{network.source}: {error}")
            return ExitCode.LAYER_INVALID
        sys.stdout.write(render_network(ported, chosen, options))
        return ExitCode.OK
    flags = {k: v for k, v in flags.items() if v is not None and v is not False}
    _require_layer_flags("port", what, flags)
    flags["framework"] = _framework_flag(source or "torch", "--from").value
    network = network_from_flags(kinds[what], **flags)
    layer = network.layers[0]
    assert isinstance(layer, LayerSpec)  # noqa: S101 - built from layer flags
    try:
        one = port_layer(layer, network.input, target)
    except LayerError as error:  # the layer's own reason, without a layer number
        say(f"{layer.framework} {layer.kind.value}: {error}")
        return ExitCode.LAYER_INVALID
    if chosen == "yaml":
        sys.stdout.write(render_network(port_network(network, target), chosen, options))
    else:
        sys.stdout.write(render_layer(one, chosen, options))
    return ExitCode.OK


def _port_file(path: str, source: str | None, flags: dict[str, Any]) -> NetworkSpec:
    """Read the network file to port; --from must agree with its `framework:`."""
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    if not path.lower().endswith((".yaml", ".yml")) and not Path(path).exists():
        raise InputError(f"expected conv, convt, pool or a network file, got {path!r}", where="KIND")
    layer_flags = [name for name in ("size", "kernel") if flags.get(name)]
    if layer_flags:
        raise InputError(
            "layer flags go with conv, convt or pool; a network file brings its own", where="--" + layer_flags[0]
        )
    network = read_network(path)
    if source is not None and _framework_flag(source, "--from") is not network.framework:
        raise InputError(f"{path} says framework: {network.framework}", where="--from")
    return network


def _framework_flag(text: str, flag: str) -> Framework:
    try:
        return Framework.parse(text)
    except InputError as error:
        raise error.located(where=flag) from None


def _span(bounds: tuple[int, int]) -> str:
    return str(bounds[0]) if bounds[0] == bounds[1] else f"{bounds[0]}..{bounds[1]}"


def run(command: str, arguments: dict[str, object]) -> int:
    """Run a command by its name with parsed keyword arguments."""
    if command in ("conv", "convt", "pool"):
        kind = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}[command]
        return layer(kind=kind, **arguments)
    commands = {
        "stack": stack,
        "check": check,
        "schema": schema,
        "solve": solve,
        "mirror": mirror,
        "sizes": sizes,
        "explain": explain,
        "port": port,
    }
    return commands[command](**arguments)
