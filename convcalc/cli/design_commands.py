"""The design commands: solve, explain and port, on a layer given by flags or a layer of a network file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from convcalc.cli.arguments import decide_rank, parse_axes, parse_int, parse_range
from convcalc.cli.flags import ALIASES
from convcalc.cli.layer_flags import framework_flag, network_from_flags, pool_kind, require_layer_flags
from convcalc.cli.process import say, write_out
from convcalc.cli.reporting import output_format, reporting
from convcalc.cli.terminal import render_options
from convcalc.core.analysis import Status, analyze
from convcalc.core.errors import ExitCode, InputError, LayerError, axes_label
from convcalc.core.spec import AnyLayer, LayerKind, LayerSpec, NetworkSpec, axis_names
from convcalc.netfile.files import check_outputs, write_bytes_atomically
from convcalc.render.toolkit import Format


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
    from convcalc.cli.progress import ProgressBar  # noqa: PLC0415
    from convcalc.design.solve import SEARCH_WORK, Limits, nearest_reachable, search_size  # noqa: PLC0415
    from convcalc.design.solve import solve as find  # noqa: PLC0415
    from convcalc.render.design import render_solutions  # noqa: PLC0415

    chosen = output_format(fmt)
    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    if kind not in kinds:
        raise InputError(f"expected conv, convt or pool, got {kind!r}", where="KIND")
    layer_kind = kinds[kind]
    if layer_kind.is_pool:
        layer_kind = pool_kind(mode)
    rank_given = None if dims is None else parse_int(dims, "--dims")
    if rank_given is not None and rank_given not in (1, 2, 3):
        raise InputError(f"expected 1, 2 or 3, got {rank_given}", where="--dims")
    values = {"--input": parse_axes(size, "--input"), "--target": parse_axes(_wanted(target, output), "--target")}
    rank = decide_rank(values, rank_given)
    sizes, targets = (v * rank if len(v) == 1 else v for v in values.values())
    limits = Limits(
        kernel=parse_range(kernel, "--kernel"),
        stride=parse_range(stride, "--stride"),
        dilation=parse_range(dilation, "--dilation"),
        max_padding=parse_int(max_padding, "--max-padding", minimum=0),
        symmetric_only=symmetric_only,
        framework=framework_flag(framework, "--framework"),
    )
    span = search_size(layer_kind, limits)
    if span > SEARCH_WORK:
        msg = (
            f"the limits span {span:,} layer shapes (kernels x strides x dilations; paddings are solved for); "
            f"at most {SEARCH_WORK:,} are tried: narrow --kernel, --stride or --dilation"
        )
        widths = {
            "--kernel": limits.kernel[1] - limits.kernel[0],
            "--stride": limits.stride[1] - limits.stride[0],
            "--dilation": limits.dilation[1] - limits.dilation[0],
        }
        raise InputError(msg, where=max(widths, key=lambda flag: widths[flag]))
    names = axis_names(rank)
    with ProgressBar("trying layers") as tick:
        solutions = find(layer_kind, sizes, targets, limits, names, tick)
    shown = solutions[: parse_int(limit, "--limit")]
    if solutions or chosen is Format.JSON:
        write_out(render_solutions(shown, layer_kind, chosen, render_options()), chosen)
    if solutions:
        return ExitCode.OK
    failing: dict[tuple[int, int], list[str]] = {}
    for name, size_in, want in zip(names, sizes, targets, strict=True):
        failing.setdefault((size_in, want), []).append(name)
    for (size_in, want), axes_named in failing.items():
        with ProgressBar("finding the nearest sizes") as tick:
            below, above = nearest_reachable(layer_kind, size_in, want, limits, tick)
        sides = [f"{below} below" if below is not None else "", f"{above} above" if above is not None else ""]
        nearest = ", ".join(side for side in sides if side)
        label = axes_label(axes_named)
        say(
            f"{label}: no {layer_kind} within kernel {_span(limits.kernel)}, stride {_span(limits.stride)}, "
            f"dilation {_span(limits.dilation)}, padding <= {limits.max_padding} maps {size_in} to {want}; "
            f"nearest reachable: {nearest or 'none'}"
        )
    return ExitCode.LAYER_INVALID


@reporting
def explain(  # noqa: PLR0913 - the flags of explain
    *,
    what: str,
    layer: str | None = None,
    matrix: bool = False,
    svg: str | None = None,
    gif: str | None = None,
    html: str | None = None,
    **flags: Any,  # noqa: ANN401
) -> int:
    """Draw how one layer computes its output: windows, the transposed recipe, the matrix view; GIF and page too."""
    from convcalc.design.explain import explain_or_error  # noqa: PLC0415
    from convcalc.render.explain import explanation_svg, render_explanation  # noqa: PLC0415

    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    kinds |= dict.fromkeys(ALIASES, LayerKind.CONVTRANSPOSE)
    flags = {key: value for key, value in flags.items() if value is not None and value is not False}
    check_outputs({"FILE": what} if what not in kinds else {}, {"--svg": svg, "--gif": gif, "--html": html})
    if what in kinds:
        require_layer_flags("explain", what, flags)
        if layer is not None:
            raise InputError("--layer picks a layer of a network file, not of a flag-given layer", where="--layer")
        network = network_from_flags(kinds[what], **flags)
        spec, shape, label = network.layers[0], network.input, network.source
        written = (
            f"--{key.replace('_', '-')}" + ("" if value is True else f" {value}") for key, value in flags.items()
        )
        title = " ".join([what, *written])  # the pictures' title: the layer as its flags say it
    elif layer is None and html is not None:
        return _network_page(what, flags, html, gif=gif, others=svg is not None or matrix)
    else:
        try:
            spec, shape, label = _layer_of_file(what, layer, flags)
        except LayerError as refused:
            say(f"{what}: {refused}")
            return ExitCode.LAYER_INVALID
        title = label
    if not isinstance(spec, LayerSpec):
        raise InputError(f"explain draws conv, convtranspose and pool layers, not {spec.kind}", where="--layer")
    sections = explain_or_error(spec, shape, matrix=matrix)
    if isinstance(sections, LayerError):
        say(f"{label}: {sections}")
        return ExitCode.LAYER_INVALID
    files = _pictures(spec, shape, title, gif=gif, html=html)  # made before anything is written or printed
    if svg is not None:
        files.insert(0, (svg, explanation_svg(sections, f"convcalc explain: {label}", 100).encode("utf-8")))
    for path, data in files:  # written before the picture is printed: a file that cannot be written stops it all
        write_bytes_atomically(path, data)
    write_out(render_explanation(sections, render_options()))
    return ExitCode.OK


def _pictures(
    spec: LayerSpec, shape: tuple[int, ...], label: str, *, gif: str | None, html: str | None
) -> list[tuple[str, bytes]]:
    """Return the GIF and page asked for, as (path, contents)."""
    from convcalc.design.scene import build_scene  # noqa: PLC0415

    if gif is None and html is None:
        return []
    scene = build_scene(spec, shape)
    files = []
    if gif is not None:
        from convcalc.render.gif import scene_gif  # noqa: PLC0415

        files.append((gif, scene_gif(scene)))
    if html is not None:
        from convcalc.render.page import PageLayer, page  # noqa: PLC0415

        files.append((html, page(f"convcalc explain: {label}", [PageLayer(label, scene)]).encode("utf-8")))
    return files


def _network_page(path: str, flags: dict[str, Any], html: str, *, gif: str | None, others: bool) -> int:
    """Write the page of a whole network: a section per conv, transposed conv and pool, a line per other layer."""
    from convcalc.design.scene import build_scene  # noqa: PLC0415
    from convcalc.render.page import PageLayer, PageRow, page  # noqa: PLC0415
    from convcalc.sources.read import read_network  # noqa: PLC0415

    _refuse_layer_flags(flags)
    if gif is not None or others:
        raise InputError("--gif, --svg and --matrix draw one layer: add --layer N", where="--layer")
    network = read_network(path)
    result = analyze(network)
    parts: list[PageLayer | PageRow] = []
    for found in result.layers:
        shapes = f"{'×'.join(map(str, found.input or ()))} → {'×'.join(map(str, found.output or ()))}"
        if found.status is Status.INVALID or found.input is None or found.output is None:
            parts.append(PageRow(found.label, f"{found.spec.kind}: {found.error}"))
        elif isinstance(found.spec, LayerSpec):
            parts.append(PageLayer(f"{found.label}: {shapes}", build_scene(found.spec, found.input), found.fields))
        else:
            parts.append(PageRow(found.label, f"{found.spec.type_name}: {shapes}"))
    write_bytes_atomically(html, page(f"convcalc explain: {network.source}", parts, network.input[2:]).encode("utf-8"))
    return ExitCode.OK


def _refuse_layer_flags(flags: dict[str, Any]) -> None:
    """Refuse layer flags given with a network file: its layers say their own numbers."""
    given = [f"--{key.replace('_', '-')}" for key, value in flags.items() if value not in (None, False)]
    if given:
        raise InputError(f"layer flags ({', '.join(given)}) go with conv, convt or pool, not a file", where=given[0])


def _layer_of_file(path: str, layer: str | None, flags: dict[str, Any]) -> tuple[AnyLayer, tuple[int, ...], str]:
    """Return the layer N of a network file, the shape coming into it and its label."""
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    _refuse_layer_flags(flags)
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
    target = framework_flag(target_framework, "--to")
    kinds = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
    options = render_options()
    if what not in kinds:
        network = _port_file(what, source, flags)
        try:
            ported = port_network(network, target)
        except LayerError as error:
            say(f"{network.source}: {error}")
            return ExitCode.LAYER_INVALID
        write_out(render_network(ported, chosen, options), chosen)
        return ExitCode.OK
    flags = {k: v for k, v in flags.items() if v is not None and v is not False}
    require_layer_flags("port", what, flags)
    flags["framework"] = framework_flag(source or "torch", "--from").value
    network = network_from_flags(kinds[what], **flags)
    layer = network.layers[0]
    assert isinstance(layer, LayerSpec)  # noqa: S101 - built from layer flags
    try:
        one = port_layer(layer, network.input, target)
    except LayerError as error:  # the layer's own reason, without a layer number
        say(f"{layer.framework} {layer.kind.value}: {error}")
        return ExitCode.LAYER_INVALID
    if chosen == "yaml":
        write_out(render_network(port_network(network, target), chosen, options), chosen)
    else:
        write_out(render_layer(one, chosen, options), chosen)
    return ExitCode.OK


def _port_file(path: str, source: str | None, flags: dict[str, Any]) -> NetworkSpec:
    """Read the network file to port; --from must agree with its `framework:`."""
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    if path != "-" and not path.lower().endswith((".yaml", ".yml")) and not Path(path).exists():
        raise InputError(f"expected conv, convt, pool or a network file, got {path!r}", where="KIND")
    layer_flags = [name for name in ("size", "kernel") if flags.get(name)]
    if layer_flags:
        raise InputError(
            "layer flags go with conv, convt or pool; a network file brings its own", where="--" + layer_flags[0]
        )
    network = read_network(path)
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
