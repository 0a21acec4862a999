"""Read a Keras model's config into a network file's data (`framework: keras`), layer by layer.

The config comes from a `.keras` archive (its config.json; the weights file is never read,
so an archive without it reads as well) or from a file of `model.to_json()`, Keras 3's or
Keras 2's; Keras itself is not needed. Functional models (any graph of layers, each called
once) and Sequential ones are read. Each layer keeps its name; what Keras computes in ways
the dialect has no type for is written as the layers that compute the same: a
DepthwiseConv2D as a grouped Conv2D (one group per channel), a SeparableConv2D as that
followed by a 1×1 Conv2D. A layer convcalc does not follow is one error naming it, its
class and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from convcalc.core.errors import InputError, InputErrorGroup, Location
from convcalc.core.kinds import file_types
from convcalc.core.kinds.file_types import IGNORED
from convcalc.core.rearrange import from_keras_order
from convcalc.core.spec import input_name
from convcalc.core.terms import LayerKind
from convcalc.importers.keras_archive import MAX_NESTING, nesting_depth_over, read_config_bytes

Measure = Callable[[Mapping[str, Any]], Mapping[str, tuple[int, ...]]]
"""The output shape of every layer of network data ({"framework": "keras", "input": ..., "layers": ...})."""

_RANKS = (1, 2, 3)
WINDOWS = {
    **{f"Conv{rank}D": rank for rank in _RANKS},
    **{f"Conv{rank}DTranspose": rank for rank in _RANKS},
    **{f"{pool}Pooling{rank}D": rank for pool in ("Max", "Average") for rank in _RANKS},
}
"""Keras' sliding-window classes, written as they are."""
DEPTHWISE = {f"DepthwiseConv{rank}D": rank for rank in (1, 2)}
SEPARABLE = {f"SeparableConv{rank}D": rank for rank in (1, 2)}
MERGES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "CustomScaleLayer"}
KEEPING = frozenset(
    name
    for types in file_types()
    for name, info in types.keras.items()
    if info.kind is LayerKind.IDENTITY and all(what == IGNORED for what in info.keys.values())
) | {"identity"}
"""Layers that keep the shape, written by their type alone: core/kinds/identity.py's Keras names (lower case)."""
KEPT_WITH_KEYS = {"Softmax", "Normalization"}
"""Shape-keeping layers written with a key of theirs (Softmax's axis, Normalization's constants)."""
RESHAPING = {"Flatten", "Reshape", "Permute", "Dense", "BatchNormalization", "LayerNormalization",
             "GroupNormalization"}  # fmt: skip
GLOBAL_POOLS = {f"Global{pool}Pooling{rank}D" for pool in ("Average", "Max") for rank in _RANKS}
RESIZING = {
    **{f"ZeroPadding{rank}D": "padding" for rank in _RANKS},
    **{f"Cropping{rank}D": "cropping" for rank in _RANKS},
    **{f"UpSampling{rank}D": "size" for rank in _RANKS},
}
MODELS = {"Functional", "Model", "Sequential"}
SAME_CHANNELS = KEPT_WITH_KEYS | set(RESIZING) | {"BatchNormalization", "LayerNormalization", "GroupNormalization"}
SAME_CHANNELS |= {f"{pool}Pooling{rank}D" for pool in ("Max", "Average") for rank in _RANKS}
"""Layers whose output has their input's channels (and KEEPING's): a depthwise layer after them needs no measuring."""


def _same_channels(class_name: str) -> bool:
    """Whether a layer's output has its input's channels."""
    return class_name in SAME_CHANNELS or class_name.lower() in KEEPING


class _UnsupportedError(Exception):
    """A layer the import cannot follow, with the reason: the one error this reader catches."""


def _kind_of(value: object) -> str:
    """Say what JSON value this is."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    kinds = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def _mapping(value: object, what: str) -> dict[str, Any]:
    """Return a JSON object the config must hold here."""
    if not isinstance(value, dict):
        raise _UnsupportedError(f"{what} is {_kind_of(value)}, not a mapping")
    return value


def _listed(value: object, what: str) -> list[Any]:
    """Return a JSON array the config must hold here."""
    if not isinstance(value, list):
        raise _UnsupportedError(f"{what} is {_kind_of(value)}, not a list")
    return value


def _whole(value: object, what: str) -> int:
    """Return a whole number the config must hold here."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _UnsupportedError(f"{what} is {_kind_of(value)} ({value!r}), not a whole number")
    return value


def _needed(config: dict[str, Any], key: str) -> Any:  # noqa: ANN401 - any JSON value, checked where it is used
    """Return a key the layer's class needs."""
    if key not in config:
        raise _UnsupportedError(f"its config has no {key!r}")
    return config[key]


@dataclass(frozen=True)
class _Layer:
    """One layer of the config: its class, name, keys and the layers it reads (by their Keras names)."""

    class_name: str
    name: str
    config: dict[str, Any]
    reads: list[str]
    seen_shape: tuple[int | None, ...] | None  # its input's shape, as Keras recorded it (channels-last)
    shares: str | None = None  # a later call of a layer called more than once: the first call's name


@dataclass
class _Walk:
    """The layers written so far, by name, and how to measure them."""

    measure: Measure | None
    shape: tuple[int, ...]
    names: dict[str, str] = field(default_factory=dict)  # Keras layer -> the convcalc layer that holds its output
    layers: list[dict[str, Any]] = field(default_factory=list)
    last: str = "input"
    known_channels: dict[str, int] = field(default_factory=dict)  # a written layer's output channels, where plain
    inputs: dict[str, list[int] | str] = field(default_factory=dict)  # a model of several inputs: `inputs`
    input_channels: dict[str, int] = field(default_factory=dict)  # the channels of each input after the first
    made: dict[str, list[str]] = field(default_factory=dict)  # a Keras layer's convcalc layers, by its name

    def input_data(self) -> dict[str, Any]:
        """Return the network data's input: `input`, or `inputs` for a model of several."""
        return {"inputs": self.inputs} if len(self.inputs) > 1 else {"input": list(self.shape)}

    def channels(self, layer: _Layer) -> int:
        """Return the channels coming into a layer: as Keras recorded them, as the layers so far say, or measured.

        A convolution says its filters and a shape-keeping layer its input's, so a chain of a
        thousand depthwise layers is read without measuring the layers before each (once
        quadratic in the layers).
        """
        if layer.seen_shape and isinstance(layer.seen_shape[-1], int):
            return layer.seen_shape[-1]
        source = self.source(layer)[0]
        if source == "input":
            return self.shape[1]
        if source in self.input_channels:
            return self.input_channels[source]
        if source in self.known_channels:
            return self.known_channels[source]
        if self.measure is None:
            raise _UnsupportedError("its input's channels are not in the config")
        found = self.measure({"framework": "keras", **self.input_data(), "layers": self.layers}).get(source)
        if found is None or len(found) < 2:  # noqa: PLR2004 - a name and a version
            raise _UnsupportedError("its input's channels are unknown (a layer before it is invalid)")
        return found[1]

    def source(self, layer: _Layer) -> list[str]:
        """Return the convcalc layers a Keras layer reads (at least one)."""
        if not layer.reads:
            raise _UnsupportedError("it reads no layer (its call lists no input)")
        return [self.names[name] for name in layer.reads]

    def add(self, layer: _Layer, made: list[dict[str, Any]]) -> None:
        """Place a layer's convcalc layers: the first reads the layer's inputs, each next one the one before."""
        sources = self.source(layer)
        if layer.class_name == ALIAS:  # a nested model's input or output: another layer's tensor
            self.names[layer.name] = sources[0]
            return
        channels = self.known_channels.get(sources[0], self.shape[1] if sources[0] == "input" else None)
        channels = self.input_channels.get(sources[0], channels)
        owners = self.made.get(layer.shares, []) if layer.shares and _has_weights(layer.config) else []
        names = []
        for position, keys in enumerate(made):
            entry = {"type": keys.pop("type"), "name": keys.pop("name", layer.name), **keys}
            filters = entry.get("filters")
            channels = filters if isinstance(filters, int) else channels if _same_channels(layer.class_name) else None
            if channels is not None and len(sources) == 1:
                self.known_channels[entry["name"]] = channels
            if sources != [self.last]:
                entry["from"] = sources if len(sources) > 1 else sources[0]
            if layer.config.get("trainable") is False:  # frozen, as transfer learning freezes a backbone
                entry["trainable"] = False
            if position < len(owners):  # a later call: the first call's weights
                entry["shares"] = owners[position]
            self.layers.append(entry)
            names.append(entry["name"])
            self.last = entry["name"]
            sources = [self.last]
        self.names[layer.name] = self.last
        self.made[layer.name] = names


def keras_import(
    path: str, input_shape: tuple[int, ...] | None, measure: Measure | None = None, data: bytes | None = None
) -> dict[str, Any]:
    """Return a Keras model's network data (`framework: keras`) from a `.keras` archive or a `to_json()` file.

    `input_shape` is [N, C, *spatial], as convcalc writes shapes; it gives the sizes the model
    leaves open (None in Keras' own shape) and may change the others but not the channels.
    `data`, when given, is the file's bytes (read from standard input) and `path` only names it.
    Raise InputErrorGroup naming every layer that cannot be followed.
    """
    return keras_network_data(_read_config(path, data), path, input_shape, measure)


def is_keras_model(value: object) -> bool:
    """Whether parsed JSON is a Keras model's config (what `model.to_json()` writes)."""
    return isinstance(value, dict) and value.get("class_name") in MODELS and isinstance(value.get("config"), dict)


def keras_network_data(
    model: dict[str, Any], source: str, input_shape: tuple[int, ...] | None, measure: Measure | None = None
) -> dict[str, Any]:
    """Return the network data of a Keras model's parsed config; errors are located at `source`."""
    where = Location(source)
    try:
        layers, keras_shape, other_shapes = _model_layers(model)
        shape = _input_shape(keras_shape, input_shape)
        others = {
            name: shape if other == keras_shape else _input_shape(other, None) for name, other in other_shapes.items()
        }
        ordered = _in_order(layers)
    except InputError as error:
        raise InputErrorGroup([error.located(where)]) from None
    except _UnsupportedError as error:  # a value of another JSON type, or a list of another length, than Keras writes
        msg = f"not a model config as Keras writes it: {error.args[0]}"
        raise InputErrorGroup([InputError(msg, location=where)]) from None
    first = next((layer.name for layer in layers if layer.class_name == ALIAS and layer.reads == [INPUT]), "input")
    first = input_name(first)  # each input's name in the network (not `input`, nor a number)
    like = {name: first for name, other in other_shapes.items() if other == keras_shape}
    named = {f"{INPUT}{name}": input_name(name) for name in others}
    walk = _Walk(measure=measure, shape=shape, names={INPUT: "input", **named})
    given: dict[str, list[int] | str] = {first: list(shape)}
    walk.inputs = given | {input_name(name): like.get(name) or list(other) for name, other in others.items()}
    walk.input_channels = {input_name(name): other[1] for name, other in others.items()}
    errors = []
    for layer in ordered:
        try:
            walk.add(layer, [] if layer.class_name == ALIAS else _layer(layer, walk))
        except _UnsupportedError as reason:
            errors.append(InputError(f"layer {layer.name!r} ({layer.class_name}): {reason.args[0]}", location=where))
            walk.names[layer.name] = walk.last  # keep going, to say every unfollowed layer at once
    if errors:
        raise InputErrorGroup(errors)
    return {"framework": "keras", **walk.input_data(), "layers": walk.layers}


def _read_config(path: str, data: bytes | None) -> dict[str, Any]:
    """Read the model config of a `.keras` archive or a JSON file, or raise InputErrorGroup saying why not."""
    where = Location(path)
    raw = read_config_bytes(path, data)
    try:
        text = raw.decode()
    except UnicodeDecodeError as error:
        raise InputErrorGroup([InputError(f"cannot read: {error}", location=where)]) from None
    if nesting_depth_over(text):
        msg = f"not a Keras config: nested more than {MAX_NESTING} levels deep"
        raise InputErrorGroup([InputError(msg, location=where)])
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"not a Keras config: invalid JSON at line {error.lineno}, column {error.colno} ({error.msg})"
        raise InputErrorGroup([InputError(msg, location=where)]) from None
    if not is_keras_model(config):
        found = config.get("class_name") if isinstance(config, dict) else type(config).__name__
        msg = f"not a Keras model's config (expected a Functional or Sequential model, found {found!r})"
        raise InputErrorGroup([InputError(msg, location=where)])
    return dict(config)


INPUT = "<input>"
"""The name the model's input goes by in the layers' reads."""
ALIAS = "<alias>"
"""The class of a name that stands for another layer's output: a nested model, its InputLayer."""


def _model_layers(model: dict[str, Any]) -> tuple[list[_Layer], list[Any] | None, dict[str, list[Any] | None]]:
    """Return a model's layers (nested models' in place), its input's shape and its other inputs' (Keras' order)."""
    config = _mapping(model.get("config"), "the model's config")
    entries = config.get("layers")
    if not isinstance(entries, list) or not entries:
        raise InputError("the model has no layers")
    layers, _ = _graph(model, "", INPUT)
    entries = [entry for entry in entries if isinstance(entry, dict)]
    inputs = [e for e in entries if e.get("class_name") == "InputLayer"]
    others = [  # the top model's inputs (a nested model's names hold its outer name and a /)
        layer.name
        for layer in layers
        if layer.class_name == ALIAS and "/" not in layer.name and layer.reads[0].startswith(INPUT)
    ]
    declared = {_name(e): _batch_shape(e.get("config")) for e in inputs}
    shapes = {name: declared.get(name) for name in others[1:]}  # the first reads the model's input
    if others:
        inputs = [e for e in inputs if _name(e) == others[0]] or inputs
    shape = _batch_shape(inputs[0].get("config")) if inputs else None
    if shape is None and entries:
        shape = _batch_shape(entries[0].get("config"))
    built_config = model.get("build_config")
    built_shape = built_config.get("input_shape") if isinstance(built_config, dict) else None
    for built in built_shape, config.get("build_input_shape"):
        if shape is None and isinstance(built, list):
            shape = built
    return layers, shape, shapes


def _graph(model: dict[str, Any], prefix: str, source: str) -> tuple[list[_Layer], str]:
    """Return a model's layers named `prefix` + name, its input read from `source`, and its output's name.

    A model inside the model is read in its place, its layers named `OUTER/inner`; its own
    name then stands for its output, so that the layers after it read it as Keras does.
    """
    config = _mapping(model.get("config"), "a model's config")
    entries = [e for e in _listed(config.get("layers") or [], "a model's layers") if isinstance(e, dict)]
    if model.get("class_name") == "Sequential":
        return _sequence(entries, prefix, source)
    declared = _references(config.get("input_layers"), "the model's input_layers")
    outputs = _references(config.get("output_layers"), "the model's output_layers")
    if len(declared) != 1 and (prefix or not declared):
        names = ", ".join(repr(d[0]) for d in declared)
        raise InputError(f"a model inside the model has {len(declared)} inputs ({names}): convcalc reads one there")
    layers = [_Layer(ALIAS, prefix + str(declared[0][0]), {}, [source], None)]
    layers += [_Layer(ALIAS, str(name), {}, [f"{INPUT}{name!s}"], None) for name, *_ in declared[1:]]
    for entry in entries:
        if entry.get("class_name") == "InputLayer":
            continue
        calls = _read_layer(entry, prefix)
        if calls[0].class_name in MODELS and len(calls) > 1:
            raise InputError(f"model {calls[0].name!r} inside the model is called {len(calls)} times: once is followed")
        layers += _inlined(entry, calls[0]) if calls[0].class_name in MODELS else calls
    last = prefix + str(outputs[-1][0]) if outputs else layers[-1].name
    return layers, last


def _references(value: object, what: str) -> list[list[Any]]:
    """Return a model's input or output layers: [name, call, output] each (one alone may stand unlisted)."""
    listed = _listed(value or [], what)
    listed = [listed] if listed and isinstance(listed[0], str) else listed
    for reference in listed:
        if not isinstance(reference, list) or not reference:
            raise _UnsupportedError(f"{what} holds {_kind_of(reference)}, not [name, call, output]")
    return listed


def _sequence(entries: list[dict[str, Any]], prefix: str, source: str) -> tuple[list[_Layer], str]:
    """Return a Sequential model's layers, each reading the one before, and its last layer's name."""
    layers: list[_Layer] = []
    for entry in entries:
        if entry.get("class_name") == "InputLayer":
            continue
        built_config = entry.get("build_config")
        built = built_config.get("input_shape") if isinstance(built_config, dict) else None
        seen = tuple(built) if isinstance(built, list) else None
        config = _layer_config(entry)
        layer = _Layer(str(entry.get("class_name")), prefix + _name(entry), config, [source], seen)
        layers += _inlined(entry, layer) if layer.class_name in MODELS else [layer]
        source = layer.name
    return layers, source


def _inlined(entry: dict[str, Any], layer: _Layer) -> list[_Layer]:
    """Return a nested model's layers in its place, then its name standing for its output."""
    if not layer.reads or len(layer.reads) != 1:
        raise InputError(
            f"model {layer.name!r} inside the model reads {len(layer.reads or ())} tensors: one is followed"
        )
    inner, output = _graph(entry, f"{layer.name}/", layer.reads[0])
    if layer.config.get("trainable") is False:  # a frozen model freezes every layer in it
        inner = [replace(each, config={**each.config, "trainable": False}) for each in inner]
    return [*inner, _Layer(ALIAS, layer.name, {}, [output], None)]


def _layer_config(entry: dict[str, Any]) -> dict[str, Any]:
    """Return a layer entry's config (none given: empty)."""
    return _mapping(entry.get("config") or {}, "a layer's config")


def _name(entry: dict[str, Any]) -> str:
    """Return a layer entry's name."""
    return str(entry.get("name") or _needed(_mapping(entry.get("config"), "a layer's config"), "name"))


def _batch_shape(config: object) -> list[Any] | None:
    """Return the shape an InputLayer (or a Keras 2 first layer) declares, with the batch."""
    if not isinstance(config, dict):
        return None
    for key in ("batch_shape", "batch_input_shape"):
        if isinstance(config.get(key), list):
            return list(config[key])
    return None


def _read_layer(entry: dict[str, Any], prefix: str) -> list[_Layer]:
    """Return one layer entry of a functional model, a layer per call, with the layers each reads.

    A layer called more than once (one encoder for two images) is a layer per call: the first
    named as Keras names it, call k NAME:k, sharing the first's weights. Keras 3's and Keras 2's
    nodes are read alike.
    """
    name = _name(entry)
    class_name = str(entry.get("class_name"))
    config = _layer_config(entry)
    nodes = _listed(entry.get("inbound_nodes") or [], "a layer's inbound_nodes")
    calls = []
    for call, node in enumerate(nodes or [None]):
        tensors = list(_tensors(node)) if node is not None else []
        for source, _, tensor_index, _ in tensors:
            if tensor_index:
                msg = f"layer {name!r} ({class_name}) reads output {tensor_index} of {source!r}"
                raise InputError(f"{msg}: convcalc follows layers of one output")
        reads = [prefix + _called(source, node_index) for source, node_index, *_ in tensors]
        seen = tensors[0][3] if tensors else None
        shares = prefix + name if call else None
        calls.append(_Layer(class_name, prefix + _called(name, call), config, reads, seen, shares))
    return calls


def _has_weights(config: dict[str, Any]) -> bool:
    """Return whether a Keras layer holds weights (its config names how they start: kernel_initializer, ...)."""
    return any(key.endswith("_initializer") for key in config)


def _called(name: str, call: int) -> str:
    """Return the name of a layer's call: its own for the first, NAME:k for call k."""
    return f"{name}:{call}" if call else name


def _tensors(node: Any) -> Iterator[tuple[str, int, int, tuple[int | None, ...] | None]]:  # noqa: ANN401 - JSON
    """Yield each tensor a call reads: its layer, call and output index, and its shape where Keras 3 wrote it."""
    if isinstance(node, dict) and node.get("class_name") == "__keras_tensor__":
        tensor = _mapping(node.get("config"), "a tensor's config")
        history = _listed(_needed(tensor, "keras_history"), "a tensor's keras_history")
        if len(history) != len(("layer", "call", "output")):
            raise _UnsupportedError(f"a tensor's keras_history {history!r} is not [layer, call, output]")
        source, call, index = history
        shape = tensor.get("shape")
        yield (
            str(source),
            _whole(call, "a call's index"),
            _whole(index, "an output's index"),
            tuple(shape) if isinstance(shape, list) else None,
        )
    elif isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
        for key, value in node.items():
            if key != "mask":
                yield from _tensors(value)
    elif isinstance(node, list) and len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):  # noqa: PLR2004 - Keras' [layer, node, tensor] triples
        yield node[0], node[1], _whole(node[2], "an output's index"), None  # Keras 2: [layer, call, output, kwargs]
    elif isinstance(node, list):
        for item in node:
            yield from _tensors(item)


def _in_order(layers: list[_Layer]) -> list[_Layer]:
    """Return the layers so that each comes after the layers it reads (the config's order where it allows)."""
    inputs = {source for layer in layers if layer.class_name == ALIAS for source in layer.reads}
    inputs = {INPUT} | {source for source in inputs if source.startswith(INPUT)}  # the model's inputs
    known = {layer.name for layer in layers} | inputs
    for layer in layers:
        for source in layer.reads:
            if source not in known:
                raise InputError(f"layer {layer.name!r} reads {source!r}, which the model lacks")
    placed: set[str] = set(inputs)
    ordered: list[_Layer] = []
    waiting = list(layers)
    while waiting:
        ready = next((layer for layer in waiting if set(layer.reads) <= placed), None)
        if ready is None:
            names = ", ".join(repr(layer.name) for layer in waiting)
            raise InputError(f"layers {names} read each other in a cycle")
        waiting.remove(ready)
        ordered.append(ready)
        placed.add(ready.name)
    return ordered


def _input_shape(keras_shape: list[Any] | None, given: tuple[int, ...] | None) -> tuple[int, ...]:
    """Return the input as [N, C, *spatial]: the model's shape, its open sizes (and any others) from `given`."""
    if keras_shape is None:
        if given is None:
            msg = "the config does not say the input's shape: give it with input_shape, e.g. 1,3,224,224"
            raise InputError(msg, asks="input_shape")
        return given
    if not 3 <= len(keras_shape) <= 5:  # noqa: PLR2004 - batch, 1 to 3 spatial axes, channels
        raise InputError(f"the input {keras_shape} is not [N, *spatial, C] with 1 to 3 spatial axes")
    if any(size is not None and (isinstance(size, bool) or not isinstance(size, int)) for size in keras_shape):
        raise InputError(f"the input {keras_shape} holds a size that is not a whole number or None")
    held = from_keras_order(tuple(keras_shape))
    spelled = "(" + ", ".join("None" if size is None else str(size) for size in keras_shape) + ")"
    if given is None:
        if any(size is None for size in held[1:]):
            msg = f"the model's input {spelled} leaves sizes open: give them with input_shape, e.g. {_example(held)}"
            raise InputError(msg, asks="input_shape")
        return (1 if held[0] is None else int(held[0]), *(int(size) for size in held[1:]))
    if len(given) != len(held):
        msg = f"gives {len(given)} values but the model's input {spelled} has {len(held)} axes"
        raise InputError(msg, where="input_shape")
    if held[1] is not None and given[1] != held[1]:
        msg = (f"the model takes {held[1]} channels (its input is {spelled}, channels last); input_shape is "
               f"[N, C, *spatial] as convcalc writes shapes, e.g. {_example(held)}")  # fmt: skip
        raise InputError(msg, where="input_shape", asks="input_shape")
    return given


def _example(held: tuple[Any, ...]) -> str:
    """Return an --input value for a shape in convcalc's order, open sizes filled in."""
    fill = [1, 3, *([224] * (len(held) - 2))]
    return ",".join(str(size if size is not None else fill[axis]) for axis, size in enumerate(held))


def _layer(layer: _Layer, walk: _Walk) -> list[dict[str, Any]]:
    """Return the convcalc layers (type and keys, Keras' spelling) that compute what a Keras layer does."""
    config, kind = layer.config, layer.class_name
    if config.get("data_format") == "channels_first":
        raise _UnsupportedError("data_format channels_first is not followed (convcalc reads channels-last models)")
    if kind in WINDOWS:
        return [{"type": kind, **_window(config, pool="Pooling" in kind)}]
    if kind in DEPTHWISE or kind in SEPARABLE:
        return _depthwise(layer, walk.channels(layer))
    if kind in MERGES:
        return [_merged(layer)]
    if kind in KEPT_WITH_KEYS or kind.lower() in KEEPING:
        axis = config.get("axis", -1)
        kept: dict[str, Any] = {"type": kind, **({"axis": axis} if kind == "Softmax" and axis != -1 else {})}
        if kind == "Normalization" and config.get("mean") is not None:  # constants given: no weights (count_params)
            kept |= {"mean": _short(config["mean"]), "variance": _short(config.get("variance"))}
        return [kept]
    if kind in GLOBAL_POOLS:
        return [{"type": kind, **({"keepdims": True} if config.get("keepdims") else {})}]
    if kind in RESIZING:
        return [_resizing(kind, config, RESIZING[kind])]
    if kind in RESHAPING:
        return [_reshaping(kind, config, len(walk.shape))]
    raise _UnsupportedError("convcalc does not follow this layer")


def _merged(layer: _Layer) -> dict[str, Any]:
    """Return a merge layer; an Add or Multiply of one tensor and constants keeps its shape (x + 3.0, x * (1/6))."""
    kind = layer.class_name
    if kind != "Concatenate" and len(layer.reads) < 2:  # noqa: PLR2004 - a merge combines two tensors or more
        return {"type": "identity"}  # MobileNetV3's hard swish: the shape and the field stay
    axis = layer.config.get("axis", -1)
    return {"type": kind, **({"axis": axis} if kind == "Concatenate" and axis != -1 else {})}


def _depthwise(layer: _Layer, channels: int) -> list[dict[str, Any]]:
    """Return a DepthwiseConv as a Conv of one group per channel; a SeparableConv as that, then a 1x1 Conv."""
    config = layer.config
    rank = DEPTHWISE.get(layer.class_name) or SEPARABLE[layer.class_name]
    window = {key: value for key, value in _window(config, pool=False).items() if key != "filters"}
    multiplier = _whole(config.get("depth_multiplier", 1), "its depth_multiplier")
    depthwise = {"type": f"Conv{rank}D", "filters": channels * multiplier, **window, "groups": channels}
    if layer.class_name in DEPTHWISE:
        return [depthwise]
    depthwise["use_bias"] = False
    pointwise = {"type": f"Conv{rank}D", "filters": _whole(_needed(config, "filters"), "its filters"), "kernel_size": 1}
    if config.get("use_bias") is False:
        pointwise["use_bias"] = False
    return [{**depthwise, "name": f"{layer.name}/depthwise"}, pointwise]


def _window(config: dict[str, Any], *, pool: bool) -> dict[str, Any]:
    """Return a window layer's keys that differ from Keras' defaults, as Keras names them."""
    keys: dict[str, Any] = {}
    if pool:
        keys["pool_size"] = _short(_needed(config, "pool_size"))
        if config.get("strides") is not None and _short(config["strides"]) != keys["pool_size"]:
            keys["strides"] = _short(config["strides"])
    else:
        if "filters" in config:
            keys["filters"] = _whole(config["filters"], "its filters")
        keys["kernel_size"] = _short(_needed(config, "kernel_size"))
        if _short(config.get("strides", 1)) != 1:
            keys["strides"] = _short(config["strides"])
    padding = str(config.get("padding", "valid")).lower()
    if padding != "valid":
        keys["padding"] = padding
    for key, default in (("dilation_rate", 1), ("groups", 1)):
        if key in config and _short(config[key]) != default:
            keys[key] = _short(config[key])
    if config.get("output_padding") is not None:  # Keras sizes a transposed layer otherwise without it
        keys["output_padding"] = _short(config["output_padding"])
    if not pool and config.get("use_bias") is False:
        keys["use_bias"] = False
    return keys


def _short(value: Any) -> Any:  # noqa: ANN401 - a JSON value
    """Return an int for a per-axis list of one repeated int, the list otherwise."""
    if isinstance(value, list) and value and all(v == value[0] for v in value) and isinstance(value[0], int):
        return value[0]
    return value


def _resizing(kind: str, config: dict[str, Any], key: str) -> dict[str, Any]:
    """Return a ZeroPadding, Cropping or UpSampling layer with its amounts (and interpolation)."""
    keys: dict[str, Any] = {"type": kind, key: _needed(config, key)}
    if kind.startswith("UpSampling") and config.get("interpolation", "nearest") != "nearest":
        keys["interpolation"] = config["interpolation"]
    return keys


def _reshaping(kind: str, config: dict[str, Any], rank: int) -> dict[str, Any]:
    """Return a Flatten, Reshape, Permute, Dense or normalization layer with the keys that change a shape or a count."""
    if kind == "Reshape":
        return {"type": kind, "target_shape": _listed(_needed(config, "target_shape"), "its target_shape")}
    if kind == "Permute":
        return {"type": kind, "dims": _listed(_needed(config, "dims"), "its dims")}
    if kind == "Dense":
        return {
            "type": kind,
            "units": _whole(_needed(config, "units"), "its units"),
            **({"use_bias": False} if config.get("use_bias") is False else {}),
        }
    if kind in ("BatchNormalization", "GroupNormalization"):
        axis = config.get("axis", -1)
        if axis not in (-1, [-1], rank - 1, [rank - 1]):  # the channels: the last axis, from either end
            raise _UnsupportedError(f"axis {axis} is not followed (convcalc follows the channels, axis -1)")
        keys: dict[str, Any] = {"type": kind}
        if kind == "GroupNormalization":
            keys["groups"] = config.get("groups", 32)
        keys.update({flag: False for flag in ("center", "scale") if config.get(flag) is False})
        return keys
    if kind == "LayerNormalization":
        axis = config.get("axis", -1)
        return {"type": kind, **({"axis": axis} if axis not in (-1, [-1]) else {})}
    return {"type": kind}  # Flatten
