"""Receptive fields of a Keras model's layers by JAX's autograd, for tools/make_keras_fixtures.py.

The model is cloned with every dependency kept visible: activations made linear, max pools
(and Maximum/Minimum merges) made averages over the same windows, every weight positive
(around 1/fan-in), every bias, beta and moving mean zero and every variance one. On a positive
input, the gradient of one output position (all channels) is then non-zero exactly on the input
positions it depends on; its extent per spatial axis is the receptive field, exact where those
positions stay clear of the input's edges ("clipped" says they do not). "whole" says that one
position reads all that the whole layer reads (after global pooling). Four neighbouring
positions are tried and the largest extent kept, as after an upsampling the field varies.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np

SAMPLE = 8
"""Layers per model whose field is measured (spread over the model, the last spatial one included)."""


def _clone_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
    """Return a layer that reads what `layer` reads, through averages and linear activations only."""
    config = layer.get_config()
    kind = type(layer).__name__
    if "MaxPooling" in kind:
        return getattr(keras.layers, kind.replace("Max", "Average")).from_config(config)
    if kind in ("Maximum", "Minimum"):
        return keras.layers.Average(name=config["name"])
    if kind in ("ReLU", "LeakyReLU", "ELU"):
        return keras.layers.Activation("linear", name=config["name"])
    if "activation" in config:
        config["activation"] = "linear"
    return type(layer).from_config(config)


def _positive(model: keras.Model) -> None:
    """Give every weight a positive value, biases and shifts zero, variances one (no dependency cancels)."""
    generator = np.random.default_rng(0)
    for variable in model.weights:
        name = variable.path.rsplit("/", 1)[-1]
        shape = tuple(variable.shape)
        if name in ("bias", "beta", "moving_mean", "mean"):
            value = np.zeros(shape)
        elif name in ("moving_variance", "variance", "count"):
            value = np.ones(shape)
        else:
            fan_in = max(1, int(np.prod(shape[:-1]))) if len(shape) > 1 else 1
            value = (0.5 + generator.random(shape)) / fan_in
        variable.assign(value.astype(variable.dtype))


def _extents(mask: np.ndarray) -> list[int]:
    """Return the extent per spatial axis of the positions in a mask (first to last, both counted)."""
    extents = []
    for axis in range(mask.ndim):
        line = mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis))
        hit = np.flatnonzero(line)
        extents.append(int(hit[-1] - hit[0] + 1) if len(hit) else 0)
    return extents


def _touches_border(mask: np.ndarray) -> bool:
    """Whether the positions reach the input's edge on some axis."""
    for axis in range(mask.ndim):
        line = mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis))
        if line[0] or line[-1]:
            return True
    return False


def _part(model: keras.Model, name: str) -> keras.Model:
    """Return the model from its input to one layer's output (a Sequential's first layers, as they chain)."""
    if isinstance(model, keras.Sequential):
        end = [layer.name for layer in model.layers].index(name) + 1
        return keras.Sequential([keras.Input(model.inputs[0].shape[1:]), *model.layers[:end]])
    return keras.Model(model.inputs, model.get_layer(name).output)


def receptive_fields(model: keras.Model, shape: tuple[int, ...]) -> dict[str, Any]:
    """Return, for a sample of the layers with spatial outputs, the field per axis at an input of `shape`."""
    clone = keras.models.clone_model(model, clone_function=_clone_layer)
    _positive(clone)
    rank = len(shape) - 2
    spatial = [
        layer.name
        for layer in clone.layers
        if type(layer).__name__ != "InputLayer" and len(layer.output.shape) == rank + 2
    ]
    step = max(1, len(spatial) // SAMPLE)
    chosen = [*spatial[::step][:SAMPLE], spatial[-1]]
    x = jnp.asarray(0.5 + np.random.default_rng(1).random(shape), dtype="float32")
    fields: dict[str, Any] = {}
    for name in dict.fromkeys(chosen):
        part = _part(clone, name)
        trainable = [v.value for v in part.trainable_variables]
        frozen = [v.value for v in part.non_trainable_variables]
        output, pull = jax.vjp(lambda image: part.stateless_call(trainable, frozen, image)[0], x)  # noqa: B023
        read = np.asarray(pull(jnp.ones_like(output))[0])[0].sum(-1) > 0
        best, whole, clipped = [0] * rank, True, False
        for offset in range(4):
            index = (0, *(min(size - 1, size // 2 + offset) for size in output.shape[1:-1]))
            cotangent = jnp.zeros_like(output).at[index].set(1.0)
            mask = np.asarray(pull(cotangent)[0])[0].sum(-1) > 0
            best = [max(b, e) for b, e in zip(best, _extents(mask), strict=True)]
            whole = whole and bool((mask == read).all())
            clipped = clipped or _touches_border(mask)
        fields[name] = {"extent": best, "whole": whole, "clipped": clipped}
    return fields
