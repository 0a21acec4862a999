"""The design commands: solve, explain and port, on a layer given by flags or a layer of a network file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from convcalc import ExitCode, InputError, LayerError, LayerKind, LayerSpec, NetworkSpec, api
from convcalc.api import AnyLayer, Format, check_outputs, write_bytes_atomically
from convcalc.cli.arguments import decide_rank, parse_axes, parse_int, parse_range
from convcalc.cli.flags import layer_kind
from convcalc.cli.layer_flags import framework_flag, network_from_flags, pool_kind, require_layer_flags
from convcalc.cli.process import say, write_out
from convcalc.cli.reporting import output_format, reporting
from convcalc.cli.terminal import render_options


@reporting
def solve(  # noqa: PLR0913 - the flags of solve
    *,
    kind: str,
    size: str,
    target: str | None = None,
    output: str | None = None,
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
    from convcalc.cli.progress import ProgressBar

    chosen = output_format(fmt)
    chosen_kind = layer_kind(kind)
    if chosen_kind is None:
        raise InputError(f"expected conv, convt or pool, got {kind!r}", where="KIND")
    if chosen_kind.is_pool:
        chosen_kind = pool_kind(mode)
    rank_given = None if dims is None else parse_int(dims, "--dims")
    if rank_given is not None and rank_given not in (1, 2, 3):
        raise InputError(f"expected 1, 2 or 3, got {rank_given}", where="--dims")
    values = {"--input": parse_axes(size, "--input"), "--target": parse_axes(_wanted(target, output), "--target")}
    rank = decide_rank(values, rank_given)
    sizes, targets = (v * rank if len(v) == 1 else v for v in values.values())
    limits: dict[str, Any] = {
        "kernel": parse_range(kernel, "--kernel"),
        "stride": parse_range(stride, "--stride"),
        "dilation": parse_range(dilation, "--dilation"),
        "max_padding": parse_int(max_padding, "--max-padding", minimum=0),
        "symmetric_only": symmetric_only,
        "framework": framework_flag(framework, "--framework"),
    }
    with ProgressBar("trying layers") as tick:
        solutions = api.solve(chosen_kind, sizes, targets, tick=tick, **limits)
    shown = solutions[: parse_int(limit, "--limit")]
    if solutions or chosen is Format.JSON:
        write_out(api.render_solutions(shown, chosen_kind, chosen, render_options()), chosen)
    if solutions:
        return ExitCode.OK
    failing: dict[tuple[int, int], list[str]] = {}
    for name, size_in, want in zip(api.axis_names(rank), sizes, targets, strict=True):
        failing.setdefault((size_in, want), []).append(name)
    for (size_in, want), axes_named in failing.items():
        with ProgressBar("finding the nearest sizes") as tick:
            below, above = api.nearest_sizes(chosen_kind, size_in, want, tick=tick, **limits)
        sides = [f"{below} below" if below is not None else "", f"{above} above" if above is not None else ""]
        nearest = ", ".join(side for side in sides if side)
        say(
            f"{api.axes_label(axes_named)}: no {chosen_kind} within kernel {_span(limits['kernel'])}, "
            f"stride {_span(limits['stride'])}, dilation {_span(limits['dilation'])}, "
            f"padding <= {limits['max_padding']} maps {size_in} to {want}; nearest reachable: {nearest or 'none'}"
        )
    return ExitCode.LAYER_INVALID


@reporting
def explain(  # the flags of explain
    *,
    what: str,
    layer: str | None = None,
    matrix: bool = False,
    svg: str | None = None,
    gif: str | None = None,
    html: str | None = None,
    **flags: Any,  # noqa: ANN401 - Typer's parsed flags, checked by network_from_flags
) -> int:
    """Draw how one layer computes its output: windows, the transposed recipe, the matrix view; GIF and page too."""
    kind = layer_kind(what)
    flags = {key: value for key, value in flags.items() if value is not None and value is not False}
    check_outputs({"FILE": what} if kind is None else {}, {"--svg": svg, "--gif": gif, "--html": html})
    if kind is not None:
        spec, shape, label, title = _flag_layer(what, kind, layer, flags)
    elif layer is None and html is not None:
        _refuse_layer_flags(flags)
        if gif is not None or svg is not None or matrix:
            raise InputError("--gif, --svg and --matrix draw one layer: add --layer N", where="--layer")
        write_bytes_atomically(html, api.network_page(api.read_network(what)).encode("utf-8"))
        return ExitCode.OK
    else:
        _refuse_layer_flags(flags)
        if layer is None:
            raise InputError("which layer? add --layer N (its index, from 1, or its name)", where="--layer")
        try:
            spec, shape, label = api.layer_to_draw(api.read_network(what), layer)
        except LayerError as refused:
            say(f"{what}: {refused}")
            return ExitCode.LAYER_INVALID
        title = label
    return _draw(spec, shape, (label, title), matrix=matrix, outputs=(svg, gif, html))


def _draw(
    spec: AnyLayer,
    shape: tuple[int, ...],
    names: tuple[str, str],
    *,
    matrix: bool,
    outputs: tuple[str | None, str | None, str | None],
) -> int:
    """Print the picture of one layer and write the SVG, GIF and page asked for (all made before any is written)."""
    label, title = names
    svg, gif, html = outputs
    if not isinstance(spec, LayerSpec):
        raise InputError(f"explain draws conv, convtranspose and pool layers, not {spec.kind}", where="--layer")
    try:
        sections = api.explain(spec, shape, matrix=matrix)
    except LayerError as refused:
        say(f"{label}: {refused}")
        return ExitCode.LAYER_INVALID
    files = []  # made before anything is written or printed
    if svg is not None:
        files.append((svg, api.explanation_svg(sections, f"convcalc explain: {label}", 100).encode("utf-8")))
    if gif is not None:
        files.append((gif, api.layer_gif(spec, shape)))
    if html is not None:
        files.append((html, api.layer_page(spec, shape, title).encode("utf-8")))
    for path, data in files:  # written before the picture is printed: a file that cannot be written stops it all
        write_bytes_atomically(path, data)
    write_out(api.render_explanation(sections, render_options()))
    return ExitCode.OK


def _flag_layer(
    what: str, kind: LayerKind, layer: str | None, flags: dict[str, Any]
) -> tuple[AnyLayer, tuple[int, ...], str, str]:
    """Return the layer the flags give, its input, its label and the pictures' title (the layer as its flags say it)."""
    require_layer_flags("explain", what, flags)
    if layer is not None:
        raise InputError("--layer picks a layer of a network file, not of a flag-given layer", where="--layer")
    network = network_from_flags(kind, **flags)
    written = (f"--{key.replace('_', '-')}" + ("" if value is True else f" {value}") for key, value in flags.items())
    return network.layers[0], network.input, network.source, " ".join([what, *written])


def _refuse_layer_flags(flags: dict[str, Any]) -> None:
    """Refuse layer flags given with a network file: its layers say their own numbers."""
    given = [f"--{key.replace('_', '-')}" for key, value in flags.items() if value not in (None, False)]
    if given:
        raise InputError(f"layer flags ({', '.join(given)}) go with conv, convt or pool, not a file", where=given[0])


@reporting
def port(
    *,
    what: str,
    source: str | None = None,
    target_framework: str = "torch",
    port_format: str = "table",
    **flags: Any,  # noqa: ANN401 - Typer's parsed flags, checked by network_from_flags
) -> int:
    """Print the layers of the target framework that give exactly what a layer (or a network file) gives."""
    chosen = api.port_format(port_format)
    target = framework_flag(target_framework, "--to")
    kind = layer_kind(what)
    options = render_options()
    if kind is None:
        network = _port_file(what, source, flags)
        try:
            ported = api.port_network(network, target)
        except LayerError as error:
            say(f"{network.source}: {error}")
            return ExitCode.LAYER_INVALID
        write_out(api.render_port(ported, chosen, options), chosen)
        return ExitCode.OK
    flags = {k: v for k, v in flags.items() if v is not None and v is not False}
    require_layer_flags("port", what, flags)
    flags["framework"] = framework_flag(source or "torch", "--from").value
    network = network_from_flags(kind, **flags)
    layer = network.layers[0]
    assert isinstance(layer, LayerSpec)  # built from layer flags
    try:
        one = api.port(layer, network.input, target)
    except LayerError as error:  # the layer's own reason, without a layer number
        say(f"{layer.framework} {layer.kind.value}: {error}")
        return ExitCode.LAYER_INVALID
    whole = api.port_network(network, target) if chosen == "yaml" else one
    write_out(api.render_port(whole, chosen, options), chosen)
    return ExitCode.OK


def _port_file(path: str, source: str | None, flags: dict[str, Any]) -> NetworkSpec:
    """Read the network file to port; --from must agree with its `framework:`."""
    if path != "-" and not path.lower().endswith((".yaml", ".yml")) and not Path(path).exists():
        raise InputError(f"expected conv, convt, pool or a network file, got {path!r}", where="KIND")
    layer_flags = [name for name in ("size", "kernel") if flags.get(name)]
    if layer_flags:
        raise InputError(
            "layer flags go with conv, convt or pool; a network file brings its own", where="--" + layer_flags[0]
        )
    network = api.read_network(path)
    if source is not None and framework_flag(source, "--from") is not network.framework:
        raise InputError(f"{path} says framework: {network.framework}", where="--from")
    return network


def _wanted(target: str | None, output: str | None) -> str:
    """Return solve's wanted output size: --target, or its old spelling -o/--output (with a warning)."""
    if target is not None and output is not None:
        raise InputError("give the wanted size once, with -t/--target", where="--output")
    if output is not None:
        say("convcalc solve: warning: -o/--output is now -t/--target (-o names an output file everywhere else)")
        return output
    if target is None:
        raise InputError("give the wanted output size, e.g. -t 112", where="--target")
    return target


def _span(bounds: tuple[int, int]) -> str:
    return str(bounds[0]) if bounds[0] == bounds[1] else f"{bounds[0]}..{bounds[1]}"
