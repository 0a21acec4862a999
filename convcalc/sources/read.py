"""Read a network from a path: a network file (YAML), an ONNX graph, a Keras model or its to_json()."""

from __future__ import annotations

import json

from convcalc.core.spec import NetworkSpec
from convcalc.netfile.files import check_model_file
from convcalc.netfile.loader import PrefixMeasure, load_network, measured_shapes, network_from_data, read_text


def read_network(path: str, *, input_shape: tuple[int, ...] | None = None) -> NetworkSpec:
    """Read and parse a network file ('-' for standard input), an ONNX model (MODEL.onnx) or a Keras one (.keras)."""
    if path.lower().endswith((".onnx", ".keras")):
        check_model_file(path)
    if path.lower().endswith(".onnx"):  # the importer loads only for an ONNX file
        from convcalc.importers.onnx_graph import onnx_network_data

        data = onnx_network_data(path, input_shape, PrefixMeasure(measured_shapes))
        return network_from_data(data, path, input_shape=input_shape)
    if path.lower().endswith(".keras"):
        from convcalc.importers.keras_config import keras_import

        data = keras_import(path, input_shape, PrefixMeasure(measured_shapes))
        return network_from_data(data, path, input_shape=input_shape)
    text, source = read_text(path)
    if path.lower().endswith(".json") and '"class_name"' in text:  # perhaps a Keras model.to_json()
        from convcalc.importers.keras_config import is_keras_model, keras_network_data

        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if is_keras_model(parsed):
            data = keras_network_data(parsed, source, input_shape, PrefixMeasure(measured_shapes))
            return network_from_data(data, source, input_shape=input_shape)
    return load_network(text, source, input_shape=input_shape)
