"""Save real Keras models' configs and record the shapes Keras computes: tests/fixtures/keras/.

Run in a virtual environment of its own:

    pip install keras jax jaxlib h5py
    KERAS_BACKEND=jax python tools/make_keras_fixtures.py [MODEL ...]

Each of keras.applications' models below is built with weights=None twice: without its top
(`pooling="avg"`) for an input of any height and width, and with its top at its own size.
Each is saved by `model.save`, and only config.json and metadata.json are kept of the archive
(the weights file is left out: `convcalc import` reads nothing else). Keras then computes every
layer's output shape (channels-last, batch 1) for the model without its top at each size of
MODELS, and for the model with its top at its own size; each layer's shapes are recorded with
its trainable and non-trainable weight counts, in MODEL.json, with the receptive fields
JAX's autograd measures at a sample of layers (tools/keras_fields.py) at the first input
shape. (A model built at a size may differ from one built for any size: EfficientNet pads its
stem by the parity of the size it is built for, and for an open size as for an even one.)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras

sys.path.insert(0, str(Path(__file__).parent.parent))
from tools.keras_fields import receptive_fields

OUT = Path(__file__).parent.parent / "tests" / "fixtures" / "keras"
apps = keras.applications

MODELS: dict[str, tuple[Any, int, tuple[tuple[int, int], ...]]] = {
    "mobilenet": (apps.MobileNet, 224, ((224, 224), (160, 192))),
    "mobilenet_v2": (apps.MobileNetV2, 224, ((224, 224), (96, 128))),
    "resnet50": (apps.ResNet50, 224, ((224, 224), (161, 199))),
    "vgg16": (apps.VGG16, 224, ((224, 224), (64, 96))),
    "densenet121": (apps.DenseNet121, 224, ((224, 224), (97, 131))),
    "xception": (apps.Xception, 299, ((299, 299), (150, 171))),
    "efficientnet_b0": (apps.EfficientNetB0, 224, ((224, 224), (123, 157))),
}
"""Each model's builder, its own size (for the top), and the sizes its layers are recorded at."""


def _save_config(model: keras.Model, path: Path) -> None:
    """Save the model as Keras saves it, then keep only config.json and metadata.json of the archive."""
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "model.keras"
        model.save(saved)
        with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in ("metadata.json", "config.json"):
                archive.writestr(member, source.read(member))


def _layers(model: keras.Model, shape: tuple[int, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Return each layer's output shape (batch 1) and its trainable and non-trainable weight counts.

    With `shape`, the shapes are those Keras computes when the model runs on an input of that shape.
    """
    outputs = [layer.output for layer in model.layers]
    if shape is not None and isinstance(model, keras.Sequential):  # layer by layer: nested models too
        outputs, spec = [], keras.KerasTensor(shape)
        for layer in model.layers:
            spec = layer.compute_output_spec(spec)
            outputs.append(spec)
    elif shape is not None:
        extractor = keras.Model(model.inputs, outputs)
        outputs = extractor.compute_output_spec(keras.KerasTensor(shape))
    recorded = {}
    for layer, output in zip(model.layers, outputs, strict=True):
        recorded[layer.name] = {
            "output": [1 if size is None else int(size) for size in output.shape],
            "trainable": sum(int(w.numpy().size) for w in layer.trainable_weights),
            "non_trainable": sum(int(w.numpy().size) for w in layer.non_trainable_weights),
        }
    return recorded


def record(name: str) -> None:
    """Save one model's two configs and record its layers at each size."""
    build, own, sizes = MODELS[name]
    keras.backend.clear_session()
    _save_config(
        build(weights=None, include_top=False, pooling="avg", input_shape=(None, None, 3)), OUT / f"{name}.keras"
    )
    keras.backend.clear_session()
    _save_config(build(weights=None, input_shape=(own, own, 3)), OUT / f"{name}_top.keras")
    found: dict[str, Any] = {"keras": keras.__version__, "sizes": {}}
    keras.backend.clear_session()
    model = build(weights=None, include_top=False, pooling="avg", input_shape=(None, None, 3))
    for height, width in sizes:
        found["sizes"][f"1x{height}x{width}x3"] = _layers(model, (1, height, width, 3))
    found["receptive_field_input"] = [1, *sizes[0], 3]
    found["receptive_fields"] = receptive_fields(model, (1, *sizes[0], 3))
    keras.backend.clear_session()
    found["top"] = _layers(build(weights=None, input_shape=(own, own, 3)))
    (OUT / f"{name}.json").write_text(json.dumps(found, separators=(",", ":")) + "\n")
    print(f"{name}: {len(found['top'])} layers with the top, sizes {list(found['sizes'])}")


def _zoo() -> keras.Model:
    """Return a functional 2-D model of the layers the applications do not use, for any height and width."""
    layers = keras.layers
    image = keras.Input((None, None, 3), name="image")
    x = layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False, name="stem")(image)
    x = layers.BatchNormalization(center=False, name="stem_bn")(x)
    x = layers.ReLU(6.0, name="stem_relu")(x)
    deep = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", dilation_rate=2, name="deep")(x)
    wide = layers.SeparableConv2D(16, 3, padding="same", depth_multiplier=3, name="wide")(x)
    mean = layers.Average(name="mean")([deep, wide])
    most = layers.Maximum(name="most")([deep, wide])
    least = layers.Minimum(name="least")([deep, wide])
    x = layers.Concatenate(name="joined")([mean, most, least])
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=1, name="up")(x)
    x = layers.Cropping2D(((1, 0), (0, 1)), name="crop")(x)
    x = layers.ZeroPadding2D(((2, 0), (0, 1)), name="pad")(x)
    x = layers.GroupNormalization(groups=4, name="gn")(x)
    x = layers.LayerNormalization(name="ln")(x)
    x = layers.UpSampling2D(2, interpolation="bilinear", name="resize")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="max")(x)
    x = layers.AveragePooling2D(2, name="avg")(x)
    x = layers.Conv2D(12, 3, groups=4, dilation_rate=(1, 2), name="grouped")(x)
    x = layers.Dense(10, name="dense_cells")(x)
    x = layers.Activation("swish", name="swish")(x)
    x = layers.GlobalMaxPooling2D(keepdims=True, name="gmp")(x)
    x = layers.Dense(6, name="dense_pooled")(x)
    x = layers.Reshape((3, 2), name="reshape")(x)
    x = layers.Permute((2, 1), name="permute")(x)
    x = layers.Softmax(axis=1, name="softmax")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(0.2, name="drop")(x)
    x = layers.Dense(3, use_bias=False, name="logits")(x)
    return keras.Model(image, x, name="zoo")


def _zoo_1d() -> keras.Model:
    """Return a functional 1-D model: causal and dilated convolutions, depthwise and separable, pools."""
    layers = keras.layers
    series = keras.Input((None, 4), name="series")
    x = layers.Conv1D(8, 5, padding="causal", dilation_rate=2, name="causal")(series)
    x = layers.DepthwiseConv1D(3, strides=2, depth_multiplier=2, name="depthwise")(x)
    x = layers.SeparableConv1D(6, 3, padding="same", use_bias=False, name="separable")(x)
    x = layers.MaxPooling1D(2, name="max")(x)
    x = layers.UpSampling1D(3, name="up")(x)
    skip = layers.Conv1DTranspose(6, 4, strides=1, padding="same", name="back")(x)
    x = layers.Add(name="sum")([x, skip])
    x = layers.SpatialDropout1D(0.1, name="drop")(x)
    x = layers.GlobalAveragePooling1D(name="gap")(x)
    return keras.Model(series, x, name="zoo_1d")


def _zoo_3d() -> keras.Sequential:
    """Return a Sequential 3-D model (a video clip of any size)."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((None, None, None, 2)),
            layers.Conv3D(4, (3, 3, 3), strides=(1, 2, 2), padding="same", name="conv"),
            layers.ZeroPadding3D(((1, 0), (0, 1), (1, 1)), name="pad"),
            layers.AveragePooling3D((1, 2, 2), name="avg"),
            layers.Conv3DTranspose(3, 2, strides=2, name="up"),
            layers.Cropping3D(((0, 1), (1, 0), (0, 0)), name="crop"),
            layers.UpSampling3D((1, 2, 2), name="resize"),
            layers.GlobalMaxPooling3D(name="gmp"),
            layers.Dense(2, name="head"),
        ],
        name="zoo_3d",
    )


def _nested() -> keras.Sequential:
    """Return transfer learning's shape: a Sequential holding a functional backbone and a Sequential head."""
    layers = keras.layers
    image = keras.Input((None, None, 3), name="pixels")
    x = layers.Conv2D(8, 3, strides=2, padding="same", name="conv")(image)
    skip = layers.Conv2D(8, 1, strides=2, name="skip")(image)
    x = layers.Add(name="merge")([x, skip])
    backbone = keras.Model(image, layers.ReLU(name="out")(x), name="backbone")
    head = keras.Sequential([layers.GlobalAveragePooling2D(name="gap"), layers.Dense(4, name="fc")], name="head")
    return keras.Sequential(
        [keras.Input((None, None, 3)), layers.Rescaling(1 / 255, name="scale"), backbone, head], name="nested"
    )


ZOO: dict[str, tuple[Any, tuple[tuple[int, ...], ...]]] = {
    "zoo": (_zoo, ((1, 64, 48, 3), (2, 37, 53, 3))),
    "zoo_1d": (_zoo_1d, ((1, 50, 4), (3, 97, 4))),
    "zoo_3d": (_zoo_3d, ((1, 8, 16, 16, 2), (2, 5, 19, 23, 2))),
    "nested": (_nested, ((1, 32, 40, 3), (1, 17, 9, 3))),
}
"""Small models of every other layer convcalc follows, saved as `model.to_json()`, with their input shapes."""


def record_zoo(name: str) -> None:
    """Save one small model as model.to_json() and record its layers at each input shape (batch included)."""
    build, shapes = ZOO[name]
    keras.backend.clear_session()
    model = build()
    (OUT / f"{name}.model.json").write_text(model.to_json() + "\n")
    found = {"keras": keras.__version__, "sizes": {"x".join(map(str, s)): _layers(model, s) for s in shapes}}
    found["receptive_field_input"] = list(shapes[0])
    found["receptive_fields"] = receptive_fields(model, shapes[0])
    (OUT / f"{name}.json").write_text(json.dumps(found, separators=(",", ":")) + "\n")
    print(f"{name}: {len(model.layers)} layers, shapes {list(found['sizes'])}")


def _two_inputs() -> keras.Model:
    """Return a model of two images of any one size (a stem shared) and a feature map of its own, joined."""
    layers = keras.layers
    left, right = keras.Input((None, None, 3), name="left"), keras.Input((None, None, 3), name="right")
    hint = keras.Input((8, 10, 2), name="hint")
    stem = layers.Conv2D(3, 1, name="stem")  # one layer called on both images: its weights shared
    a = layers.Conv2D(4, 3, strides=2, padding="same", name="left_conv")(stem(left))
    b = layers.Conv2D(4, 3, strides=2, padding="same", name="right_conv")(stem(right))
    x = layers.Conv2D(6, 3, padding="same", name="head")(layers.Add(name="sum")([a, b]))
    pooled = layers.GlobalAveragePooling2D(name="gap")(x)
    hinted = layers.Flatten(name="hint_flat")(hint)
    return keras.Model([left, right, hint], layers.Concatenate(name="out")([pooled, hinted]), name="two_inputs")


def record_two_inputs() -> None:
    """Save the model of several inputs as model.to_json() and record its layers at two image sizes."""
    keras.backend.clear_session()
    model = _two_inputs()
    (OUT / "two_inputs.model.json").write_text(model.to_json() + "\n")
    once = [layer for layer in model.layers if len(layer._inbound_nodes) <= 1]  # noqa: SLF001 - a shared layer has no one output
    extractor = keras.Model(model.inputs, [layer.output for layer in once])
    found: dict[str, Any] = {"keras": keras.__version__, "count_params": int(model.count_params()), "sizes": {}}
    for height, width in ((32, 40), (17, 9)):
        image = (1, height, width, 3)
        specs = extractor.compute_output_spec(
            [keras.KerasTensor(image), keras.KerasTensor(image), keras.KerasTensor((1, 8, 10, 2))]
        )
        found["sizes"][f"1x{height}x{width}x3"] = {
            layer.name: [int(size) for size in spec.shape] for layer, spec in zip(once, specs, strict=True)
        }
    (OUT / "two_inputs.json").write_text(json.dumps(found, separators=(",", ":")) + "\n")
    print(f"two_inputs: {len(model.layers)} layers, sizes {list(found['sizes'])}")


def main() -> None:
    """Record the models named on the command line, or all."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[1:] or [*MODELS, *ZOO, "two_inputs"]:
        if name == "two_inputs":
            record_two_inputs()
        else:
            record_zoo(name) if name in ZOO else record(name)


if __name__ == "__main__":
    main()
