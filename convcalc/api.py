"""The Python API: from a path, a YAML text or a network built in Python to a report that prints as the table.

Everything here calls the same core, loader and renderers as the command line, and loads
the loader (YAML) and the renderers (rich) only when they are used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

from convcalc.core.analysis import LayerResult, StackResult, analyze
from convcalc.core.errors import InputError, InputErrorGroup, axes_label
from convcalc.core.spec import MAX_DIGITS, MAX_RANK, PADDING_WORDS, AnyLayer, AxisValues, NetworkSpec, axis_names
from convcalc.core.text import ci_inert, visible
from convcalc.render.toolkit import CheckFormat, Format, PortFormat, RenderOptions

if TYPE_CHECKING:
    from convcalc.core.cost import Cost
    from convcalc.core.spec import Framework, LayerKind, LayerSpec
    from convcalc.design.explain import Section
    from convcalc.design.port import Ported
    from convcalc.design.port_network import PortedNetwork
    from convcalc.design.solve import Solution
    from convcalc.design.sweep import AxisSizes
    from convcalc.render.check import FileCheck
    from convcalc.sources.models import Imported

NetworkSource = NetworkSpec | Mapping[str, object] | str | os.PathLike[str]
"""What `report` reads: a network, its data as a file would hold it, a path, or a file's YAML text."""


@dataclass(frozen=True, slots=True)
class Report:
    """An analysed network, as `convcalc stack` shows it: the table, the contract's JSON, Markdown and CSV.

    `str(report)` is the table; `report.ok` says whether every layer is valid and every
    `expect` holds, and `report.messages` has one line per failing layer, as `check` prints.
    """

    result: StackResult

    @property
    def ok(self) -> bool:
        """Whether every layer is valid and every expect is met."""
        return self.result.ok

    @property
    def output(self) -> AxisValues | None:
        """Return the network's output shape, or None when a layer failed."""
        return self.result.output

    @property
    def layers(self) -> tuple[LayerResult, ...]:
        """Return every layer's result, in order."""
        return self.result.layers

    @property
    def failures(self) -> tuple[LayerResult, ...]:
        """Return the layers that are invalid or miss their expect."""
        return self.result.failures

    @property
    def messages(self) -> list[str]:
        """Return one line per failing layer, located as `convcalc check` prints it (file:line:col: layer 3 ...)."""
        lines = []
        for layer in self.result.failures:
            location = layer.spec.location
            lines.append(f"{location or self.result.source}: {layer.message}")
        return lines

    def layer(self, name: str | int) -> LayerResult:
        """Return a layer's result by its name or its index (from 1)."""
        for found in self.result.layers:
            if name in (found.name, found.index, str(found.index)):
                return found
        msg = f"no layer {name!r} in {self.result.source} (it has {len(self.result.layers)})"
        raise KeyError(msg)

    def cost(self, dtype: str = "float32", count: str = "torch") -> Cost:
        """Return what the network costs: FLOPs and MACs per layer and in total, parameters by kind, memory.

        FLOPs are FlopCounterMode's; `count="torchinfo"` makes the MACs torchinfo's mult-adds.
        Memory is in bytes of `dtype` (float32, float16, bfloat16 or int8).
        """
        from convcalc.core.cost import convention, network_cost

        return network_cost(self.result, dtype, convention(count))

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's JSON document as Python data: exactly what `json.loads(report.to_json())` gives."""
        import json

        document: dict[str, Any] = json.loads(self.to_json())
        return document

    def to_json(self) -> str:
        """Return the JSON text `convcalc stack --format json` prints."""
        from convcalc.render.report import render_json  # the renderers load when used

        return render_json(self.result, self.cost())

    def to_markdown(self) -> str:
        """Return the Markdown table `convcalc stack --format markdown` prints."""
        from convcalc.render.stack import render_markdown

        return render_markdown(self.result, self.cost())

    def to_csv(self) -> str:
        """Return the CSV `convcalc stack --format csv` prints."""
        from convcalc.render.stack import render_csv

        return render_csv(self.result, self.cost())

    def to_table(self, width: int = 100) -> str:
        """Return the table `convcalc stack` prints, `width` columns wide, without colour."""
        from convcalc.render.stack import render_table
        from convcalc.render.toolkit import RenderOptions

        return render_table(self.result, self.cost(), RenderOptions(width=width))

    def __str__(self) -> str:
        return self.to_table()


def read_network(path: str | os.PathLike[str], *, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Read a network file (`-` is standard input); raise InputErrorGroup with every problem, located."""
    from convcalc.sources.read import read_network as read  # YAML and the importers load when used

    return read(os.fspath(path), input_shape=_shape(input_shape))


def load_network(text: str, source: str = "<network>", *, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Read a network file's YAML text; `source` names it in messages."""
    from convcalc.netfile import loader

    return loader.load_network(text, source, input_shape=_shape(input_shape))


def network(
    input: Sequence[int],  # noqa: A002 - the key of network files
    layers: Sequence[Mapping[str, object]],
    *,
    framework: str | None = None,
    blocks: Mapping[str, Mapping[str, object]] | None = None,
    source: str = "<python>",
) -> NetworkSpec:
    """Build a network from layers made with `layer()` (or plain dicts with a network file's keys).

    Any layer type of network files works, graphs too: a layer's `inputs` name earlier layers
    (by name or index from 1, or `input`), as `from:` does in a file. `blocks` defines blocks
    as a file's `blocks:` does, placed by layers such as {"block": "unit", "name": "stage1"}.
    """
    from convcalc.netfile import loader

    data: dict[str, object] = {"input": list(input), "layers": [dict(layer) for layer in layers]}
    if framework is not None:
        data["framework"] = framework
    if blocks is not None:
        data["blocks"] = {name: dict(block) for name, block in blocks.items()}
    return loader.network_from_data(data, source)


def layer(
    type: str,  # noqa: A002 - the key of network files
    /,
    *,
    name: str | None = None,
    inputs: str | int | Sequence[str | int] | None = None,
    expect: Sequence[int] | None = None,
    **arguments: object,
) -> dict[str, object]:
    """Return one layer as a network file writes it: `layer("Conv2d", out_channels=64, kernel_size=3, padding=1)`.

    `type` and the keyword arguments are a network file's (torch.nn's argument names, or the
    framework's own); `inputs` is `from:`, `expect` the output shape the layer must give.
    Nothing is checked until `network()` reads it, which names every problem.
    """
    data: dict[str, object] = {"type": type}
    if name is not None:
        data["name"] = name
    if inputs is not None:
        data["from"] = list(inputs) if isinstance(inputs, Sequence) and not isinstance(inputs, str) else inputs
    if expect is not None:
        data["expect"] = list(expect)
    return data | arguments


def network_yaml(network: NetworkSpec, comment: str = "") -> str:
    """Return a network as a network file's text (what `convcalc mirror` writes), with an optional comment."""
    from convcalc.netfile.writer import network_yaml as write

    return write(network, comment)


def report(source: NetworkSource, *, input_shape: Sequence[int] | None = None) -> Report:
    """Analyse a network and return its report: one call for a model repository's tests.

    `source` is a NetworkSpec, a mapping as a network file holds it, a path (str or Path) or
    a network file's YAML text (a str with a newline in it, or one that starts with `{`).
    Malformed input raises InputErrorGroup, every problem named; failing layers do not raise:
    `report.ok` is False and `report.messages` says why.
    """
    return Report(analyze(_spec(source, input_shape)))


def solve(  # noqa: PLR0913 - the limits of the search, as `convcalc solve` takes them
    kind: LayerKind | str,
    input: int | Sequence[int],  # noqa: A002 - as the command's --input
    output: int | Sequence[int],
    *,
    kernel: tuple[int, int] = (1, 7),
    stride: tuple[int, int] = (1, 4),
    dilation: tuple[int, int] = (1, 3),
    max_padding: int = 4,
    symmetric_only: bool = False,
    framework: Framework | str = "torch",
    tick: Callable[[int, int], None] | None = None,
) -> list[Solution]:
    """Return every layer of `kind` within the limits that maps the input size to the output size, best first.

    `tick(done, total)`, when given, hears the search's progress (the command line draws a bar).
    """
    from convcalc.core.spec import Framework, LayerKind, axis_names, broadcast
    from convcalc.design.solve import Limits, check_search
    from convcalc.design.solve import solve as search
    from convcalc.design.ticks import quiet

    chosen = LayerKind(kind)
    rank = max(len(v) if isinstance(v, Sequence) else 1 for v in (input, output))
    sizes, targets = broadcast(input, rank), broadcast(output, rank)
    limits = Limits(kernel, stride, dilation, max_padding, symmetric_only, Framework.parse(framework))
    check_search(chosen, limits)
    return search(chosen, sizes, targets, limits, axis_names(rank), tick or quiet)


def sizes(
    source: NetworkSource,
    low: int = 1,
    high: int = 1024,
    *,
    ranges: Sequence[tuple[int, int]] | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> list[AxisSizes]:
    """Return, per spatial axis, the input sizes from low to high the network accepts and those it gives back.

    `ranges` gives one (low, high) for every axis, or one per axis; `tick(done, total)` hears the progress.
    """
    from convcalc.core.spec import axis_names
    from convcalc.design.sweep import sweep_axes
    from convcalc.design.ticks import quiet

    spec = _spec(source)
    given = list(ranges or [(low, high)])
    if len(given) not in (1, spec.rank):
        msg = f"expected one range or {spec.rank} (one per spatial axis), got {len(given)}"
        raise InputError(msg, where="range")
    return sweep_axes(spec, given * spec.rank if len(given) == 1 else given, axis_names(spec.rank), tick or quiet)


def nearest_sizes(  # noqa: PLR0913 - as solve
    kind: LayerKind | str,
    size: int,
    want: int,
    *,
    kernel: tuple[int, int] = (1, 7),
    stride: tuple[int, int] = (1, 4),
    dilation: tuple[int, int] = (1, 3),
    max_padding: int = 4,
    symmetric_only: bool = False,
    framework: Framework | str = "torch",
    tick: Callable[[int, int], None] | None = None,
) -> tuple[int | None, int | None]:
    """Return the output sizes nearest to `want`, below and above, that a layer within the limits gives from `size`."""
    from convcalc.core.spec import Framework, LayerKind
    from convcalc.design.solve import Limits, nearest_reachable
    from convcalc.design.ticks import quiet

    limits = Limits(kernel, stride, dilation, max_padding, symmetric_only, Framework.parse(framework))
    return nearest_reachable(LayerKind(kind), size, want, limits, tick or quiet)


def render_solutions(
    solutions: Sequence[Solution],
    kind: LayerKind | str,
    fmt: Format | str = "table",
    options: RenderOptions | None = None,
) -> str:
    """Return solve's answers as `convcalc solve` prints them: a table, JSON, Markdown or CSV."""
    from convcalc.core.spec import LayerKind
    from convcalc.render.design import render_solutions as text

    return text(list(solutions), LayerKind(kind), output_format(fmt), options or RenderOptions())


def render_sizes(
    source: str, swept: Sequence[AxisSizes], fmt: Format | str = "table", options: RenderOptions | None = None
) -> str:
    """Return the sizes a network accepts as `convcalc sizes` prints them."""
    from convcalc.render.design import render_sizes as text

    return text(source, list(swept), output_format(fmt), options or RenderOptions())


def mirror(source: NetworkSource) -> NetworkSpec:
    """Return the decoder that restores every shape of an encoder, layer by layer in reverse."""
    from convcalc.design.mirror import mirror as decoder

    return decoder(analyze(_spec(source)))


def port(layer: LayerSpec, input_shape: Sequence[int], to: Framework | str) -> Ported:
    """Return the layers of framework `to` that give exactly what `layer` gives on an input of `input_shape`."""
    from convcalc.core.spec import Framework
    from convcalc.design.port import port as port_layer

    return port_layer(layer, tuple(input_shape), Framework.parse(to))


def port_network(source: NetworkSource, to: Framework | str) -> PortedNetwork:
    """Return a whole network in framework `to`, every layer giving exactly what the source's gives."""
    from convcalc.core.spec import Framework
    from convcalc.design.port_network import port_network as port_all

    return port_all(_spec(source), Framework.parse(to))


def explain(layer: LayerSpec, input_shape: Sequence[int], *, matrix: bool = False) -> tuple[Section, ...]:
    """Return the picture `convcalc explain` draws, as data: titled sections of styled lines."""
    from convcalc.design.explain import explain_layer

    return explain_layer(layer, tuple(input_shape), matrix=matrix)


# What the command line shows, for any front end ---------------------------------------------------
# The command line is a client of these: each renders or builds what one command prints or writes.


def render(result: StackResult, fmt: Format | str = "table", options: RenderOptions | None = None) -> str:
    """Return an analysed network as `convcalc stack` prints it: table, json, markdown or csv."""
    from convcalc.render.stack import RENDERERS  # the renderers load when used

    options = options or RenderOptions()
    return RENDERERS[output_format(fmt)](result, _cost(result, options), options)


def _cost(result: StackResult, options: RenderOptions | None = None) -> Cost:
    """Return the network's cost as the options count it: computed once, by the core, before any format shows it."""
    from convcalc.core.cost import Convention, network_cost

    options = options or RenderOptions()
    return network_cost(result, options.dtype, Convention(options.count))


def output_format(text: Format | str) -> Format:
    """Return the output format a name gives (table, json, markdown or csv), or raise InputError saying which exist."""
    return _one_of(Format, text)


_Choice = TypeVar("_Choice", Format, CheckFormat, PortFormat)


def _one_of(formats: type[_Choice], text: object) -> _Choice:
    """Return the format a name gives, or raise InputError naming every format there is: the one parser of them."""
    try:
        return formats(str(text).lower())
    except ValueError:
        choices = ", ".join(f.value for f in formats)
        raise InputError(f"expected one of {choices}, got {text!r}", where="format") from None


def cost_options(
    options: RenderOptions, dtype: str, count: str, *, show_batch: bool = False, param_percent: bool = False
) -> RenderOptions:
    """Return `options` with how cost is counted and shown, checked (InputError names a dtype or count not taken)."""
    from convcalc.core.cost import convention, dtype_bytes

    dtype_bytes(dtype)
    chosen = convention(count)
    return replace(options, dtype=dtype.lower(), count=chosen.value, show_batch=show_batch, param_percent=param_percent)


def check_file(
    path: str,
    *,
    input_shape: Sequence[int] | None = None,
    no_expect: bool = False,
    told: Callable[[InputError], InputError] | None = None,
) -> FileCheck:
    """Return `convcalc check`'s findings on one file: its failing layers, or its input errors when malformed.

    `told` says an input error as a front end says it (the command line names a key by its flag).
    """
    from convcalc.render.check import input_findings, layer_findings

    source = "<stdin>" if path == "-" else path
    try:
        network = read_network(path, input_shape=input_shape)
    except InputErrorGroup as errors:
        return input_findings(source, errors.errors, told)
    return layer_findings(source, analyze(network.without_expect() if no_expect else network))


def check_format(text: str) -> CheckFormat:
    """Return the report format of `check` a name gives (text, json, github or junit)."""
    return _one_of(CheckFormat, text)


def port_format(text: str) -> PortFormat:
    """Return what `port` writes that a name gives (table, python, json or yaml)."""
    return _one_of(PortFormat, text)


def render_check(checks: Sequence[FileCheck], fmt: CheckFormat | str) -> str:
    """Return the checks as `convcalc check` writes them to stdout: the summary line, JSON, GitHub lines or JUnit."""
    from convcalc.render.check import render_github, render_json, render_junit, summary

    chosen = check_format(str(fmt))
    if chosen is CheckFormat.TEXT:
        return summary(list(checks)) + "\n"
    renderers = {CheckFormat.JSON: render_json, CheckFormat.GITHUB: render_github, CheckFormat.JUNIT: render_junit}
    return renderers[chosen](list(checks))


def malformed_json(path: str, errors: InputErrorGroup, told: Callable[[InputError], InputError] | None = None) -> str:
    """Return what `stack --format json` prints for a file it cannot read: ok false, and each error with its place."""
    import json

    from convcalc.render.check import finding_json, input_findings

    source = "<stdin>" if path == "-" else path
    findings = [finding_json(f) for f in input_findings(source, errors.errors, told).findings]
    return json.dumps({"ok": False, "output": None, "errors": findings}, indent=1) + "\n"


def import_model(
    sources: Sequence[str],
    input_shape: Sequence[int] | None = None,
    arguments: str | None = None,
    *,
    expect: bool = False,
) -> Imported:
    """Import a model as `convcalc import` does: [file.onnx], [file.keras], [to_json.json] or ["torch", "pkg:factory"].

    The result holds the network file's data (`data_yaml` writes it), what to say about it, and
    the data analysed as `stack` analyses it.
    """
    from convcalc.sources.models import import_model as run  # the importers load when used

    return run(sources, _shape(input_shape), arguments, expect=expect)


def data_yaml(data: Mapping[str, Any], comment: str = "") -> str:
    """Return network data (a file's keys, as `import_model` gives them) as a network file's text."""
    from convcalc.netfile.writer import data_yaml as write

    return write(data, comment)


def schema_text() -> str:
    """Return the JSON Schema of network files, as `convcalc schema` prints it."""
    from convcalc.netfile.schema import schema_text as text

    return text()


def examples() -> list[tuple[str, str]]:
    """Return the example networks shipped with convcalc: (name, what it is), as `convcalc examples` lists them."""
    from convcalc.netfile.bundled import description, example_names

    return [(name, description(name)) for name in example_names()]


def example_names() -> list[str]:
    """Return the names of the example networks shipped with convcalc (`unet`, `models/resnet50`)."""
    from convcalc.netfile.bundled import example_names as names

    return names()


def example_text(name: str) -> str:
    """Return an example network's file text."""
    from convcalc.netfile.bundled import example_text as text

    return text(name)


def layer_to_draw(source: NetworkSource, which: str) -> tuple[LayerSpec, AxisValues, str]:
    """Return the layer of a network that `explain --layer` draws (by index from 1, or name), its input and its label.

    InputError when there is no such layer or it is not computed; LayerError when it is
    invalid (nothing to draw); InputError when it is not a conv, transposed conv or pool.
    """
    from convcalc.core.analysis import Status
    from convcalc.core.errors import LayerError
    from convcalc.core.spec import LayerSpec

    spec = _spec(source)
    result = analyze(spec)
    for found in result.layers:
        if which in (str(found.index), found.name):
            if found.input is None:
                raise InputError(f"{found.label} is not computed: {found.error}", where="layer")
            if found.status is Status.INVALID:  # nothing to draw: say why, as stack does
                raise LayerError(f"{found.label}: {found.error}")
            if not isinstance(found.spec, LayerSpec):
                msg = f"explain draws conv, convtranspose and pool layers, not {found.spec.kind}"
                raise InputError(msg, where="layer")
            return found.spec, found.input, f"{spec.source}, {found.label}"
    raise InputError(f"no layer {which!r} in {spec.source} (it has {len(result.layers)})", where="layer")


def layer_gif(layer: LayerSpec, input_shape: Sequence[int]) -> bytes:
    """Return the animated GIF `convcalc explain --gif` writes of one layer (needs Pillow: convcalc[gif])."""
    from convcalc.design.scene import build_scene
    from convcalc.render.gif import scene_gif

    return scene_gif(build_scene(layer, tuple(input_shape)))


def layer_page(layer: LayerSpec, input_shape: Sequence[int], title: str) -> str:
    """Return the page (HTML) `convcalc explain --html` writes of one layer: its steps, played and stepped through."""
    from convcalc.design.scene import build_scene
    from convcalc.render.page import PageLayer, page

    return page(f"convcalc explain: {title}", [PageLayer(title, build_scene(layer, tuple(input_shape)))])


def network_page(source: NetworkSource) -> str:
    """Return the page of a whole network: a section per conv, transposed conv and pool, a line per other layer."""
    from convcalc.core.analysis import Status
    from convcalc.core.spec import LayerSpec
    from convcalc.design.scene import build_scene
    from convcalc.render.page import PageLayer, PageRow, page

    spec = _spec(source)
    parts: list[PageLayer | PageRow] = []
    for found in analyze(spec).layers:
        shapes = f"{'×'.join(map(str, found.input or ()))} → {'×'.join(map(str, found.output or ()))}"
        if found.status is Status.INVALID or found.input is None or found.output is None:
            parts.append(PageRow(found.label, f"{found.spec.kind}: {found.error}"))
        elif isinstance(found.spec, LayerSpec):
            parts.append(PageLayer(f"{found.label}: {shapes}", build_scene(found.spec, found.input), found.fields))
        else:
            parts.append(PageRow(found.label, f"{found.spec.type_name}: {shapes}"))
    return page(f"convcalc explain: {spec.source}", parts, spec.input[2:])


def render_port(ported: Ported | PortedNetwork, fmt: str = "table", options: RenderOptions | None = None) -> str:
    """Return a ported layer or network as `convcalc port` prints it: table, python, json or yaml."""
    from convcalc.design.port import Ported
    from convcalc.render.port import render_layer, render_network

    chosen = port_format(fmt)
    if isinstance(ported, Ported):
        return render_layer(ported, chosen, options or RenderOptions())
    return render_network(ported, chosen, options or RenderOptions())


PORT_FORMATS = tuple(f.value for f in PortFormat)
"""What `port` writes: the table, the code, its JSON, or a network file of the target framework."""


def render_explanation(sections: Sequence[Section], options: RenderOptions | None = None) -> str:
    """Return explain's picture as the terminal shows it."""
    from convcalc.render.explain import render_explanation as text

    return text(tuple(sections), options or RenderOptions())


def explanation_svg(sections: Sequence[Section], title: str, width: int = 100) -> str:
    """Return explain's picture as an SVG image."""
    from convcalc.render.explain import explanation_svg as svg

    return svg(tuple(sections), title, width)


# Files as the command line reads and writes them ------------------------------------------------


def is_standard_stream(path: str, stream: int) -> bool:
    """Whether a path names standard input (0) or output (1): '-', or /dev/stdin, /dev/stdout and the like."""
    from convcalc.netfile.files import is_standard_stream as standard  # loads when files are named

    return standard(path, stream)


def check_outputs(inputs: dict[str, str], outputs: dict[str, str | None]) -> None:
    """Refuse an output that is one of the inputs, or another output (by what the paths resolve to): InputError."""
    from convcalc.netfile.files import check_outputs as check

    check(inputs, outputs)


def write_text_atomically(path: str, text: str) -> None:
    """Replace `path` by `text` (UTF-8) at once: the old file stays whole until the new one is complete."""
    from convcalc.netfile.files import write_text_atomically as write

    write(path, text)


def write_bytes_atomically(path: str, data: bytes) -> None:
    """Replace `path` by `data` at once: the old file stays whole until the new one is complete."""
    from convcalc.netfile.files import write_bytes_atomically as write

    write(path, data)


def _spec(source: NetworkSource, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Return the network a source describes (see `report`)."""
    if isinstance(source, NetworkSpec):
        return source if input_shape is None else replace(source, input=tuple(input_shape))
    if isinstance(source, Mapping):
        from convcalc.netfile import loader

        return loader.network_from_data(source, input_shape=_shape(input_shape))
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return load_network(source, input_shape=input_shape)
    if isinstance(source, str | os.PathLike):
        return read_network(source, input_shape=input_shape)
    msg = f"expected a path, a YAML text, a mapping or a NetworkSpec, got {type(source).__name__}"  # type: ignore[unreachable]  # a caller without types may pass anything
    raise InputError(msg)


def _shape(shape: Sequence[int] | None) -> tuple[int, ...] | None:
    return None if shape is None else tuple(shape)


__all__ = [
    "MAX_DIGITS",
    "MAX_RANK",
    "PADDING_WORDS",
    "PORT_FORMATS",
    "AnyLayer",
    "CheckFormat",
    "Format",
    "NetworkSource",
    "PortFormat",
    "RenderOptions",
    "Report",
    "axes_label",
    "axis_names",
    "check_file",
    "check_format",
    "check_outputs",
    "ci_inert",
    "cost_options",
    "data_yaml",
    "example_names",
    "example_text",
    "examples",
    "explain",
    "explanation_svg",
    "import_model",
    "is_standard_stream",
    "layer",
    "layer_gif",
    "layer_page",
    "layer_to_draw",
    "load_network",
    "malformed_json",
    "mirror",
    "nearest_sizes",
    "network",
    "network_page",
    "network_yaml",
    "output_format",
    "port",
    "port_format",
    "port_network",
    "read_network",
    "render",
    "render_check",
    "render_explanation",
    "render_port",
    "render_sizes",
    "render_solutions",
    "report",
    "schema_text",
    "sizes",
    "solve",
    "visible",
    "write_bytes_atomically",
    "write_text_atomically",
]
