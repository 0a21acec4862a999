"""Pure: one network at one input size on one axis, shapes only, as the sizes sweep needs it.

A trial runs the core's shape rules (`layer_shape`, `other_shape`) through the network and
keeps, per layer, its size on the swept axis. Unlike `analyze` it follows no receptive field
and writes no notes, and it is lenient about relations between inputs: a merge whose inputs
do not meet, a crop or pad to another layer's size that cannot be made, a Linear whose
in_features differ, each is noted as not holding and the walk goes on with the sizes it would
have had, so that every layer after it still has a size.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

from convcalc.core.errors import InputError, LayerError
from convcalc.core.kinds import other_rules, rules_of
from convcalc.core.spec import AnyLayer, AxisValues, LayerSpec, NetworkSpec, OtherSpec
from convcalc.core.windows import LayerShape, layer_shape


@dataclass(frozen=True, slots=True)
class Trial:
    """A network at one input size: the sizes relations compare, which relations hold, the output."""

    compared: tuple[tuple[int, ...], ...]
    """Per relation, in order, the sizes it compares on the axis (with in_features for a Linear, 1 for a broadcast)."""
    held: bool
    """Whether every relation holds: the network takes this size."""
    output: AxisValues
    """The last layer's whole shape."""


def _sources(layer: AnyLayer, previous: str) -> tuple[str, ...]:
    return layer.inputs or (previous,)


def period(network: NetworkSpec, axis: int) -> int | None:
    """Return a period T of the network on one axis: sizes T apart behave alike once every layer takes them.

    Each layer's output size is floor((a*i + b) / c) of its input size i, so the product of
    the strides of the direct layers (and the denominators of fractional scale factors) along
    each path, and their least common multiple over the paths, is a period of the whole.
    None when a layer's size is not of that form (pixel unshuffle, reduce, rearrange).
    """
    periods: dict[str, int] = dict.fromkeys(network.input_shapes(), 1)
    previous = "input"
    for index, layer in enumerate(network.layers, start=1):
        own = rules_of(layer.kind).period(layer, axis)
        if own is None:
            return None
        found = lcm(*(periods[source] for source in _sources(layer, previous))) * own
        if isinstance(layer, OtherSpec) and layer.to:
            found = lcm(found, periods[layer.to])
        name = layer.name if layer.name is not None else str(index)
        periods[name] = periods[str(index)] = found
        previous = str(index)
    return lcm(*periods.values())


class Walker:
    """Run trials of one network on one axis, remembering the layer shapes already computed."""

    def __init__(self, network: NetworkSpec, axis: int) -> None:
        self.network = network
        self.axis = axis
        self.seen: dict[tuple[int, AxisValues], LayerShape] = {}

    def input_shape(self, size: int) -> AxisValues:
        """Return the network's input shape with the swept axis at `size`."""
        shape = self.network.input
        return (*shape[: 2 + self.axis], size, *shape[3 + self.axis :])

    def run(self, size: int) -> Trial | None:
        """Return the trial at `size`, or None when a layer refuses the size it is given."""
        shapes: dict[str, AxisValues] = self.network.input_shapes(self.input_shape(size))
        previous, held = "input", True
        compared: list[tuple[int, ...]] = []
        place = 2 + self.axis
        for index, layer in enumerate(self.network.layers, start=1):
            sources = list(_sources(layer, previous))
            given = [shapes[source] for source in sources]
            try:
                if isinstance(layer, LayerSpec):
                    output = self._window(index, layer, given[0])
                else:
                    target = shapes.get(layer.to) if layer.to else None
                    rules = other_rules(layer.kind)
                    sizes = rules.relation(layer, given, target, place)
                    if sizes is not None:
                        compared.append(sizes)
                    try:
                        output = rules.shape(layer, given, sources, target).output
                    except LayerError:
                        if sizes is None:
                            raise
                        held = False
                        output = rules.as_if_held(layer, given, sources, target)
            except (LayerError, InputError):
                return None
            name = layer.name if layer.name is not None else str(index)
            shapes[name] = shapes[str(index)] = output
            previous = str(index)
        return Trial(tuple(compared), held, shapes[previous])

    def _window(self, index: int, layer: LayerSpec, shape: AxisValues) -> AxisValues:
        key = (index, shape)
        found = self.seen.get(key)
        if found is None:
            if len(self.seen) > 100_000:  # noqa: PLR2004 - a bound on memory, not a rule
                self.seen.clear()
            found = self.seen[key] = layer_shape(layer, shape)
        return found.output
