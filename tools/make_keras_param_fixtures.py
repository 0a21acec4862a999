"""Record Keras' own parameter counts for models whose weights Keras counts in ways convcalc must follow.

Run with Keras 3 on JAX (`pip install keras jax jaxlib`):

    KERAS_BACKEND=jax python tools/make_keras_param_fixtures.py

Each model (weights=None, no top) is saved as a config-only `.keras` archive (config.json and
metadata.json, no weights) in tests/fixtures/keras_params/, with `count_params()` and the
trainable and non-trainable weight counts Keras reports, as MODEL.json. EfficientNetV2's
Normalization is given its mean and variance in the config (constants, no weights); MobileNetV3
rescales; ConvNeXt has LayerNormalization and a layer scale; InceptionResNetV2 its own
CustomScaleLayer (inputs[0] + inputs[1] * scale).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import keras

OUT = Path(__file__).parent.parent / "tests" / "fixtures" / "keras_params"
MODELS = {
    "efficientnetv2_b0": lambda: keras.applications.EfficientNetV2B0(weights=None, include_top=False),
    "mobilenet_v3_small": lambda: keras.applications.MobileNetV3Small(weights=None, include_top=False),
    "convnext_tiny": lambda: keras.applications.ConvNeXtTiny(weights=None, include_top=False),
    "inception_resnet_v2": lambda: keras.applications.InceptionResNetV2(weights=None, include_top=False),
}
SHAPE = (224, 224, 3)


def main() -> None:
    """Save each model's config-only archive and Keras' counts."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in MODELS.items():
        model = build()
        model.build((None, *SHAPE))
        buffer = io.BytesIO()
        path = OUT / f"{name}.keras"
        model.save(str(path))
        with zipfile.ZipFile(path) as full:
            kept = {member: full.read(member) for member in ("config.json", "metadata.json")}
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in kept.items():
                archive.writestr(member, data)
        path.write_bytes(buffer.getvalue())
        record = {
            "keras": keras.__version__,
            "input": [1, SHAPE[2], SHAPE[0], SHAPE[1]],
            "count_params": int(model.count_params()),
            "trainable": int(sum(w.numpy().size for w in model.trainable_weights)),
            "non_trainable": int(sum(w.numpy().size for w in model.non_trainable_weights)),
        }
        (OUT / f"{name}.json").write_text(json.dumps(record, sort_keys=True) + "\n")
        print(f"{name}: {record['count_params']:,} ({len(buffer.getvalue()):,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
