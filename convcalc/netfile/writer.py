"""Write a NetworkSpec as a network file (YAML text that `convcalc stack` reads back)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from convcalc.core.kinds import other_rules
from convcalc.core.spec import AnyLayer, Framework, LayerSpec, NetworkSpec, OtherSpec, PaddingMode
from convcalc.core.text import visible
from convcalc.netfile.vocabulary import OTHER_TYPES


def _axes(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "[" + ", ".join(map(str, values)) + "]"


def _padding(layer: LayerSpec) -> str:
    padding = layer.padding
    if isinstance(padding, PaddingMode):
        return padding.value
    if all(before == after for before, after in padding):
        return _axes(tuple(before for before, _ in padding))
    return "[" + ", ".join(f"[{before}, {after}]" for before, after in padding) + "]"


def _other_yaml(layer: OtherSpec) -> list[str]:
    """Return the keys of a non-window layer that differ from their defaults."""
    defaults = OtherSpec(layer.kind, layer.type_name)
    rules = other_rules(layer.kind)
    keys = {
        "dim": layer.dim,
        "to": layer.to,
        "align": layer.align,
        "scale_factor": list(layer.scale_factor) if layer.scale_factor else None,
        rules.size_key: list(layer.size) if layer.size else None,
        "mode": layer.mode,
        "start_dim": layer.start_dim,
        "end_dim": layer.end_dim,
        "in_features": layer.in_features,
        "out_features": layer.out_features,
        "bias": layer.bias,
        "num_features": layer.num_features,
    }
    written = [
        f"{key}: {json.dumps(value)}"
        for key, value in keys.items()
        if value != getattr(defaults, "size" if key == rules.size_key else key) and value is not None
    ]
    for name, value in layer.arguments:
        written.append(f"{name}: {json.dumps(list(value) if isinstance(value, tuple) else value)}")
    info = OTHER_TYPES.get(layer.type_name.lower().replace("_", ""))
    needed = info is not None and "dim" in info.required
    said = any(item.startswith("dim:") for item in written)
    if (rules.writes_dim or needed) and layer.dim == 1 and not said:  # chunk's own is 0; unflatten needs it
        written.insert(0, "dim: 1")
    if info is not None and "num_channels" in info.keys:  # GroupNorm's name for it
        written = [item.replace("num_features:", "num_channels:", 1) for item in written]
    written.extend(f"{key}: {json.dumps(value)}" for key, value in rules.written(layer))
    return written


def layer_yaml(layer: AnyLayer) -> str:
    """Return one layer as a flow mapping, keys as in torch.nn, defaults left out."""
    parts = [f"type: {layer.type_name if isinstance(layer, OtherSpec) else layer.kind.value}"]
    if layer.name is not None:
        parts.append(f"name: {json.dumps(layer.name)}")  # quoted: a name like 1, yes or a:b stays a string
    if layer.inputs:
        parts.append(f"from: {json.dumps(list(layer.inputs))}")
    parts.extend(_other_yaml(layer) if isinstance(layer, OtherSpec) else _window_yaml(layer))
    if layer.shares is not None:
        parts.append(f"shares: {json.dumps(layer.shares)}")
    if layer.expect is not None:
        parts.append("expect: [" + ", ".join(map(str, layer.expect)) + "]")
    return "{" + ", ".join(parts) + "}"


def _window_yaml(layer: LayerSpec) -> list[str]:
    """Return the keys of a sliding-window layer, defaults left out."""
    parts = []
    if layer.out_channels is not None:
        parts.append(f"out_channels: {layer.out_channels}")
    parts.append(f"kernel_size: {_axes(layer.kernel_size)}")
    parts.append(f"stride: {_axes(layer.stride)}")
    parts.append(f"padding: {_padding(layer)}")
    if any(d != 1 for d in layer.dilation):
        parts.append(f"dilation: {_axes(layer.dilation)}")
    keras_given = layer.framework is Framework.KERAS and layer.kind.is_transposed and layer.output_padding_given
    if any(layer.output_padding) or keras_given:  # Keras sizes a transposed layer differently without it
        parts.append(f"output_padding: {_axes(layer.output_padding)}")
    if layer.groups != 1:
        parts.append(f"groups: {layer.groups}")
    if not layer.bias:
        parts.append("bias: false")
    if layer.ceil_mode:
        parts.append("ceil_mode: true")
    if layer.padding_mode != "zeros":
        parts.append(f"padding_mode: {layer.padding_mode}")
    if layer.count_include_pad is not None:
        parts.append(f"count_include_pad: {'true' if layer.count_include_pad else 'false'}")
    return parts


Inputs = Mapping[str, Sequence[int] | str]
"""A network's several inputs: each name's shape, or the name of an earlier input whose shape it has."""


def _file_text(comment: str, framework: str | None, shape: Sequence[int] | Inputs, layers: list[str]) -> str:
    """Return a network file: an optional comment, the framework, the input shape(s), one layer a line."""
    lines = [f"# {visible(line)}" for line in comment.splitlines()]
    if framework is not None:
        lines.append(f"framework: {framework}")
    if isinstance(shape, Mapping):
        lines.append("inputs:")
        for name, value in shape.items():
            given = json.dumps(value) if isinstance(value, str) else "[" + ", ".join(map(str, value)) + "]"
            lines.append(f"  {json.dumps(name)}: {given}")
    else:
        lines.append("input: [" + ", ".join(map(str, shape)) + "]")
    lines.append("layers:" if layers else "layers: []")
    lines.extend(f"  - {layer}" for layer in layers)
    return "\n".join(lines) + "\n"


def network_yaml(network: NetworkSpec, comment: str = "") -> str:
    """Return a network file of a network: its layers' keys as in torch.nn, defaults left out."""
    framework = None if network.framework is Framework.TORCH else str(network.framework)
    inputs: Sequence[int] | Inputs = network.input
    if network.inputs:
        first, *others = network.inputs
        inputs = {first.name: network.input} | {spec.name: spec.shape or spec.like or "" for spec in others}
    return _file_text(comment, framework, inputs, [layer_yaml(layer) for layer in network.layers])


def data_yaml(data: Mapping[str, Any], comment: str = "") -> str:
    """Return a network file of network data (an importer's framework, input or inputs, layers), keys as given."""
    layers = [
        "{" + ", ".join(f"{key}: {json.dumps(value)}" for key, value in layer.items()) + "}" for layer in data["layers"]
    ]
    return _file_text(comment, data.get("framework"), data["inputs"] if "inputs" in data else data["input"], layers)
