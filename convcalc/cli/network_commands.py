"""The commands on a layer given by flags and on network files: conv/convt/pool, stack, check, mirror, import, sizes."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from convcalc.cli.keys import for_the_command_line
from convcalc.cli.layer_flags import input_override, network_from_flags
from convcalc.cli.process import say, write_out
from convcalc.cli.reporting import cost_options, emit, output_format, reporting
from convcalc.cli.terminal import render_options
from convcalc.core.analysis import analyze
from convcalc.core.errors import ExitCode, InputError, InputErrorGroup, LayerError, Location
from convcalc.core.spec import LayerKind, axis_names
from convcalc.netfile.files import MAX_MODEL_BYTES, check_model_file
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
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

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
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read
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
    from convcalc.netfile.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read
    from convcalc.netfile.writer import network_yaml  # noqa: PLC0415

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
    from convcalc.netfile.loader import network_from_data  # noqa: PLC0415
    from convcalc.netfile.writer import data_yaml  # noqa: PLC0415

    check_outputs({"SOURCE": sources[0]} if len(sources) == 1 else {}, {"--output": out})
    shape = input_override(input_shape)
    data, comment, source, notes = _imported(sources, shape, arguments)
    result = analyze(network_from_data(data, source))  # read back as `stack` reads it: what it refuses, said now
    for layer, found in zip(data["layers"], result.layers, strict=True):
        traced = layer.pop("expect", None)  # the framework's own shape, where the importer knows it
        if traced is not None and found.output is not None and list(found.output) != traced:
            say(f"{source}: layer {layer['name']!r}: convcalc gives {list(found.output)}, the framework {traced}")
        if expect and found.output is not None:
            layer["expect"] = traced or list(found.output)
    text = data_yaml(data, comment)
    if out is None or is_standard_stream(out, 1):
        write_out(text, "yaml")
    else:
        write_text_atomically(out, text)
    for note in notes:
        say(f"{source}: {note}")
    for failed in result.failures:
        say(f"{source}: {failed.message}")
    return ExitCode.LAYER_INVALID if result.failures else ExitCode.OK


def _frozen_notes(layers: list[str], what: str, shape: list[int]) -> list[str]:
    """Say, per layer, that sizes of the import's input are written in it as numbers."""
    return [f"layer {name!r}: {what} are written as they are at the input {shape}" for name in layers]


def _imported(
    sources: list[str], shape: tuple[int, ...] | None, arguments: str | None
) -> tuple[dict[str, Any], str, str, list[str]]:
    """Return an import's network data, its file comment, the source's name and notes for stderr."""
    if sources[:1] == ["torch"]:
        if len(sources) != 2:  # noqa: PLR2004
            raise InputError("expected one factory: convcalc import torch PACKAGE.MODULE:FACTORY", where="SOURCE")
        if shape is None:
            raise InputError("give the input shape, e.g. --input 1,3,224,224", where="import torch")
        from convcalc.importers.torch_fx import build_model, network_data  # noqa: PLC0415
        from convcalc.netfile.vocabulary import torch_import_vocabulary  # noqa: PLC0415

        target = sources[1]
        with contextlib.redirect_stdout(sys.stderr):  # the module's own prints: not into the network file
            data, frozen = network_data(build_model(target, arguments), shape, torch_import_vocabulary())
        comment = f"{target} imported by convcalc import torch\nlayer names are the model's module paths"
        notes = _frozen_notes(frozen, "sizes read off a tensor", list(shape))
        return data, comment, target, notes
    if len(sources) != 1:
        raise InputError("expected one model file, or: torch PACKAGE.MODULE:FACTORY", where="SOURCE")
    if arguments is not None:
        raise InputError("only convcalc import torch takes factory arguments", where="--args")
    from convcalc.netfile.loader import PrefixMeasure, measured_shapes  # noqa: PLC0415

    (file,) = sources
    if file.lower().endswith((".h5", ".hdf5")):
        msg = "a Keras HDF5 file is not read: save the model as .keras (model.save('model.keras')) or model.to_json()"
        raise InputError(msg, where=file)
    if file != "-":
        check_model_file(file)
    given = _standard_input_bytes() if file == "-" else None
    name = "<stdin>" if file == "-" else file
    if file.lower().endswith((".keras", ".json")) or (
        given is not None and (given[:2] == b"PK" or given.lstrip()[:1] == b"{")
    ):
        from convcalc.importers.keras_config import keras_import  # noqa: PLC0415

        data = keras_import(name, shape, PrefixMeasure(measured_shapes), given)
        return data, f"{name} imported by convcalc import\nlayer names are the Keras layers' names", name, []
    from convcalc.importers.onnx_graph import onnx_import  # noqa: PLC0415

    data, dynamic = onnx_import(name, shape, PrefixMeasure(measured_shapes), given)
    notes = _frozen_notes(dynamic, "sizes computed from the input's shape", data["input"])
    return data, f"{name} imported by convcalc import\nlayer names are the graph's node names", name, notes


def _standard_input_bytes() -> bytes:
    """Read a model from standard input: a .keras archive, a to_json() config or an ONNX file, whole."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_MODEL_BYTES + 1) if stream is not None else sys.stdin.read().encode()
    if len(data) > MAX_MODEL_BYTES:
        msg = f"larger than {MAX_MODEL_BYTES // 2**30} GiB: a model file is not (ONNX keeps larger weights apart)"
        raise InputErrorGroup([InputError(msg, location=Location("<stdin>"))])
    return data


@reporting
def sizes(*, file: str, size_range: str = "1:1024", fmt: str = "table") -> int:
    """Print which input sizes a network accepts per axis, and which come back out at the same size."""
    from convcalc.cli.arguments import parse_size_ranges  # noqa: PLC0415
    from convcalc.cli.progress import ProgressBar  # noqa: PLC0415
    from convcalc.design.sweep import sweep_axes  # noqa: PLC0415
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
