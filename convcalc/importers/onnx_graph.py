"""Read an ONNX model's graph into a network file's data (`framework: onnx`), node by node.

The file is decoded by `onnx_proto` (no onnx package needed); weights are never read: an
initializer's shape is in the graph, so a graph whose external weights file is absent reads
as well. Each node that computes a tensor becomes a layer named as the node (its first
output's name when the node has none); constants
(initializers, Constant nodes and Identity nodes of them) are folded into the layers that
read them: a Conv's weight gives its out_channels and kernel, a Gemm's its out_features, an
elementwise operation with a learnable tensor becomes a `scale` counted as parameters. A node
whose operator convcalc does not follow is one error naming it, its operator, domain and opset.

torch's default exporter rewrites the graph it writes (onnxscript's optimizer) and says so in
each node's metadata: a BatchNorm fused into the convolution before it is read back as the
BatchNormalization it was (named by the module's path), and a bias the rewriter dropped for
being all zeros (an untrained model's) is counted as the bias it is, when the torch call the node
came from (its metadata) passed one.
"""

from __future__ import annotations

import ast
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Any, Protocol

from convcalc.core.errors import InputError, InputErrorGroup, Location
from convcalc.core.kinds import file_types
from convcalc.core.kinds.file_types import IGNORED, OtherType
from convcalc.core.spec import input_name
from convcalc.core.terms import LayerKind
from convcalc.importers.onnx_grids import Grid, arange, unsqueeze
from convcalc.importers.onnx_grids import combine as combine_grids
from convcalc.importers.onnx_grids import reshape as reshape_grid
from convcalc.importers.onnx_proto import FileBytes, Model, Node, Tensor, buffers, metadata, value_shapes
from convcalc.importers.onnx_proto import model as model_of
from convcalc.importers.onnx_shapes import (
    SHAPE_OPERATORS,
    Computed,
    Size,
    broadcast_dims,
    clamped,
    constant,
    evaluate,
    fills_sizes,
    reshaped,
    shape_of_sizes,
    shape_of_tensor,
)

Measure = Callable[[Mapping[str, Any]], Mapping[str, tuple[int, ...]]]
"""The output shape of every layer of network data ({"framework": "onnx", "input": ..., "layers": ...})."""

WINDOWS = {"Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool"}
WINDOW_ATTRIBUTES = ("kernel_shape", "strides", "pads", "auto_pad", "dilations", "group", "ceil_mode",
                     "count_include_pad", "output_padding", "output_shape")  # fmt: skip
ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum"}
SHAPE_KEEPING: Mapping[str, OtherType] = {
    name: info
    for types in file_types()
    for name, info in types.onnx.items()
    if info.kind is LayerKind.IDENTITY and name.capitalize() not in ELEMENTWISE
}
"""Operators whose output has their (first) input's shape (identity.py's ONNX names, lower case): each is
written under its own name, with the attributes its type reads."""
REDUCTIONS = {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceLogSumExp", "ReduceL1",
              "ReduceL2", "ReduceSumSquare", "ReduceLogSum"}  # fmt: skip
REARRANGING = {"Transpose", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "DepthToSpace", "SpaceToDepth"}
GLOBAL_POOLS = {"GlobalAveragePool", "GlobalMaxPool"}
LAID_OUT = {"Reshape", "Squeeze", "Unsqueeze", "Flatten", "Transpose"}
"""The operators that only lay a tensor out anew: of a constant, a constant."""
WEIGHED = {"MatMul", "Gemm", "Conv", "ConvTranspose", "Einsum"}
"""The operators whose product with a weight costs FLOPs and holds parameters, even on constants."""
PROBE_FACTORS = (2, 3, 5, 7, 11, 13, 17, 19)
ATTRIBUTE_TYPES = {
    **dict.fromkeys(("kernel_shape", "strides", "pads", "dilations", "output_padding", "output_shape"), "ints"),
    **dict.fromkeys(("perm", "axes", "split", "starts", "ends"), "ints"),
    **dict.fromkeys(("group", "ceil_mode", "count_include_pad", "axis", "blocksize", "keepdims", "p"), "int"),
    **dict.fromkeys(("transA", "transB", "allowzero"), "int"),
    **dict.fromkeys(("auto_pad", "mode", "coordinate_transformation_mode", "equation"), "string"),
}
"""The type ONNX's operator schemas give each attribute convcalc reads (the same for every operator)."""
_TYPE_WORDS = {"int": "an integer", "ints": "a list of integers", "string": "a string"}
_BIAS = 2  # the position of Conv's and Gemm's optional bias among their inputs
REWRITES = "pkg.onnxscript.rewriter.rule_name"
"""The metadata key under which torch's default exporter names the rewrites that made a node."""
SCOPES = "pkg.torch.onnx.name_scopes"
"""The metadata key holding the module path of the torch call a node came from."""
FUSED_NORM = "FuseBatchNormIntoConv"
"""The rewrite that fused a BatchNorm into the convolution before it."""
CALL = "pkg.torch.onnx.fx_node"
"""The metadata key holding the torch call a node was exported from, as torch.fx prints it."""
_BIASED_CALL = re.compile(r"target=torch\.ops\.aten\.(?:conv\w*|linear)\.\w+\]\(args = \(([^)]*)\)")
_SIZES = 3  # the position of Resize's optional sizes
FLOAT = 1  # TensorProto.FLOAT
"""What each varying axis of the input is multiplied by at the probe (a multiple keeps every stride's divisibility)."""


class _UnsupportedError(Exception):
    """A node the import cannot follow, with the reason."""


@dataclass(frozen=True)
class _OtherInput:
    """An input of the graph after the first: its tensor, its name in the network, its shapes, or the first's."""

    tensor: str
    name: str
    shape: tuple[int, ...]
    probe: tuple[int, ...] | None
    like: str | None  # the first input's name, when this input has its shape

    def given(self, *, probe: bool) -> list[int] | str:
        """Return how the network data gives this input: the first's name, or its shape (at the probe)."""
        if self.like is not None:
            return self.like
        return list((self.probe or self.shape) if probe else self.shape)


_Piece = tuple[str, int | None, int, int]
"""A tensor of a sequence: (tensor, axis, start, length), a piece of an axis; (tensor, None, 0, 0) whole."""


@dataclass
class _Graph:
    """What the walk knows: constant tensors, sizes computed from shapes, layer names, and the input.

    `measure` gives the layers' shapes so far, at the input and at the probe (the input with
    its dynamic axes multiplied): a size computed in the graph that differs between the two
    depends on the input, and a layer that must write it as a number is `dynamic`.
    """

    measure: Measure | None = None
    input_tensor: str = ""
    shape: tuple[int, ...] = ()
    probe: tuple[int, ...] | None = None
    others: list[_OtherInput] = field(default_factory=list)  # a graph of several inputs: those after the first
    constants: dict[str, tuple[tuple[int, ...], list[Any] | None]] = field(default_factory=dict)
    derived: set[str] = field(default_factory=set)  # constants computed from sizes (a mask): not learnable
    weights: set[str] = field(default_factory=set)  # the initializers that are not integers: learnable
    model: Model | None = None  # the file, for its value_info (decoded once a node asks: value_shape)
    shapes: dict[str, tuple[int, ...]] | None = None
    computed: dict[str, Computed] = field(default_factory=dict)  # tensor -> the sizes it holds
    sequences: dict[str, list[_Piece]] = field(default_factory=dict)  # a split's pieces, or tensors inserted
    grids: dict[str, _GridAt] = field(default_factory=dict)  # an index grid, at the input or at the probe
    made: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # learned constants: params, indices, FLOPs
    producer: dict[str, str] = field(default_factory=dict)  # tensor -> the layer that makes it
    layers: list[dict[str, Any]] = field(default_factory=list)
    last: str = "input"
    dynamic: bool = False  # the current node writes a number that depends on the input
    at_probe: dict[str, Any] | None = None  # the current node's layer as it is at the probe, when that differs
    probe_layers: dict[int, dict[str, Any]] = field(default_factory=dict)  # index -> such a layer
    measured: dict[tuple[int, bool], Mapping[str, tuple[int, ...]]] = field(default_factory=dict)
    readers: dict[str, list[Node]] | None = None  # tensor -> the nodes that read it (made when first asked)

    def users(self, tensor: str) -> list[Node]:
        """Return the nodes that read a tensor."""
        if self.readers is None:
            self.readers = {}
            for node in self.model.nodes if self.model is not None else []:
                for name in set(node.inputs):
                    self.readers.setdefault(name, []).append(node)
        return self.readers.get(tensor, [])

    def value_shape(self, tensor: str) -> tuple[int, ...] | None:
        """Return a tensor's shape as the file's value_info gives it (decoded when first asked), or None."""
        if self.shapes is None:
            self.shapes = value_shapes(self.model) if self.model is not None else {}
        return self.shapes.get(tensor)

    def constant(self, name: str) -> tuple[tuple[int, ...], list[Any] | None] | None:
        """Return a constant input's shape and values (None when the tensor is computed)."""
        return self.constants.get(name) if name else None

    def sizes(self, name: str) -> Computed | None:
        """Return a tensor of sizes (computed from shapes, or a small constant), or None for data."""
        if name in self.computed:
            return self.computed[name]
        found = self.constant(name)
        return None if found is None or found[1] is None else constant(found[1], found[0])

    def tensor_shape(self, tensor: str, *, probe: bool = False) -> tuple[int, ...]:
        """Return a data tensor's shape at the input (or at the probe, if any), from the layers so far."""
        probe = probe and self.probe is not None
        if tensor == self.input_tensor:
            return (self.probe or self.shape) if probe else self.shape
        for other in self.others:
            if tensor == other.tensor:
                return (other.probe or other.shape) if probe else other.shape
        if self.measure is None:
            raise _UnsupportedError(f"it reads the shape of {tensor!r}, which needs the layers measured")
        key = (len(self.layers), probe)
        if key not in self.measured:
            layers = self.layers
            if probe:
                layers = [self.probe_layers.get(i, layer) for i, layer in enumerate(layers)]
            self.measured[key] = self.measure({"framework": "onnx", **self.input_data(probe=probe), "layers": layers})
        found = self.measured[key].get(self.producer.get(tensor, ""))
        if found is None:
            raise _UnsupportedError(f"the shape of {tensor!r} is unknown (a layer before it is invalid)")
        return found

    def input_data(self, *, probe: bool = False) -> dict[str, Any]:
        """Return the network data's input (at the input or at the probe): `input`, or `inputs` for several."""
        shape = list((self.probe or self.shape) if probe else self.shape)
        if not self.others:
            return {"input": shape}
        first = {input_name(self.input_tensor): shape}
        return {"inputs": first | {other.name: other.given(probe=probe) for other in self.others}}

    def at(self, size: Size, *, probe: bool = False) -> int:
        """Return an element's value at the input (or at the probe)."""
        return int(size.at(lambda tensor: self.tensor_shape(tensor, probe=probe)))

    def pair(self, size: Size) -> tuple[int, int | None]:
        """Return an element's value at the input and at the probe (None there when it cannot be measured)."""
        value = self.at(size)
        if size.known or self.probe is None:
            return value, value
        try:
            return value, self.at(size, probe=True)
        except _UnsupportedError:
            return value, None

    def number(self, size: Size) -> int:
        """Return an element's value at the input; note when it differs at the probe."""
        value, probed = self.pair(size)
        self.dynamic = self.dynamic or probed != value
        return value

    def values(self, name: str, what: str) -> list[Any]:
        """Return a constant or computed input's values (computed ones as they are at the input)."""
        found = self.sizes(name)
        if found is None and name in self.grids:
            msg = f"its {what} ({name!r}) is a tensor computed from sizes (Range), followed only as a Gather's indices"
            raise _UnsupportedError(msg)
        if found is None:
            msg = f"its {what} ({name!r}) is computed from the data, not from constants or shapes"
            raise _UnsupportedError(msg)
        return [element.value if element.known else self.number(element) for element in found.elements]


def _input_shape(
    model: Model, given: tuple[int, ...] | None, source: str
) -> tuple[str, tuple[int, ...], tuple[int, ...] | None]:
    """Return the graph's one input (not an initializer), its shape (dynamic axes from `given`) and the probe.

    The probe multiplies each axis that is dynamic in the graph, or given otherwise than the
    graph has it, by a factor of its own (None when there is none): sizes computed from shapes
    that differ there depend on the input, and two axes equal at the input differ there.
    """
    initializers = {t.name for t in model.initializers}
    inputs = [i for i in model.inputs if i.name not in initializers]
    if not inputs:
        raise InputError("the graph has no input: convcalc reads a graph of at least one")
    tensor = inputs[0]
    dims = tensor.dims
    if given is not None:
        if len(given) != len(dims):
            msg = f"gives {len(given)} values but the graph's input {tensor.name!r} has {len(dims)} axes"
            raise InputError(msg, where="input_shape")
        varied = [not isinstance(d, int) or d != v for d, v in zip(dims, given, strict=True)]
        factors = iter(PROBE_FACTORS)
        probe = tuple(v * next(factors) if vary else v for v, vary in zip(given, varied, strict=True))
        return tensor.name, given, probe if any(varied) else None
    dynamic = [d if isinstance(d, str) else f"axis {i}" for i, d in enumerate(dims) if not isinstance(d, int)]
    if dynamic:
        axes = ", ".join(dynamic)
        msg = f"the graph's input {tensor.name!r} has dynamic axes ({axes}): give its shape with input_shape"
        raise InputError(msg, location=Location(source), asks="input_shape")
    return tensor.name, tuple(int(d) for d in dims if isinstance(d, int)), None


def _other_inputs(model: Model, shape: tuple[int, ...], probe: tuple[int, ...] | None) -> list[_OtherInput]:
    """Return the graph's inputs after the first, their open axes sized as the first's axes of the same name.

    Two images whose axes are `batch, 3, height, width` both take the sizes given for the first;
    an input of the first's declared shape is written as having it (it follows the first).
    """
    initializers = {t.name for t in model.initializers}
    first, *rest = [i for i in model.inputs if i.name not in initializers]
    sizes = {d: (v, p) for d, v, p in zip(first.dims, shape, probe or shape, strict=True) if isinstance(d, str)}
    found = []
    for tensor in rest:
        open_axes = [d for d in tensor.dims if not isinstance(d, int) and (d is None or d not in sizes)]
        if open_axes:
            msg = (f"the graph's input {tensor.name!r} has axes ({', '.join(map(str, open_axes))}) that no axis of "
                   f"its first input {first.name!r} names: convcalc sizes the others by the first's")  # fmt: skip
            raise InputError(msg)
        own = tuple(d if isinstance(d, int) else sizes[str(d)][0] for d in tensor.dims)
        probed = tuple(d if isinstance(d, int) else sizes[str(d)][1] for d in tensor.dims)
        like = input_name(first.name) if tensor.dims == first.dims else None
        found.append(_OtherInput(tensor.name, input_name(tensor.name), own, probed if probe else None, like))
    return found


def _checked(node: Node) -> dict[str, Any]:
    """Return the node's attributes once each one convcalc reads has the type ONNX's schema gives it."""
    for name, value in node.attributes.items():
        wanted = ATTRIBUTE_TYPES.get(name)
        if wanted is None:
            continue
        if wanted == "ints":
            fits = isinstance(value, list) and all(isinstance(v, int) for v in value)
        else:
            fits = isinstance(value, {"int": int, "string": str}[wanted])
        if not fits:
            msg = f"its attribute {name} is {_kind_of(value)}, where ONNX's schema has {_TYPE_WORDS[wanted]}"
            raise _UnsupportedError(msg)
    return node.attributes


def _kind_of(value: object) -> str:
    """Say what an attribute holds."""
    if isinstance(value, list):
        return "a list of strings" if value and isinstance(value[0], str) else "a list of numbers"
    return {int: "an integer", float: "a number with a fraction", str: "a string"}.get(type(value), "a tensor")


def _input(node: Node, position: int) -> str:
    """Return the name of an input the operator needs."""
    if position >= len(node.inputs) or not node.inputs[position]:
        msg = f"it has no input {position + 1}, which ONNX's {node.op_type} needs"
        raise _UnsupportedError(msg)
    return node.inputs[position]


def _required(node: Node, attributes: dict[str, Any], name: str) -> Any:  # noqa: ANN401 - an attribute of its checked type
    """Return an attribute the operator needs."""
    if name not in attributes:
        msg = f"its attribute {name} is missing, which ONNX's {node.op_type} needs"
        raise _UnsupportedError(msg)
    return attributes[name]


def _window(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return a Conv, ConvTranspose or pool layer: the weight gives the channels and the kernel."""
    layer: dict[str, Any] = {"type": node.op_type}
    if node.op_type == "LpPool":
        layer["p"] = attributes.get("p", 2)
    for key in WINDOW_ATTRIBUTES:
        if key in attributes:
            layer[key] = attributes[key]
    if node.op_type in ("Conv", "ConvTranspose"):
        weight = graph.constant(_input(node, 1))
        if weight is None:
            raise _UnsupportedError("its weight is computed in the graph, not an initializer")
        shape = weight[0]
        if len(shape) < len(("channels", "channels", "kernel")):
            raise _UnsupportedError(f"its weight's shape {list(shape)} lacks the two channel axes and the kernel's")
        group = attributes.get("group", 1)
        layer["out_channels"] = shape[0] if node.op_type == "Conv" else shape[1] * group
        layer.setdefault("kernel_shape", list(shape[2:]))
        layer["bias"] = _has_bias(node, graph)
    return layer


def _rewrites(node: Node) -> set[str]:
    """Return the names of the rewrites torch's exporter made this node by."""
    return {rule.strip() for rule in metadata(node).get(REWRITES, "").split(",")} - {""}


def _has_bias(node: Node, graph: _Graph) -> bool:
    """Return whether a Conv or Gemm has a bias: an input, or one the exporter dropped for being zeros.

    After a BatchNorm was fused into a convolution, the bias is the convolution's own when it
    keeps its name (`0.bias`), else the norm's shift under a name made from the weight's
    (`0.weight_bias`), or dropped when zero (an untrained norm's: the convolution is then taken
    to have had none, as convolutions before a norm are written). Zeros the unoptimized
    exporter spreads to the bias's shape (for `bias=None`) are no bias.
    """
    rules = _rewrites(node)
    written = len(node.inputs) > _BIAS and bool(node.inputs[_BIAS]) and node.inputs[_BIAS] not in graph.derived
    if FUSED_NORM in rules:
        return written and node.inputs[_BIAS] != f"{_input(node, 1)}_bias"
    return written or _called_with_bias(node)


def _called_with_bias(node: Node) -> bool:
    """Return whether the torch call a node was exported from passed a bias (the exporter drops zero ones)."""
    found = _BIASED_CALL.search(metadata(node).get(CALL, ""))
    if found is None:
        return False
    arguments = [argument.strip() for argument in found.group(1).split(",")]
    return len(arguments) > _BIAS and arguments[_BIAS] not in ("None", "")


def _module_path(node: Node) -> str | None:
    """Return the module path (layer1.0.bn1) of the torch call a node was exported from, when its metadata says."""
    try:
        scopes = ast.literal_eval(metadata(node).get(SCOPES, "[]"))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        return None
    named = [scope for scope in scopes[:-1] if scope]  # each module's qualified name, outermost first
    return named[-1] if named else None


def _matmul(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
    """Return MatMul: by a weight matrix, a Linear; else a matmul (of two computed tensors, or by a constant).

    A constant other than a matrix (a relative-position table folded at export) is a `constant` layer.
    """
    if all(graph.constant(name) is None for name in node.inputs[:2]):
        return [({"type": "matmul"}, node.inputs[:2])]
    weight = graph.constant(_input(node, 1))
    if graph.constant(node.inputs[0]) is None and weight is not None and len(weight[0]) != 2:  # noqa: PLR2004 - a matrix
        return _with_constants(node, graph, {"type": "matmul"})
    return [(_gemm(node, graph, attributes), node.inputs[:1])]


def _einsum(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
    """Return an Einsum (its equation is numpy's, as torch.einsum's); a constant operand is a `constant` layer."""
    equation = _required(node, attributes, "equation")
    if all(graph.constant(name) is not None for name in node.inputs):
        raise _UnsupportedError("an Einsum of constants alone is not followed")
    return _with_constants(node, graph, {"type": "einsum", "equation": equation})


def _expanded_data(node: Node, graph: _Graph) -> dict[str, Any]:
    """Return an Expand of computed data to a shape it already has (MViT V2's relative positions): the identity.

    One that grows the tensor, read by an operation other than an elementwise one (where the
    broadcast is its own, _broadcast_by_its_users), is not followed.
    """
    target = tuple(int(size) for size in graph.values(_input(node, 1), "shape"))
    shape = graph.tensor_shape(node.inputs[0])
    if broadcast([shape, target]) != shape:
        raise _UnsupportedError(f"it expands {list(shape)} to {list(target)} (convcalc follows it into an elementwise)")
    return {"type": "Identity"}


def _scattered(node: Node, graph: _Graph) -> _Layers:
    """Return ScatterND (or ScatterElements) into a computed tensor: `x[:, :, 1:, 1:] = x[...] + y`.

    The output is the data's shape; the updates are read (a constant's as a `constant` layer),
    the positions (indices, computed from sizes or constant) are the layer's own.
    """
    data, _, updates = [*node.inputs, "", "", ""][:3]
    if graph.constant(data) is not None or not updates:
        raise _UnsupportedError("a scatter into a constant, or without updates, is not followed")
    scatter = Node(op_type=node.op_type, name=node.name, inputs=[data, updates], outputs=node.outputs)
    return _with_constants(scatter, graph, {"type": node.op_type})


def _with_constants(node: Node, graph: _Graph, layer: dict[str, Any]) -> _Layers:
    """Return a layer of computed tensors and constants, each constant first written as a `constant` layer.

    MViT V2's relative positions, exported: `einsum("bythwc,hkc->bythwk", q, Rh)`, Rh gathered
    from its table and folded into one constant. The constant holds what it is made of: a
    weight's size, or the parameters, indices and FLOPs of what made it.
    """
    made: _Layers = []
    reads: list[str] = []
    for name in node.inputs:
        if not name:
            continue
        if graph.constant(name) is None:
            reads.append(name)
            continue
        params, _, flops = _learned(name, graph)
        constant: dict[str, Any] = {"type": "constant", "shape": list(graph.constants[name][0])}
        constant |= ({"params": params} if params else {}) | ({"flops": flops} if flops else {})
        made.append((constant, [graph.input_tensor]))
        reads.append(f"{PREVIOUS}{len(made) - 1}")
    return [*made, (layer, reads)]


def _gemm(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return Gemm (or MatMul by a constant) as a Linear over the last axis."""
    weight = graph.constant(_input(node, 1))
    if weight is None or len(weight[0]) != len(("rows", "columns")):
        raise _UnsupportedError("it multiplies by a constant that is not a weight matrix")
    rows, columns = weight[0]
    transposed = bool(attributes.get("transB", 0)) if node.op_type == "Gemm" else False
    if node.op_type == "Gemm" and attributes.get("transA", 0):
        raise _UnsupportedError("transA=1 (the input transposed) is not followed")
    inputs, outputs = (columns, rows) if transposed else (rows, columns)
    bias = node.op_type == "Gemm" and _has_bias(node, graph)
    return {"type": "Linear", "in_features": inputs, "out_features": outputs, "bias": bias}


def _elementwise(node: Node, graph: _Graph) -> tuple[dict[str, Any], list[str]]:
    """Return an elementwise operation: a merge of computed tensors, or one tensor with constants."""
    computed = [name for name in node.inputs if name and graph.constant(name) is None and name not in graph.computed]
    held = [name for name in node.inputs if name and graph.constant(name) is not None and name not in graph.derived]
    held = [name for name in held if prod(graph.constants[name][0]) > 1]
    learned = [graph.constants[name][0] for name in held]
    if len(computed) > 1:
        if learned:
            raise _UnsupportedError("it combines computed tensors with a learnable one")
        if node.op_type not in ("Add", "Sub", "Mul", "Div"):
            raise _UnsupportedError("it combines computed tensors, which convcalc follows for Add, Sub, Mul and Div")
        return {"type": node.op_type}, computed
    if not computed:
        raise _UnsupportedError("all its inputs are constants")
    if learned:  # a learnable tensor broadcast into the input (a layer scale, a bias); leading 1s say nothing
        shape = list(max(learned, key=prod))
        while len(shape) > 1 and shape[0] == 1:
            shape.pop(0)
        made = next((graph.made[name] for name in held if name in graph.made), None)
        counts = {} if made is None else {"params": made[0]}
        if made is not None:
            counts |= ({"indices": made[1]} if made[1] else {}) | ({"flops": made[2]} if made[2] else {})
        return {"type": "shift" if node.op_type in ("Add", "Sub") else "scale", "shape": shape} | counts, computed
    return {"type": "Identity"}, computed  # by a scalar: shape and field unchanged


def _input_values(node: Node, graph: _Graph, position: int, what: str) -> list[Any] | None:
    """Return the values of an optional constant input (None when it is left out or empty)."""
    if len(node.inputs) <= position or not node.inputs[position]:
        return None
    return graph.values(node.inputs[position], what) or None


def _axes_input(node: Node, graph: _Graph, attributes: dict[str, Any], position: int) -> list[int] | None:
    """Return the axes of a reduction, Squeeze or Unsqueeze: an attribute (older opsets) or an input."""
    axes = attributes["axes"] if "axes" in attributes else _input_values(node, graph, position, "axes")
    return None if axes is None else [int(a) for a in axes]  # an input's values are numbers


def _rearranging(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    op = node.op_type
    if op == "Transpose":
        if "perm" not in attributes:
            raise _UnsupportedError("Transpose without perm (all axes reversed) is not followed")
        return {"type": op, "perm": list(attributes["perm"])}
    if op == "Flatten":
        return {"type": op, "axis": attributes.get("axis", 1)}
    if op == "Reshape":
        return _reshape(node, graph, allowzero=bool(attributes.get("allowzero", 0)))
    if op in ("DepthToSpace", "SpaceToDepth"):
        layer = {"type": op, "blocksize": _required(node, attributes, "blocksize")}
        if op == "DepthToSpace" and attributes.get("mode", "DCR") != "DCR":
            layer["mode"] = attributes["mode"]
        return layer
    axes = _axes_input(node, graph, attributes, 1)
    if op == "Unsqueeze" and axes is None:
        raise _UnsupportedError("Unsqueeze needs axes")
    return {"type": op, **({"axes": axes} if axes is not None else {})}


def _reshape(node: Node, graph: _Graph, *, allowzero: bool = False) -> dict[str, Any]:
    """Return a Reshape, its target said as the graph computes it where a 0, a -1 or an unflatten can.

    A size equal to the input's own size on that axis, at the input and at the probe, is a 0;
    sizes that are the same at every input are numbers; one size that depends on the input is
    the -1. Where more depend on it, a target that keeps the leading and trailing axes and
    splits the one between is an unflatten, one that merges those between a Flatten of
    start_dim..end_dim; otherwise the sizes are written as they are at the input.

    With allowzero=1 (torch's default exporter writes it on every Reshape) a 0 in the target is
    a size of 0, not a copy of the input's axis (ONNX's Reshape, opset 14): a target without a 0
    means the same either way, and one with a 0 makes an empty tensor, which is refused.
    """
    data = node.inputs[0]
    target = graph.sizes(_input(node, 1))
    if target is None:
        graph.values(node.inputs[1], "shape")  # says why: an index grid, or the data
        raise _UnsupportedError(f"its shape ({node.inputs[1]!r}) is computed from the data, not from shapes")
    if allowzero and any(element.known and element.value == 0 for element in target.elements):
        raise _UnsupportedError("allowzero=1 and a 0 in its shape: an axis of size 0 (an empty tensor)")
    if allowzero and not target.known and any(graph.pair(element)[0] == 0 for element in target.elements):
        raise _UnsupportedError("allowzero=1 and a size computed as 0: an axis of size 0 (an empty tensor)")
    if target.known:
        return {"type": "Reshape", "shape": [int(e.value) for e in target.elements if e.value is not None]}
    own = graph.tensor_shape(data)
    probed_own = _at_probe(graph, data)
    values = [graph.pair(element) for element in target.elements]
    if probed_own is None:  # the network refuses the probe (a position embedding of one size): sizes as they are
        probed_own = own
        values = [(value, value) for value, _ in values]
    copies = [k < len(own) and (v, p) == (own[k], probed_own[k]) for k, (v, p) in enumerate(values)]
    wanted: list[int | None] = [
        0 if copy else v if v == p else None for copy, (v, p) in zip(copies, values, strict=True)
    ]
    open_sizes = [i for i, size in enumerate(wanted) if size is None]
    if not open_sizes:
        return {"type": "Reshape", "shape": wanted}
    if len(open_sizes) == 1 and -1 not in wanted:
        wanted[open_sizes[0]] = -1
        return {"type": "Reshape", "shape": wanted}
    split = _regrouped(values, wanted, own, probed_own)
    if split is not None:
        return split
    graph.dynamic = True
    if all(probed is not None for _, probed in values):
        graph.at_probe = {"type": "Reshape", "shape": [probed for _, probed in values]}
    return {"type": "Reshape", "shape": [value for value, _ in values]}


def _at_probe(graph: _Graph, tensor: str) -> tuple[int, ...] | None:
    """Return a tensor's shape at the probe, or None when the network refuses the probe."""
    try:
        return graph.tensor_shape(tensor, probe=True)
    except _UnsupportedError:
        return None


def _regrouped(
    values: list[tuple[int, int | None]], wanted: list[int | None], own: tuple[int, ...], probed: tuple[int, ...]
) -> dict[str, Any] | None:
    """Return the target as one axis split (an unflatten) or axes merged (a Flatten of start_dim..end_dim).

    The leading axes are copies (0) and the trailing ones equal the input's last axes, at the
    input and at the probe; what is between is split or merged.
    """
    count, rank = len(values), len(own)
    lead = next((i for i, size in enumerate(wanted) if size != 0), count)
    trail = 0
    while (
        trail < count - lead
        and trail < rank - lead
        and values[count - 1 - trail] == (own[rank - 1 - trail], probed[rank - 1 - trail])
    ):
        trail += 1
    middle = wanted[lead : count - trail]
    if rank - trail - lead == 1 and middle and sum(size is None for size in middle) <= 1 and -1 not in middle:
        return {"type": "unflatten", "dim": lead, "sizes": [-1 if size is None else size for size in middle]}
    if len(middle) == 1 and rank - trail - lead > 1:
        return {"type": "Flatten", "start_dim": lead, "end_dim": rank - 1 - trail}
    return None


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
    reference = None if upsample else _size_of_another(node, graph)
    sizes = None if upsample or reference else _input_values(node, graph, 3, "sizes")
    if reference is not None:
        layer["to"] = reference
    elif sizes is not None:
        layer["size"] = [int(v) for v in sizes[2:]]
    elif scales is not None:
        if any(float(v) != 1 for v in scales[:2]):
            raise _UnsupportedError(f"its scales {list(scales)} resize the batch or channel axis")
        layer["scale_factor"] = [float(v) for v in scales[2:]]
    else:
        raise _UnsupportedError("it has neither scales nor sizes")
    if layer["mode"] == "linear":
        rank = len(scales or sizes or graph.tensor_shape(node.inputs[0]))
        layer["mode"] = {3: "linear", 4: "bilinear", 5: "trilinear"}.get(rank, "linear")
    return layer


def _size_of_another(node: Node, graph: _Graph) -> str | None:
    """Return the layer whose spatial size a Resize's sizes copy (F.interpolate(x, size=y.shape[2:])), if any."""
    sizes = graph.computed.get(node.inputs[_SIZES]) if len(node.inputs) > _SIZES else None
    if sizes is None or not sizes.elements[2:]:  # no spatial size given
        return None
    spatial = sizes.elements[2:]
    tensors = {element.tensor for element in spatial}
    if len(tensors) != 1 or any(element.axis != axis for axis, element in enumerate(spatial, start=2)):
        return None
    (tensor,) = tensors
    data = node.inputs[0]
    if any(e.tensor != data or e.axis != axis for axis, e in enumerate(sizes.elements[:2])):
        kept = [graph.number(e) for e in sizes.elements[:2]]
        if kept != list(graph.tensor_shape(data)[:2]):
            raise _UnsupportedError(f"its sizes {kept} resize the batch or channel axis")
    return graph.producer.get(tensor)


def _padded_to(node: Node, graph: _Graph) -> str | None:
    """Return the layer whose spatial size computed pads grow the input to, centred (F.pad by the difference), if any.

    The milesial U-Net pads its upsampled tensor by its size difference from the skip
    connection, half before (rounded down) and the rest after, at every input size: that is
    `pad: to` the skip's layer. Held at the input and at the probe.
    """
    computed = graph.computed.get(_input(node, 1))
    data = node.inputs[0]
    if computed is None or computed.known:
        return None
    for tensor in sorted(_tensors_read(computed) - {data}):
        if tensor not in graph.producer:
            continue
        if all(_centred(graph, computed, data, tensor, probe=probe) for probe in (False, True)):
            return graph.producer[tensor]
    return None


def _tensors_read(computed: Computed) -> set[str]:
    """Return the tensors whose sizes a computed tensor reads."""
    found: set[str] = set()
    seen: set[int] = set()
    waiting = list(computed.elements)
    while waiting:
        size = waiting.pop()
        if id(size) in seen:
            continue
        seen.add(id(size))
        if size.tensor:
            found.add(size.tensor)
        waiting.extend(size.operands)
    return found


def _centred(graph: _Graph, pads: Computed, data: str, target: str, *, probe: bool) -> bool:
    """Return True when the pads grow data's spatial axes to target's, half (rounded down) before."""
    try:
        have, want = graph.tensor_shape(data, probe=probe), graph.tensor_shape(target, probe=probe)
        values = [graph.at(element, probe=probe) for element in pads.elements]
    except (_UnsupportedError, ValueError):
        return not probe  # a network that refuses the probe is held at its input alone
    rank = len(have)
    if len(values) != 2 * rank or len(want) != rank or any(values[:2]) or any(values[rank : rank + 2]):
        return False
    extra = [b - a for a, b in zip(have[2:], want[2:], strict=True)]
    return all(
        before == grow // 2 and after == grow - grow // 2
        for grow, before, after in zip(extra, values[2:rank], values[rank + 2 :], strict=True)
    )


PREVIOUS = "<the layer before>"
"""A layer's read, when one node is written as a chain of layers: the one written before it."""


def _pad(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
    """Return Pad: of the spatial axes, to another layer's size, or of a channels-last tensor's (Swin's windows).

    Channels last ([N, H, W, C], padded on H and W) is written as the layers that mean it: a
    Transpose to channels first, the pad, and a Transpose back.
    """
    pads = list(attributes["pads"]) if "pads" in attributes else None
    target = None if pads is not None else _padded_to(node, graph)
    if target is not None:
        return [({"type": "pad", "to": target, "align": "center"}, node.inputs[:1])]
    if pads is None:
        pads = [int(v) for v in graph.values(_input(node, 1), "pads")]
    if len(pads) % 2:
        raise _UnsupportedError(f"its pads {pads} are not two per axis (every axis's starts, then its ends)")
    rank = len(pads) // 2
    pairs = list(zip(pads[:rank], pads[rank:], strict=True))
    channels_last = any(pairs[1]) and rank > 2 and not any(pairs[-1])  # noqa: PLR2004 - N, then positions
    if any(pairs[0]) or (any(pairs[1]) and not channels_last):
        raise _UnsupportedError("it pads the batch or channel axis")
    if not any(pairs[1]):
        return [({"type": "pad", "padding": [list(pair) for pair in pairs[2:]]}, node.inputs[:1])]
    first = [0, rank - 1, *range(1, rank - 1)]
    return [
        ({"type": "Transpose", "perm": first}, node.inputs[:1]),
        ({"type": "pad", "padding": [list(pair) for pair in pairs[1:-1]]}, [PREVIOUS]),
        ({"type": "Transpose", "perm": [0, *range(2, rank), 1]}, [PREVIOUS]),
    ]


def _split(node: Node, graph: _Graph, attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """Return one narrow layer per output of a Split (sizes from `split`, or equal pieces)."""
    axis = attributes.get("axis", 0)
    given = attributes["split"] if "split" in attributes else _input_values(node, graph, 1, "split")
    if given is None:
        chunks = len(node.outputs)
        return [{"type": "chunk", "chunks": chunks, "dim": axis, "index": i} for i in range(chunks)]
    sizes = [int(v) for v in given]
    if len(sizes) != len(node.outputs):
        raise _UnsupportedError(f"it splits into {len(sizes)} pieces but has {len(node.outputs)} outputs")
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return [{"type": "narrow", "dim": axis, "start": s, "length": n} for s, n in zip(starts, sizes, strict=True)]


def _slice(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return a Slice of one axis: by step 1 a narrow (start and length clamped at the input), else a `slice`."""
    if "starts" in attributes:  # opset 1 to 9: attributes
        starts, ends = list(attributes["starts"]), list(_required(node, attributes, "ends"))
        axes, steps = attributes.get("axes"), None
    else:
        starts, ends = graph.values(_input(node, 1), "starts"), graph.values(_input(node, 2), "ends")
        axes, steps = _input_values(node, graph, 3, "axes"), _input_values(node, graph, 4, "steps")
    if len(starts) != 1 or len(ends) != 1 or (axes is not None and len(axes) != 1):
        raise _UnsupportedError("it slices more than one axis (convcalc follows a slice of one axis)")
    step = 1 if steps is None else int(steps[0])
    if step < 1:
        raise _UnsupportedError(f"its step {step} is not followed (convcalc follows positive steps)")
    shape = graph.tensor_shape(node.inputs[0])
    axis = (int(axes[0]) if axes else 0) % len(shape)
    if step > 1:  # x[start:end:step]: an end past the axis runs to its end, at any input
        end = int(ends[0])
        return (
            {"type": "slice", "dim": axis, "start": int(starts[0])}
            | ({"end": end} if end < shape[axis] else {})
            | {"step": step}
        )

    def piece(size: int) -> tuple[int, int]:
        return clamped(int(starts[0]), int(ends[0]), size)

    start, length = piece(shape[axis])
    probed = _at_probe(graph, node.inputs[0]) if graph.probe is not None and not graph.dynamic else None
    if probed is not None:  # None: not probed, or the network refuses the probe (sizes as they are)
        at_probe = piece(probed[axis])
        if at_probe != (start, length):
            graph.dynamic = True
            graph.at_probe = {"type": "narrow", "dim": axis, "start": at_probe[0], "length": at_probe[1]}
    return {"type": "narrow", "dim": axis, "start": start, "length": length}


_Layers = list[tuple[dict[str, Any], list[str]]]
"""A node's layers, each with the computed tensors it reads."""
_Reader = Callable[[Node, "_Graph", dict[str, Any]], _Layers]


def _of_data(build: Callable[[Node, _Graph, dict[str, Any]], dict[str, Any]]) -> _Reader:
    """Return a reader of an operator that makes one layer of its first input."""

    def read(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
        return [(build(node, graph, attributes), node.inputs[:1])]

    return read


def _named(node: Node, _graph: _Graph, _attributes: dict[str, Any]) -> dict[str, Any]:
    return {"type": node.op_type}


def _instance_norm(node: Node, graph: _Graph, _attributes: dict[str, Any]) -> dict[str, Any]:
    """Return InstanceNormalization: its own scale and bias, or none in torch's GroupNorm.

    torch's exporters write GroupNorm as a Reshape to [N, groups, -1], an InstanceNormalization
    whose scale and bias are ones and zeros of the groups, a Reshape back and the affine as a Mul
    and an Add: the learned weights are the Mul's and the Add's, and the normalization holds none
    (InstanceNorm1d's, not affine).
    """
    source = graph.producer.get(node.inputs[0])
    before = next((layer for layer in reversed(graph.layers) if layer["name"] == source), None)
    return {"type": "InstanceNorm1d" if before is not None and before.get("type") == "Reshape" else node.op_type}


def _prelu(node: Node, graph: _Graph, _attributes: dict[str, Any]) -> dict[str, Any]:
    slope = graph.constant(_input(node, 1))
    return {"type": "PReLU", "num_parameters": prod(slope[0]) if slope else 1}


def _reduction(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    axes = _axes_input(node, graph, attributes, 1)
    if axes is None:
        raise _UnsupportedError("a reduction over every axis is not followed")
    return {"type": node.op_type, "axes": axes} | ({} if attributes.get("keepdims", 1) else {"keepdims": 0})


def _merge(node: Node, graph: _Graph, _attributes: dict[str, Any]) -> _Layers:
    return [_elementwise(node, graph)]


def _concat(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
    """Return a Concat of computed tensors, or of learned tokens (a class token) and then a computed sequence."""
    axis = _required(node, attributes, "axis")
    computed = [name for name in node.inputs if graph.constant(name) is None]
    empty = [name for name in node.inputs if name not in computed and 0 in graph.constants[name][0]]
    if empty and len(computed) == 1 and len(computed) + len(empty) == len(node.inputs):  # roll by 0: the rest
        return [({"type": "Identity"}, computed)]
    if len(computed) == len(node.inputs):
        return [({"type": node.op_type, "axis": axis}, computed)]
    if len(computed) != 1 or node.inputs[-1] != computed[0]:
        raise _UnsupportedError("a concatenation of constants among computed tensors is not followed")
    rank = len(graph.tensor_shape(computed[0]))
    dim = axis + rank if axis < 0 else axis
    count = sum(graph.constants[name][0][dim] for name in node.inputs[:-1])
    return [({"type": "tokens", "count": count, "dim": dim}, computed)]


class _GridAt(Protocol):
    """An index grid as it is at the input, or at the probe."""

    def __call__(self, *, probe: bool) -> Grid: ...


GRID_OPERATORS = {"Range", "Add", "Sub", "Mul", "Unsqueeze", "Reshape", "Cast", "Identity"}
"""Operators followed on index grids (onnx_grids): an as_strided's indices computed from sizes."""


def _index_grid(node: Node, graph: _Graph) -> _GridAt | None:
    """Return the index grid a node computes (Range of sizes, and arithmetic and layout on grids), or None."""
    op = node.op_type
    reads_grid = any(name in graph.grids for name in node.inputs)
    if op not in GRID_OPERATORS or not (reads_grid or (op == "Range" and node.inputs[1] in graph.computed)):
        return None
    operands = [_as_grid(name, graph) for name in node.inputs if name]
    if any(operand is None for operand in operands):
        return None
    found = [operand for operand in operands if operand is not None]

    def at(*, probe: bool) -> Grid:
        grids = [operand(probe=probe) for operand in found]
        try:
            if op == "Range":
                return arange(*(grid.values[0] for grid in grids))
            if op in ("Add", "Sub", "Mul"):
                return combine_grids(op, grids[0], grids[1])
            if op == "Unsqueeze":
                return unsqueeze(grids[0], grids[1].values if len(grids) > 1 else node.attributes.get("axes", []))
            if op == "Reshape":
                return reshape_grid(grids[0], grids[1].values)
        except ValueError as reason:
            raise _UnsupportedError(f"on an index grid: {reason}") from None
        return grids[0]  # Cast, Identity

    return at


def _as_grid(name: str, graph: _Graph) -> _GridAt | None:
    """Return a tensor as a grid: a grid, an integer constant, or sizes computed from shapes (at the input or probe)."""
    if name in graph.grids:
        return graph.grids[name]
    found = graph.constant(name)
    if found is not None and found[1] is not None and all(type(value) is int for value in found[1]):
        constant_grid = Grid(tuple(found[0]), tuple(found[1]))
        return lambda *, probe: constant_grid  # noqa: ARG005 - the same at the probe
    sizes = graph.computed.get(name)
    if sizes is None:
        return None

    def at(*, probe: bool) -> Grid:
        values = tuple(graph.at(element, probe=probe) for element in sizes.elements)
        return Grid(() if sizes.scalar else (len(values),), values)

    return at


def _gathered_grid(node: Node, graph: _Graph) -> dict[str, Any]:
    """Return a Gather of a flat tensor by an index grid 0, 1, ..., n-1 as the Reshape it is (axes open: -1)."""
    grid, data = graph.grids[node.inputs[1]], node.inputs[0]
    shapes = [(grid(probe=False), graph.tensor_shape(data))]
    probed = _at_probe(graph, data) if graph.probe is not None else None
    if probed is not None:
        shapes.append((grid(probe=True), probed))
    for indices, shape in shapes:
        if len(shape) != 1 or indices.values != tuple(range(shape[0])):
            raise _UnsupportedError(
                "a Gather other than a flat tensor laid out in a shape (as_strided) is not followed"
            )
    dims = list(shapes[0][0].dims)
    varied = [i for i, size in enumerate(dims) if len(shapes) > 1 and shapes[1][0].dims[i] != size]
    if len(varied) == 1:
        dims[varied[0]] = -1
    elif varied:
        graph.dynamic = True
    return {"type": "Reshape", "shape": dims}


def _gather(node: Node, graph: _Graph, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return a Gather that only lays a flat tensor out in a new shape as the Reshape it is.

    torch's default exporter writes `as_strided` (ConvNeXt's pooled features) as a Gather of
    the flattened tensor by the indices 0, 1, ..., n-1 arranged in the output's shape.
    """
    if _input(node, 1) in graph.grids and attributes.get("axis", 0) in (0, -1):
        return _gathered_grid(node, graph)
    indices = graph.constant(_input(node, 1))
    if indices is None or indices[1] is None:
        raise _UnsupportedError("a Gather by computed indices is not followed")
    dims, values = indices[0], list(indices[1])
    if not dims:  # one index: x[:, 0] (a class token's output), the axis gone
        return {"type": "select", "dim": attributes.get("axis", 0), "index": values[0]}
    data = node.inputs[0]
    shapes = {graph.tensor_shape(data), graph.tensor_shape(data, probe=True)}
    flat = all(len(shape) == 1 and shape[0] == prod(dims) for shape in shapes)
    if attributes.get("axis", 0) not in (0, -1) or not flat or values != list(range(prod(dims))):
        raise _UnsupportedError("a Gather other than a flat tensor laid out in a shape (as_strided) is not followed")
    return {"type": "Reshape", "shape": list(dims)}


def _split_to_sequence(node: Node, graph: _Graph) -> None:
    """Record SplitToSequence (torch.split and chunk, unoptimized): its tensor, axis and pieces' sizes."""
    attributes = _checked(node)
    tensor = node.inputs[0]
    axis = attributes.get("axis", 0)
    size = graph.tensor_shape(tensor)[axis]
    given = node.inputs[1] if len(node.inputs) > 1 else ""
    split = [int(v) for v in graph.values(given, "split")] if given else [1] * size  # none: pieces of 1
    found = graph.sizes(given) if given else None
    if found is not None and found.scalar and split[0] > 0:  # one size: pieces of it, the last what is left
        split = [split[0]] * (size // split[0]) + ([size % split[0]] if size % split[0] else [])
    if not attributes.get("keepdims", 1) and split != [1] * size:
        raise _UnsupportedError("keepdims=0 drops the split axis (convcalc follows pieces that keep it)")
    if sum(split) != size or any(piece < 1 for piece in split):
        raise _UnsupportedError(f"its pieces {split} do not cut the axis of {size}")
    graph.sequences[node.outputs[0]] = [(tensor, axis, sum(split[:i]), piece) for i, piece in enumerate(split)]


def _sequence_at(node: Node, graph: _Graph) -> tuple[dict[str, Any], list[str]]:
    """Return SequenceAt of a split as the narrow of its tensor that the piece is (a tensor inserted: itself)."""
    found = graph.sequences.get(node.inputs[0])
    if found is None:
        raise _UnsupportedError("it reads a sequence convcalc did not follow")
    index = int(graph.values(node.inputs[1], "position")[0])
    if not -len(found) <= index < len(found):
        raise _UnsupportedError(f"its position {index} is past the {len(found)} pieces")
    tensor, axis, start, length = found[index % len(found)]
    if axis is None:
        return {"type": "Identity"}, [tensor]
    return {"type": "narrow", "dim": axis, "start": start, "length": length}, [tensor]


def _fold_sequence(node: Node, graph: _Graph) -> bool:
    """Record SequenceEmpty, SequenceInsert of a tensor, or a Loop that builds a sequence; True when it was one.

    torch.tensor_split(x, (1,), dim) from the TorchScript exporter (MViT's class token set apart)
    is a Loop over the split points, each turn a Slice of x inserted into a sequence, then the
    last piece inserted after it: the Loop is run here, its turns on constants, and each piece
    is the narrow of x it is.
    """
    if node.op_type == "SequenceEmpty" and node.outputs:
        graph.sequences[node.outputs[0]] = []
        return True
    if node.op_type == "SequenceInsert" and node.inputs and node.inputs[0] in graph.sequences:
        if len(node.inputs) > 2 and node.inputs[2]:  # noqa: PLR2004 - sequence, tensor, position
            raise _UnsupportedError("an insertion at a position is not followed (convcalc follows appending)")
        graph.sequences[node.outputs[0]] = [*graph.sequences[node.inputs[0]], (node.inputs[1], None, 0, 0)]
        return True
    if node.op_type == "Loop" and len(node.inputs) == 3 and node.inputs[2] in graph.sequences:  # noqa: PLR2004 - M, cond, sequence
        graph.sequences[node.outputs[0]] = _unrolled(node, graph)
        return True
    return False


LOOP_TURNS = 64
"""The most turns of a Loop run here (a tensor_split's pieces: a few)."""


def _unrolled(node: Node, graph: _Graph) -> list[_Piece]:
    """Run a Loop whose turns slice a tensor into a sequence; return the sequence's pieces."""
    body = node.attributes.get("body")
    turns = graph.values(node.inputs[0], "trip count") if node.inputs[0] else None
    if body is None or turns is None or len(turns) != 1 or not 0 <= int(turns[0]) <= LOOP_TURNS:
        raise _UnsupportedError(f"a Loop other than of a constant count up to {LOOP_TURNS} is not followed")
    pieces = list(graph.sequences[node.inputs[2]])
    for turn in range(int(turns[0])):
        known: dict[str, Any] = dict(zip(body.inputs, [turn, True, pieces], strict=False))
        for step in body.nodes:
            known.update(zip(step.outputs, _turn_step(step, known, graph), strict=False))
        built = known.get(body.outputs[1]) if len(body.outputs) > 1 else None
        if not isinstance(built, list):
            raise _UnsupportedError("a Loop that does not build a sequence is not followed")
        pieces = built
    return pieces


def _turn_value(name: str, known: dict[str, Any], graph: _Graph) -> Any:  # noqa: ANN401 - a number, a list, a piece
    """Return a name's value in a Loop's turn: the turn's own, a constant around the Loop, or the tensor's name."""
    if name in known:
        return known[name]
    found = graph.constant(name)
    if found is not None and found[1] is not None:
        return found[1] if found[0] else found[1][0]
    return name  # a tensor of the graph around the Loop


def _turn_step(step: Node, known: dict[str, Any], graph: _Graph) -> list[Any]:
    """Return the outputs of one node of a Loop's turn, on numbers, pieces and sequences."""
    op = step.op_type
    if op == "Constant":
        made = _constant_value(step)
        if made is None or made[1] is None:
            raise _UnsupportedError("in a Loop: a Constant convcalc cannot read")
        return [made[1] if made[0] else made[1][0]]
    operands = [_turn_value(name, known, graph) for name in step.inputs]
    if op in ("Identity", "Squeeze", "Unsqueeze") and not isinstance(operands[0], str):
        return [operands[0][0] if op == "Squeeze" and isinstance(operands[0], list) else operands[0]]
    if op == "Gather" and isinstance(operands[0], list) and isinstance(operands[1], int):
        return [operands[0][operands[1]]]
    if op in ("Add", "Sub", "Mul") and all(isinstance(v, int) for v in operands):
        first, second = operands
        return [first + second if op == "Add" else first - second if op == "Sub" else first * second]
    if op == "Slice" and isinstance(operands[0], str) and all(isinstance(v, int | list) for v in operands[1:4]):
        return [_sliced_piece(operands[0], operands[1:], graph)]
    if op == "SequenceInsert" and isinstance(operands[0], list) and len(operands) == 2:  # noqa: PLR2004 - appending
        return [[*operands[0], operands[1] if isinstance(operands[1], tuple) else (operands[1], None, 0, 0)]]
    raise _UnsupportedError(f"in a Loop: a {op} of these operands is not followed")


def _sliced_piece(tensor: str, bounds: list[Any], graph: _Graph) -> _Piece:
    """Return the piece of a tensor one axis's Slice keeps (Python's bounds, clamped at the axis)."""
    one = [v if isinstance(v, list) else [v] for v in bounds]
    starts, ends, axes = one[0], one[1], one[2] if len(one) > 2 else [0]  # noqa: PLR2004 - starts, ends, axes
    steps = one[3] if len(one) > 3 else [1]  # noqa: PLR2004 - and steps
    if len(starts) != 1 or len(ends) != 1 or len(axes) != 1 or steps != [1]:
        raise _UnsupportedError("in a Loop: a Slice other than of one axis by step 1 is not followed")
    shape = graph.tensor_shape(tensor)
    axis = int(axes[0]) % len(shape)
    return (tensor, axis, *clamped(int(starts[0]), int(ends[0]), shape[axis]))


def _pieces(node: Node, graph: _Graph, attributes: dict[str, Any]) -> _Layers:
    return [(layer, node.inputs[:1]) for layer in _split(node, graph, attributes)]


READERS: Mapping[str, _Reader] = {
    **dict.fromkeys(WINDOWS, _of_data(_window)),
    "Gemm": _of_data(_gemm),
    "MatMul": _matmul,
    "Einsum": _einsum,
    **dict.fromkeys(GLOBAL_POOLS, _of_data(_named)),
    "LRN": _of_data(lambda *_: {"type": "LocalResponseNorm"}),
    "PRelu": _of_data(_prelu),
    "InstanceNormalization": _of_data(_instance_norm),
    **dict.fromkeys(ELEMENTWISE, _merge),
    "Concat": _concat,
    **dict.fromkeys(REDUCTIONS, _of_data(_reduction)),
    **dict.fromkeys(REARRANGING, _of_data(_rearranging)),
    "Resize": _of_data(_resize),
    "Upsample": _of_data(_resize),
    "Pad": _pad,  # constant, reflect, edge or wrap: the same sizes
    "Split": _pieces,
    "Slice": _of_data(_slice),
    "Gather": _of_data(_gather),
    "SequenceAt": lambda node, graph, _attributes: [_sequence_at(node, graph)],
    **dict.fromkeys(("ScatterND", "ScatterElements"), lambda node, graph, _attributes: _scattered(node, graph)),
    "Expand": _of_data(lambda node, graph, _attributes: _expanded_data(node, graph)),
    "CastLike": _of_data(lambda *_: {"type": "Identity"}),  # data in another tensor's type (copy_): its shape
}
"""How each operator with rules of its own becomes layers (the shape-keeping ones are SHAPE_KEEPING's)."""


def _layer(node: Node, graph: _Graph) -> _Layers:
    """Return the layers of one node, each with the computed tensors it reads."""
    attributes = _checked(node)
    reader = READERS.get(node.op_type)
    if reader is not None:
        return reader(node, graph, attributes)
    keeping = SHAPE_KEEPING.get(node.op_type.lower())
    if keeping is None:
        raise _UnsupportedError("convcalc does not follow this operator")
    read = [key for key, what in keeping.keys.items() if what != IGNORED and key in attributes]
    return [({"type": node.op_type} | {key: attributes[key] for key in read}, node.inputs[:1])]


def _fold(node: Node, graph: _Graph) -> bool:
    """Record a node that only makes a constant or computes sizes from shapes; True when it did."""
    if node.op_type == "Constant":  # a value written into the graph, not a weight (those are initializers)
        made = _constant_value(node)
        if made is not None and node.outputs:
            graph.constants[node.outputs[0]] = made
            graph.derived.add(node.outputs[0])  # timm's Swin: its shifted-window mask, a buffer folded in
        return made is not None and bool(node.outputs)
    if not node.outputs or not node.inputs:
        return node.op_type == "SequenceEmpty" and _fold_sequence(node, graph)
    _materialize_grids(node, graph)
    if _fold_constant(node, graph) or _made_constant(node, graph):
        return True
    if node.op_type == "Shape":
        graph.computed[node.outputs[0]] = _shape_of(node, graph)
        return True
    if any(fold(node, graph) for fold in (_fold_indices, _empty_slice, _broadcast_by_its_users, _fold_sequence)):
        return True
    if node.op_type == "CastLike" and node.inputs[0] in graph.computed:  # sizes as the data's (floating) type
        graph.computed[node.outputs[0]] = evaluate("Cast", {"to": FLOAT}, [graph.computed[node.inputs[0]]])
        return True
    inputs = [graph.sizes(name) if name else None for name in node.inputs]
    reads_sizes = any(name in graph.computed for name in node.inputs) or _integers_only(node, graph)
    if (
        node.op_type not in SHAPE_OPERATORS
        or not reads_sizes
        or (node.op_type == "ConstantOfShape" and not fills_sizes(inputs[0]))
        or any(found is None for name, found in zip(node.inputs, inputs, strict=True) if name)
    ):
        return False
    try:
        graph.computed[node.outputs[0]] = evaluate(node.op_type, node.attributes, inputs)
    except ValueError as reason:  # onnx_shapes' own "not followed"
        raise _UnsupportedError(f"on sizes computed from shapes: {reason}") from None
    return True


def _broadcast_by_its_users(node: Node, graph: _Graph) -> bool:
    """Record an Expand of data that only elementwise operations read; True if so (it is no layer).

    F.normalize(x) divides x by its norm expanded to x's shape (ReduceL2, Clip, Expand, Div:
    Swin V2's cosine attention). Where every reader combines the expanded tensor with one of the
    target's shape, their broadcasting expands it the same way: the Div reads the norm itself.
    """
    if node.op_type != "Expand" or graph.constant(node.inputs[0]) is not None or node.inputs[0] in graph.computed:
        return False
    target = tuple(int(size) for size in graph.values(_input(node, 1), "shape"))
    expanded = broadcast([graph.tensor_shape(node.inputs[0]), target])
    readers = graph.users(node.outputs[0])
    if not readers:
        return False
    for reader in readers:
        others = [name for name in reader.inputs if name and name != node.outputs[0]]
        if reader.op_type not in ELEMENTWISE or not any(
            graph.constant(name) is None and name not in graph.computed and graph.tensor_shape(name) == expanded
            for name in others
        ):
            return False
    graph.producer[node.outputs[0]] = graph.producer.get(node.inputs[0], node.inputs[0])
    return True


def _empty_slice(node: Node, graph: _Graph) -> bool:
    """Record a Slice of data that keeps nothing (torch.roll by 0 as the TorchScript exporter writes it); True if so.

    `roll` is a Concat of the last `shift` positions and the others: by 0, the first piece is
    empty. An empty tensor is no layer; the Concat leaves it out.
    """
    if node.op_type != "Slice" or "starts" in node.attributes or graph.constant(node.inputs[0]) is not None:
        return False
    if node.inputs[0] in graph.computed or node.inputs[0] in graph.grids:
        return False
    try:
        starts, ends = graph.values(_input(node, 1), "starts"), graph.values(_input(node, 2), "ends")
        axes, steps = _input_values(node, graph, 3, "axes"), _input_values(node, graph, 4, "steps")
    except _UnsupportedError:
        return False
    if len(starts) != 1 or len(ends) != 1 or (steps is not None and int(steps[0]) != 1):
        return False
    shape = list(graph.tensor_shape(node.inputs[0]))
    axis = (int(axes[0]) if axes else 0) % len(shape)
    if clamped(int(starts[0]), int(ends[0]), shape[axis])[1]:
        return False
    shape[axis] = 0
    graph.constants[node.outputs[0]] = (tuple(shape), None)
    graph.derived.add(node.outputs[0])
    return True


def _fold_indices(node: Node, graph: _Graph) -> bool:
    """Record a split into a sequence, or an index grid; True when the node was one."""
    if node.op_type == "SplitToSequence":
        _split_to_sequence(node, graph)
        return True
    grid = _index_grid(node, graph)
    if grid is not None:
        graph.grids[node.outputs[0]] = grid
    return grid is not None


def _fold_constant(node: Node, graph: _Graph) -> bool:
    """Record a constant made from a constant: kept as it is, laid out anew, or expanded; True when it was."""
    output, first = node.outputs[0], graph.constant(node.inputs[0])
    if first is None:
        return False
    if node.op_type in ("Identity", "CastLike"):  # CastLike: a constant in another tensor's type
        graph.constants[output] = first
        _inherit(node, graph)
        if node.op_type == "Identity" and node.inputs[0] in graph.weights:  # a weight stored once for two modules
            graph.weights.add(output)
        return True
    if node.op_type in ("Concat", "GatherND") or (
        node.op_type == "Gather" and (first[1] is None or node.inputs[0] in graph.weights)
    ):  # a table's rows, not sizes
        return _fold_joined(node, graph)
    if node.op_type in ("Split", "Expand", "Tile"):
        _fold_repeated(node, graph, first[0])
        return True
    if node.op_type == "Slice" and (first[1] is None or len(first[0]) > 1) and "starts" not in node.attributes:
        graph.constants[output] = (_sliced(node, graph, first[0]), None)  # a buffer's corner: an index table's
        if node.inputs[0] in graph.derived or node.inputs[0] not in graph.weights:
            graph.derived.add(output)
        return True
    laid_out = _constant_laid_out(node, graph)
    if laid_out is not None:
        graph.constants[output] = laid_out
        _inherit(node, graph)
    return laid_out is not None


def _fold_repeated(node: Node, graph: _Graph, dims: tuple[int, ...]) -> None:
    """Record a constant split (EVA-02's rotary table into sines and cosines), expanded or tiled.

    Expanded or tiled, a weight is still its own count (MViT's position embedding: the space part
    repeated for each time); zeros spread to a bias's shape are not learned.
    """
    if node.op_type == "Split":
        _split_constant(node, graph, dims)
        return
    output = node.outputs[0]
    graph.constants[output] = (_expanded(node, graph) if node.op_type == "Expand" else _tiled(node, graph), None)
    counts = _learned(node.inputs[0], graph)
    if any(counts):
        graph.made[output] = counts
    if node.inputs[0] not in graph.weights and node.inputs[0] not in graph.made:
        graph.derived.add(output)


KEEPING_SHAPE = {"Relu", "Sigmoid", "Tanh", "Gelu", "Erf", "Exp", "Log", "Sqrt", "Neg", "Abs", "Softplus", "Cast",
                 "Identity", "LeakyRelu", "HardSigmoid", "Softmax", "Clip"}  # fmt: skip
"""Elementwise functions of one tensor, which a learned constant keeps its shape and counts through."""


def _made_constant(node: Node, graph: _Graph) -> bool:
    """Record a constant computed from weights (Swin V2's relative-position MLP on its coordinates); True if so.

    A Linear run on a constant table (MatMul by a weight, then its bias added, an activation,
    another MatMul) makes a constant whose parameters are those weights and whose FLOPs are the
    products' (FlopCounterMode counts them, as it runs them each time). The table the first
    product reads (a buffer) holds none.
    """
    reads = [name for name in node.inputs if name]
    if (
        not reads
        or not node.outputs
        or any(graph.constant(name) is None and name not in graph.computed for name in reads)
    ):
        return False  # a constant's operands: constants, or sizes (16 · sigmoid(bias), the 16 a Cast of a size)
    op = node.op_type
    weighed = op in ("MatMul", "Gemm", "Conv") and len(reads) >= 2 and reads[1] in graph.weights  # noqa: PLR2004 - A and B
    learned = (  # exp(logit_scale); Swin V2's qkv bias with its middle third zeroed (ScatterND)
        (op in KEEPING_SHAPE or op in SAME_SHAPE) and reads[0] in graph.weights and reads[0] not in graph.made
    )
    biased = op in ("Add", "Sub", "Mul", "Div") and any(  # a bias added to a product folded at export
        name in graph.weights and name not in graph.derived and prod(_dims(name, graph)) > 1 for name in reads
    )
    if not weighed and not learned and not biased and not any(name in graph.made for name in reads):
        return False
    dims = [_dims(name, graph) for name in reads]
    made = [graph.made.get(name, (0, 0, 0)) for name in reads]
    params, indices, flops = (sum(counts[i] for counts in made) for i in range(3))
    if weighed and op == "Conv":  # XCiT's Fourier position encoding: a convolution of a constant grid
        shape = _constant_convolution(node, dims)
        params += sum(prod(d) for name, d in zip(reads[1:], dims[1:], strict=True) if name not in graph.made)
        flops += 2 * prod(shape) * prod(dims[1][1:])
    elif weighed:
        shape = _constant_product(node, dims)
        params += sum(prod(d) for name, d in zip(reads[1:], dims[1:], strict=True) if name not in graph.made)
        flops += 2 * prod(shape) * (dims[0][-1] if dims[0] else 1)
    elif op in ("Add", "Sub", "Mul", "Div"):
        shape = broadcast(dims)
        params += sum(prod(d) for name, d in zip(reads, dims, strict=True) if name in graph.weights and prod(d) > 1)
    elif op in KEEPING_SHAPE or op in SAME_SHAPE:
        shape = dims[0]
        params += prod(shape) if learned else 0
    else:
        return False
    graph.constants[node.outputs[0]] = (shape, None)
    graph.made[node.outputs[0]] = (params, indices, flops)
    return True


def _constant_convolution(node: Node, dims: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Return the shape of a Conv of a constant by a weight (explicit pads only), as ONNX computes it."""
    data, weight = dims[0], dims[1]
    attributes = _checked(node)
    spatial = len(data) - 2
    if attributes.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID") or len(weight) != len(data):
        raise _UnsupportedError("a Conv of a constant other than by explicit pads is not followed")
    kernel = weight[2:]
    strides = attributes.get("strides") or [1] * spatial
    dilations = attributes.get("dilations") or [1] * spatial
    pads = attributes.get("pads") or [0] * (2 * spatial)
    out = [
        (data[2 + i] + pads[i] + pads[spatial + i] - dilations[i] * (kernel[i] - 1) - 1) // strides[i] + 1
        for i in range(spatial)
    ]
    if any(size < 1 for size in out):
        raise _UnsupportedError(f"it convolves a constant of shape {list(data)} to nothing")
    return (data[0], weight[0], *out)


def _constant_product(node: Node, dims: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Return the shape of MatMul (numpy's rule) or Gemm (no transposes followed) of constants."""
    a, b = dims[0], dims[1]
    if node.op_type == "Gemm" and (node.attributes.get("transA", 0) or len(a) != 2):  # noqa: PLR2004 - a matrix
        raise _UnsupportedError("a Gemm of constants other than [M, K] by a weight is not followed")
    if node.op_type == "Gemm":
        columns = b[0] if node.attributes.get("transB", 0) else b[-1]
        return (a[0], columns)
    if len(a) < 1 or len(b) != 2 or a[-1] != b[0]:  # noqa: PLR2004 - a weight matrix
        raise _UnsupportedError(f"it multiplies constants of shapes {list(a)} and {list(b)}")
    return (*a[:-1], b[1])


def _inherit(node: Node, graph: _Graph) -> None:
    """Carry what a constant is made of (a gathered table's counts, being derived, a weight) to it laid out anew."""
    source = node.inputs[0]
    if source in graph.made:
        graph.made[node.outputs[0]] = graph.made[source]
    if source in graph.derived:
        graph.derived.add(node.outputs[0])
    elif source in graph.weights:  # MViT's time embedding unsqueezed before it is expanded
        graph.weights.add(node.outputs[0])


def _fold_joined(node: Node, graph: _Graph) -> bool:
    """Record a Concat of constants, or a GatherND of a constant by constant indices; True when it was one."""
    if any(graph.constant(name) is None for name in node.inputs if name):
        return False
    if node.op_type in ("Gather", "GatherND"):
        _gathered_table(node, graph)
        return True
    graph.constants[node.outputs[0]] = _joined(node, graph)
    counts = [_learned(name, graph) for name in node.inputs if name]
    if any(graph.made.get(name) for name in node.inputs if name):  # a learned constant joined: its counts kept
        graph.made[node.outputs[0]] = (sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts))
    elif all(name in graph.derived or name not in graph.weights for name in node.inputs if name):
        graph.derived.add(node.outputs[0])
    return True


def _split_constant(node: Node, graph: _Graph, dims: tuple[int, ...]) -> None:
    """Record the pieces of a constant split (sizes from `split`, or equal pieces), each learned if it was."""
    attributes = _checked(node)
    axis = attributes.get("axis", 0)
    if not -len(dims) <= axis < len(dims):
        raise _UnsupportedError(f"axis {axis} is out of range for a constant of shape {list(dims)}")
    axis %= len(dims)
    given = attributes["split"] if "split" in attributes else _input_values(node, graph, 1, "split")
    count = len(node.outputs)
    sizes = [int(v) for v in given] if given is not None else [-(-dims[axis] // count)] * count
    if given is None:
        sizes[-1] = dims[axis] - sum(sizes[:-1])
    if len(sizes) != count or sum(sizes) != dims[axis] or min(sizes) < 0:
        raise _UnsupportedError(f"it splits a constant of shape {list(dims)} into {sizes} along axis {axis}")
    learned = node.inputs[0] in graph.weights and node.inputs[0] not in graph.derived
    for output, size in zip(node.outputs, sizes, strict=True):
        graph.constants[output] = ((*dims[:axis], size, *dims[axis + 1 :]), None)
        if learned:
            graph.weights.add(output)
        else:
            graph.derived.add(output)


def _learned(name: str, graph: _Graph) -> tuple[int, int, int]:
    """Return the parameters, indices and FLOPs a constant is made of (a weight: its own size; else none)."""
    if name in graph.made:
        return graph.made[name]
    if name in graph.weights and name not in graph.derived:
        return (prod(graph.constants[name][0]), 0, 0)
    return (0, 0, 0)


def _tiled(node: Node, graph: _Graph) -> tuple[int, ...]:
    """Return the shape of a constant repeated by Tile."""
    dims = graph.constants[node.inputs[0]][0]
    repeats = [int(v) for v in graph.values(_input(node, 1), "repeats")]
    if len(repeats) != len(dims) or any(r < 0 for r in repeats):
        raise _UnsupportedError(f"it repeats a constant of shape {list(dims)} by {repeats}")
    return tuple(size * times for size, times in zip(dims, repeats, strict=True))


def _joined(node: Node, graph: _Graph) -> tuple[tuple[int, ...], list[Any] | None]:
    """Return the constants a Concat of constants makes (values kept for 1-D ones)."""
    parts = [graph.constants[name] for name in node.inputs if name]
    rank = len(parts[0][0])
    axis = _required(node, _checked(node), "axis") % max(rank, 1)
    if any(
        len(dims) != rank
        or [d for i, d in enumerate(dims) if i != axis] != [d for i, d in enumerate(parts[0][0]) if i != axis]
        for dims, _ in parts
    ):
        raise _UnsupportedError(f"it joins constants of shapes {[list(dims) for dims, _ in parts]}")
    dims = tuple(sum(d[axis] for d, _ in parts) if i == axis else size for i, size in enumerate(parts[0][0]))
    known = rank == 1 and all(values is not None for _, values in parts)
    return dims, [v for _, values in parts for v in values or []] if known else None


def _gathered_table(node: Node, graph: _Graph) -> None:
    """Record Gather or GatherND of a constant by constant indices (a relative position bias from its table).

    The table's parameters and the indices (an int64 buffer) are what it is made of, not the
    values gathered (window² × heads): LeViT's and EfficientFormer's `attention_biases`
    gathered along axis 1 by `attention_bias_idxs`, Swin V2's table by its index.
    """
    data, indices = graph.constant(node.inputs[0]), graph.constants[node.inputs[1]]
    if data is None:
        raise _UnsupportedError(f"a {node.op_type} other than of a constant table by constant indices is not followed")
    if node.op_type == "Gather":
        axis = _checked(node).get("axis", 0)
        if not -len(data[0]) <= axis < len(data[0]):
            raise _UnsupportedError(f"axis {axis} is out of range for a table of shape {list(data[0])}")
        axis %= len(data[0])
        graph.constants[node.outputs[0]] = ((*data[0][:axis], *indices[0], *data[0][axis + 1 :]), None)
    elif _checked(node).get("batch_dims", 0) or not indices[0] or indices[0][-1] > len(data[0]):
        raise _UnsupportedError("a GatherND other than of a constant table by constant indices is not followed")
    else:
        depth = indices[0][-1]
        graph.constants[node.outputs[0]] = ((*indices[0][:-1], *data[0][depth:]), None)
    learned = node.inputs[0] not in graph.derived
    table, _, flops = graph.made.get(node.inputs[0], (prod(data[0]) if learned else 0, 0, 0))
    graph.made[node.outputs[0]] = (table, prod(indices[0]), flops)
    if not learned:
        graph.derived.add(node.outputs[0])


def _sliced(node: Node, graph: _Graph, dims: tuple[int, ...]) -> tuple[int, ...]:
    """Return the shape of a constant sliced (ONNX's starts, ends, axes and steps, as Python slices them)."""
    starts, ends = graph.values(_input(node, 1), "starts"), graph.values(_input(node, 2), "ends")
    axes = _input_values(node, graph, 3, "axes") or list(range(len(starts)))
    steps = _input_values(node, graph, 4, "steps") or [1] * len(starts)
    shape = list(dims)
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        if int(step) == 0 or not -len(dims) <= int(axis) < len(dims):
            raise _UnsupportedError(f"it slices a constant of shape {list(dims)} along axis {axis} by step {step}")
        shape[int(axis)] = len(range(shape[int(axis)])[slice(int(start), int(end), int(step))])
    return tuple(shape)


CONSTANT_VALUES = {"value_int": (), "value_ints": None, "value_float": (), "value_floats": None}
"""Constant's attributes other than `value`, each with its shape (None: 1-D, as long as its list)."""


def _constant_value(node: Node) -> tuple[tuple[int, ...], list[Any] | None] | None:
    """Return the shape and values a Constant node makes (`value`, or a number or list of them), or None."""
    value = node.attributes.get("value")
    if isinstance(value, Tensor):
        return value.dims, value.values
    for key, dims in CONSTANT_VALUES.items():
        if key in node.attributes:
            found = node.attributes[key]
            values = list(found) if isinstance(found, list | tuple) else [found]
            return (dims if dims is not None else (len(values),)), values
    return None


def _shape_of(node: Node, graph: _Graph) -> Computed:
    """Return Shape of a data tensor (its axes' sizes), of a constant (numbers), or of computed sizes (its length)."""
    tensor, attributes = node.inputs[0], node.attributes
    if tensor in graph.computed:
        return shape_of_sizes(graph.computed[tensor], attributes)
    found = graph.constant(tensor)
    if found is not None:
        return constant(list(found[0])[slice(attributes.get("start", 0), attributes.get("end"))], [1])
    return shape_of_tensor(tensor, len(graph.tensor_shape(tensor)), attributes)


def _integers_only(node: Node, graph: _Graph) -> bool:
    """Return True when every input is a constant of integers: arithmetic on axes and sizes, not on data."""
    found = [graph.constant(name) for name in node.inputs if name]
    return all(
        constant is not None and constant[1] is not None and all(type(value) is int for value in constant[1])
        for constant in found
    )


def _expanded(node: Node, graph: _Graph) -> tuple[int, ...]:
    """Return the shape of a constant expanded by Expand (a class token to the batch: `expand(n, -1, -1)`)."""
    target = tuple(int(size) for size in graph.values(_input(node, 1), "shape"))
    return broadcast([graph.constants[node.inputs[0]][0], target])


def _constant_laid_out(node: Node, graph: _Graph) -> tuple[tuple[int, ...], list[Any] | None] | None:
    """Return a constant laid out anew (Reshape, Squeeze, Unsqueeze, Flatten, Transpose of constants), or None.

    The exporter's optimizer folds a table gathered by constant indices into one constant, which
    the graph then views in another shape before adding it (a relative position bias). Values
    are kept where the order of the elements is (all but Transpose).
    """
    if node.op_type not in LAID_OUT or any(
        graph.constant(name) is None and (i == 0 or name not in graph.computed)
        for i, name in enumerate(node.inputs)
        if name
    ):
        return None
    dims, values = graph.constants[node.inputs[0]]
    attributes = node.attributes
    operands = [  # a shape or axes: constant, or computed from shapes (a mask's, at the input)
        graph.values(name, "shape") if name in graph.computed else graph.constants[name][1]
        for name in node.inputs[1:]
        if name
    ]
    axes = [int(v) for v in operands[0]] if operands and operands[0] is not None else attributes.get("axes")
    shape: list[int]
    if node.op_type == "Reshape":
        target = [int(v) for v in (operands[0] if operands and operands[0] is not None else [])]
        shape = reshaped(dims, target, allowzero=bool(attributes.get("allowzero", 0))) or target
    elif node.op_type == "Transpose":
        perm = attributes.get("perm") or list(range(len(dims)))[::-1]
        shape, values = [dims[axis] for axis in perm], None
    elif node.op_type == "Flatten":
        axis = attributes.get("axis", 1) % (len(dims) + 1) if dims else 0
        shape = [prod(dims[:axis]), prod(dims[axis:])]
    elif node.op_type == "Squeeze":
        dropped = {axis % len(dims) for axis in axes} if axes else {i for i, size in enumerate(dims) if size == 1}
        shape = [size for i, size in enumerate(dims) if i not in dropped]
    else:  # Unsqueeze
        rank = len(dims) + len(axes or [])
        added = {axis % rank for axis in axes or []}
        sizes = iter(dims)
        shape = [1 if i in added else next(sizes) for i in range(rank)]
    if any(size < 0 for size in shape) or prod(shape) != prod(dims):
        raise _UnsupportedError(f"it lays out a constant of shape {list(dims)} as {shape}")
    return tuple(shape), values


def _derived(node: Node, graph: _Graph) -> bool:
    """Record a node computing a constant from constants and sizes alone; True when it is one.

    Shifted windows' attention mask is built this way at export (ConstantOfShape, slices,
    comparisons of sizes, ScatterND): it does not depend on the input's values, so it is a
    constant, not a layer, and not learned (an Add of it is not a bias). A product with a weight
    is not one. Its shape is value_info's, or where the file does not give it (axes left open)
    the operator's own rule (_constant_shape); with neither, the node is said, not guessed.
    """
    if (
        node.op_type in READERS
        and node.op_type not in ELEMENTWISE
        and node.op_type not in ("Concat", "Gather", "Slice", "ScatterND", "ScatterElements")
    ):
        return False
    reads = [name for name in node.inputs if name]
    if not reads or not all(graph.constant(name) is not None or name in graph.computed for name in reads):
        return False
    if node.op_type in WEIGHED and any(name in graph.weights for name in reads):
        return False  # a product with weights (Swin V2's position MLP): its parameters and FLOPs would be lost
    shapes = [graph.value_shape(output) for output in node.outputs]
    if len(shapes) == 1 and shapes[0] is None:
        shapes = [_constant_shape(node, graph)]
    if not node.outputs or any(shape is None for shape in shapes):
        return False
    for output, shape in zip(node.outputs, shapes, strict=True):
        graph.constants[output] = (shape or (), None)
        graph.derived.add(output)
    return True


BROADCASTING = {*ELEMENTWISE, "Where", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}
"""Operators whose output is their inputs' shapes broadcast (numpy's rule)."""
SAME_SHAPE = {"Cast", "Not", "Neg", "Abs", "ScatterND", "ScatterElements", "Sign", "Ceil", "Floor", "Round",
              "Sin", "Cos", "Exp", "Log", "Sqrt", "Reciprocal", "Sigmoid", "Tanh", "Relu", "Erf", "IsNaN",
              "IsInf"}  # fmt: skip
"""Operators whose output has their first input's shape."""


def _constant_shape(node: Node, graph: _Graph) -> tuple[int, ...] | None:
    """Return the shape of a constant made from constants and sizes, by the operator's rule (None: no rule)."""
    dims = [_dims(name, graph) for name in node.inputs if name]
    if node.op_type == "ConstantOfShape":
        return tuple(int(size) for size in graph.values(node.inputs[0], "shape"))
    if node.op_type in SAME_SHAPE:
        return dims[0]
    if node.op_type in BROADCASTING:
        return broadcast(dims)
    return _expanded(node, graph) if node.op_type == "Expand" else None


def _dims(name: str, graph: _Graph) -> tuple[int, ...]:
    """Return a constant's dims, or those of sizes computed from shapes (a scalar or a 1-D tensor)."""
    found = graph.constant(name)
    if found is not None:
        return found[0]
    sizes = graph.computed[name]
    return () if sizes.scalar else (len(sizes.elements),)


def broadcast(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Return shapes broadcast together, as numpy (and ONNX) do, or raise _UnsupportedError."""
    found = broadcast_dims(shapes)
    if found is None:
        raise _UnsupportedError(f"its inputs' shapes {[list(shape) for shape in shapes]} do not broadcast")
    return found


def _materialize_grids(node: Node, graph: _Graph) -> None:
    """Turn the index grids an operator other than the grids' own reads into constants, as they are at the input.

    A mask made from sizes (Swin's shifted windows, exported with open axes) scatters into
    positions computed by Range; what it makes is a constant whose shape is all that matters.
    """
    reads = [name for name in node.inputs if name]
    if not all(name in graph.grids or name in graph.computed or graph.constant(name) is not None for name in reads):
        return  # a Gather of data by a grid (as_strided): kept as grids
    if node.op_type in GRID_OPERATORS and all(_as_grid(name, graph) is not None for name in reads):
        return  # the grids' own arithmetic
    for name in reads:
        if name in graph.grids and name not in graph.constants:
            grid = graph.grids[name](probe=False)
            graph.constants[name] = (grid.dims, None)  # its shape, not sizes to compute with
            graph.derived.add(name)


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


def onnx_network_data(
    path: str, input_shape: tuple[int, ...] | None = None, measure: Measure | None = None
) -> dict[str, Any]:
    """Return the network file data ({"framework": "onnx", "input": ..., "layers": [...]}) of an ONNX model.

    `measure` gives the shapes of the layers read so far, for the sizes a dynamic graph
    computes from tensors' shapes (without it, such a graph is refused). Raise InputErrorGroup
    with one line per node that cannot be followed (or for a file that is not an ONNX model).
    """
    return onnx_import(path, input_shape, measure)[0]


def onnx_import(
    path: str, input_shape: tuple[int, ...] | None, measure: Measure | None, data: bytes | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Return an ONNX model's network data and the layers that write, as numbers, sizes that depend on the input.

    Such a layer (a Reshape to [N, 2, 58, H, W] that no 0 or -1 can say) is right at the input
    it was read at, and says a size of that input elsewhere. `data`, when given, is the file's
    bytes (read from standard input) and `path` only names it.
    """
    model = _load(path, data)
    opset = model.opset
    graph = _start(model, input_shape, measure, path)
    taken: set[str] = set()
    errors = []
    dynamic: list[str] = []
    pending = list(reversed(model.nodes))
    while pending:
        node = pending.pop()
        graph.dynamic, graph.at_probe = False, None
        try:
            if node.op_type == "If":  # a branch chosen by sizes: its nodes walked in its place
                pending.extend(reversed(_branch(node, graph)))
                continue
            made = _read_node(node, graph)
        except _UnsupportedError as reason:
            domain = node.domain or "ai.onnx"
            label = node.name or (node.outputs[0] if node.outputs else f"#{len(graph.layers) + 1}")
            text = str(reason.args[0])
            errors.append(InputError(f"node {label!r} ({node.op_type}, domain {domain}, opset {opset}): {text}",
                                     location=Location(path)))  # fmt: skip
            for output in node.outputs:
                graph.producer[output] = "input"  # keep going, to say every unfollowed node at once
            continue
        if made:
            _place(graph, node, made, taken)
            if graph.dynamic:
                dynamic.append(graph.last)
            _place_fused(graph, node, taken)
    if errors:
        raise InputErrorGroup(errors)
    return {"framework": "onnx", **graph.input_data(), "layers": graph.layers}, dynamic


def _branch(node: Node, graph: _Graph) -> list[Node]:
    """Return the nodes of the branch an If takes (its condition computed from sizes, at the input).

    Identity nodes then give the If's outputs the branch's. MViT's `_squeeze(x, 4, 1,
    tensor_dim)` is scripted as an If on a tensor's rank: one branch squeezes, the other passes
    the tensor on.
    """
    condition = graph.values(node.inputs[0], "condition") if node.inputs else []
    if len(condition) != 1:
        raise _UnsupportedError("an If whose condition is not one value computed from sizes is not followed")
    chosen = node.attributes.get("then_branch" if condition[0] else "else_branch")
    if chosen is None or len(chosen.outputs) != len(node.outputs):
        raise _UnsupportedError("an If without the branch it takes is not followed")
    passed = [Node(op_type="Identity", name=node.name, inputs=[inner], outputs=[outer])
              for inner, outer in zip(chosen.outputs, node.outputs, strict=True)]  # fmt: skip
    return [*chosen.nodes, *passed]


def _start(model: Model, input_shape: tuple[int, ...] | None, measure: Measure | None, path: str) -> _Graph:
    """Return the walk's start: the graph's inputs and their sizes, its initializers as constants."""
    try:
        name, shape, probe = _input_shape(model, input_shape, path)
        others = _other_inputs(model, shape, probe)
    except InputError as error:
        raise InputErrorGroup([error.located(Location(path))]) from None
    graph = _Graph(measure=measure, input_tensor=name, shape=shape, probe=probe, model=model, others=others)
    for other in others:
        graph.producer[other.tensor] = other.name
    held = buffers(model)  # a module's buffers (a rotary table, a mask), where the exporter says which they are
    for tensor in model.initializers:
        graph.constants[tensor.name] = (tensor.dims, tensor.values)
        if tensor.name in held:
            graph.derived.add(tensor.name)
        elif not tensor.integer:
            graph.weights.add(tensor.name)
    graph.producer[name] = "input"
    return graph


def _read_node(node: Node, graph: _Graph) -> list[tuple[dict[str, Any], list[str]]]:
    """Return a node's layers, each with the tensors it reads (none for a node folded into constants or sizes)."""
    if _fold(node, graph) or _derived(node, graph):
        return []
    if not node.outputs or not node.inputs:
        raise _UnsupportedError("it has no inputs or no outputs")
    made = _layer(node, graph)
    if any(not reads for _, reads in made):
        raise _UnsupportedError("all its inputs are constants")
    return made


def _place(graph: _Graph, node: Node, made: list[tuple[dict[str, Any], list[str]]], taken: set[str]) -> None:
    """Add a node's layers, each named and reading the layers that make its inputs."""
    outputs: list[str | None] = [*node.outputs[: len(made)]] if len(made) > 1 else [node.outputs[0]]
    if len(made) > 1 and any(read.startswith(PREVIOUS) for _, reads in made[1:] for read in reads):  # one node's chain
        outputs = [*([None] * (len(made) - 1)), node.outputs[0]]
    names = _names(node, len(made), taken)
    for (keys, reads), layer_name, output in zip(made, names, outputs, strict=True):
        sources = [_source(graph, read, names) for read in reads]
        layer = {"name": layer_name, **keys}
        if sources != [graph.last]:
            layer["from"] = sources if len(sources) > 1 else sources[0]
        if graph.at_probe is not None and len(made) == 1:
            graph.probe_layers[len(graph.layers)] = {**layer, **graph.at_probe}
        graph.layers.append(layer)
        if output is not None:
            graph.producer[output] = layer_name
        graph.last = layer_name
    for output in node.outputs[1:] if len(made) == 1 else ():
        graph.producer[output] = graph.last  # MaxPool's indices, Dropout's mask: the same shape's companion


def _source(graph: _Graph, read: str, names: list[str]) -> str:
    """Return the layer a read names: the one just written, one of the node's own, or the tensor's maker.

    PREVIOUS names the layer just written; PREVIOUS and an index, that layer of the node's own.
    """
    if read == PREVIOUS:
        return graph.last
    if read.startswith(PREVIOUS):
        return names[int(read.removeprefix(PREVIOUS))]
    return graph.producer.get(read, read)


def _place_fused(graph: _Graph, node: Node, taken: set[str]) -> None:
    """Add the BatchNorm torch's exporter fused into a convolution, after it, named by its module's path."""
    if node.op_type != "Conv" or FUSED_NORM not in _rewrites(node):
        return
    (name,) = _names(Node(name=_module_path(node) or f"{graph.last}:norm"), 1, taken)
    graph.layers.append({"name": name, "type": "BatchNormalization"})
    for output in node.outputs:
        graph.producer[output] = name
    graph.last = name


def _load(path: str, data: bytes | None) -> Model:
    """Read (unless given) and decode an ONNX file, or raise InputErrorGroup saying why it is not one.

    The file is read where the decoder looks (onnx_proto.FileBytes): the graph's nodes and the
    tensors' headers, while the weights' bytes are skipped by their length and never read (a file
    of 1 GB of weights costs what its graph costs, in time and memory).
    """
    if data is not None:
        return _decoded(data, path)
    try:
        with Path(path).open("rb") as file:
            return _decoded(FileBytes(file), path)
    except FileNotFoundError:
        raise InputErrorGroup([InputError("no such file", location=Location(path))]) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InputErrorGroup([InputError(f"cannot read: {reason}", location=Location(path))]) from None


def _decoded(data: bytes | FileBytes, path: str) -> Model:
    """Decode a ModelProto, or raise InputErrorGroup saying why it is not one."""
    try:
        return model_of(data)
    except (ValueError, struct.error, UnicodeDecodeError) as error:
        raise InputErrorGroup([InputError(f"not an ONNX model ({error})", location=Location(path))]) from None
