"""Read the parts of an ONNX file that decide shapes, straight from the protobuf wire format.

An ONNX file is a serialized `ModelProto` (onnx/onnx.proto). Only the fields convcalc needs
are decoded (the opset, the graph's nodes with their attributes, the initializers' names,
shapes and, when small, values, and the graph's inputs); the rest is skipped by its wire
type, weights included. No onnx package is needed, and nothing is executed: a field of the
wrong wire type or a length past the end is a ValueError, which the caller reports.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO


class FileBytes:
    """A part of a file, read where it is looked at: the bytes of a message too large to read whole.

    A slice of at most INLINE bytes is read (a node, a tensor's header); a larger one is another
    view, so that a field holding weights is skipped by its length and never read. Bytes are read
    in blocks, each once.
    """

    BLOCK = 1 << 14

    def __init__(
        self, file: BinaryIO, start: int = 0, length: int | None = None, blocks: dict[int, bytes] | None = None
    ) -> None:
        self.file = file
        self.start = start
        self.length = os.fstat(file.fileno()).st_size - start if length is None else length
        self.blocks = {} if blocks is None else blocks

    def __len__(self) -> int:
        return self.length

    def _block(self, index: int) -> bytes:
        found = self.blocks.get(index)
        if found is None:
            found = os.pread(self.file.fileno(), self.BLOCK, index * self.BLOCK)
            self.blocks[index] = found
        return found

    def read(self, start: int, stop: int) -> bytes:
        """Return the bytes from `start` to `stop` of this part (read now, bypassing the blocks)."""
        return os.pread(self.file.fileno(), stop - start, self.start + start)

    def __getitem__(self, key: int | slice) -> Any:  # noqa: ANN401 - a byte (int), bytes, or a view
        if isinstance(key, int):
            at = self.start + key
            block = self._block(at // self.BLOCK) if 0 <= key < self.length else b""
            offset = at % self.BLOCK
            if offset >= len(block):  # past the end, or the file shrank while read
                raise ValueError("a field runs past the end of the file")
            return block[offset]
        begin, end, _ = key.indices(self.length)
        end = max(begin, end)
        if end - begin <= INLINE:
            return self.read(begin, end)
        return FileBytes(self.file, self.start + begin, end - begin, self.blocks)

    def __bytes__(self) -> bytes:
        return self.read(0, self.length)


INLINE = 1 << 20
"""A slice of a file of at most this many bytes is read whole; a larger one (weights) is a view of it."""
Buffer = bytes | FileBytes
"""A message's bytes: read, or (a file's large message) a view that reads only where it is looked at."""
VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
SMALL = 64
"""Constants with at most this many elements have their values read (shapes, axes, scales, pads)."""
SMALL_INDICES = 1 << 16
"""Integer constants with at most this many elements have their values read (a Gather's indices)."""
INTEGER_TYPES = frozenset({2, 3, 4, 5, 6, 7, 12, 13})
"""TensorProto.DataType of the integers (uint8 to uint64)."""
EXTERNAL = 1
RAW_FORMATS = {1: "f", 6: "i", 7: "q", 9: "?", 10: "e", 11: "d", 2: "B", 3: "b", 4: "H", 5: "h", 12: "I", 13: "Q"}
"""TensorProto.DataType -> struct format of one element in raw_data (little-endian)."""


def _varint(data: Buffer, at: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if at >= len(data):
            raise ValueError("truncated varint")
        byte = data[at]
        at += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, at
        shift += 7
        if shift > 70:
            raise ValueError("varint too long")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def fields(message: object) -> Iterator[tuple[int, int, Any]]:
    """Yield (field number, wire type, value) of a message: ints for varints, bytes for the others."""
    data = _bytes(message)
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == VARINT:
            value, at = _varint(data, at)
        elif wire == FIXED64:
            value, at = data[at : at + 8], at + 8
        elif wire == LENGTH:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise ValueError("a field runs past the end of its message")
            value, at = data[at : at + size], at + size
        elif wire == FIXED32:
            value, at = data[at : at + 4], at + 4
        else:
            raise ValueError(f"wire type {wire} is not protobuf's")
        if at > len(data):
            raise ValueError("truncated field")
        yield number, wire, value


def _text(value: object) -> str:
    """Return a string field's text, or raise ValueError where the field holds something else."""
    return bytes(_bytes(value)).decode("utf-8", "replace")


def _bytes(value: object) -> Buffer:
    if not isinstance(value, bytes | FileBytes):
        raise ValueError("a field holds a number where the ONNX schema has bytes")  # noqa: TRY004 - a wrong wire type is a malformed file, as ValueError elsewhere here
    return value


def _number(value: object) -> int:
    if not isinstance(value, int):
        raise ValueError("a field holds bytes where the ONNX schema has a number")  # noqa: TRY004 - a wrong wire type is a malformed file, as ValueError elsewhere here
    return value


def _ints(wire: int, value: Any) -> list[int]:  # noqa: ANN401 - an int or packed bytes, checked here
    """Return the int64 values of a repeated field, packed or not."""
    if wire == VARINT:
        return [_signed(value)]
    value = _bytes(value)
    out, at = [], 0
    while at < len(value):
        number, at = _varint(value, at)
        out.append(_signed(number))
    return out


def _floats(wire: int, value: object) -> list[float]:
    return _packed(wire, value, FIXED32, "f")


def _doubles(wire: int, value: object) -> list[float]:
    return _packed(wire, value, FIXED64, "d")


def _packed(wire: int, value: object, single: int, code: str) -> list[float]:
    """Return a repeated float or double field's values, one (its own wire type) or packed; else ValueError."""
    data = bytes(_bytes(value))
    width = struct.calcsize(code)
    if wire not in (single, LENGTH) or len(data) % width:
        raise ValueError(f"a field of {'floats' if code == 'f' else 'doubles'} holds {len(data)} bytes")
    return list(struct.unpack(f"<{len(data) // width}{code}", data))


@dataclass
class Tensor:
    """An initializer or constant: its name, shape and (when small and stored in the file) values."""

    name: str = ""
    dims: tuple[int, ...] = ()
    values: list[Any] | None = None
    external: bool = False
    integer: bool = False  # of an integer type (indices, axes, sizes), never a weight


def tensor(data: Buffer) -> Tensor:  # noqa: C901 - one branch a field
    """Decode a TensorProto."""
    found = Tensor()
    dims: list[int] = []
    data_type = 1
    raw: Buffer | None = None
    typed: list[tuple[int, int, Any]] = []  # the values' fields, decoded only for a small tensor
    for number, wire, value in fields(data):
        if number == 1:
            dims.extend(_ints(wire, value))
        elif number == 2:  # TypeProto
            data_type = _number(value)
        elif number == 8:
            found.name = _text(value)
        elif number == 9:
            raw = _bytes(value)
        elif number == 14:
            found.external = _number(value) == EXTERNAL
        elif number in (4, 5, 7, 10):  # float_data, int32_data, int64_data, double_data
            typed.append((number, wire, value))
    found.dims = tuple(dims)
    found.integer = data_type in INTEGER_TYPES
    count = 1
    for size in dims:
        count *= size
    if (count <= SMALL or (count <= SMALL_INDICES and data_type in INTEGER_TYPES)) and not found.external:
        if raw is not None and data_type in RAW_FORMATS:
            width = struct.calcsize(RAW_FORMATS[data_type])
            found.values = list(struct.unpack(f"<{len(raw) // width}{RAW_FORMATS[data_type]}", bytes(raw)))
        elif raw is None:
            found.values = [v for number, wire, value in typed for v in _typed(number, wire, value)]
    return found


def _typed(number: int, wire: int, value: Any) -> list[Any]:  # noqa: ANN401 - a number or packed bytes
    """Return the values of one of a tensor's typed fields (float_data, int32_data, int64_data, double_data)."""
    if number == 4:  # TensorProto's field numbers
        return _floats(wire, value)
    if number == 10:
        return _doubles(wire, value)
    return _ints(wire, value)


@dataclass
class Node:
    """A NodeProto: its operator, inputs, outputs, name, domain, attributes and metadata (name or key -> value)."""

    op_type: str = ""
    name: str = ""
    domain: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    entries: list[bytes] = field(default_factory=list)  # metadata_props, undecoded: read only where asked
    decoded: dict[str, str] | None = field(default=None, repr=False, compare=False)  # metadata(), once asked


def metadata(node: Node) -> dict[str, str]:
    """Return a node's metadata (key -> value), decoded when first asked: most nodes' are never read."""
    if node.decoded is None:
        node.decoded = {}
        for entry in node.entries:
            node.decoded.update(_entry(entry))
    return node.decoded


def _attribute(data: Buffer) -> tuple[str, Any]:  # noqa: C901, PLR0912 - one branch a field
    """Decode an AttributeProto into its name and value (an int, float, string, tensor or list)."""
    name = ""
    kind = 0
    single: dict[str, Any] = {}
    ints: list[int] = []
    floats: list[float] = []
    strings: list[str] = []
    for number, wire, value in fields(data):
        if number == 1:
            name = _text(value)
        elif number == 2:
            (single["f"],) = _floats(wire, value) if wire == FIXED32 else _floats(VARINT, value)  # VARINT: refused
        elif number == 3:
            single["i"] = _signed(_number(value))
        elif number == 4:
            single["s"] = _text(value)
        elif number == 5:
            single["t"] = tensor(_bytes(value))
        elif number == 6:  # a graph: a Loop's or an If's body
            single["g"] = subgraph(_bytes(value))
        elif number == 7:
            floats.extend(_floats(wire, value))
        elif number == 8:
            ints.extend(_ints(wire, value))
        elif number == 9:
            strings.append(_text(value))
        elif number == 20:
            kind = _number(value)
    by_kind = {1: "f", 2: "i", 3: "s", 4: "t", 5: "g"}
    if kind in by_kind:
        return name, single.get(by_kind[kind])
    if kind == 6 or (not kind and floats):
        return name, floats
    if kind == 7 or (not kind and ints):
        return name, ints
    if kind == 8:
        return name, strings
    return name, next(iter(single.values()), None)


@dataclass
class Subgraph:
    """A graph held by an attribute (a Loop's body): its nodes, and its inputs' and outputs' names."""

    nodes: list[Node] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def subgraph(data: Buffer) -> Subgraph:
    """Decode a GraphProto held by an attribute."""
    found = Subgraph()
    for number, wire, value in fields(data):
        if wire != LENGTH:
            continue
        if number == 1:
            found.nodes.append(node(value))
        elif number in (11, 12):
            (found.inputs if number == 11 else found.outputs).append(_value_info(value).name)
    return found


def node(data: Buffer) -> Node:
    """Decode a NodeProto."""
    found = Node()
    for number, _, value in fields(data):
        if number == 1:
            found.inputs.append(_text(value))
        elif number == 2:
            found.outputs.append(_text(value))
        elif number == 3:
            found.name = _text(value)
        elif number == 4:
            found.op_type = _text(value)
        elif number == 5:
            key, attribute = _attribute(_bytes(value))
            found.attributes[key] = attribute
        elif number == 7:
            found.domain = _text(value)
        elif number == 9:
            found.entries.append(bytes(_bytes(value)))  # a copy: the file's view is closed after decoding
    return found


def _entry(data: Buffer) -> dict[str, str]:
    """Decode a StringStringEntryProto (a node's metadata_props) into {key: value}."""
    key = value = ""
    for number, _, field_value in fields(data):
        if number == 1:
            key = _text(field_value)
        elif number == 2:
            value = _text(field_value)
    return {key: value}


@dataclass
class Value:
    """A graph input: its name and, per axis, a size or the name of a dynamic axis (None when unnamed)."""

    name: str = ""
    dims: list[int | str | None] = field(default_factory=list)


def _value_info(data: Buffer) -> Value:
    found = Value()
    for number, _, value in fields(data):
        if number == 1:
            found.name = _text(value)
        elif number == 2:
            for kind, _, typed in fields(value):
                if kind != 1:  # tensor_type
                    continue
                for part, _, shape in fields(typed):
                    if part == 2:  # TensorShapeProto
                        found.dims = [_dimension(dim) for number_, _, dim in fields(shape) if number_ == 1]
    return found


def _dimension(data: Buffer) -> int | str | None:
    for number, _, value in fields(data):
        if number == 1:
            return _number(value)
        if number == 2:
            return _text(value)
    return None


@dataclass
class Model:
    """What convcalc reads of a ModelProto."""

    opset: int = 0
    nodes: list[Node] = field(default_factory=list)
    initializers: list[Tensor] = field(default_factory=list)
    inputs: list[Value] = field(default_factory=list)
    value_infos: list[bytes] = field(default_factory=list)  # intermediate tensors' value_info, undecoded


def value_shapes(found: Model) -> dict[str, tuple[int, ...]]:
    """Return the fully known shapes the file's value_info gives intermediate tensors, by tensor."""
    shapes = {}
    for item in found.value_infos:
        known = _value_info(item)
        if known.dims and all(isinstance(size, int) for size in known.dims):
            shapes[known.name] = tuple(int(size) for size in known.dims if isinstance(size, int))
    return shapes


BUFFER_KIND = b"pkg.torch.export.graph_signature.InputSpec.kind"
"""The metadata key torch's default exporter gives an initializer's value_info: PARAMETER, BUFFER or CONSTANT_TENSOR."""


def buffers(found: Model) -> set[str]:
    """Return the initializers torch's default exporter says are buffers (not parameters) in the module.

    Its value_info for each initializer says what the tensor was (`InputSpec.kind`); only the
    entries holding that key are decoded (the rest are shapes, decoded when asked).
    """
    named = set()
    for item in found.value_infos:
        if BUFFER_KIND not in item:
            continue
        name = ""
        kinds = {}
        for number, _, value in fields(item):
            if number == 1:
                name = _text(value)
            elif number == 4:  # metadata_props
                kinds.update(_entry(_bytes(value)))
        if kinds.get(BUFFER_KIND.decode()) in ("BUFFER", "CONSTANT_TENSOR"):
            named.add(name)
    return named


def model(data: Buffer) -> Model:  # noqa: C901, PLR0912 - one branch a field
    """Decode a ModelProto's opset and graph; raise ValueError where the bytes are not one."""
    found = Model()
    graph_seen = False
    for number, wire, value in fields(data):
        if number == 7 and wire == LENGTH:  # graph
            graph_seen = True
            for part, kind, item in fields(value):
                if kind != LENGTH:
                    continue
                if part == 1:
                    found.nodes.append(node(item))
                elif part == 5:
                    found.initializers.append(tensor(item))
                elif part == 11:
                    found.inputs.append(_value_info(item))
                elif (
                    part == 13
                ):  # value_info: intermediate tensors' shapes (value_shapes), when the exporter wrote them
                    found.value_infos.append(bytes(item))
        elif number == 8 and wire == LENGTH:  # opset_import
            domain, version = "", 0
            for part, _, item in fields(value):
                if part == 1:
                    domain = _text(item)
                elif part == 2:
                    version = _number(item)
            if domain in ("", "ai.onnx"):
                found.opset = version
    if not graph_seen:
        raise ValueError("no graph in it")
    return found
