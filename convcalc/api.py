"""The Python API: from a path, a YAML text or a network built in Python to a report that prints as the table.

Everything here calls the same core, loader and renderers as the command line, and loads
the loader (YAML) and the renderers (rich) only when they are used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convcalc.core.analysis import LayerResult, StackResult, analyze
from convcalc.core.errors import InputError
from convcalc.core.spec import AxisValues, NetworkSpec

if TYPE_CHECKING:
    from convcalc.core.cost import Cost
    from convcalc.core.spec import Framework, LayerKind, LayerSpec
    from convcalc.design.explain import Section
    from convcalc.design.port import Ported
    from convcalc.design.port_network import PortedNetwork
    from convcalc.design.solve import Solution
    from convcalc.design.sweep import AxisSizes

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
        from convcalc.core.cost import convention, network_cost  # noqa: PLC0415

        return network_cost(self.result, dtype, convention(count))

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's JSON document as Python data: exactly what `json.loads(report.to_json())` gives."""
        import json  # noqa: PLC0415

        document: dict[str, Any] = json.loads(self.to_json())
        return document

    def to_json(self) -> str:
        """Return the JSON text `convcalc stack --format json` prints."""
        from convcalc.render.report import render_json  # noqa: PLC0415 - the renderers load when used

        return render_json(self.result)

    def to_markdown(self) -> str:
        """Return the Markdown table `convcalc stack --format markdown` prints."""
        from convcalc.render.stack import render_markdown  # noqa: PLC0415

        return render_markdown(self.result)

    def to_csv(self) -> str:
        """Return the CSV `convcalc stack --format csv` prints."""
        from convcalc.render.stack import render_csv  # noqa: PLC0415

        return render_csv(self.result)

    def to_table(self, width: int = 100) -> str:
        """Return the table `convcalc stack` prints, `width` columns wide, without colour."""
        from convcalc.render.stack import render_table  # noqa: PLC0415
        from convcalc.render.toolkit import RenderOptions  # noqa: PLC0415

        return render_table(self.result, RenderOptions(width=width))

    def __str__(self) -> str:
        return self.to_table()


def read_network(path: str | os.PathLike[str], *, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Read a network file (`-` is standard input); raise InputErrorGroup with every problem, located."""
    from convcalc.sources.read import read_network as read  # noqa: PLC0415 - YAML and the importers load when used

    return read(os.fspath(path), input_shape=_shape(input_shape))


def load_network(text: str, source: str = "<network>", *, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Read a network file's YAML text; `source` names it in messages."""
    from convcalc.netfile import loader  # noqa: PLC0415

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
    from convcalc.netfile import loader  # noqa: PLC0415

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
    from convcalc.netfile.writer import network_yaml as write  # noqa: PLC0415

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
) -> list[Solution]:
    """Return every layer of `kind` within the limits that maps the input size to the output size, best first."""
    from convcalc.core.spec import Framework, LayerKind, axis_names, broadcast  # noqa: PLC0415
    from convcalc.design.solve import SEARCH_WORK, Limits, search_size  # noqa: PLC0415
    from convcalc.design.solve import solve as search  # noqa: PLC0415

    chosen = LayerKind(kind)
    rank = max(len(v) if isinstance(v, Sequence) else 1 for v in (input, output))
    sizes, targets = broadcast(input, rank), broadcast(output, rank)
    limits = Limits(kernel, stride, dilation, max_padding, symmetric_only, Framework.parse(framework))
    if search_size(chosen, limits) > SEARCH_WORK:
        msg = f"the limits span more than {SEARCH_WORK:,} layer shapes: narrow the kernel, stride or dilation"
        raise InputError(msg)
    return search(chosen, sizes, targets, limits, axis_names(rank))


def sizes(source: NetworkSource, low: int = 1, high: int = 1024) -> list[AxisSizes]:
    """Return, per spatial axis, the input sizes from low to high the network accepts and those it gives back."""
    from convcalc.core.spec import axis_names  # noqa: PLC0415
    from convcalc.design.sweep import sweep_axes  # noqa: PLC0415

    spec = _spec(source)
    return sweep_axes(spec, [(low, high)] * spec.rank, axis_names(spec.rank))


def mirror(source: NetworkSource) -> NetworkSpec:
    """Return the decoder that restores every shape of an encoder, layer by layer in reverse."""
    from convcalc.design.mirror import mirror as decoder  # noqa: PLC0415

    return decoder(analyze(_spec(source)))


def port(layer: LayerSpec, input_shape: Sequence[int], to: Framework | str) -> Ported:
    """Return the layers of framework `to` that give exactly what `layer` gives on an input of `input_shape`."""
    from convcalc.core.spec import Framework  # noqa: PLC0415
    from convcalc.design.port import port as port_layer  # noqa: PLC0415

    return port_layer(layer, tuple(input_shape), Framework.parse(to))


def port_network(source: NetworkSource, to: Framework | str) -> PortedNetwork:
    """Return a whole network in framework `to`, every layer giving exactly what the source's gives."""
    from convcalc.core.spec import Framework  # noqa: PLC0415
    from convcalc.design.port_network import port_network as port_all  # noqa: PLC0415

    return port_all(_spec(source), Framework.parse(to))


def explain(layer: LayerSpec, input_shape: Sequence[int], *, matrix: bool = False) -> tuple[Section, ...]:
    """Return the picture `convcalc explain` draws, as data: titled sections of styled lines."""
    from convcalc.design.explain import explain_layer  # noqa: PLC0415

    return explain_layer(layer, tuple(input_shape), matrix=matrix)


def _spec(source: NetworkSource, input_shape: Sequence[int] | None = None) -> NetworkSpec:
    """Return the network a source describes (see `report`)."""
    if isinstance(source, NetworkSpec):
        return source if input_shape is None else NetworkSpec(tuple(input_shape), source.layers, source.source)
    if isinstance(source, Mapping):
        from convcalc.netfile import loader  # noqa: PLC0415

        return loader.network_from_data(source, input_shape=_shape(input_shape))
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        return load_network(source, input_shape=input_shape)
    if isinstance(source, str | os.PathLike):
        return read_network(source, input_shape=input_shape)
    msg = f"expected a path, a YAML text, a mapping or a NetworkSpec, got {type(source).__name__}"  # type: ignore[unreachable]
    raise InputError(msg)


def _shape(shape: Sequence[int] | None) -> tuple[int, ...] | None:
    return None if shape is None else tuple(shape)
