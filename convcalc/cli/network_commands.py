"""The commands on a layer given by flags and on network files: conv/convt/pool, stack, check, mirror, import, sizes."""

from __future__ import annotations

import sys
from typing import Any

from convcalc.cli.keys import for_the_command_line
from convcalc.cli.layer_flags import input_override, network_from_flags
from convcalc.cli.process import say, write_out
from convcalc.cli.reporting import cost_options, emit, output_format, reporting
from convcalc.cli.terminal import render_options
from convcalc.core.analysis import analyze
from convcalc.core.errors import ExitCode, InputError, InputErrorGroup, LayerError
from convcalc.core.spec import LayerKind, axis_names
from convcalc.render.toolkit import Format


@reporting
def layer(kind: LayerKind, *, fmt: str = "table", **flags: Any) -> int:  # noqa: ANN401
    """Analyse one layer given by its flags and print it."""
    chosen = output_format(fmt)
    return emit(analyze(network_from_flags(kind, **flags)), chosen)


@reporting
def stack(  # noqa: PLR0913 - the file, its input, and how to show its cost
    *,
    file: str,
    input_shape: str | None = None,
    fmt: str = "table",
    dtype: str = "float32",
    count: str = "torch",
    show_batch: bool = False,
    param_percent: bool = False,
) -> int:
    """Analyse a network file and print it."""
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    chosen = output_format(fmt)
    shown = cost_options(dtype, count, show_batch=show_batch, param_percent=param_percent)
    try:
        network = read_network(file, input_shape=input_override(input_shape))
    except InputErrorGroup as errors:
        if chosen is Format.JSON:  # a script reading stdout learns why there is no result
            _input_errors_json("<stdin>" if file == "-" else file, errors)
        raise
    return emit(analyze(network), chosen, shown)


def _input_errors_json(file: str, errors: InputErrorGroup) -> None:
    """Print a malformed file's problems as one JSON object: ok false, and each error with its place."""
    import json  # noqa: PLC0415

    from convcalc.render.check import finding_json, input_findings  # noqa: PLC0415

    told = tuple(for_the_command_line(e) for e in errors.errors)
    findings = [finding_json(f) for f in input_findings(file, told).findings]
    write_out(json.dumps({"ok": False, "output": None, "errors": findings}, indent=1) + "\n", "json")


@reporting
def check(
    *,
    files: list[str],
    input_shape: str | None = None,
    fmt: str = "text",
    quiet: bool = False,
    no_expect: bool = False,
) -> int:
    """Check network files: one summary line when all pass, every failure otherwise (as text, JSON, GitHub, JUnit)."""
    from convcalc.render.check import (  # noqa: PLC0415
        CheckFormat,
        FileCheck,
        input_findings,
        layer_findings,
        render_github,
        render_json,
        render_junit,
        summary,
    )
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    try:
        chosen = CheckFormat(fmt.lower())
    except ValueError:
        raise InputError(f"expected text, json, github or junit, got {fmt!r}", where="--format") from None
    override = input_override(input_shape)
    checks: list[FileCheck] = []
    for file in files:
        source = "<stdin>" if file == "-" else file
        try:
            network = read_network(file, input_shape=override)
            checks.append(layer_findings(source, analyze(network.without_expect() if no_expect else network)))
        except InputErrorGroup as errors:
            checks.append(input_findings(source, tuple(for_the_command_line(e) for e in errors.errors)))
    malformed = any(check.malformed for check in checks)
    failing = any(check.findings for check in checks)
    if chosen is CheckFormat.TEXT:
        for check in checks:
            for finding in check.findings:
                say(finding.text)
        if failing or not quiet:
            write_out(summary(checks) + "\n")
    else:
        renderers = {CheckFormat.JSON: render_json, CheckFormat.GITHUB: render_github, CheckFormat.JUNIT: render_junit}
        write_out(renderers[chosen](checks), chosen)
    if malformed:
        return ExitCode.BAD_INPUT
    return ExitCode.LAYER_INVALID if failing else ExitCode.OK


@reporting
def examples(*, name: str | None = None) -> int:
    """List the bundled example networks, one line each; with a name, print that one's file."""
    from convcalc.netfile.bundled import description, example_names, example_text  # noqa: PLC0415

    if name is not None:
        sys.stdout.write(example_text(name))
        return ExitCode.OK
    names = example_names()
    width = max(len(each) for each in names)
    room = max(20, render_options().width - width - 2)
    for each in names:
        text = description(each)
        text = text if len(text) <= room else text[: room - 1].rstrip() + "…"
        sys.stdout.write(f"{each.ljust(width)}  {text}\n")
    return ExitCode.OK


def schema() -> int:
    """Print the JSON Schema of network files."""
    from convcalc.netfile.schema import schema_text  # noqa: PLC0415 - only this command needs it

    sys.stdout.write(schema_text())
    return ExitCode.OK


@reporting
def mirror(*, file: str, input_shape: str | None = None, out: str | None = None) -> int:
    """Write the decoder that restores every shape of an encoder file, as a network file."""
    from convcalc.design.mirror import mirror as decoder_of  # noqa: PLC0415
    from convcalc.netfile.files import check_outputs, is_standard_stream, write_text_atomically  # noqa: PLC0415
    from convcalc.netfile.writer import network_yaml  # noqa: PLC0415
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    check_outputs({"FILE": file}, {"--output": out})
    network = read_network(file, input_shape=input_override(input_shape))
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
        write_out(text, "yaml")
        return ExitCode.OK
    write_text_atomically(out, text)
    return ExitCode.OK


@reporting
def import_model(
    *,
    sources: list[str],
    input_shape: str | None = None,
    out: str | None = None,
    expect: bool = False,
    arguments: str | None = None,
) -> int:
    """Write the network file of an ONNX, Keras or PyTorch model; with --expect, each output shape as its expect."""
    from convcalc.netfile.files import check_outputs, is_standard_stream, write_text_atomically  # noqa: PLC0415
    from convcalc.netfile.writer import data_yaml  # noqa: PLC0415
    from convcalc.sources.models import import_model as imported  # noqa: PLC0415

    check_outputs({"SOURCE": sources[0]} if len(sources) == 1 else {}, {"--output": out})
    done = imported(sources, input_override(input_shape), arguments, expect=expect)
    for difference in done.differences:
        say(f"{done.source}: {difference}")
    text = data_yaml(done.data, done.comment)
    if out is None or is_standard_stream(out, 1):
        write_out(text, "yaml")
    else:
        write_text_atomically(out, text)
    for note in done.notes:
        say(f"{done.source}: {note}")
    for failed in done.result.failures:
        say(f"{done.source}: {failed.message}")
    return ExitCode.LAYER_INVALID if done.result.failures else ExitCode.OK


@reporting
def sizes(*, file: str, size_range: str = "1:1024", fmt: str = "table") -> int:
    """Print which input sizes a network accepts per axis, and which come back out at the same size."""
    from convcalc.cli.arguments import parse_size_ranges  # noqa: PLC0415
    from convcalc.cli.progress import ProgressBar  # noqa: PLC0415
    from convcalc.design.sweep import sweep_axes  # noqa: PLC0415
    from convcalc.render.design import render_sizes  # noqa: PLC0415
    from convcalc.sources.read import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    chosen = output_format(fmt)
    network = read_network(file)
    names = axis_names(network.rank)
    ranges = parse_size_ranges(size_range, "--range")
    if len(ranges) not in (1, network.rank):
        msg = f"expected one range or {network.rank} (one per spatial axis), got {len(ranges)}"
        raise InputError(msg, where="--range")
    ranges = ranges * network.rank if len(ranges) == 1 else ranges
    try:
        with ProgressBar("trying input sizes") as tick:
            swept = sweep_axes(network, ranges, names, tick)
    except LayerError as error:
        say(f"{network.source}: no input size works: {error}")
        return ExitCode.LAYER_INVALID
    write_out(render_sizes(network.source, swept, chosen, render_options()), chosen)
    if all(axis.accepted for axis in swept):
        return ExitCode.OK
    say(f"{network.source}: no input size in the range works on every axis")
    return ExitCode.LAYER_INVALID
