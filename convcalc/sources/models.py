"""Import a model as a network file: an ONNX graph, a Keras model or a PyTorch module, read back as `stack` reads it.

`import_model` picks the importer for the sources, reads the data it writes back through
the YAML front end, and says where the framework's traced shapes and convcalc's differ.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convcalc.core.analysis import StackResult, analyze
from convcalc.core.errors import InputError, InputErrorGroup, Location
from convcalc.core.kinds.file_types import IGNORED
from convcalc.netfile.files import MAX_MODEL_BYTES, check_model_file
from convcalc.netfile.loader import PrefixMeasure, measured_shapes, network_from_data
from convcalc.netfile.vocabulary import OTHER_TYPES, WINDOW_CLASSES

if TYPE_CHECKING:
    from convcalc.importers.torch_fx import Vocabulary  # torch's importer loads only for it


@dataclass(frozen=True, slots=True)
class Imported:
    """A model imported: its network data (a file's keys), the file's comment, and what to say about it.

    `differences` says where the framework's own shapes and convcalc's differ (none, when
    convcalc is right); `notes` where sizes are written as numbers; `result` is the data read
    back as `stack` reads it (its failures are the layers convcalc refuses).
    """

    data: dict[str, Any]
    comment: str
    source: str
    notes: tuple[str, ...]
    differences: tuple[str, ...]
    result: StackResult


def import_model(
    sources: Sequence[str],
    input_shape: tuple[int, ...] | None = None,
    arguments: str | None = None,
    *,
    expect: bool = False,
) -> Imported:
    """Import `[file]` (.onnx, .keras, a to_json() .json, or - for standard input) or `["torch", "pkg.mod:factory"]`.

    With `expect`, each layer gets its output shape as its `expect` (the framework's, where known).
    """
    data, comment, source, notes = _imported(list(sources), input_shape, arguments)
    result = analyze(network_from_data(data, source))  # read back as `stack` reads it: what it refuses, said now
    differences = []
    for layer, found in zip(data["layers"], result.layers, strict=True):
        traced = layer.pop("expect", None)  # the framework's own shape, where the importer knows it
        if traced is not None and found.output is not None and list(found.output) != traced:
            differences.append(f"layer {layer['name']!r}: convcalc gives {list(found.output)}, the framework {traced}")
        if expect and found.output is not None:
            layer["expect"] = traced or list(found.output)
    return Imported(data, comment, source, tuple(notes), tuple(differences), result)


def torch_import_vocabulary() -> Vocabulary:
    """Return the layer types of network files as `convcalc import torch` needs them."""
    from convcalc.importers.torch_fx import Vocabulary

    return Vocabulary(
        windows={name: kind.value for name, (kind, _) in WINDOW_CLASSES.items()},
        others={name: {key: what != IGNORED for key, what in info.keys.items()} for name, info in OTHER_TYPES.items()},
    )


FROZEN_NAMED = 5
"""Layers with frozen sizes said one per line; more are said in one line, the first of them named."""


def _frozen_notes(layers: list[str], what: str, shape: list[int]) -> list[str]:
    """Say that sizes of the import's input are written as numbers: per layer, or in one line for many."""
    if len(layers) <= FROZEN_NAMED:
        return [f"layer {name!r}: {what} are written as they are at the input {shape}" for name in layers]
    named = ", ".join(repr(name) for name in layers[:3])
    return [f"{len(layers)} layers ({named}, ...): {what} are written as they are at the input {shape}"]


def _imported(
    sources: list[str], shape: tuple[int, ...] | None, arguments: str | None
) -> tuple[dict[str, Any], str, str, list[str]]:
    """Return an import's network data, its file comment, the source's name and notes."""
    if sources[:1] == ["torch"]:
        return _torch(sources, shape, arguments)
    if len(sources) != 1:
        raise InputError("expected one model file, or: torch PACKAGE.MODULE:FACTORY", where="sources")
    if arguments is not None:
        raise InputError("only convcalc import torch takes factory arguments", where="args")
    (file,) = sources
    if file.lower().endswith((".h5", ".hdf5")):
        msg = "a Keras HDF5 file is not read: save the model as .keras (model.save('model.keras')) or model.to_json()"
        raise InputError(msg, where=file)
    if file != "-":
        check_model_file(file)
    given = _standard_input_bytes() if file == "-" else None
    name = "<stdin>" if file == "-" else file
    if file.lower().endswith((".keras", ".json")) or (
        given is not None and (given[:2] == b"PK" or given.lstrip()[:1] == b"{")
    ):
        from convcalc.importers.keras_config import keras_import

        data = keras_import(name, shape, PrefixMeasure(measured_shapes), given)
        return data, f"{name} imported by convcalc import\nlayer names are the Keras layers' names", name, []
    from convcalc.importers.onnx_graph import onnx_import

    data, dynamic = onnx_import(name, shape, PrefixMeasure(measured_shapes), given)
    notes = _frozen_notes(dynamic, "sizes computed from the input's shape", data["input"])
    return data, f"{name} imported by convcalc import\nlayer names are the graph's node names", name, notes


def _torch(
    sources: list[str], shape: tuple[int, ...] | None, arguments: str | None
) -> tuple[dict[str, Any], str, str, list[str]]:
    """Import the module a factory builds, tracing it at the input shape; its own prints go to stderr."""
    if len(sources) != 2:  # noqa: PLR2004 - torch and the factory
        raise InputError("expected one factory: convcalc import torch PACKAGE.MODULE:FACTORY", where="sources")
    if shape is None:
        raise InputError("give the input shape, e.g. input_shape 1,3,224,224", where="import torch", asks="input_shape")
    from convcalc.importers.torch_fx import build_model, network_import

    target = sources[1]
    with contextlib.redirect_stdout(sys.stderr):  # the module's own prints: not into the network file
        data, frozen, said = network_import(build_model(target, arguments), shape, torch_import_vocabulary())
    comment = f"{target} imported by convcalc import torch\nlayer names are the model's module paths"
    return data, comment, target, [*_frozen_notes(frozen, "sizes read off a tensor", list(shape)), *said]


def _standard_input_bytes() -> bytes:
    """Read a model from standard input: a .keras archive, a to_json() config or an ONNX file, whole."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_MODEL_BYTES + 1) if stream is not None else sys.stdin.read().encode()
    if len(data) > MAX_MODEL_BYTES:
        msg = f"larger than {MAX_MODEL_BYTES // 2**30} GiB: a model file is not (ONNX keeps larger weights apart)"
        raise InputErrorGroup([InputError(msg, location=Location("<stdin>"))])
    return data
