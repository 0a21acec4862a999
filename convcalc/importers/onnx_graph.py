"""Read an ONNX model's graph into a network file's data (`framework: onnx`), node by node.

The file is decoded by `onnx_proto` (no onnx package needed); weights are never read: an
initializer's shape is in the graph, so a graph whose external weights file is absent reads
as well. Each node that computes a tensor becomes a layer named as the node (its first
output's name when the node has none); constants
(initializers, Constant nodes and Identity nodes of them) are folded into the layers that
read them: a Conv's weight gives its out_channels and kernel, a Gemm's its out_features, an
elementwise operation with a learnable tensor becomes a `scale` counted as parameters. A node
whose operator convcalc does not follow is one error naming it, its operator, domain and opset.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Any

from convcalc.core.errors import InputError, InputErrorGroup, Location
from convcalc.importers.onnx_proto import Model, Node, Tensor
from convcalc.importers.onnx_proto import model as model_of

WINDOWS = {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"}
WINDOW_ATTRIBUTES = ("kernel_shape", "strides", "pads", "auto_pad", "dilations", "group", "ceil_mode",
                     "count_include_pad", "output_padding", "output_shape")  # fmt: skip
UNARY = {
    "Relu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu", "Gelu", "Elu", "Selu", "Celu", "Mish",
    "Softplus", "Softsign", "Clip", "Erf", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Cast", "Floor",
    "Ceil", "Round", "Sign", "ThresholdedRelu", "Identity", "Dropout", "Softmax", "LogSoftmax",
    "LRN", "InstanceNormalization", "BatchNormalization", "LayerNormalization",
}  # fmt: skip
"""Operators whose output has their (first) input's shape, written under their own name."""
KEPT_ATTRIBUTES = {"Softmax": ("axis",), "LogSoftmax": ("axis",), "LayerNormalization": ("axis",)}
ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum"}
REDUCTIONS = {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceLogSumExp"}
REARRANGING = {"Transpose", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "DepthToSpace", "SpaceToDepth"}
GLOBAL_POOLS = {"GlobalAveragePool", "GlobalMaxPool"}


class _UnsupportedError(Exception):
    """A node the import cannot follow, with the reason."""


@dataclass
class _Graph:
    """What the walk knows: constant tensors (their shapes and, when small, values) and layer names."""

    constants: dict[str, tuple[tuple[int, ...], list[Any] | None]] = field(default_factory=dict)
    producer: dict[str, str] = field(default_factory=dict)  # tensor -> the layer that makes it
    layers: list[dict[str, Any]] = field(default_factory=list)
    last: str = "input"

    def constant(self, name: str) -> tuple[tuple[int, ...], list[Any] | None] | None:
        """Return a constant input's shape and values (None when the tensor is computed)."""
        return self.constants.get(name) if name else None

    def values(self, name: str, what: str) -> list[Any]:
        """Return a constant input's values, or say that a computed one is not followed."""
        found = self.constant(name)
        if found is None or found[1] is None:
            msg = f"its {what} ({name!r}) is computed in the graph (Shape -> Gather -> ...), which is not followed yet"
            raise _UnsupportedError(msg)
        return found[1]


def _input_shape(model: Model, given: tuple[int, ...] | None, source: str) -> tuple[str, tuple[int, ...]]:
    """Return the graph's one input (not an initializer) and its shape, dynamic axes from `given`."""
    initializers = {t.name for t in model.initializers}
    inputs = [i for i in model.inputs if i.name not in initializers]
    if len(inputs) != 1:
        names = ", ".join(repr(i.name) for i in inputs)
        raise InputError(f"the graph has {len(inputs)} inputs ({names}): convcalc reads a graph of one input")
    (tensor,) = inputs
    dims = tensor.dims
    if given is not None:
        if len(given) != len(dims):
            msg = f"gives {len(given)} values but the graph's input {tensor.name!r} has {len(dims)} axes"
            raise InputError(msg, where="--input")
        return tensor.name, given
    dynamic = [d if isinstance(d, str) else f"axis {i}" for i, d in enumerate(dims) if not isinstance(d, int)]
    if dynamic:
        msg = f"the graph's input {tensor.name!r} has dynamic axes ({', '.join(dynamic)}): give its shape with --input"
        raise InputError(msg, location=Location(source))
    return tensor.name, tuple(int(d) for d in dims if isinstance(d, int))


def _window(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return a Conv, ConvTranspose or pool layer: the weight gives the channels and the kernel."""
    layer: dict[str, Any] = {"type": node.op_type}
    if node.op_type == "LpPool":
        layer["type"] = "AveragePool"  # the same windows
    for key in WINDOW_ATTRIBUTES:
        if key in attributes:
            layer[key] = attributes[key]
    if node.op_type in ("Conv", "ConvTranspose"):
        weight = graph.constant(node.inputs[1])
        if weight is None:
            raise _UnsupportedError("its weight is computed in the graph, not an initializer")
        shape = weight[0]
        group = int(attributes.get("group", 1))
        layer["out_channels"] = shape[0] if node.op_type == "Conv" else shape[1] * group
        layer.setdefault("kernel_shape", list(shape[2:]))
        layer["bias"] = len(node.inputs) > 2 and bool(node.inputs[2])  # noqa: PLR2004
    return layer


def _gemm(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return Gemm (or MatMul by a constant) as a Linear over the last axis."""
    weight = graph.constant(node.inputs[1])
    if weight is None or len(weight[0]) != 2:  # noqa: PLR2004
        raise _UnsupportedError("it multiplies two computed tensors (convcalc follows a product by a weight matrix)")
    rows, columns = weight[0]
    transposed = bool(attributes.get("transB", 0)) if node.op_type == "Gemm" else False
    if node.op_type == "Gemm" and attributes.get("transA", 0):
        raise _UnsupportedError("transA=1 (the input transposed) is not followed")
    inputs, outputs = (columns, rows) if transposed else (rows, columns)
    bias = node.op_type == "Gemm" and len(node.inputs) > 2 and bool(node.inputs[2])  # noqa: PLR2004
    return {"type": "Linear", "in_features": inputs, "out_features": outputs, "bias": bias}


def _elementwise(node: Node, graph: _Graph) -> tuple[dict[str, Any], list[str]]:
    """Return an elementwise operation: a merge of computed tensors, or one tensor with constants."""
    computed = [name for name in node.inputs if name and graph.constant(name) is None]
    learned = [graph.constants[name][0] for name in node.inputs if name and graph.constant(name) is not None]
    learned = [shape for shape in learned if prod(shape) > 1]
    if len(computed) >= 2:  # noqa: PLR2004
        if learned:
            raise _UnsupportedError("it combines computed tensors with a learnable one")
        if node.op_type not in ("Add", "Sub", "Mul", "Div"):
            raise _UnsupportedError("it combines computed tensors, which convcalc follows for Add, Sub, Mul and Div")
        return {"type": node.op_type}, computed
    if not computed:
        raise _UnsupportedError("all its inputs are constants")
    if learned:  # a learnable tensor broadcast into the input (a layer scale, a bias)
        return {"type": "scale", "shape": list(max(learned, key=prod))}, computed
    return {"type": "Identity"}, computed  # by a scalar: shape and field unchanged


def _input_values(node: Node, graph: _Graph, position: int, what: str) -> list[Any] | None:
    """Return the values of an optional constant input (None when it is left out or empty)."""
    if len(node.inputs) <= position or not node.inputs[position]:
        return None
    return graph.values(node.inputs[position], what) or None


def _axes_input(node: Node, graph: _Graph, attributes: dict[str, Any], position: int) -> list[int] | None:
    """Return the axes of a reduction, Squeeze or Unsqueeze: an attribute (older opsets) or an input."""
    axes = attributes["axes"] if "axes" in attributes else _input_values(node, graph, position, "axes")
    return None if axes is None else [int(a) for a in axes]


def _rearranging(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    op = node.op_type
    if op == "Transpose":
        if "perm" not in attributes:
            raise _UnsupportedError("Transpose without perm (all axes reversed) is not followed")
        return {"type": op, "perm": list(attributes["perm"])}
    if op == "Flatten":
        return {"type": op, "axis": int(attributes.get("axis", 1))}
    if op == "Reshape":
        if attributes.get("allowzero", 0):
            raise _UnsupportedError("allowzero=1 is not followed")
        return {"type": op, "shape": [int(v) for v in graph.values(node.inputs[1], "shape")]}
    if op in ("DepthToSpace", "SpaceToDepth"):
        layer = {"type": op, "blocksize": int(attributes["blocksize"])}
        if op == "DepthToSpace" and attributes.get("mode", "DCR") != "DCR":
            layer["mode"] = attributes["mode"]
        return layer
    axes = _axes_input(node, graph, attributes, 1)
    if op == "Unsqueeze" and axes is None:
        raise _UnsupportedError("Unsqueeze needs axes")
    return {"type": op, **({"axes": axes} if axes is not None else {})}


def _resize(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return Resize (or Upsample) as an upsample by its scales or to its sizes."""
    mode = attributes.get("mode", "nearest")
    transform = attributes.get("coordinate_transformation_mode", "half_pixel")
    layer: dict[str, Any] = {"type": "interpolate"}
    if mode == "nearest":
        layer["mode"] = "nearest" if transform == "asymmetric" else "nearest-exact"
    else:
        layer["mode"] = {"linear": "linear", "cubic": "bicubic"}.get(mode, mode)
        layer["align_corners"] = transform == "align_corners"
    upsample = node.op_type == "Upsample"  # Upsample: X, scales; Resize: X, roi, scales, sizes
    scales = _input_values(node, graph, 1 if upsample else 2, "scales")
    sizes = None if upsample else _input_values(node, graph, 3, "sizes")
    if sizes is not None:
        layer["size"] = [int(v) for v in sizes[2:]]
    elif scales is not None:
        if any(float(v) != 1 for v in scales[:2]):
            raise _UnsupportedError(f"its scales {list(scales)} resize the batch or channel axis")
        layer["scale_factor"] = [float(v) for v in scales[2:]]
    else:
        raise _UnsupportedError("it has neither scales nor sizes")
    if layer["mode"] == "linear":
        layer["mode"] = {3: "linear", 4: "bilinear", 5: "trilinear"}.get(len(scales or sizes or ()), "linear")
    return layer


def _pad(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    pads = [int(v) for v in attributes["pads"]] if "pads" in attributes else None
    if pads is None:
        pads = [int(v) for v in graph.values(node.inputs[1], "pads")]
    rank = len(pads) // 2
    pairs = list(zip(pads[:rank], pads[rank:], strict=True))
    if any(b or a for b, a in pairs[:2]):
        raise _UnsupportedError("it pads the batch or channel axis")
    return {"type": "pad", "padding": [list(pair) for pair in pairs[2:]]}


def _split(node: Node, graph: _Graph, attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one narrow layer per output of a Split (sizes from `split`, or equal pieces)."""
    axis = int(attributes.get("axis", 0))
    given = attributes["split"] if "split" in attributes else _input_values(node, graph, 1, "split")
    if given is None:
        chunks = len(node.outputs)
        return [{"type": "chunk", "chunks": chunks, "dim": axis, "index": i} for i in range(chunks)]
    sizes = [int(v) for v in given]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [{"type": "narrow", "dim": axis, "start": s, "length": n} for s, n in zip(starts, sizes, strict=True)]


def _layer(node: Node, graph: _Graph) -> list[tuple[dict[str, Any], list[str]]]:  # noqa: C901, PLR0912
    """Return the layers of one node, each with the computed tensors it reads."""
    attributes = node.attributes
    op = node.op_type
    data = [node.inputs[0]] if node.inputs else []
    if op in WINDOWS:
        return [(_window(node, graph, attributes), data)]
    if op in ("Gemm", "MatMul"):
        return [(_gemm(node, graph, attributes), data)]
    if op in GLOBAL_POOLS:
        return [({"type": op}, data)]
    if op in UNARY:
        layer = {"type": op} | {k: attributes[k] for k in KEPT_ATTRIBUTES.get(op, ()) if k in attributes}
        if op == "LRN":
            layer = {"type": "LocalResponseNorm"}
        return [(layer, data)]
    if op == "PRelu":
        slope = graph.constant(node.inputs[1])
        return [({"type": "PReLU", "num_parameters": prod(slope[0]) if slope else 1}, data)]
    if op in ELEMENTWISE:
        layer, computed = _elementwise(node, graph)
        return [(layer, computed)]
    if op == "Concat":
        computed = [name for name in node.inputs if graph.constant(name) is None]
        return [({"type": op, "axis": int(attributes["axis"])}, computed)]
    if op in REDUCTIONS:
        axes = _axes_input(node, graph, attributes, 1)
        if axes is None:
            raise _UnsupportedError("a reduction over every axis is not followed")
        layer = {"type": op, "axes": axes}
        if not attributes.get("keepdims", 1):
            layer["keepdims"] = 0
        return [(layer, data)]
    if op in REARRANGING:
        return [(_rearranging(node, graph, attributes), data)]
    if op in ("Resize", "Upsample"):
        return [(_resize(node, graph, attributes), data)]
    if op == "Pad":  # constant, reflect, edge or wrap: the same sizes
        return [(_pad(node, graph, attributes), data)]
    if op == "Split":
        return [(layer, data) for layer in _split(node, graph, attributes)]
    raise _UnsupportedError("convcalc does not follow this operator")


def _fold(node: Node, graph: _Graph) -> bool:
    """Record a node that only makes a constant; True when it did."""
    if node.op_type == "Constant":
        value = node.attributes.get("value")
        if isinstance(value, Tensor) and node.outputs:
            graph.constants[node.outputs[0]] = (value.dims, value.values)
            return True
        return False
    if node.op_type == "Identity" and node.inputs and node.outputs and graph.constant(node.inputs[0]) is not None:
        graph.constants[node.outputs[0]] = graph.constants[node.inputs[0]]
        return True
    return False


def _names(node: Node, count: int, taken: set[str]) -> list[str]:
    """Return the layer names of a node's layers: the node's name (its output's, when it has none)."""
    base = node.name or node.outputs[0]
    names = [base] if count == 1 else [f"{base}:{i}" for i in range(count)]
    unique = []
    for name in names:
        chosen = name
        while chosen in taken or chosen.isdigit() or chosen == "input":
            chosen += "_"
        taken.add(chosen)
        unique.append(chosen)
    return unique


def onnx_network_data(path: str, input_shape: tuple[int, ...] | None = None) -> dict[str, Any]:
    """Return the network file data ({"framework": "onnx", "input": ..., "layers": [...]}) of an ONNX model.

    Raise InputErrorGroup with one line per node that cannot be followed (or for a file that is
    not an ONNX model).
    """
    model = _load(path)
    opset = model.opset
    graph = _Graph()
    for tensor in model.initializers:
        graph.constants[tensor.name] = (tensor.dims, tensor.values)
    try:
        name, shape = _input_shape(model, input_shape, path)
    except InputError as error:
        raise InputErrorGroup([error.located(Location(path))]) from None
    graph.producer[name] = "input"
    taken: set[str] = set()
    errors = []
    for node in model.nodes:
        if _fold(node, graph):
            continue
        try:
            if not node.outputs or not node.inputs:
                raise _UnsupportedError("it has no inputs or no outputs")  # noqa: TRY301
            made = _layer(node, graph)
            if any(not reads for _, reads in made):
                raise _UnsupportedError("all its inputs are constants")  # noqa: TRY301
        except (_UnsupportedError, KeyError, ValueError, IndexError, TypeError) as reason:
            domain = node.domain or "ai.onnx"
            label = node.name or (node.outputs[0] if node.outputs else f"#{len(graph.layers) + 1}")
            text = _reason(reason)
            errors.append(InputError(f"node {label!r} ({node.op_type}, domain {domain}, opset {opset}): {text}",
                                     location=Location(path)))  # fmt: skip
            for output in node.outputs:
                graph.producer[output] = "input"  # keep going, to say every unfollowed node at once
            continue
        _place(graph, node, made, taken)
    if errors:
        raise InputErrorGroup(errors)
    return {"framework": "onnx", "input": list(shape), "layers": graph.layers}


def _reason(reason: Exception) -> str:
    """Say why a node is not followed: convcalc's reason, or what the node lacks against its operator's schema."""
    if isinstance(reason, _UnsupportedError):
        return str(reason.args[0])
    if isinstance(reason, KeyError):
        return f"attribute {reason} is missing"
    return "its inputs or attributes are not as the operator's schema has them"


def _place(graph: _Graph, node: Node, made: list[tuple[dict[str, Any], list[str]]], taken: set[str]) -> None:
    """Add a node's layers, each named and reading the layers that make its inputs."""
    outputs = list(node.outputs)[: len(made)] if len(made) > 1 else [node.outputs[0]]
    for (keys, reads), layer_name, output in zip(made, _names(node, len(made), taken), outputs, strict=True):
        sources = [graph.producer.get(tensor, tensor) for tensor in reads]
        layer = {"name": layer_name, **keys}
        if sources != [graph.last]:
            layer["from"] = sources if len(sources) > 1 else sources[0]
        graph.layers.append(layer)
        graph.producer[output] = layer_name
        graph.last = layer_name
    for output in node.outputs[1:] if len(made) == 1 else ():
        graph.producer[output] = graph.last  # MaxPool's indices, Dropout's mask: the same shape's companion


def _load(path: str) -> Model:
    """Read and decode an ONNX file, or raise InputErrorGroup saying why it is not one."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputErrorGroup([InputError("no such file", location=Location(path))]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputErrorGroup([InputError(f"cannot read: {reason}", location=Location(path))]) from None
    try:
        return model_of(data)
    except (ValueError, struct.error, UnicodeDecodeError) as error:
        raise InputErrorGroup([InputError(f"not an ONNX model ({error})", location=Location(path))]) from None
