"""Read a PyTorch model into a network file's data (torch.nn names), by a torch.fx symbolic trace.

The model comes from a factory (`PACKAGE.MODULE:FACTORY`, called with JSON arguments). fx
traces it with torch.nn's modules as leaves (and timm's own leaves for a timm model). A tensor of
the input shape goes through the graph (on fake tensors where torch can: no memory for the
activations) to give every node's shape. Each node that computes a tensor becomes a layer:

- a module call, named by the module's path (`layer1.0.conv1`; a module called again gets
  `_1`, `_2`, ... as fx numbers its nodes), with the module's own arguments;
- a function or method call (add, cat, flatten, mean, permute, interpolate, ...), named by the
  innermost module it runs in and its operation, numbered within that module (`layer1.0.add`);
- a product with a learnable tensor (a layer scale) as `scale`, counting its parameters.

A size read off a tensor (`x.shape[-2:]` for an interpolation) becomes `to:` that layer where
it is a whole spatial shape; elsewhere (a `view` of `x.size(0), -1`) the value at the traced
input is written, and the import says so. torch is imported only here.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import logging
import operator
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Any

from convcalc.core.errors import InputError, InputErrorGroup
from convcalc.core.kinds.einsum import parse_equation
from convcalc.core.spec import input_name

WINDOW_KEYS = {
    "conv": ("out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "padding_mode"),
    "convtranspose": ("out_channels", "kernel_size", "stride", "padding", "output_padding", "dilation", "groups"),
    "maxpool": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "avgpool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
    "lppool": ("norm_type", "kernel_size", "stride", "ceil_mode"),
}
"""The module attributes a sliding-window layer is written with (torch.nn's argument names)."""

MERGES = {
    operator.add: "add", operator.iadd: "add", operator.mul: "mul", operator.imul: "mul",
    operator.sub: "sub", operator.isub: "sub", operator.truediv: "div", operator.itruediv: "div",
}  # fmt: skip
MERGE_NAMES = {"add": "add", "add_": "add", "mul": "mul", "mul_": "mul", "sub": "sub", "div": "div"}
SHAPE_KEEPING = {
    "relu", "relu_", "relu6", "silu", "gelu", "sigmoid", "tanh", "hardswish", "hardsigmoid", "hardtanh",
    "leaky_relu", "elu", "selu", "mish", "softplus", "dropout", "contiguous", "clone", "detach", "float",
    "clamp", "clamp_min", "clamp_max", "softmax", "log_softmax", "sqrt", "exp", "neg", "abs", "rsqrt",
    "batch_norm", "dropout2d", "to", "type_as", "normalize", "roll",
}  # fmt: skip
"""Functions and methods whose output has their first tensor's shape, written as `identity` (or their own type)."""
OWN_TYPES = {"relu", "relu6", "silu", "gelu", "sigmoid", "tanh", "hardswish", "hardsigmoid", "hardtanh",
             "elu", "selu", "mish", "softplus", "dropout", "contiguous"}  # fmt: skip
REDUCTIONS = {"mean", "sum", "amax", "amin", "prod", "std", "var", "logsumexp"}
REARRANGING = {"permute", "transpose", "swapaxes", "swapdims", "view", "reshape", "unflatten", "squeeze", "unsqueeze",
               "flatten", "view_as", "reshape_as"}  # fmt: skip
ADAPTIVE = re.compile(r"adaptive_(avg|max)_pool([123])d")
POOLING = re.compile(r"(avg|max)_pool([123])d")
CONVOLUTION = re.compile(r"conv(_transpose)?([123])d")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The layer types a network file has (given by netfile, which this layer may not import).

    `windows`: a sliding-window class name -> its kind (conv, convtranspose, maxpool, avgpool);
    `others`: every other type, lower case without underscores -> its keys, each True when it
    is read (False: accepted and ignored).
    """

    windows: Mapping[str, str]
    others: Mapping[str, Mapping[str, bool]]

    def knows(self, name: str) -> bool:
        """Whether a network file has a layer type of this class name."""
        return name in self.windows or name.lower().replace("_", "") in self.others


class _NotFollowedError(Exception):
    """A node the import cannot write as a layer, with the reason."""


@dataclass
class _Walk:
    """What the walk knows: each node's layer name, shape-valued nodes, constants, the layers so far."""

    vocabulary: Vocabulary
    names: dict[Any, str] = field(default_factory=dict)
    sizes: dict[Any, tuple[Any, tuple[int, ...]]] = field(default_factory=dict)  # int node -> (tensor node, axes)
    constants: set[Any] = field(default_factory=set)
    produced: dict[Any, str] = field(default_factory=dict)  # node -> the layer that holds its tensor
    pieces: set[Any] = field(default_factory=set)  # chunk, split and unbind nodes, read through their getitems
    pairs: set[Any] = field(default_factory=set)  # layers whose output is (tensor, extra): MultiheadAttention's
    counted: set[str] = field(default_factory=set)  # parameters and buffers a scale or shift counts (each once)
    called: dict[str, str] = field(default_factory=dict)  # module path -> the layer of its first call
    layers: list[dict[str, Any]] = field(default_factory=list)
    last: str = "input"
    frozen: list[str] = field(default_factory=list)
    sourced: list[tuple[dict[str, Any], dict[str, int]]] = field(default_factory=list)  # constant layers' modules

    def freeze(self, node: Any) -> None:
        """Say that a node's layer holds sizes as they are at the traced input."""
        if self.names[node] not in self.frozen:
            self.frozen.append(self.names[node])


def _load_torch() -> Any:  # the torch module
    try:
        return importlib.import_module("torch")
    except ImportError:
        msg = "needs PyTorch: pip install 'convcalc[torch]' (or torch itself)"
        raise InputError(msg, where="import torch") from None


def build_model(target: str, arguments: str | None) -> Any:  # a torch.nn.Module
    """Import PACKAGE.MODULE:FACTORY (or FILE.py:FACTORY) and call it with the JSON arguments.

    The arguments are a JSON object (keywords) or list (positional). The working directory (a
    file's own folder) comes first on the import path while the model is built, as with `python -m`.
    """
    torch = _load_torch()
    module_name, colon, attribute = target.rpartition(":")
    if not colon or not module_name or not attribute:
        msg = f"expected PACKAGE.MODULE:FACTORY or FILE.py:FACTORY, such as torchvision.models:resnet18, got {target!r}"
        raise InputError(msg, where="import torch")
    args, kwargs = _factory_arguments(arguments)
    # the module's own code runs here, as `python -m` would run it (the working directory first on
    # the path; a FILE.py's own folder first for a file): whatever it raises, or a sys.exit() it
    # calls, is the model's failure, said in one line (exit 2)
    with _on_path(_folder_of(module_name)):
        try:
            factory: Any = _module(module_name)
            for part in attribute.split("."):
                factory = getattr(factory, part)
        except (ImportError, AttributeError) as error:
            raise InputError(f"cannot import {target}: {_first_line(error)}{_looked(module_name)}",
                             where="import torch") from None  # fmt: skip
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the module's own code failed
            raise InputError(f"importing {module_name} raised {_first_line(error)}", where="import torch") from None
        try:
            is_module = isinstance(factory, torch.nn.Module)
            model = factory(*args, **kwargs) if callable(factory) and not is_module else factory
        except (Exception, SystemExit) as error:  # noqa: BLE001 - any factory's own failure, said in one line
            raise InputError(f"{target}(...) raised {_first_line(error)}", where="import torch") from None
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"{target} gave a {type(model).__name__}, not a torch.nn.Module", where="import torch")
    return model.eval()


def _is_file(module_name: str) -> bool:
    """Whether the target names a Python file (FILE.py, ./models/unet.py) rather than a module."""
    return module_name.endswith(".py") or "/" in module_name or os.sep in module_name


def _folder_of(module_name: str) -> str:
    """Return the folder put first on the import path: a file's own, else the working directory."""
    return str(Path(module_name).resolve().parent) if _is_file(module_name) else str(Path.cwd())


@contextlib.contextmanager
def _on_path(folder: str) -> Iterator[None]:
    """Put a folder first on sys.path while the model is imported and built (as `python -m` does)."""
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)


def _module(module_name: str) -> Any:  # a module
    """Import a module by its dotted name, or a Python file by its path (as a module named by its stem)."""
    if not _is_file(module_name):
        return importlib.import_module(module_name)
    path = Path(module_name)
    if not path.is_file():
        raise ModuleNotFoundError(f"no file {module_name}")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"{module_name} cannot be loaded as Python")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = loaded  # its classes pickle and trace by their module's name
    spec.loader.exec_module(loaded)
    return loaded


def _looked(module_name: str) -> str:
    """Say where a module that was not found was looked for."""
    if _is_file(module_name):
        return ""
    return f" (looked in the working directory {Path.cwd()} and the installed packages)"


def _factory_arguments(arguments: str | None) -> tuple[list[Any], dict[str, Any]]:
    """Return the factory's positional and keyword arguments from --args (a JSON list or object)."""
    if arguments is None:
        return [], {}
    try:
        given = json.loads(arguments)
    except ValueError as error:
        raise InputError(f"not JSON: {error}", where="args") from None
    if isinstance(given, dict):
        return [], given
    if isinstance(given, list):
        return given, {}
    raise InputError("expected a JSON object (keywords) or list (positional arguments)", where="args")


def _first_line(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"SystemExit: it called sys.exit({error.code!r})"
    text = " ".join(str(error).split()) or "no message"
    return f"{type(error).__name__}: {text[:300]}"


def _known_type(kind: type, vocabulary: Vocabulary) -> str | None:
    """Return the network-file type of a module class: its own name's, or that of the torch.nn class it extends."""
    for cls in kind.__mro__:
        name = cls.__name__
        if vocabulary.knows(name) and (cls is kind or cls.__module__.startswith("torch.nn")):
            return name
    return None


def trace(model: Any, vocabulary: Vocabulary | None = None, at: tuple[tuple[int, ...], int] | None = None) -> Any:
    """Trace the model with fx, leaves: torch.nn's modules (and timm's own, for a timm model).

    Of timm's modules that fx is told not to trace, those a network file has no type for (with
    `vocabulary`) are traced through first (NF-ResNet's blocks trace); when that fails, they
    stay whole, and the refusal names them. A model (or module) whose forward branches on
    sizes is traced again at the input `at` (its shape, and how many inputs take it) with
    sizes as numbers (torch_concrete), and the GraphModule's `convcalc_concrete` says where
    the symbolic trace stopped. Raise InputError naming the innermost module fx could not
    trace, and why.
    """
    leaves: tuple[type, ...] = ()
    wrapped: tuple[Any, ...] = ()
    if type(model).__module__.startswith("timm"):  # timm's own rules: its modules fx cannot trace stay whole
        timm_fx = importlib.import_module("timm.layers._fx")
        leaves, wrapped = tuple(timm_fx.get_notrace_modules()), tuple(timm_fx.get_notrace_functions())
    known = tuple(leaf for leaf in leaves if vocabulary is None or _known_type(leaf, vocabulary) is not None)
    if known != leaves:
        try:
            return _traced(model, known, wrapped)
        except InputError as error:
            if at is not None:
                with contextlib.suppress(InputError):
                    return _concretely(model, known, wrapped, at, error)
    try:
        return _traced(model, leaves, wrapped)
    except InputError as error:
        if at is None:
            raise
        return _concretely(model, leaves, wrapped, at, error)


def _concretely(
    model: Any, leaves: tuple[type, ...], wrapped: tuple[Any, ...], at: tuple[tuple[int, ...], int], why: InputError
) -> Any:  # a torch.fx.GraphModule
    """Trace at the input's sizes; raise the symbolic trace's error `why` when this fails too."""
    torch = _load_torch()
    try:
        module = _traced(model, leaves, wrapped, [torch.zeros(at[0]) for _ in range(at[1])])
    except InputError:
        raise why from None
    module.convcalc_concrete = why.message.removeprefix("torch.fx cannot trace ")
    return module


def _traced(
    model: Any, leaves: tuple[type, ...], wrapped: tuple[Any, ...], inputs: list[Any] | None = None
) -> Any:  # a torch.fx.GraphModule
    """Trace the model with these leaves (and torch.nn's, and the modules convcalc reads whole).

    With `inputs` (tensors), sizes are read at them (torch_concrete).
    """
    fx = importlib.import_module("torch.fx")

    class Tracer(fx.Tracer):  # type: ignore[misc, name-defined]  # torch is untyped here: its classes are Any
        def is_leaf_module(self, m: Any, qualified: str) -> bool:
            read_whole = _reader_of(m) is not None
            return read_whole or isinstance(m, leaves) or bool(super().is_leaf_module(m, qualified))

        def call_module(self, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
            try:
                return super().call_module(m, forward, args, kwargs)
            except Exception as error:
                if not hasattr(error, "convcalc_module"):
                    error.convcalc_module = (self.path_of_module(m), type(m).__name__)  # type: ignore[attr-defined]  # the module that failed, carried on torch's own exception
                raise

    kind = Tracer
    if inputs is not None:
        from convcalc.importers.torch_concrete import concrete_tracer

        kind = concrete_tracer(fx, _load_torch(), Tracer, inputs)
    tracer = kind(autowrap_functions=wrapped)
    tracer.record_stack_traces = True  # each node's place in the model's code, for the messages
    try:
        graph = tracer.trace(model)
    except Exception as error:  # noqa: BLE001 - fx raises many kinds; each said in one line
        path, what = getattr(error, "convcalc_module", ("", type(model).__name__))
        where = f"module {path!r} ({what})" if path else f"the model ({what})"
        raise InputError(f"torch.fx cannot trace {where}: {_first_line(error)}", where="import torch") from None
    return fx.GraphModule(tracer.root, graph)


def propagate(module: Any, shape: tuple[int, ...], model: Any = None, count: int = 1) -> None:
    """Give every node its output's tensor_meta, on fake tensors where torch can (real zeros otherwise).

    A model of `count` inputs takes zeros of this shape as each. When the traced graph fails
    where the model itself (`model`) runs, the message says it is the trace's failing.
    """
    torch = _load_torch()
    shape_prop = importlib.import_module("torch.fx.passes.shape_prop")

    class Recording(shape_prop.ShapeProp):  # type: ignore[misc, name-defined]  # torch is untyped here: its classes are Any
        """ShapeProp that also keeps the sizes a node computes (x.size(1) // 2, x.shape[-2:])."""

        def run_node(self, n: Any) -> Any:
            where.append(n)
            result = super().run_node(n)
            if isinstance(result, int) and not isinstance(result, bool):
                n.meta["convcalc_value"] = int(result)
            elif isinstance(result, tuple | list) and result and all(type(v) is int for v in result):
                n.meta["convcalc_value"] = [int(v) for v in result]
            return result

    where: list[Any] = []
    try:  # ShapeProp prints a traceback before it raises, fake tensors log one: both kept off stderr
        fake = importlib.import_module("torch._subclasses.fake_tensor")
        mode = fake.FakeTensorMode(allow_non_fake_inputs=True)
        with contextlib.redirect_stderr(io.StringIO()), _quiet(fake.__name__):
            Recording(module, fake_mode=mode).propagate(*[torch.zeros(shape)] * count)
    except Exception:  # noqa: BLE001 - some operations have no fake kernel: run them for real
        try:
            with torch.no_grad(), contextlib.redirect_stderr(io.StringIO()):
                Recording(module).propagate(*[torch.zeros(shape)] * count)
        except Exception as error:  # noqa: BLE001 - a real run of any module can fail any way; said in one line
            node = where[-1] if where else None
            target = getattr(node.target, "__name__", node.target) if node is not None else None
            at = f" (at {node.op} {target})" if node is not None else ""
            why = _first_line(error.__cause__ or error)
            msg = f"the model does not run on an input of {list(shape)}{at}: {why}"
            if model is not None and _runs(model, shape, torch, count):
                msg = f"torch.fx's trace of the model does not run where the model does{at}: {why}"
            raise InputError(msg, where="input_shape") from None


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Silence a logger of torch's (its handler writes to the stderr it was made with) for a while."""
    found = logging.getLogger(logger)
    was = found.disabled
    found.disabled = True
    try:
        yield
    finally:
        found.disabled = was


def _runs(model: Any, shape: tuple[int, ...], torch: Any, count: int = 1) -> bool:
    """Whether the model itself runs on zeros of this shape (as each of its inputs)."""
    try:
        with torch.no_grad(), contextlib.redirect_stderr(io.StringIO()):
            model(*[torch.zeros(shape)] * count)
    except Exception:  # noqa: BLE001 - any failure means it does not
        return False
    return True


def _operation(node: Any) -> str:
    """Return the operation a function or method node performs, without fx's global number."""
    return re.sub(r"_\d+$", "", str(node.name))


def node_names(graph: Any, root: str = "model") -> dict[Any, str]:  # a torch.fx.Graph
    """Name each node as a network file names its layer: module paths, and `<module>.<operation>` for calls.

    A path that is a number (a Sequential's `0`, which `from:` would read as a layer index) is
    named after the model's class, as FlopCounterMode names it: `Sequential.0`.
    """
    counts: dict[str, int] = {}
    named: dict[Any, str] = {}
    for node in graph.nodes:
        if node.op in ("call_module", "get_attr"):
            key = str(node.target)
        elif node.op in ("call_function", "call_method"):
            stack = node.meta.get("nn_module_stack") or {}
            scope = list(stack.values())[-1][0] if stack else ""
            key = f"{scope}.{_operation(node)}" if scope else _operation(node)
        else:
            continue
        if key.split(".")[0].isdigit():
            key = f"{root}.{key}"
        seen = counts.get(key, 0)
        counts[key] = seen + 1
        named[node] = key if not seen else f"{key}_{seen}"
    return named


def _shape(node: Any) -> list[int] | None:
    meta = node.meta.get("tensor_meta")
    return [int(v) for v in meta.shape] if meta is not None and hasattr(meta, "shape") else None


def _plain(value: Any) -> Any:
    """Return a module attribute as JSON data (tuples as lists)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


DEFAULTS = {"dilation": 1, "groups": 1, "ceil_mode": False, "affine": True, "count_include_pad": True,
            "elementwise_affine": True, "bias": True, "output_padding": 0, "stride": 1, "padding": 0,
            "add_zero_attn": False, "batch_first": False}  # fmt: skip
"""torch.nn's defaults, left out of the file."""


def _defaults_left_out(layer: dict[str, Any]) -> dict[str, Any]:
    """Return the layer without the keys whose values are torch.nn's defaults (on every axis)."""

    def default(key: str, value: Any) -> bool:
        if key == "track_running_stats":  # BatchNorm's default, not InstanceNorm's
            return value is ("instancenorm" not in layer["type"].lower())
        if key not in DEFAULTS or (key == "stride" and not layer["type"].startswith("Conv")):
            return False
        values = value if isinstance(value, list) else [value]
        return all(v == DEFAULTS[key] for v in values)

    return {key: value for key, value in layer.items() if not default(key, value)}


def _module_layer(module: Any, torch: Any, vocabulary: Vocabulary) -> dict[str, Any]:
    """Return a module's layer: its class name and the arguments a network file reads, defaults left out."""
    return _defaults_left_out(_arguments(module, torch, vocabulary))


def _frozen_kept(module: Any, torch: Any, vocabulary: Vocabulary) -> dict[str, Any]:
    """Return a module's layer, `trainable: false` when every parameter of it is frozen (requires_grad_(False))."""
    layer = _module_layer(module, torch, vocabulary)
    own = list(module.parameters())
    if own and not any(parameter.requires_grad for parameter in own):
        layer["trainable"] = False
    return layer


READ_ALWAYS = ("num_features", "affine", "elementwise_affine", "num_parameters")
"""Keys a network file ignores for shapes but needs for parameter counts."""


def _arguments(module: Any, torch: Any, vocabulary: Vocabulary) -> dict[str, Any]:
    """Return a module's class name and every argument a network file reads."""
    name = _known_type(type(module), vocabulary)
    if name is None:
        raise _NotFollowedError(f"a network file has no layer type for {type(module).__name__}")
    layer: dict[str, Any] = {"type": name}
    if name in vocabulary.windows:
        kind = vocabulary.windows[name]
        for key in WINDOW_KEYS[kind]:
            value = getattr(module, key, None)
            if value is not None and not (key == "padding_mode" and value == "zeros"):
                layer[key] = _plain(value)
        if kind.startswith("conv"):
            layer["bias"] = module.bias is not None
        return layer
    for key, read in vocabulary.others[name.lower().replace("_", "")].items():
        value = getattr(module, key, None)
        if key == "bias" and name in ("Linear", "LayerNorm"):  # a tensor on the module: whether it has one
            layer["bias"] = value is not None
        elif key != "bias" and (read or key in READ_ALWAYS) and _is_argument(value, torch):
            layer[key] = _plain(value)
    return layer


def _is_argument(value: Any, torch: Any) -> bool:
    """Whether a module attribute is an argument to write (not a tensor, a method or None)."""
    return value is not None and not isinstance(value, torch.Tensor) and not callable(value)


def network_data(
    model: Any,  # a torch.nn.Module
    shape: tuple[int, ...],
    vocabulary: Vocabulary,
) -> tuple[dict[str, Any], list[str]]:
    """Return the network file data of a traced model, and the names of layers whose sizes were frozen.

    Raise InputErrorGroup with one line per node that cannot be written as a layer. A torchvision
    detector is read in the parts torch.fx can trace (torch_detection): its data has a
    `description` saying what is left out.
    """
    data, frozen, _ = network_import(model, shape, vocabulary)
    return data, frozen


def network_import(
    model: Any,  # a torch.nn.Module
    shape: tuple[int, ...],
    vocabulary: Vocabulary,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Return network_data's data and frozen layers, and the notes on what the import leaves out (a detector's)."""
    from convcalc.importers.torch_detection import detector_data, is_detector

    if is_detector(model):
        return detector_data(model, shape, vocabulary, traced_data, _load_torch())
    data, frozen, _, notes = traced_data(model, shape, vocabulary)
    return data, frozen, notes


def traced_data(
    model: Any,  # a torch.nn.Module
    shape: tuple[int, ...],
    vocabulary: Vocabulary,
) -> tuple[dict[str, Any], list[str], list[str], list[str]]:
    """Return a traced model's network data, the layers whose sizes were frozen, the layers of its outputs, and notes.

    A model whose forward branches on sizes is traced at this input (trace): a note says so.
    """
    torch = _load_torch()
    module = trace(model, vocabulary, (shape, _tensor_arguments(model)))
    stopped = getattr(module, "convcalc_concrete", None)
    notes = [f"traced at the input {list(shape)}, its sizes as numbers: the symbolic trace stopped ({stopped})"]
    inputs = [node for node in module.graph.nodes if node.op == "placeholder" and not node.args]
    propagate(module, shape, model, len(inputs))
    walk = _Walk(vocabulary, names=node_names(module.graph, type(model).__name__))
    errors = []
    outputs: list[str] = []
    for node in module.graph.nodes:
        if node.op == "placeholder":
            _placeholder(node, walk, inputs)
            continue
        if node.op == "output":
            outputs = [walk.produced.get(value, "") for value in _flat(node.args[0])]
            continue
        if node not in walk.names:
            continue
        try:
            layer, reads = _layer(node, module, walk, torch)
        except _NotFollowedError as reason:
            text = reason.args[0]
            target = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", node.target)
            place = f"node {walk.names[node]!r} ({node.op} {target}){_source_line(node)}"
            errors.append(InputError(f"{place}: {text}", where="import torch"))
            walk.produced[node] = walk.names[node]  # keep going, to say every node not followed at once
            continue
        if layer is None:
            continue
        _place(walk, node, _shared(node, layer, module, walk), reads)
    if errors:
        raise InputErrorGroup(errors)
    _settle_sources(walk)
    if len(inputs) > 1:  # each input by its argument's name, of the first's shape (two images)
        first, *others = [input_name(str(node.target)) for node in inputs]
        return (
            {"inputs": {first: list(shape)} | dict.fromkeys(others, first), "layers": walk.layers},
            walk.frozen,
            outputs,
            notes if stopped else [],
        )
    return {"input": list(shape), "layers": walk.layers}, walk.frozen, outputs, notes if stopped else []


def _tensor_arguments(model: Any) -> int:  # a torch.nn.Module
    """Return how many arguments the model's forward takes without a default (its tensors: one image, two)."""
    import inspect

    try:
        parameters = inspect.signature(model.forward).parameters.values()
    except (TypeError, ValueError):
        return 1
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return max(1, sum(1 for p in parameters if p.kind in positional and p.default is inspect.Parameter.empty))


def _placeholder(node: Any, walk: _Walk, inputs: list[Any]) -> None:
    """Record a model's input: the first is the network's `input`, the others by name; an optional one is constant."""
    if node.args:  # attn_mask=None: a constant
        walk.constants.add(node)
        return
    name = "input" if node is inputs[0] else input_name(str(node.target))
    walk.names[node] = name
    walk.produced[node] = name


def _flat(value: Any) -> list[Any]:
    """Return the nodes a traced model's output holds, in order."""
    if isinstance(value, dict):
        return [node for item in value.values() for node in _flat(item)]
    if isinstance(value, list | tuple):
        return [node for item in value for node in _flat(item)]
    return [value]


def _shared(node: Any, layer: dict[str, Any], module: Any, walk: _Walk) -> dict[str, Any]:
    """Return a module's layer; called again (a detection head on each level), it shares its first call's weights."""
    if node.op != "call_module":
        return layer
    first = walk.called.setdefault(node.target, walk.names[node])
    if first == walk.names[node] or next(module.get_submodule(node.target).parameters(), None) is None:
        return layer
    return {**layer, "shares": first}


def _place(walk: _Walk, node: Any, layer: dict[str, Any], reads: list[Any]) -> None:
    """Add a node's layer (and those it is followed by, `then`: x[:, :, ::2, ::2] cuts two axes), named by the node."""
    layer = dict(layer)
    chain = [layer, *layer.pop("then", [])]
    name = walk.names[node]
    sources = [walk.produced[r] for r in reads]
    expected = _shape(node)  # the last layer's: the node's own output
    for position, part in enumerate(chain):
        entry = {"name": name if position == len(chain) - 1 else f"{name}:{position}", **part}
        if sources != [walk.last]:
            entry["from"] = sources if len(sources) > 1 else sources[0]
        if expected is not None and position == len(chain) - 1:
            entry["expect"] = expected
        walk.layers.append(entry)
        walk.last = entry["name"]
        sources = [walk.last]
    walk.produced[node] = name


def _tensors(node: Any, walk: _Walk) -> list[Any]:
    """Return the computed tensors a node reads (the input and layers already written), in argument order."""
    return [a for a in node.all_input_nodes if a in walk.produced]


def _value(argument: Any, walk: _Walk, what: str, node: Any) -> Any:
    """Return an argument's value: a constant, or a size read off a tensor at the traced input (frozen)."""
    if isinstance(argument, list | tuple):
        return [_value(a, walk, what, node) for a in argument]
    if hasattr(argument, "op"):  # an fx node
        if "convcalc_value" in argument.meta:
            walk.freeze(node)
            return argument.meta["convcalc_value"]
        raise _NotFollowedError(f"its {what} is computed from tensors")
    return argument


def _whole(value: Any, what: str) -> int:
    """Return an argument that must be a whole number known when tracing."""
    if hasattr(value, "op"):  # an fx node: computed when the model runs
        raise _NotFollowedError(f"its {what} is computed from tensors")
    if isinstance(value, bool) or not isinstance(value, int):
        raise _NotFollowedError(f"its {what} is {value!r}, not a whole number")
    return value


def _wholes(values: Any, what: str) -> list[int]:
    """Return an argument that must be a list of whole numbers known when tracing."""
    if not isinstance(values, list | tuple):
        raise _NotFollowedError(f"its {what} is {values!r}, not a list of whole numbers")
    return [_whole(value, what) for value in values]


def _argument(node: Any, position: int, keyword: str, *, default: Any = None) -> Any:
    if len(node.args) > position:
        return node.args[position]
    return node.kwargs.get(keyword, default)


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in \S+\n\s*(?P<code>[^\n]*)')


def _source_line(node: Any) -> str:
    """Say where in the model's code a node comes from: its file and line, and the line itself."""
    torch_folder = str(Path(getattr(sys.modules.get("torch"), "__file__", "") or ".").parent)
    own_folder = str(Path(__file__).parent.parent)
    frames = [found for found in _FRAME.finditer(node.meta.get("stack_trace") or "")
              if not found["file"].startswith((torch_folder, own_folder))]  # fmt: skip
    if not frames:
        return ""
    frame = frames[-1]  # the innermost outside torch and convcalc: the line of the model's own forward
    path = Path(frame["file"])
    with contextlib.suppress(ValueError):
        path = path.relative_to(Path.cwd())
    code = " ".join(frame["code"].split())
    return f" at {path}:{frame['line']} ({code[:80]})" if code else f" at {path}:{frame['line']}"


def _size_node(node: Any, walk: _Walk, name: str) -> bool:
    """Record a node that reads sizes off a tensor (x.shape, x.size(), an index into them); True when it is one."""
    if name in ("size", "shape") or (node.op == "call_function" and node.target is getattr and node.args[1] == "shape"):
        tensor = node.args[0]
        rank = len(_shape(tensor) or [])
        if name == "size" and len(node.args) > 1:
            if not rank:
                raise _NotFollowedError("it reads a size of a tensor whose shape is unknown")
            walk.sizes[node] = (tensor, (_whole(node.args[1], "axis") % rank,))
        else:
            walk.sizes[node] = (tensor, tuple(range(rank)))
        return True
    if node.op == "call_function" and node.target is operator.getitem and node.args[0] in walk.sizes:
        tensor, axes = walk.sizes[node.args[0]]
        index = node.args[1]
        if isinstance(index, slice):
            walk.sizes[node] = (tensor, axes[index])
        else:
            position = _whole(index, "index")
            if not -len(axes) <= position < len(axes):
                raise _NotFollowedError(f"it reads size {position} of a shape of {len(axes)}")
            walk.sizes[node] = (tensor, (axes[position],))
        return True
    return False


_Found = tuple[dict[str, Any] | None, list[Any]]
"""A node's layer (None for a node that computes no tensor) and the tensors it reads."""


def _layer(node: Any, module: Any, walk: _Walk, torch: Any) -> _Found:
    """Return a node's layer and the tensors it reads (None for a node that computes no tensor)."""
    name = node.target if isinstance(node.target, str) else getattr(node.target, "__name__", "")
    if _bookkept(node, walk, name):
        return None, []
    picked = _picked(node, walk)
    if picked is not None:
        return picked
    computed = _tensors(node, walk)
    if not computed:
        walk.constants.add(node)  # arithmetic on parameters and buffers only
        return None, []
    if node.op == "call_module":
        return _module_call(node, module, walk, torch, computed)
    merge = (MERGES.get(node.target) if node.op == "call_function" else None) or MERGE_NAMES.get(name)
    if merge is not None:
        return _merge(node, merge, computed, module, walk)
    call = _Call(node, name, walk, module, computed[:1])
    several = SEVERAL.get(name)
    if several is not None:
        return several(call, computed)
    read = FUNCTIONS.get(name)
    if read is not None:
        return read(call), call.first
    for pattern, build in PATTERNS:
        found = pattern.fullmatch(name)
        if found:
            return build(call, found), call.first
    raise _NotFollowedError("convcalc does not follow this operation")


def _picked(node: Any, walk: _Walk) -> _Found | None:
    """Return a piece of a chunk, split or unbind; or MultiheadAttention's output picked from its pair; else None."""
    if node.op != "call_function" or node.target is not operator.getitem:
        return None
    if node.args[0] in walk.pieces:
        return _getitem(node), _tensors(node.args[0], walk)[:1]
    if node.args[0] in walk.pairs:
        _paired(node, walk)
        return None, []
    return None


def _bookkept(node: Any, walk: _Walk, name: str) -> bool:
    """Record a node that computes no tensor of its own (a parameter, a size, a constant, a split); True if it was."""
    if node.op == "get_attr":
        walk.constants.add(node)
        return True
    if _size_node(node, walk, name) or "convcalc_value" in node.meta:
        return True  # a size, or arithmetic on sizes
    if node.op == "call_function" and node.target is getattr and node.args[1] in ("device", "dtype"):
        walk.constants.add(node)
        return True  # where or how a tensor is held: no tensor of its own
    if node.op == "call_function" and node.target is operator.getitem and node.args[0] in walk.constants:
        walk.constants.add(node)
        return True
    if name in ("chunk", "split", "unbind"):
        walk.pieces.add(node)
        return True  # its pieces are the getitem nodes that follow
    return False


@dataclass(frozen=True, slots=True)
class _Call:
    """A traced function or method that computes a tensor from its first computed input."""

    node: Any
    name: str
    walk: _Walk
    module: Any
    first: list[Any]


def _kept_shape(call: _Call) -> dict[str, Any]:
    own = call.name.rstrip("_")
    if own in ("softmax", "log_softmax"):  # over `dim`: the positions it reads, when they are spatial
        dim = _argument(call.node, 1, "dim")
        return {"type": own.replace("_", "")} | ({"dim": _whole(dim, "dim")} if dim is not None else {})
    return {"type": own if own in OWN_TYPES else "identity"}


def _reduction(call: _Call) -> dict[str, Any]:
    dims = _value(_argument(call.node, 1, "dim"), call.walk, "dim", call.node)
    if dims is None:
        raise _NotFollowedError("a reduction over every axis is not followed")
    return {"type": call.name, "dim": dims} | ({"keepdim": True} if _argument(call.node, 2, "keepdim") else {})


def _layer_norm(call: _Call) -> dict[str, Any]:
    shape = _value(_argument(call.node, 1, "normalized_shape"), call.walk, "normalized_shape", call.node)
    affine = _argument(call.node, 2, "weight") is not None
    bias = _argument(call.node, 3, "bias") is not None
    layer = {"type": "LayerNorm", "normalized_shape": shape if isinstance(shape, list) else [shape]}
    return _defaults_left_out(layer | {"elementwise_affine": affine, "bias": bias})


def _padded(call: _Call) -> dict[str, Any]:
    """Return F.pad: by amounts, or to another tensor's size where the amounts are computed from the two sizes."""
    rank = len(_shape(call.node) or []) - 2
    amounts = list(_argument(call.node, 1, "pad"))
    if not any(hasattr(amount, "op") for amount in amounts):
        return {"type": f"ConstantPad{rank}d", "padding": amounts}
    to = _padded_to(call.node.args[0], amounts, call.walk, rank)
    if to is not None:
        return to
    values = _value(amounts, call.walk, "pad", call.node)
    if len(values) > 2 * rank and not any(values):  # timm's Swin pads [N, H, W, C] to whole windows: here by 0
        return {"type": "identity"}
    return {"type": f"ConstantPad{rank}d", "padding": values}


_SIZE_ARITHMETIC = frozenset({operator.add, operator.sub, operator.mul, operator.floordiv, operator.neg})
_TRIALS = ((10, 17), (5, 12), (7, 8))
"""Spatial sizes (the padded tensor's, the other's) F.pad's amounts are evaluated at, to see what they compute."""


def _padded_to(source: Any, amounts: list[Any], walk: _Walk, rank: int) -> dict[str, Any] | None:
    """Return `pad` to another layer's size when amounts computed from two tensors' sizes are the difference split.

    The milesial U-Net pads by [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2] with dx, dy the
    differences of the two tensors' sizes: that is `pad: {to: other, align: center}` at every size.
    """
    tensors = {walk.sizes[node][0] for node in _size_reads(amounts, walk)}
    others = [tensor for tensor in tensors if tensor is not source]
    if len(others) != 1 or len(amounts) != 2 * rank or others[0] not in walk.produced:
        return None
    for align in ("center", "top-left"):
        if all(_amounts_at(amounts, source, others[0], walk, trial, rank) == _split(trial, rank, align)
               for trial in _TRIALS):  # fmt: skip
            return {"type": "pad", "to": walk.produced[others[0]], "align": align}
    return None


def _size_reads(values: list[Any], walk: _Walk) -> set[Any]:
    """Return the size nodes (x.size(2), x.shape[2:]) the computed values are made from."""
    found: set[Any] = set()
    waiting = [value for value in values if hasattr(value, "op")]
    while waiting:
        node = waiting.pop()
        if node in walk.sizes:
            found.add(node)
        else:
            waiting.extend(node.all_input_nodes)
    return found


def _amounts_at(amounts: list[Any], source: Any, other: Any, walk: _Walk, trial: tuple[int, int], rank: int) -> Any:
    """Evaluate F.pad's amounts with the padded tensor's spatial sizes at trial[0], the other's at trial[1]."""
    shapes = {source: [1, 1, *[trial[0]] * rank], other: [1, 1, *[trial[1]] * rank]}

    def value(node: Any) -> Any:
        if not hasattr(node, "op"):
            return node
        if node in walk.sizes:
            tensor, axes = walk.sizes[node]
            sizes = [shapes[tensor][axis] for axis in axes]
            return sizes[0] if isinstance(node.meta.get("convcalc_value"), int) else sizes
        if node.op == "call_function" and node.target in _SIZE_ARITHMETIC:
            return node.target(*map(value, node.args))
        raise _NotFollowedError(f"its pad is computed by {node.target}")

    try:
        return [value(amount) for amount in amounts]
    except (KeyError, TypeError):  # sizes of a third tensor, or arithmetic on a tuple: not a difference
        return None


def _split(trial: tuple[int, int], rank: int, align: str) -> list[int]:
    """Return the amounts that pad each spatial axis from trial[0] to trial[1] (F.pad's order: last axis first)."""
    extra = trial[1] - trial[0]
    before = extra // 2 if align == "center" else 0
    return [before, extra - before] * rank


def _adaptive(call: _Call, found: re.Match[str]) -> dict[str, Any]:
    kind = "AdaptiveAvgPool" if found[1] == "avg" else "AdaptiveMaxPool"
    size = _value(_argument(call.node, 1, "output_size"), call.walk, "output_size", call.node)
    return {"type": f"{kind}{found[2]}d", "output_size": size}


def _weight_shape(node: Any, module: Any, position: int) -> list[int]:
    """Return the shape of a function's weight argument, a parameter of the model."""
    weight = _argument(node, position, "weight")
    if not hasattr(weight, "op") or weight.op != "get_attr":
        raise _NotFollowedError("its weight is computed, not a parameter of the model")
    return [int(v) for v in _parameter(weight, module).shape]


def _functional_linear(call: _Call) -> dict[str, Any]:
    """Return F.linear(x, weight, bias) as the Linear module it computes (weight [out, in])."""
    shape = _weight_shape(call.node, call.module, 1)
    if len(shape) != 2:  # noqa: PLR2004 - [out_features, in_features]
        raise _NotFollowedError(f"its weight has shape {shape}, not [out_features, in_features]")
    bias = _argument(call.node, 2, "bias")
    linear = {"type": "Linear", "in_features": shape[1], "out_features": shape[0]}
    if bias is None:
        return linear | {"bias": False}
    if not hasattr(bias, "op") or bias.op == "get_attr":
        return linear
    held = _held_keys(_held(bias, call.module, call.walk))  # EVA's and BEiT's cat of q, zero k and v biases
    return linear | {"bias": False, "then": [{"type": "shift", "shape": [shape[0]], **held}]}


def _functional_group_norm(call: _Call) -> dict[str, Any]:
    """Return F.group_norm(x, num_groups, weight, bias) as the GroupNorm module it computes."""
    groups = _whole(_argument(call.node, 1, "num_groups"), "num_groups")
    if _argument(call.node, 2, "weight") is None:
        channels = (_shape(call.node) or [0, 0])[1]
        return {"type": "GroupNorm", "num_groups": groups, "num_channels": channels, "affine": False}
    channels = _weight_shape(call.node, call.module, 2)[0]
    return {"type": "GroupNorm", "num_groups": groups, "num_channels": channels}


def _grid_unsqueeze(call: _Call) -> dict[str, Any]:
    """Return MViT's _unsqueeze(x, rank, dim) -> (x, its rank): an axis added when x lacks one, else x."""
    node = call.node
    if getattr(node.target, "__module__", "") != "torchvision.models.video.mvit":
        raise _NotFollowedError("convcalc does not follow this operation")
    call.walk.pairs.add(node)
    rank, at = node.args[1], node.args[2]
    return {"type": "unsqueeze", "dim": at} if len(_shape(node.args[0]) or ()) == rank - 1 else {"type": "identity"}


FUNCTIONS: dict[str, Callable[[_Call], dict[str, Any]]] = {
    "_unsqueeze": _grid_unsqueeze,
    "linear": _functional_linear,
    "group_norm": _functional_group_norm,
    "getitem": lambda call: _sliced(call.node, call.walk),  # x[:, a:b]: the pieces of a chunk or split are read above
    **dict.fromkeys(("window_partition", "window_reverse"), lambda call: _laid_out(call.node, call.walk)),
    **dict.fromkeys(SHAPE_KEEPING, _kept_shape),
    **dict.fromkeys(REDUCTIONS, _reduction),
    **dict.fromkeys(REARRANGING, lambda call: _rearranging(call.node, call.name, call.walk)),
    **dict.fromkeys(("interpolate", "upsample"), lambda call: _interpolate(call.node, call.walk)),
    **dict.fromkeys(("stochastic_depth", "drop_path"), lambda _: {"type": "StochasticDepth"}),  # the identity
    "layer_norm": _layer_norm,
    "pad": _padded,
    "unfold": lambda call: _unfolded(call),  # noqa: PLW0108 - defined below
}
"""Functions and methods by name: the layer each is written as (of its first computed input)."""


def _product(call: _Call, computed: list[Any]) -> _Found:
    """Return torch.matmul, @ or torch.bmm of two computed tensors."""
    if len(call.node.all_input_nodes) != len(computed) or len(computed) != 2:  # noqa: PLR2004 - a product of two
        raise _NotFollowedError("a product with a parameter or a constant is not followed (write it as Linear)")
    return {"type": "bmm" if call.name == "bmm" else "matmul"}, computed


PATTERNS: tuple[tuple[re.Pattern[str], Callable[[_Call, re.Match[str]], dict[str, Any]]], ...] = (
    (CONVOLUTION, lambda call, found: _functional_convolution(call, found)),  # noqa: PLW0108 - defined below
    (ADAPTIVE, _adaptive),
    (POOLING, lambda call, found: _pool(call.node, found[1], int(found[2]))),
)
"""Functions named by rank (conv2d, adaptive_avg_pool2d, max_pool1d, ...)."""


def _laid_out(node: Any, walk: _Walk) -> dict[str, Any]:
    """Return timm's window_partition or window_reverse: its input's values laid out in its output's shape.

    The windows are moved as well as regrouped, which no field follows past; the shapes, and
    every count, are a reshape's. The shape is written as traced (the windows depend on H, W).
    """
    shape = _shape(node)
    if shape is None:
        raise _NotFollowedError("its output's shape is unknown")
    walk.freeze(node)
    return {"type": "reshape", "shape": shape}


def _whole_axis(part: Any, size: int, node: Any, walk: _Walk) -> bool:
    """Whether a slice keeps a whole axis: `:`, or bounds (computed from sizes: as traced) that span it."""
    if part == slice(None):
        return True
    bounds = [getattr(b, "meta", {}).get("convcalc_value", b) for b in (part.start, part.stop, part.step)]
    if not all(b is None or type(b) is int for b in bounds) or bounds[2] not in (None, 1):
        return False
    if slice(*bounds).indices(size)[:2] != (0, size):
        return False
    if any(hasattr(b, "op") for b in (part.start, part.stop)):
        walk.freeze(node)  # x[:, :H, :W]: whole at the traced input
    return True


def _sliced(node: Any, walk: _Walk) -> dict[str, Any]:
    """Return x[:, a:b] as the `narrow` it is, x[..., ::2, 1:] as `slice`s (one axis each), x[:, 0] as a select."""
    shape = _shape(node.args[0])
    index = node.args[1] if isinstance(node.args[1], tuple) else (node.args[1],)
    if shape is not None and any(type(part) is int for part in index):
        return _selected(index, shape)
    if shape is None or any(not isinstance(part, slice) and part is not Ellipsis for part in index):
        raise _NotFollowedError("indexing other than by slices and integers is not followed")
    if index.count(Ellipsis) > 1:
        raise _NotFollowedError("an index with two ellipses")
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(shape) - len(index) + 1) + index[at + 1 :]
    cut = [(dim, part) for dim, part in enumerate(index) if not _whole_axis(part, shape[dim], node, walk)]
    if not cut:
        return {"type": "identity"}
    if any(hasattr(bound, "op") for _, part in cut for bound in (part.start, part.stop, part.step)):
        raise _NotFollowedError("a slice with computed bounds is not followed")
    first, *rest = [_slice_layer(dim, part, shape[dim]) for dim, part in cut]
    return first | ({"then": rest} if rest else {})


def _slice_layer(dim: int, part: slice, size: int) -> dict[str, Any]:
    """Return one axis's cut: of the batch or channels by step 1, the `narrow` it is; else Python's `slice`.

    A `slice` keeps Python's bounds (from the end when negative, to the end when left out), so
    a spatial axis's length follows the input.
    """
    if part.step is not None and part.step < 1:
        raise _NotFollowedError(f"a slice with step {part.step} is not followed (torch takes positive steps)")
    if dim <= 1 and part.step in (None, 1):
        start, stop, _ = part.indices(size)
        return {"type": "narrow", "dim": dim, "start": start, "length": max(stop - start, 0)}
    bounds = {"start": part.start or None, "end": part.stop, "step": None if part.step == 1 else part.step}
    return {"type": "slice", "dim": dim} | {key: value for key, value in bounds.items() if value is not None}


def _selected(index: tuple[Any, ...], shape: list[int]) -> dict[str, Any]:
    """Return x[:, 0] (one integer, the other axes whole) as the `select` it is."""
    if Ellipsis in index:
        at = index.index(Ellipsis)
        index = index[:at] + (slice(None),) * (len(shape) - len(index) + 1) + index[at + 1 :]
    picked = [(dim, part) for dim, part in enumerate(index) if part != slice(None)]
    if len(picked) != 1 or type(picked[0][1]) is not int:
        raise _NotFollowedError("an index of more than one axis, or of integers and slices together, is not followed")
    dim, position = picked[0]
    return {"type": "select", "dim": dim, "index": position}


def _getitem(node: Any) -> dict[str, Any]:
    """Return one piece of a chunk or split as a `chunk` or `narrow` layer."""
    source = node.args[0]
    index = _whole(node.args[1], "index")
    name = source.target if isinstance(source.target, str) else getattr(source.target, "__name__", "")
    if name == "chunk":
        chunks = _whole(_argument(source, 1, "chunks"), "chunks")
        return {
            "type": "chunk",
            "chunks": chunks,
            "dim": _whole(_argument(source, 2, "dim", default=0), "dim"),
            "index": index,
        }
    if name == "unbind":
        return {"type": "select", "dim": _whole(_argument(source, 1, "dim", default=0), "dim"), "index": index}
    if name == "split":
        dim = _whole(_argument(source, 2, "dim", default=0), "dim")
        sizes = _argument(source, 1, "split_size_or_sections")
        shape = _shape(source.args[0]) or []
        if not -len(shape) <= dim < len(shape):
            raise _NotFollowedError(f"it splits axis {dim} of a shape of {len(shape)} axes")
        total = shape[dim]
        each = _wholes(sizes, "sizes") if isinstance(sizes, list | tuple) else None
        step = _whole(sizes, "split size") if each is None else 1
        pieces = each if each is not None else [step] * -(-total // max(step, 1))
        if not -len(pieces) <= index < len(pieces):
            raise _NotFollowedError(f"it takes piece {index} of {len(pieces)}")
        pieces[-1] = total - sum(pieces[:-1])
        return {"type": "narrow", "dim": dim, "start": sum(pieces[:index]), "length": pieces[index]}
    raise _NotFollowedError(f"an index into the output of {name} is not followed")


def _merge(node: Any, merge: str, computed: list[Any], module: Any, walk: _Walk) -> tuple[dict[str, Any], list[Any]]:
    """Return an elementwise operation: a merge of computed tensors, a learnable scale or shift, or a constant's."""
    if len(computed) > 1:
        return {"type": merge}, computed
    for operand in node.all_input_nodes:
        shape = _shape(operand)
        if operand not in walk.constants or merge not in ("mul", "add") or shape is None or prod(shape) <= 1:
            continue
        held = _held(operand, module, walk)
        if held[0]:  # made from learned tensors: a scale or shift, their count (a table indexed: fewer) its own
            layer: dict[str, Any] = {"type": "scale" if merge == "mul" else "shift", "shape": shape}
            counts = {"params": held[0], "buffers": held[1], "indices": held[2], "flops": _made(operand, module, walk)}
            defaults = {"params": prod(shape), "buffers": 0, "indices": 0, "flops": 0}
            return layer | {key: value for key, value in counts.items() if value != defaults[key]}, computed
    grown = _shape(node) != _shape(computed[0]) and _shape(node) is not None  # broadcast to a larger constant
    if grown and len(node.all_input_nodes) == 2:  # noqa: PLR2004 - RAFT's centroids plus its [1, 9, 9, 2] offsets
        call = _Call(node, merge, walk, module, computed)
        return {"type": merge}, [_constant_source(operand, call) for operand in node.all_input_nodes]
    return {"type": "identity"}, computed  # by a scalar or buffers only: the shape and field are kept


def _constant_graph(operand: Any, walk: _Walk) -> Iterator[Any]:
    """Yield each node a constant is computed from, once (and what changes one in place: pos.add_(other))."""
    waiting, seen = [operand], set()
    while waiting:
        node = waiting.pop()
        if node in seen or node not in walk.constants:
            continue
        seen.add(node)
        yield node
        waiting.extend(node.all_input_nodes)
        waiting.extend(user for user in node.users if _in_place(user))


def _made(operand: Any, module: Any, walk: _Walk) -> int:
    """Return the FLOPs FlopCounterMode counts making a constant: the convolutions and Linears run on constants."""
    total = 0
    for node in _constant_graph(operand, walk):
        output = _shape(node)
        if node.op != "call_module" or output is None:
            continue
        called = module.get_submodule(str(node.target))
        if type(called).__name__.startswith("Conv") and not type(called).__name__.startswith("ConvTranspose"):
            taps: int = prod(int(size) for size in called.kernel_size)
            total += 2 * prod(output) * (called.in_channels // called.groups) * taps
        elif type(called).__name__ == "Linear":
            total += 2 * prod(output[:-1]) * called.in_features * called.out_features
    return total


def _held(operand: Any, module: Any, walk: _Walk) -> tuple[int, int, int]:
    """Return the parameters, float buffers and integer buffers a constant is computed from, each counted once.

    A position embedding is one parameter; MaxViT's relative position bias is a table indexed by
    a buffer of int64 indices, a few hundred values spread over thousands of positions.
    """
    found: dict[str, Any] = {}
    for node in _constant_graph(operand, walk):
        if node.op == "get_attr":
            found[str(node.target)] = _parameter(node, module)
        elif node.op == "call_module":  # a module run on constants (XCiT's Fourier position encoding)
            called = module.get_submodule(str(node.target))
            found.update({f"{node.target}.{name}": value for name, value in called.named_parameters()})
            found.update({f"{node.target}.{name}": value for name, value in called.named_buffers()})
    counts = [0, 0, 0]
    for target, value in found.items():
        if target in walk.counted or not hasattr(value, "numel"):
            continue
        walk.counted.add(target)
        learned = bool(getattr(value, "requires_grad", False))
        counts[0 if learned else (1 if value.is_floating_point() else 2)] += int(value.numel())
    return counts[0], counts[1], counts[2]


def _held_keys(held: tuple[int, int, int]) -> dict[str, int]:
    """Return what a layer holds as its file's keys: `params`, and `buffers` and `indices` when there are any."""
    params, values, indices = held
    return {"params": params} | ({"buffers": values} if values else {}) | ({"indices": indices} if indices else {})


def _in_place(node: Any) -> bool:  # an fx node
    """Return whether a node changes its first argument in place (`add_`, `mul_`): a method ending in `_`."""
    return node.op == "call_method" and str(node.target).endswith("_") and not str(node.target).startswith("_")


_RESHAPING = REARRANGING - {"permute", "transpose", "swapaxes", "swapdims"}
"""Methods that lay a parameter out in another shape, its values and count unchanged."""


def _reshaped_parameter(operand: Any, walk: _Walk) -> Any:  # an fx node
    """Return the get_attr node a constant operand is, or lays out in another shape (gamma.reshape(1, -1, 1, 1))."""
    while operand.op != "get_attr":
        name = operand.target if isinstance(operand.target, str) else getattr(operand.target, "__name__", "")
        if name not in _RESHAPING or not operand.args or operand.args[0] not in walk.constants:
            return None
        operand = operand.args[0]
    return operand


def _module_call(node: Any, module: Any, walk: _Walk, torch: Any, computed: list[Any]) -> _Found:
    """Return a module's layer: of its first input, or (MultiheadAttention) of its query, key and value."""
    called = module.get_submodule(str(node.target))
    read = _reader_of(called)
    if read is not None and type(called).__name__ in ON_A_GRID:
        walk.pairs.add(node)  # (tensor, pooled grid)
        return read(called, _value(_argument(node, 1, "thw"), walk, "token grid", node)), computed[:1]
    if read is not None:
        return read(called), computed[:1]
    layer = _frozen_kept(called, torch, walk.vocabulary)
    if layer["type"] != "MultiheadAttention":
        return layer, computed[:1]
    walk.pairs.add(node)
    layer = _multihead(called, layer)
    reads = [_argument(node, i, key) for i, key in enumerate(("query", "key", "value"))]
    if any(read not in walk.produced for read in reads):
        raise _NotFollowedError("its query, key and value must be tensors the model computes")
    return layer, reads[:1] if reads[0] is reads[1] is reads[2] else reads


def _multihead(attention: Any, layer: dict[str, Any]) -> dict[str, Any]:
    """Add what MultiheadAttention keeps as tensors (whether it has biases); leave out kdim and vdim when default."""
    layer = dict(layer)
    if attention.in_proj_bias is None:
        layer["bias"] = False
    if attention.bias_k is not None:
        layer["add_bias_kv"] = True
    for key in ("kdim", "vdim"):
        if getattr(attention, key) == attention.embed_dim:
            layer.pop(key, None)
    return layer


def _window_attention(attention: Any) -> dict[str, Any]:
    """Return torchvision's ShiftedWindowAttention (V2, 3d): its channels from its qkv Linear."""
    layer: dict[str, Any] = {
        "type": type(attention).__name__,
        "dim": int(attention.qkv.in_features),
        "window_size": [int(v) for v in attention.window_size],
        "shift_size": [int(v) for v in attention.shift_size],
        "num_heads": int(attention.num_heads),
    }
    for key, part in (("qkv_bias", attention.qkv), ("proj_bias", attention.proj)):
        if part.bias is None:
            layer[key] = False
    return layer


def _patch_merging(merging: Any) -> dict[str, Any]:
    """Return torchvision's PatchMerging (or V2): its channels are a quarter of its reduction's inputs."""
    return {"type": type(merging).__name__, "dim": int(merging.reduction.in_features) // 4}


def _three(value: Any) -> list[int]:  # a module's int or triple
    """Return a Conv3d's or MaxPool3d's size as three."""
    return [int(v) for v in value] if isinstance(value, list | tuple) else [int(value)] * 3


def _multiscale_attention(attention: Any, thw: list[int]) -> dict[str, Any]:
    """Return MViT's MultiscaleAttention on the grid `thw`: its pools' windows, V2's relative-position tables."""
    layer: dict[str, Any] = {
        "type": "MultiscaleAttention",
        "embed_dim": int(attention.qkv.in_features),
        "output_dim": int(attention.output_dim),
        "num_heads": int(attention.num_heads),
        "thw": [int(v) for v in thw],
    }
    for key, pool in (("q", attention.pool_q), ("kv", attention.pool_k)):
        if pool is not None:
            layer[f"kernel_{key}"], layer[f"stride_{key}"] = _three(pool.pool.kernel_size), _three(pool.pool.stride)
    if attention.rel_pos_h is not None:
        tables = (attention.rel_pos_h, attention.rel_pos_w, attention.rel_pos_t)
        layer["rel_pos"] = [int(table.shape[0]) for table in tables]
    return layer


def _token_pool(pool: Any, thw: list[int]) -> dict[str, Any]:
    """Return MViT's Pool of a MaxPool3d (a block's skip path) on the grid `thw`."""
    if pool.norm_act is not None or type(pool.pool).__name__ != "MaxPool3d":
        raise _NotFollowedError("a Pool other than a MaxPool3d alone (the skip path's) is not followed")
    window = pool.pool
    return {
        "type": "TokenPool",
        "thw": [int(v) for v in thw],
        **{key: _three(getattr(window, key)) for key in ("kernel_size", "stride", "padding")},
    }


MODULE_READERS: dict[str, Callable[..., dict[str, Any]]] = {
    "ShiftedWindowAttention": _window_attention,
    "ShiftedWindowAttentionV2": _window_attention,
    "ShiftedWindowAttention3d": _window_attention,
    "PatchMerging": _patch_merging,
    "PatchMergingV2": _patch_merging,
    "MultiscaleAttention": _multiscale_attention,
    "Pool": _token_pool,
}
"""torchvision's modules read whole (traced as leaves), by class: the layer each is."""
ON_A_GRID = {"MultiscaleAttention", "Pool"}
"""MViT's modules: called with the token grid (T, H, W), and returning it pooled beside the tensor."""


def _reader_of(module: Any) -> Callable[..., dict[str, Any]] | None:
    """Return how to read a module whole (a torchvision module MODULE_READERS names), or None."""
    name, home = type(module).__name__, type(module).__module__
    read = MODULE_READERS.get(name)
    if read is None or not home.startswith("torchvision") or (name in ON_A_GRID) != home.endswith(".mvit"):
        return None
    return read


def _paired(node: Any, walk: _Walk) -> None:
    """Read (output, weights)[i] of MultiheadAttention: the output is the layer's; unused weights are dropped."""
    if node.args[1] == 0:
        walk.produced[node] = walk.produced[node.args[0]]
    elif node.users and "convcalc_value" not in node.meta:  # sizes (MViT's pooled grid) are read where used
        raise _NotFollowedError("the attention weights are not followed (call it with need_weights=False)")


def _attention(call: _Call, computed: list[Any]) -> _Found:
    """Return F.scaled_dot_product_attention(q, k, v) as the layer it is.

    A mask changes no shape; one made from learned tables (BEiT's relative position bias) has
    their parameters and buffers counted in the layer.
    """
    del computed
    node, walk = call.node, call.walk
    reads = [_argument(node, i, key) for i, key in enumerate(("query", "key", "value"))]
    if any(read not in walk.produced for read in reads):
        raise _NotFollowedError("its query, key and value must be tensors the model computes")
    layer: dict[str, Any] = {"type": "scaled_dot_product_attention"}
    mask = _argument(node, 3, "attn_mask")
    if hasattr(mask, "op") and mask in walk.constants:
        layer |= {key: count for key, count in _held_keys(_held(mask, call.module, walk)).items() if count}
    if _argument(node, 5, "is_causal"):
        layer["is_causal"] = True
    if node.kwargs.get("enable_gqa"):
        layer["enable_gqa"] = True
    return layer, reads


def _concatenated(call: _Call, computed: list[Any]) -> _Found:
    """Return torch.cat: of computed tensors, or of learned tokens (a class token) and then a computed sequence."""
    node, walk = call.node, call.walk
    dim = _whole(_argument(node, 1, "dim", default=0), "dim")
    parts = list(_argument(node, 0, "tensors"))
    if all(part in walk.produced for part in parts):
        return {"type": "cat", "dim": dim}, computed
    tokens = parts[: len(parts) - len(computed)]
    if len(computed) != 1 or parts[-1] is not computed[0]:  # constants among computed tensors (RAFT's first flow)
        if any(_learned_constant(part, call) for part in parts if part not in walk.produced):
            raise _NotFollowedError("a concatenation of learned tokens among computed tensors is not followed")
        return {"type": "cat", "dim": dim}, [_constant_source(part, call) for part in parts]
    count = 0
    for part in tokens:
        attribute = _expanded_parameter(part, walk)
        if attribute is None:
            raise _NotFollowedError("a concatenation with a constant that is not a learned parameter")
        count += int((_shape(part) or _parameter(attribute, call.module).shape)[dim])
    return {"type": "tokens", "count": count, **({"dim": dim} if dim != 1 else {})}, computed


def _constant_source(part: Any, call: _Call) -> Any:  # an fx node
    """Return a tensor as a layer reads it: a computed one as it is, a constant as a `constant` layer, made once.

    A constant computed from the input's size alone (RAFT's first flow, coords1 - coords0) holds
    no value of the input; convolutions run on it hold parameters and cost FLOPs (FlopCounterMode
    counts them): the layer says them, but for modules called on computed tensors too, whose
    parameters their layers hold (netfile: `traced_data` settles it after the walk).
    """
    walk = call.walk
    if part in walk.produced:
        return part
    shape = _shape(part)
    if shape is None:
        raise _NotFollowedError("it joins a constant whose shape is unknown")
    modules: dict[str, int] = {}
    for node in _constant_graph(part, walk):
        if node.op == "call_module":
            called = call.module.get_submodule(str(node.target))
            modules[str(node.target)] = sum(int(p.numel()) for p in called.parameters())
    name = walk.names.get(part, str(part.name))
    layer: dict[str, Any] = {"name": name, "type": "constant", "shape": shape, "from": "input"}
    flops = _made(part, call.module, walk)
    if flops:
        layer["flops"] = flops
    walk.layers.append(layer)
    walk.sourced.append((layer, modules))
    walk.produced[part] = name
    walk.last = name
    return part


def _learned_constant(part: Any, call: _Call) -> bool:  # an fx node
    """Whether a constant is made from parameters (a learned token), not from the input's size alone."""
    return any(
        getattr(_parameter(node, call.module), "requires_grad", False)
        for node in _constant_graph(part, call.walk)
        if node.op == "get_attr"
    )


def _settle_sources(walk: _Walk) -> None:
    """Give each constant layer the parameters of the modules it ran that no layer holds (called on constants only)."""
    for layer, modules in walk.sourced:
        held = sum(count for target, count in modules.items() if target not in walk.called)
        if held:
            layer["params"] = held


def _grid_sampled(call: _Call, computed: list[Any]) -> _Found:
    """Return F.grid_sample: the input read at a grid (a computed one read too; a constant one by its size)."""
    node, walk = call.node, call.walk
    data, grid = _argument(node, 0, "input"), _argument(node, 1, "grid")
    if data not in walk.produced:
        raise _NotFollowedError("it samples a tensor the model does not compute")
    if grid in walk.produced:
        return {"type": "grid_sample"}, [data, grid]
    shape = _shape(grid)
    if shape is None or len(shape) < 3:  # noqa: PLR2004 - [N, *out, D]
        raise _NotFollowedError("its grid's shape is unknown")
    del computed
    return {"type": "grid_sample", "size": shape[1:-1]}, [data]


def _unfolded(call: _Call) -> dict[str, Any]:
    """Return F.unfold (im2col), not Tensor.unfold (windows along one axis, which is not followed)."""
    node = call.node
    if node.op != "call_function":
        raise _NotFollowedError("Tensor.unfold (windows along one axis) is not followed")
    layer: dict[str, Any] = {"type": "unfold"}
    for position, (key, default) in enumerate((("kernel_size", None), ("dilation", 1), ("padding", 0), ("stride", 1))):
        value = _argument(node, position + 1, key)
        if value is not None and _plain(value) not in (default, [default, default]):
            layer[key] = _plain(value)
    return layer


def _expanded_parameter(operand: Any, walk: _Walk) -> Any:  # an fx node
    """Return the parameter a constant operand expands over the batch (cls_token.expand(N, -1, -1)), or None."""
    while operand.op in ("call_method", "call_function") and operand.args:  # expand(N, -1).unsqueeze(1): MViT's
        name = operand.target if isinstance(operand.target, str) else getattr(operand.target, "__name__", "")
        if name not in ("expand", "repeat", "expand_as", "unsqueeze"):
            break
        operand = operand.args[0]
    return _reshaped_parameter(operand, walk) if operand in walk.constants else None


def _einsum(call: _Call, computed: list[Any]) -> _Found:
    """Return torch.einsum(equation, a, b) of computed tensors (operands as arguments or one list)."""
    del computed
    equation, *operands = call.node.args
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = list(operands[0])
    if not isinstance(equation, str) or any(operand not in call.walk.produced for operand in operands):
        raise _NotFollowedError("an einsum of constants or parameters is not followed")
    parsed = parse_equation(equation)
    if isinstance(parsed, str):
        raise _NotFollowedError(parsed)
    return {"type": "einsum", "equation": equation}, operands


def _stack(call: _Call, computed: list[Any]) -> _Found:
    """Return torch.stack of computed tensors: a new axis at `dim`."""
    parts = list(_argument(call.node, 0, "tensors"))
    if not all(part in call.walk.produced for part in parts):
        raise _NotFollowedError("a stack of constants among computed tensors is not followed")
    return {"type": "stack", "dim": _whole(_argument(call.node, 1, "dim", default=0), "dim")}, computed


SEVERAL: dict[str, Callable[[_Call, list[Any]], _Found]] = {
    **dict.fromkeys(("cat", "concat", "concatenate"), _concatenated),
    "stack": _stack,
    **dict.fromkeys(("matmul", "bmm"), _product),  # operator.matmul (a @ b) is named matmul too
    "scaled_dot_product_attention": _attention,
    "einsum": _einsum,
    "grid_sample": _grid_sampled,
}
"""Functions that read several computed tensors: the layer and the tensors it reads, in order."""


def _rearranging(node: Any, name: str, walk: _Walk) -> dict[str, Any]:
    rest = list(node.args[1:])
    if name == "flatten":
        layer: dict[str, Any] = {
            "type": "flatten",
            "start_dim": _whole(_argument(node, 1, "start_dim", default=0), "start_dim"),
        }
        end = _whole(_argument(node, 2, "end_dim", default=-1), "end_dim")
        if end != -1:
            layer["end_dim"] = end
        return layer
    if name == "permute":
        dims = rest[0] if len(rest) == 1 and isinstance(rest[0], list | tuple) else rest or node.kwargs.get("dims")
        return {"type": "permute", "dims": _wholes(dims, "dims")}
    if name in ("transpose", "swapaxes", "swapdims"):
        dim0, dim1 = _whole(_argument(node, 1, "dim0"), "dim0"), _whole(_argument(node, 2, "dim1"), "dim1")
        return {"type": "transpose", "dim0": dim0, "dim1": dim1}
    if name in ("view_as", "reshape_as"):  # to another tensor's shape, as it is at the traced input
        other = _argument(node, 1, "other")
        walk.freeze(node)
        return {"type": name.removesuffix("_as"), "shape": _wholes(_shape(other), "shape")}
    if name in ("view", "reshape"):
        given = rest[0] if len(rest) == 1 and isinstance(rest[0], list | tuple) else rest or node.kwargs.get("shape")
        if given is None:
            raise _NotFollowedError(f"its shape is not given as convcalc follows it ({name}(x, *shape))")
        values = _value(list(given), walk, "shape", node)
        if len(values) == 1 and isinstance(values[0], list):  # x.reshape(y.shape): one size node, read as traced
            values = values[0]
        return {"type": name, "shape": _wholes(values, "shape")}
    if name == "unflatten":
        sizes = _value(_argument(node, 2, "sizes"), walk, "sizes", node)
        return {"type": "unflatten", "dim": _whole(_argument(node, 1, "dim"), "dim"), "sizes": _wholes(sizes, "sizes")}
    dim = _argument(node, 1, "dim")
    return {"type": name, **({"dim": _whole(dim, "dim")} if dim is not None else {})}


def _interpolate(node: Any, walk: _Walk) -> dict[str, Any]:
    """Return F.interpolate: to another layer's size (`to:`), to a size, or by a factor."""
    layer: dict[str, Any] = {"type": "interpolate"}
    size = _argument(node, 1, "size")
    factor = _argument(node, 2, "scale_factor")
    mode = _argument(node, 3, "mode", default="nearest")
    corners = _argument(node, 4, "align_corners")
    if hasattr(size, "op") and size in walk.sizes:
        tensor, axes = walk.sizes[size]
        rank = len(_shape(tensor) or [])
        if list(axes) == list(range(2, rank)) and tensor in walk.produced:
            layer["to"] = walk.produced[tensor]
            size = None
    if size is not None:
        values = _value(size, walk, "size", node)
        layer["size"] = values if isinstance(values, list) else [values]
    if factor is not None:
        layer["scale_factor"] = _plain(factor)
    if mode != "nearest":
        layer["mode"] = mode
    if corners is not None:
        layer["align_corners"] = bool(corners)
    return layer


def _pool(node: Any, kind: str, rank: int) -> dict[str, Any]:
    kernel = _argument(node, 1, "kernel_size")
    layer: dict[str, Any] = {
        "type": f"{'MaxPool' if kind == 'max' else 'AvgPool'}{rank}d",
        "kernel_size": _plain(kernel),
    }
    stride = _argument(node, 2, "stride")
    if stride not in (None, []):
        layer["stride"] = _plain(stride)
    layer["padding"] = _plain(_argument(node, 3, "padding", default=0))
    position = 5 if kind == "max" else 4
    if kind == "max" and _argument(node, 4, "dilation", default=1) not in (1, [1] * rank, (1,) * rank):
        layer["dilation"] = _plain(_argument(node, 4, "dilation"))
    if _argument(node, position, "ceil_mode", default=False):
        layer["ceil_mode"] = True
    return layer


def _parameter(node: Any, module: Any) -> Any:
    """Return the tensor a get_attr node reads."""
    value = module
    for part in str(node.target).split("."):
        value = getattr(value, part)
    return value


def _functional_convolution(call: _Call, match: re.Match[str]) -> dict[str, Any]:
    """Return F.conv2d(x, weight, bias, stride, padding, dilation, groups) (or a transposed one) as its module.

    A weight computed from parameters (NF-ResNet's standardized weight, weight and gain) is the
    convolution's, its shape as traced; the parameters beyond the weight's own are a `scale`
    after it that holds them.
    """
    node, module = call.node, call.module
    weight = _argument(node, 1, "weight")
    standardized = hasattr(weight, "op") and weight.op != "get_attr" and weight in call.walk.constants
    shape = _shape(weight) if standardized else _weight_shape(node, module, 1)
    if shape is None:
        raise _NotFollowedError("its weight's shape is not known")
    transposed = bool(match[1])
    names = ("stride", "padding", "output_padding", "groups", "dilation") if transposed else (
        "stride", "padding", "dilation", "groups")  # fmt: skip
    given = {key: _argument(node, 3 + i, key) for i, key in enumerate(names)}
    groups = _whole(given["groups"] or 1, "groups")
    layer: dict[str, Any] = {
        "type": f"{'ConvTranspose' if transposed else 'Conv'}{match[2]}d",
        "out_channels": shape[1] * groups if transposed else shape[0],
        "kernel_size": shape[2:],
    }
    for key, value in given.items():
        if value is not None:
            layer[key] = _plain(value)
    layer["bias"] = _argument(node, 2, "bias") is not None
    layer = _defaults_left_out(layer)
    if not standardized:
        return layer
    params, values, indices = _held(weight, module, call.walk)
    held = _held_keys((params - prod(shape), values, indices))  # the parameters beyond the weight's own
    if held["params"] < 0 or not any(held.values()):
        return layer
    return layer | {"then": [{"type": "scale", "shape": [layer["out_channels"], *[1] * (len(shape) - 2)], **held}]}
