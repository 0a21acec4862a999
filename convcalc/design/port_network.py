"""Pure: a whole network file ported to another framework, layer by layer.

Every convolution and pool becomes the target's layers (`port.port`): explicit padding and
cropping steps become `pad` layers (ZeroPad2d for torch.nn, ZeroPadding2D and Cropping2D for
Keras), written where they are needed. The other layers stay as they are. When a layer turns
into several, references to it (`from`, `to`) keep pointing at its last part, which keeps the
layer's name and `expect`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from convcalc.core.analysis import LayerResult, Status, analyze
from convcalc.core.errors import LayerError
from convcalc.core.kinds import window_rules
from convcalc.core.spec import (
    AnyLayer,
    AxisValues,
    Framework,
    LayerKind,
    LayerSpec,
    NetworkSpec,
    OtherSpec,
    PaddingPairs,
)
from convcalc.design.port import Ported, port, split_pads


@dataclass(frozen=True, slots=True)
class PortedLayer:
    """One layer of the source network and what replaces it (the same layer when it has no window)."""

    index: int
    source: AnyLayer
    ported: Ported | None
    layers: tuple[AnyLayer, ...]
    pads: PaddingPairs | None = None  # an explicit pad or crop, written as the target's own layer
    output: AxisValues | None = None


@dataclass(frozen=True, slots=True)
class PortedNetwork:
    """A network in the target framework that gives, layer for layer, the source's shapes."""

    source: NetworkSpec
    target: Framework
    parts: tuple[PortedLayer, ...]

    @property
    def network(self) -> NetworkSpec:
        """The ported network, ready for the writer."""
        layers = tuple(layer for part in self.parts for layer in part.layers)
        return NetworkSpec(self.source.input, layers, self.source.source, self.source.inputs)


def pad_layers(pads: PaddingPairs, target: Framework, *, maximum: bool = False) -> tuple[OtherSpec, ...]:
    """Return the layers that pad (or crop, where negative) each axis, as the target writes them."""
    rank = len(pads)
    if target is Framework.TORCH:
        name = f"ConstantPad{rank}d" if maximum else f"ZeroPad{rank}d"
        return (OtherSpec(LayerKind.PAD, name, amounts=pads),)
    if target is Framework.KERAS:
        added, cut = split_pads(pads)
        layers = []
        if any(b or a for b, a in added):
            layers.append(OtherSpec(LayerKind.PAD, f"ZeroPadding{rank}D", amounts=added))
        if any(b or a for b, a in cut):  # a crop layer holds its amounts as negative pads
            layers.append(OtherSpec(LayerKind.CROP, f"Cropping{rank}D", amounts=tuple((-b, -a) for b, a in cut)))
        return tuple(layers)
    return (OtherSpec(LayerKind.PAD, "pad", amounts=pads),)


def _parts(ported: Ported, source: LayerSpec) -> list[AnyLayer]:
    """Return the layers that replace one window layer, in order, before naming them."""
    layer = replace(ported.layer, name=None, expect=None, inputs=None, location=None)
    parts: list[AnyLayer] = []
    if ported.pad_before is not None:
        parts += pad_layers(
            ported.pad_before, ported.target, maximum=window_rules(source.kind).pads_with_minus_infinity
        )
    parts.append(layer)
    if ported.pad_after is not None:
        parts += pad_layers(ported.pad_after, ported.target)
    return parts


def _renamed(layers: list[AnyLayer], source: AnyLayer, index: int, names: dict[str, str]) -> tuple[AnyLayer, ...]:
    """Give the first part the source's inputs and the last its name and expect; references by index become names.

    With no names to change (no layer grew into several), a single part keeps the source's own.
    """
    inputs = None if source.inputs is None else tuple(names.get(ref, ref) for ref in source.inputs)
    first = replace(layers[0], inputs=inputs)
    layers = [first, *layers[1:]]
    name = source.name if source.name is not None else names.get(str(index))
    last = replace(layers[-1], name=name, expect=source.expect, location=source.location)
    if isinstance(last, OtherSpec) and last.to is not None:
        last = replace(last, to=names.get(last.to, last.to))
    return (*layers[:-1], last)


def port_network(network: NetworkSpec, target: Framework) -> PortedNetwork:
    """Port every layer of a network to the target framework, or raise the first layer's reason it cannot be."""
    result = analyze(network)
    pieces: list[tuple[LayerResult, Ported | None, list[AnyLayer]]] = []
    for found in result.layers:
        spec = found.spec
        if found.input is None:
            raise LayerError(f"{found.label} is not computed: {found.error}")
        if found.status is Status.INVALID:  # nothing to port: the source framework refuses it
            raise LayerError(f"{found.label}: {found.error}")
        if isinstance(spec, LayerSpec):
            try:
                ported = port(spec, found.input, target)
            except LayerError as error:
                raise error.retold(f"{found.label}: {error.message}", axes=False) from None
            parts = _parts(ported, spec)
        else:
            ported = None
            parts = list(pad_layers(spec.amounts, target)) if spec.amounts is not None else []
            parts = parts or [spec]
        pieces.append((found, ported, parts))
    grown = any(len(parts) > 1 for _, _, parts in pieces)
    names = _index_names(network) if grown else {}
    ported_parts = tuple(
        PortedLayer(
            found.index,
            found.spec,
            ported,
            _renamed(parts, found.spec, found.index, names),
            found.spec.amounts if isinstance(found.spec, OtherSpec) else None,
            found.output,
        )
        for found, ported, parts in pieces
    )
    return PortedNetwork(network, target, ported_parts)


def _index_names(network: NetworkSpec) -> dict[str, str]:
    """Name the layers that are referred to by index, as their indices change when layers are added."""
    referred = {ref for layer in network.layers for ref in (layer.inputs or ())}
    referred |= {layer.to for layer in network.layers if isinstance(layer, OtherSpec) and layer.to}
    taken = {layer.name for layer in network.layers if layer.name is not None}
    names: dict[str, str] = {}
    for index, layer in enumerate(network.layers, start=1):
        if layer.name is None and str(index) in referred:
            name = f"layer{index}"
            while name in taken:
                name += "_"
            names[str(index)] = name
            taken.add(name)
    return names
