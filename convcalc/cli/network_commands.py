"""The commands on a layer given by flags and on network files: conv/convt/pool, stack, check, mirror, import, sizes."""

from __future__ import annotations

import sys
from typing import Any

from convcalc import ExitCode, InputErrorGroup, LayerError, LayerKind, analyze, api
from convcalc.api import Format, check_outputs, is_standard_stream, write_text_atomically
from convcalc.cli.keys import for_the_command_line
from convcalc.cli.layer_flags import input_override, network_from_flags
from convcalc.cli.process import say, write_out
from convcalc.cli.reporting import cost_options, emit, output_format, reporting
from convcalc.cli.terminal import render_options


@reporting
def layer(kind: LayerKind, *, fmt: str = "table", **flags: Any) -> int:  # noqa: ANN401 - Typer's parsed flags, checked by network_from_flags
    """Analyse one layer given by its flags and print it."""
    chosen = output_format(fmt)
    return emit(analyze(network_from_flags(kind, **flags)), chosen)


@reporting
def stack(  # the file, its input, and how to show its cost
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
    chosen = output_format(fmt)
    shown = cost_options(dtype, count, show_batch=show_batch, param_percent=param_percent)
    try:
        network = api.read_network(file, input_shape=input_override(input_shape))
    except InputErrorGroup as errors:
        if chosen is Format.JSON:  # a script reading stdout learns why there is no result
            write_out(api.malformed_json(file, errors, for_the_command_line), "json")
        raise
    return emit(analyze(network), chosen, shown)


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
    chosen = api.check_format(fmt)
    override = input_override(input_shape)
    checks = [api.check_file(f, input_shape=override, no_expect=no_expect, told=for_the_command_line) for f in files]
    malformed = any(check.malformed for check in checks)
    failing = any(check.findings for check in checks)
    if chosen.value == "text":
        for check in checks:
            for finding in check.findings:
                say(finding.text)
        if failing or not quiet:
            write_out(api.render_check(checks, chosen))
    else:
        write_out(api.render_check(checks, chosen), chosen)
    if malformed:
        return ExitCode.BAD_INPUT
    return ExitCode.LAYER_INVALID if failing else ExitCode.OK


@reporting
def examples(*, name: str | None = None) -> int:
    """List the bundled example networks, one line each; with a name, print that one's file."""
    if name is not None:
        sys.stdout.write(api.example_text(name))
        return ExitCode.OK
    listed = api.examples()
    width = max(len(each) for each, _ in listed)
    room = max(20, render_options().width - width - 2)
    for each, text in listed:
        shown = text if len(text) <= room else text[: room - 1].rstrip() + "…"
        sys.stdout.write(f"{each.ljust(width)}  {shown}\n")
    return ExitCode.OK


def schema() -> int:
    """Print the JSON Schema of network files."""
    sys.stdout.write(api.schema_text())
    return ExitCode.OK


@reporting
def mirror(*, file: str, input_shape: str | None = None, out: str | None = None) -> int:
    """Write the decoder that restores every shape of an encoder file, as a network file."""
    check_outputs({"FILE": file}, {"--output": out})
    network = api.read_network(file, input_shape=input_override(input_shape))
    try:
        decoder = api.mirror(network)
    except LayerError as error:
        say(f"{network.source}: cannot mirror: {error}")
        return ExitCode.LAYER_INVALID
    comment = (
        f"The decoder that mirrors {network.source}: every layer in reverse as a transposed convolution\n"
        "(same kernel, stride, padding, dilation), channels backwards, output_padding restoring each size."
    )
    _write(api.network_yaml(decoder, comment), out)
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
    check_outputs({"SOURCE": sources[0]} if len(sources) == 1 else {}, {"--output": out})
    done = api.import_model(sources, input_override(input_shape), arguments, expect=expect)
    for difference in done.differences:
        say(f"{done.source}: {difference}")
    _write(api.data_yaml(done.data, done.comment), out)
    for note in done.notes:
        say(f"{done.source}: {note}")
    for failed in done.result.failures:
        say(f"{done.source}: {failed.message}")
    return ExitCode.LAYER_INVALID if done.result.failures else ExitCode.OK


def _write(text: str, out: str | None) -> None:
    """Write a network file to standard output, or whole to the file -o names."""
    if out is None or is_standard_stream(out, 1):
        write_out(text, "yaml")
    else:
        write_text_atomically(out, text)


@reporting
def sizes(*, file: str, size_range: str = "1:1024", fmt: str = "table") -> int:
    """Print which input sizes a network accepts per axis, and which come back out at the same size."""
    from convcalc.cli.arguments import parse_size_ranges
    from convcalc.cli.progress import ProgressBar

    chosen = output_format(fmt)
    network = api.read_network(file)
    ranges = parse_size_ranges(size_range, "--range")
    try:
        with ProgressBar("trying input sizes") as tick:
            swept = api.sizes(network, ranges=ranges, tick=tick)
    except LayerError as error:
        say(f"{network.source}: no input size works: {error}")
        return ExitCode.LAYER_INVALID
    write_out(api.render_sizes(network.source, swept, chosen, render_options()), chosen)
    if all(axis.accepted for axis in swept):
        return ExitCode.OK
    say(f"{network.source}: no input size in the range works on every axis")
    return ExitCode.LAYER_INVALID
