"""Read every keras.applications model by both of Keras' routes and hold each against Keras itself.

Run with Keras 3 on JAX (`pip install keras jax jaxlib`, convcalc importable):

    KERAS_BACKEND=jax python tools/probe_keras_zoo.py [MODEL ...]

Each application (weights=None) is built with its top at its usual input, saved as a
config-only `.keras` archive (config.json and metadata.json: what `stack` reads, no weights)
and as `model.to_json()`, into ZOO_KERAS (/tmp/zoo_keras unless said), and each file is read by
convcalc. Held against Keras: `count_params()` and its trainable and non-trainable split, and
every layer's output shape, by layer name. Then the model without its top, built for any image
size, is read at two sizes and its output held against Keras' `compute_output_shape` at each.
Prints one line per model and writes the outcomes to docs/zoo_keras.json (README's table of the
zoo is made from it by tools/zoo_table.py).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import keras

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import convcalc  # noqa: E402
from convcalc.core.cost import layer_cost  # noqa: E402
from convcalc.core.errors import ConvcalcError  # noqa: E402

OUT = ROOT / "docs" / "zoo_keras.json"
FOLDER = Path(os.environ.get("ZOO_KERAS", Path(tempfile.gettempdir()) / "zoo_keras"))
SIZES = {"NASNetLarge": ((331, 331), (363, 363)), "NASNetMobile": ((224, 224), (256, 256))}
"""The two image sizes each model without its top is read at (224 and 256 unless said); these are built at each."""


def _applications() -> list[str]:
    return sorted(name for name in dir(keras.applications) if name[0].isupper())


def _config_only(model: keras.Model, path: Path) -> None:
    """Save the model as a `.keras` archive of its config and metadata alone."""
    with tempfile.TemporaryDirectory() as folder:
        full = Path(folder) / "model.keras"
        model.save(str(full))
        with zipfile.ZipFile(full) as archive:
            kept = {member: archive.read(member) for member in ("config.json", "metadata.json")}
    written = io.BytesIO()
    with zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in kept.items():
            archive.writestr(member, data)
    path.write_bytes(written.getvalue())


def _keras_order(shape: tuple[int, ...]) -> list[int]:
    """Return a channels-first shape (convcalc's) in Keras' channels-last order."""
    return [shape[0], *shape[2:], shape[1]] if len(shape) > 2 else list(shape)


def _truth(model: keras.Model) -> dict[str, Any]:
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    frozen = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    outputs = {
        layer.name: [1, *layer.output.shape[1:]]
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer) and hasattr(layer.output, "shape")
    }
    return {"params": int(model.count_params()), "trainable": trainable, "non_trainable": frozen, "outputs": outputs}


def _read(path: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """Read one file with convcalc and compare it with Keras' truth."""
    try:
        result = convcalc.report(str(path)).result
    except ConvcalcError as error:
        return {"status": "refused", "reason": str(error).splitlines()[0].replace(f"{FOLDER}/", "")[:300]}
    costs = [layer_cost(layer) for layer in result.layers]
    trainable = sum(cost.trainable_params for cost in costs)
    frozen = sum(cost.non_trainable_params for cost in costs)
    ours = {layer.name: _keras_order(tuple(layer.output)) for layer in result.layers if layer.output is not None}
    compared = [name for name in truth["outputs"] if name in ours]
    wrong = sorted(name for name in compared if ours[name] != truth["outputs"][name])
    outcome = {
        "convcalc_params": result.total_params,
        "trainable": trainable,
        "non_trainable": frozen,
        "layers_compared": len(compared),
    }
    if wrong:
        outcome["wrong_layers"] = wrong[:5]
    right = (trainable, frozen) == (truth["trainable"], truth["non_trainable"]) and not wrong and result.ok
    return outcome | {"status": "ok" if right else "differs"}


def _any_size(name: str, path: Path) -> dict[str, Any]:
    """Read the model without its top at two sizes; hold its output against Keras' at each.

    NASNet, whose cells crop their paths to meet by rules of its known sizes (built for any size,
    Keras itself refuses it at 256), is saved at the first size and read at both, each held
    against the model Keras builds at that size.
    """
    build = getattr(keras.applications, name)
    sizes = SIZES.get(name, ((224, 224), (256, 256)))
    if name in SIZES:
        models = {size: build(weights=None, include_top=False, input_shape=(*size, 3)) for size in sizes}
    else:
        models = dict.fromkeys(sizes, build(weights=None, include_top=False, input_shape=(None, None, 3)))
    _config_only(models[sizes[0]], path)
    found = {}
    for height, width in sizes:
        want = [1, *models[height, width].compute_output_shape((1, height, width, 3))[1:]]
        try:
            result = convcalc.report(str(path), input_shape=(1, 3, height, width)).result
        except ConvcalcError as error:
            return {"status": "refused", "reason": str(error).splitlines()[0].replace(f"{FOLDER}/", "")[:300]}
        got = _keras_order(tuple(result.layers[-1].output or ()))
        found[f"{height}x{width}"] = {"keras": want, "convcalc": got}
    right = all(pair["keras"] == pair["convcalc"] for pair in found.values())
    return {"status": "ok" if right else "differs", "outputs": found}


def probe(name: str) -> dict[str, Any]:
    """Return one application's outcome by each route."""
    model = getattr(keras.applications, name)(weights=None)
    if None in model.input_shape[1:3]:  # MobileNetV3 leaves its sizes open even with its top: its usual 224
        model = getattr(keras.applications, name)(weights=None, input_shape=(224, 224, 3))
    truth = _truth(model)
    keras_path, json_path = FOLDER / f"{name}.keras", FOLDER / f"{name}.json"
    _config_only(model, keras_path)
    json_path.write_text(model.to_json())
    outcome = {key: truth[key] for key in ("params", "trainable", "non_trainable")}
    outcome["input"] = [1, model.input_shape[3], *model.input_shape[1:3]]
    outcome["keras"] = _read(keras_path, truth)
    outcome["to_json"] = _read(json_path, truth)
    outcome["any_size"] = _any_size(name, FOLDER / f"{name}_notop.keras")
    return outcome


def main(argv: list[str]) -> int:
    """Probe the applications named (all when none) and write docs/zoo_keras.json."""
    warnings.filterwarnings("ignore")
    FOLDER.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    found["keras"] = keras.__version__
    models = found.setdefault("models", {})
    for name in argv or _applications():
        try:
            models[name] = probe(name)
        except Exception as error:  # noqa: BLE001 - Keras failing to build or save a model is said, and the run goes on
            failed = {"status": "not built", "reason": f"{type(error).__name__}: {error}".splitlines()[0][:200]}
            models[name] = dict.fromkeys(("keras", "to_json", "any_size"), failed)
        routes = ("keras", "to_json", "any_size")
        said = [
            f"| {route}: {models[name][route]['status']} {models[name][route].get('reason', '')}" for route in routes
        ]
        print(name, *said, flush=True)
        OUT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
