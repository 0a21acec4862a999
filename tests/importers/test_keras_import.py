"""Keras models read as network files (`framework: keras`): every layer's shape and weights as Keras computes them.

The fixtures (tests/fixtures/keras/) come from tools/make_keras_fixtures.py with Keras 3.15:
seven keras.applications models saved as `.keras` archives without their weights (once for
any height and width, without the top; once with the top at their own size), and four small
models of the other layers saved as `model.to_json()`; for each, every layer's output shape
and trainable weight count as Keras computes them at two or more input shapes, and the
receptive field JAX's autograd measures at a sample of layers. Keras is not needed here, as it
is not needed to import.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from convcalc.core.analysis import LayerResult, StackResult, analyze
from convcalc.core.cost import layer_cost
from convcalc.core.errors import InputErrorGroup
from convcalc.core.rearrange import from_keras_order, to_keras_order
from convcalc.importers.keras_config import keras_import
from convcalc.netfile.loader import load_network, measured_shapes, network_from_data
from convcalc.sources.read import read_network
from tests.conftest import ROOT, schema_errors
from tests.core.torch_cases import FIXTURES
from tools.compare_models import Comparison, _compare_field

if TYPE_CHECKING:
    from typer.testing import Result

FOLDER = FIXTURES / "keras"
APPLICATIONS = sorted(path.stem for path in FOLDER.glob("*.keras") if not path.stem.endswith("_top"))
SEVERAL = "two_inputs"
"""The model of several inputs, recorded by its own rule (test_a_model_of_several_inputs_reads_each_by_name)."""
ZOO = sorted(path.name.removesuffix(".model.json") for path in FOLDER.glob("*.model.json") if SEVERAL not in path.name)


def _record(model: str) -> dict[str, Any]:
    return dict(json.loads((FOLDER / f"{model}.json").read_text()))


def _shape(key: str) -> tuple[int, ...]:
    """Return a recorded input shape ('1x224x224x3', Keras' order) in convcalc's order."""
    return from_keras_order(tuple(int(size) for size in key.split("x")))


def _cases() -> list[tuple[str, str, str]]:
    """Return (file, model, input shape) for every recorded shape of every fixture."""
    cases = [(f"{m}.keras", m, size) for m in APPLICATIONS for size in _record(m)["sizes"]]
    cases += [(f"{m}_top.keras", m, "top") for m in APPLICATIONS]
    return cases + [(f"{m}.model.json", m, size) for m in ZOO for size in _record(m)["sizes"]]


def _keras_layers(result: StackResult) -> dict[str, tuple[LayerResult, tuple[int, int]]]:
    """Return, by Keras layer name, the convcalc layer holding its output and its (trainable, non-trainable) weights.

    A SeparableConv is NAME/depthwise then NAME; a nested model's layers are OUTER/inner, the
    last of them holding the model's output.
    """

    def weights(layer: LayerResult) -> tuple[int, int]:
        cost = layer_cost(layer)
        return cost.trainable_params, cost.non_trainable_params

    def plus(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        return a[0] + b[0], a[1] + b[1]

    names = {layer.name for layer in result.layers}
    found = {layer.name: (layer, weights(layer)) for layer in result.layers}
    for layer in result.layers:
        if layer.name.endswith("/depthwise") and layer.name.removesuffix("/depthwise") in names:
            whole, counted = found[layer.name.removesuffix("/depthwise")]
            found[whole.name] = (whole, plus(counted, weights(layer)))
            continue
        for outer in _outer_names(layer.name):
            if outer not in names:
                counted = found[outer][1] if outer in found else (0, 0)
                found[outer] = (layer, plus(counted, weights(layer)))
    return found


def _compare(result: StackResult, layers: dict[str, dict[str, Any]]) -> int:
    """Assert every Keras layer's output and weights, trainable and not; return how many layers were compared."""
    found = _keras_layers(result)
    inputs = [name for name in layers if name not in found]
    assert len(inputs) <= 1, inputs  # the InputLayer (a functional model's layers hold it)
    for name in inputs:
        assert list(to_keras_order(result.input)) == layers[name]["output"]
    for name, keras_layer in layers.items():
        if name in inputs:
            continue
        layer, params = found[name]
        assert layer.output is not None, f"{name}: {layer.error}"
        assert list(to_keras_order(tuple(layer.output))) == keras_layer["output"], name
        assert params == (keras_layer["trainable"], keras_layer["non_trainable"]), name
    assert not result.failures
    return len(layers)


def _outer_names(name: str) -> list[str]:
    """Return the nested models a layer's name places it in ('backbone/out' is in 'backbone')."""
    parts = name.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def test_the_fixtures_hold_the_real_models() -> None:
    """Seven applications and four small models, recorded by Keras 3, with every layer class they use."""
    assert len(APPLICATIONS) == 7
    assert ZOO == ["nested", "zoo", "zoo_1d", "zoo_3d"]
    layers = sum(len(shapes) for m in [*APPLICATIONS, *ZOO] for shapes in _record(m)["sizes"].values())
    layers += sum(len(_record(m)["top"]) for m in APPLICATIONS)
    assert layers > 3500


@pytest.mark.parametrize(("file", "model", "size"), _cases())
def test_every_layer_as_keras_computes_it(file: str, model: str, size: str) -> None:
    """Each layer's output shape and trainable weight count equal Keras', at each recorded input shape."""
    record = _record(model)
    layers = record["top"] if size == "top" else record["sizes"][size]
    shape = None if size == "top" else _shape(size)
    data = keras_import(str(FOLDER / file), shape, measured_shapes)
    assert data["framework"] == "keras"
    assert _compare(analyze(network_from_data(data, file)), layers) == len(layers)


@pytest.mark.parametrize("model", APPLICATIONS + ZOO)
def test_one_import_holds_at_every_size(model: str) -> None:
    """Imported once, the file gives Keras' shapes at every other input: no size of the input is written in it."""
    file = f"{model}.keras" if model in APPLICATIONS else f"{model}.model.json"
    sizes = list(_record(model)["sizes"])
    data = keras_import(str(FOLDER / file), _shape(sizes[0]), measured_shapes)
    for size in sizes[1:]:
        again = keras_import(str(FOLDER / file), _shape(size), measured_shapes)
        assert again["layers"] == data["layers"]
        network = network_from_data(data, file, input_shape=_shape(size))
        _compare(analyze(network), _record(model)["sizes"][size])


@pytest.mark.parametrize("model", APPLICATIONS + ZOO)
def test_receptive_fields_equal_autograd(model: str) -> None:
    """The field at a sample of layers equals JAX's autograd (exact, or bounded where it saw the input's edges)."""
    record = _record(model)
    file = f"{model}.keras" if model in APPLICATIONS else f"{model}.model.json"
    shape = _shape("x".join(map(str, record["receptive_field_input"])))
    result = analyze(network_from_data(keras_import(str(FOLDER / file), shape, measured_shapes), file))
    layers = _keras_layers(result)
    found = Comparison(model)
    for name, measured in record["receptive_fields"].items():
        _compare_field(name, layers[name][0], measured, found)
    assert not found.differences, found.differences
    assert found.fields + found.bounded == len(record["receptive_fields"]) >= 2


def test_import_writes_a_file_that_check_passes(run: Callable[..., Result], tmp_path: Path) -> None:
    """import -o with --expect, then check; the file reads as Keras writes the layers."""
    out = tmp_path / "mobilenet.yaml"
    archive = str(FOLDER / "mobilenet_top.keras")
    result = run("import", archive, "--expect", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text = out.read_text()
    assert text.startswith(f"# {archive} imported by convcalc import\n")
    assert "framework: keras\ninput: [1, 3, 224, 224]\n" in text
    assert (
        '{type: "Conv2D", name: "conv1", filters: 32, kernel_size: 3, strides: 2, padding: "same", use_bias: false, expect: [1, 32, 112, 112]}'
        in text
    )
    assert (
        '{type: "Conv2D", name: "conv_dw_1", filters: 32, kernel_size: 3, padding: "same", use_bias: false, groups: 32, expect'
        in text
    )
    assert '{type: "Reshape", name: "reshape_2", target_shape: [1000], expect: [1, 1000]}' in text
    checked = run("check", str(out))
    assert checked.exit_code == 0, checked.output
    assert "every shape as expected" in checked.stdout


def test_stack_and_check_read_a_keras_file(run: Callable[..., Result]) -> None:
    """stack MODEL.keras --input: the table of the model, its layers' names; check MODEL.keras passes."""
    archive = str((FOLDER / "resnet50.keras").relative_to(ROOT))  # the title holds it: not the checkout's path
    result = run("stack", archive, "--input", "2,3,256,320", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["layers"][-1]["name"] == "avg_pool"
    assert data["layers"][-1]["output"] == [2, 2048]
    table = run("stack", archive, "--input", "1,3,224,224")
    assert "conv5_block3_out" in table.stdout
    assert "keras rules" in " ".join(table.stdout.split())
    assert run("check", str(FOLDER / "vgg16_top.keras")).exit_code == 0


def test_a_to_json_file_of_keras_2_is_read(tmp_path: Path) -> None:
    """Keras 2's config: `batch_input_shape`, inbound nodes as [layer, call, output, kwargs] lists."""
    layers = [
        {"class_name": "InputLayer", "name": "input_1",
         "config": {"batch_input_shape": [None, 28, 28, 1], "name": "input_1"}, "inbound_nodes": []},
        {"class_name": "Conv2D", "name": "conv2d", "inbound_nodes": [[["input_1", 0, 0, {}]]],
         "config": {"name": "conv2d", "filters": 32, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                    "data_format": "channels_last", "dilation_rate": [1, 1], "use_bias": True}},
        {"class_name": "MaxPooling2D", "name": "pool", "inbound_nodes": [[["conv2d", 0, 0, {}]]],
         "config": {"name": "pool", "pool_size": [2, 2], "strides": [2, 2], "padding": "valid"}},
        {"class_name": "Conv2D", "name": "side", "inbound_nodes": [[["pool", 0, 0, {}]]],
         "config": {"name": "side", "filters": 32, "kernel_size": [1, 1], "padding": "same"}},
        {"class_name": "Add", "name": "add", "config": {"name": "add"},
         "inbound_nodes": [[["pool", 0, 0, {}], ["side", 0, 0, {}]]]},
        {"class_name": "Flatten", "name": "flatten", "config": {"name": "flatten"},
         "inbound_nodes": [[["add", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "dense", "config": {"name": "dense", "units": 10, "use_bias": True},
         "inbound_nodes": [[["flatten", 0, 0, {}]]]},
    ]  # fmt: skip
    config = {"name": "model", "layers": layers, "input_layers": [["input_1", 0, 0]],
              "output_layers": [["dense", 0, 0]]}  # fmt: skip
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"class_name": "Functional", "config": config, "keras_version": "2.13.1"}))
    result = analyze(network_from_data(keras_import(str(path), None), "model.json"))
    assert [(layer.name, layer.output, layer.params) for layer in result.layers] == [
        ("conv2d", (1, 32, 26, 26), 320),
        ("pool", (1, 32, 13, 13), 0),
        ("side", (1, 32, 13, 13), 1056),
        ("add", (1, 32, 13, 13), 0),
        ("flatten", (1, 5408), 0),
        ("dense", (1, 10), 54090),
    ]
    sequential = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Conv2D", "config": {"name": "c", "batch_input_shape": [None, 9, 9, 2], "filters": 4,
                                            "kernel_size": [3, 3]}},
        {"class_name": "GlobalAveragePooling2D", "config": {"name": "g"}},
    ]}}  # fmt: skip
    path.write_text(json.dumps(sequential))
    result = analyze(network_from_data(keras_import(str(path), None), "model.json"))
    assert [layer.output for layer in result.layers] == [(1, 4, 7, 7), (1, 4)]


def _functional(tmp_path: Path, layers: list[dict[str, Any]], inputs: int = 1) -> str:
    """Write a Keras 3 archive of a functional model: image (None, None, None, 3), then `layers`."""
    image = {"class_name": "InputLayer", "name": "image", "inbound_nodes": [],
             "config": {"batch_shape": [None, None, None, 3], "name": "image"}}  # fmt: skip
    config = {"name": "m", "layers": [image, *layers], "input_layers": [["image", 0, 0]] * inputs,
              "output_layers": [[layers[-1]["name"], 0, 0]]}  # fmt: skip
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps({"class_name": "Functional", "config": config}))
    return str(path)


def _call(name: str, class_name: str, reads: list[str], **config: Any) -> dict[str, Any]:
    tensors = [{"class_name": "__keras_tensor__", "config": {"keras_history": [r, 0, 0]}} for r in reads]
    return {"class_name": class_name, "name": name, "config": {"name": name, **config},
            "inbound_nodes": [{"args": tensors if len(tensors) > 1 else tensors[:1], "kwargs": {}}]}  # fmt: skip


def test_a_nested_model_is_read_in_its_place(run: Callable[..., Result]) -> None:
    """A Sequential holding a functional backbone and a Sequential head: their layers named OUTER/inner."""
    result = run("import", str(FOLDER / "nested.model.json"), "--input", "1,3,32,40")
    assert result.exit_code == 0, result.output
    assert '{type: "Conv2D", name: "backbone/skip", filters: 8, kernel_size: 1, strides: 2, from: "scale"}' in (
        result.stdout
    )
    assert '{type: "Add", name: "backbone/merge", from: ["backbone/conv", "backbone/skip"]}' in result.stdout
    assert '{type: "GlobalAveragePooling2D", name: "head/gap"}' in result.stdout


def test_a_layer_not_followed_is_one_line_each(run: Callable[..., Result], tmp_path: Path) -> None:
    """The layer, its class and why, exit 2; every such layer is said; nothing on stdout."""
    path = _functional(tmp_path, [
        _call("conv", "Conv2D", ["image"], filters=4, kernel_size=3),
        _call("fn", "Lambda", ["conv"], function="x * 2"),
        _call("nchw", "Conv2D", ["fn"], filters=4, kernel_size=3, data_format="channels_first"),
        _call("bn", "BatchNormalization", ["nchw"], axis=1),
    ])  # fmt: skip
    result = run("import", path, "--input", "1,3,32,32")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: layer 'fn' (Lambda): convcalc does not follow this layer",
        (
            f"{path}: layer 'nchw' (Conv2D): data_format channels_first is not followed "
            "(convcalc reads channels-last models)"
        ),
        f"{path}: layer 'bn' (BatchNormalization): axis 1 is not followed (convcalc follows the channels, axis -1)",
    ]


OPEN_SIZES = "the model's input (None, None, None, 3) leaves sizes open: give them with --input, e.g. 1,3,224,224"
WRONG_CHANNELS = (
    "--input: the model takes 3 channels (its input is (None, None, None, 3), channels last); "
    "--input is [N, C, *spatial] as convcalc writes shapes, e.g. 1,3,224,224"
)
NOT_A_MODEL = "not a Keras model's config (expected a Functional or Sequential model, found 'Adam')"


def test_the_bad_inputs_say_why(run: Callable[..., Result], tmp_path: Path) -> None:
    """Open sizes without --input, the wrong channels, another rank, files that are not Keras models."""
    archive = str(FOLDER / "resnet50.keras")
    empty = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty, "w") as broken:
        broken.writestr("metadata.json", "{}")
    not_json = tmp_path / "model.json"
    not_json.write_text("{'class_name': ")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"class_name": "Adam", "config": {}}))
    second = {"class_name": "__keras_tensor__", "config": {"keras_history": ["image", 0, 1]}}
    twice = _functional(tmp_path, [{**_call("c", "Conv2D", ["image"], filters=4, kernel_size=3),
                                    "inbound_nodes": [{"args": [second]}]}])  # fmt: skip
    for args, message in (
        (("import", archive), OPEN_SIZES),
        (("import", archive, "--input", "1,224,224,3"), WRONG_CHANNELS),
        (("stack", archive, "--input", "1,3,224"), "--input: gives 3 values but the model's input"),
        (("import", str(empty)), "a zip archive without config.json: not a .keras file"),
        (("import", str(not_json)), "not a Keras config: invalid JSON at line 1, column 2"),
        (("import", str(other)), NOT_A_MODEL),
        (("import", twice, "--input", "1,3,8,8"), "layer 'c' (Conv2D) reads output 1 of 'image': convcalc follows"),
        (("import", str(tmp_path / "absent.keras")), "no such file"),
        (("import", str(tmp_path / "weights.h5")), "a Keras HDF5 file is not read: save the model as .keras"),
    ):  # fmt: skip
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output


def test_the_keras_types_read_as_keras_numbers_axes() -> None:
    """Dense maps the channels, Permute and Reshape number Keras' axes, BatchNormalization counts as Keras counts."""
    text = """framework: keras
input: [2, 6, 5, 4]
layers:
  - {type: Dense, name: cells, units: 8}
  - {type: BatchNormalization, name: bn, center: false}
  - {type: Permute, name: swapped, dims: [2, 1, 3]}
  - {type: Reshape, name: rows, target_shape: [-1, 16]}
  - {type: Softmax, name: softmax, axis: 1}
"""
    result = analyze(load_network(text, "k.yaml"))
    keras_shapes = [list(to_keras_order(tuple(layer.output or ()))) for layer in result.layers]
    assert keras_shapes == [[2, 5, 4, 8], [2, 5, 4, 8], [2, 4, 5, 8], [2, 10, 16], [2, 10, 16]]
    assert [layer.params for layer in result.layers] == [6 * 8 + 8, 8 + 2 * 8, 0, 0, 0]  # gamma; moving mean, var
    assert [(c.trainable_params, c.non_trainable_params) for c in map(layer_cost, result.layers)][1] == (8, 16)
    assert result.layers[0].warnings == ()  # Keras' Dense never states in_features: nothing to say


def test_a_keras_file_without_the_config_is_refused_whole() -> None:
    """keras_import raises one group of errors, each located at the file."""
    with pytest.raises(InputErrorGroup) as raised:
        keras_import(str(FOLDER / "resnet50.json"), (1, 3, 8, 8))
    assert "not a Keras model's config" in str(raised.value.errors[0])


def test_stack_reads_a_to_json_file(run: Callable[..., Result]) -> None:
    """A `.json` file holding model.to_json() is read as the model; a network file in JSON stays one."""
    result = run("stack", str(FOLDER / "zoo_1d.model.json"), "--input", "1,4,50", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [layer["name"] for layer in json.loads(result.stdout)["layers"]][:3] == [
        "causal",
        "depthwise",
        "separable/depthwise",
    ]


@pytest.mark.parametrize("file", ["zoo.model.json", "zoo_1d.model.json", "zoo_3d.model.json", "xception_top.keras"])
def test_imported_files_validate_against_the_schema(run: Callable[..., Result], file: str) -> None:
    """What import writes is a network file the shipped JSON Schema accepts."""
    yaml = pytest.importorskip("yaml")
    shape = {"zoo_1d.model.json": "1,4,50", "zoo_3d.model.json": "1,2,8,16,16"}.get(file, "1,3,299,299")
    result = run("import", str(FOLDER / file), "--input", shape)
    assert result.exit_code == 0, result.output
    assert schema_errors(yaml.safe_load(result.stdout)) == []


def test_a_layer_config_without_a_key_it_needs_says_which(tmp_path: Path) -> None:
    """A Dense without units: the layer, its class and the key."""
    path = _functional(tmp_path, [_call("head", "Dense", ["image"])])
    with pytest.raises(InputErrorGroup) as raised:
        keras_import(path, (1, 3, 8, 8))
    assert [str(error) for error in raised.value.errors] == [f"{path}: layer 'head' (Dense): its config has no 'units'"]


def test_config_values_of_another_json_type_say_what_they_hold(tmp_path: Path) -> None:
    """A value of another JSON type than Keras writes: the layer, its class and what the value is, one line each."""
    cases = [
        (_call("head", "Dense", ["image"], units="ten"), "its units is a string ('ten'), not a whole number"),
        (
            _call("head", "Conv2D", ["image"], filters=[8], kernel_size=3),
            "its filters is a list ([8]), not a whole number",
        ),
        (_call("head", "Reshape", ["image"], target_shape=7), "its target_shape is a number, not a list"),
        (_call("head", "MaxPooling2D", ["image"]), "its config has no 'pool_size'"),
        ({**_call("head", "ReLU", ["image"]), "inbound_nodes": [{"args": [], "kwargs": {}}]}, "it reads no layer"),
    ]
    for layer, message in cases:
        path = _functional(tmp_path, [layer])
        with pytest.raises(InputErrorGroup) as raised:
            keras_import(path, (1, 3, 8, 8))
        lines = [str(error) for error in raised.value.errors]
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"{path}: layer 'head' ("), lines
        assert message in lines[0], lines


def test_a_fault_in_the_reader_is_not_called_bad_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader catches only its own not-followed error: a TypeError of its own code is a bug (exit 70)."""
    from convcalc.cli.entry import main
    from convcalc.importers import keras_config

    def broken(*_: object) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(keras_config, "_window", broken)
    path = _functional(tmp_path, [_call("head", "Conv2D", ["image"], filters=8, kernel_size=3)])
    assert main(["stack", path, "--input", "1,3,8,8"]) == 70
    assert "internal error in `convcalc stack` (TypeError)" in capsys.readouterr().err


def test_a_permute_that_names_axis_0_keeps_meaning_torch_s() -> None:
    """In a Keras file, dims naming axis 0 (or counting from the end) are torch's, as files ported from torch have."""
    head = "framework: keras\ninput: [1, 6, 5, 4]\nlayers:\n"
    torch_dims = analyze(load_network(head + "  - {type: permute, dims: [0, 2, 3, 1]}\n", "t.yaml"))
    keras_dims = analyze(load_network(head + "  - {type: Permute, dims: [3, 1, 2]}\n", "k.yaml"))
    assert torch_dims.layers[0].output == (1, 5, 4, 6)
    assert keras_dims.layers[0].output == (1, 4, 6, 5)  # Keras (N, 5, 4, 6) -> (N, 6, 5, 4): channels last, 4


def test_a_frozen_layer_or_model_is_written_non_trainable(tmp_path: Path) -> None:
    """`trainable: false` in Keras' config (a frozen backbone freezes its layers) is kept, and counted so."""
    from convcalc.core.cost import network_cost

    model = json.loads((FOLDER / "nested.model.json").read_text())
    backbone = next(layer for layer in model["config"]["layers"] if layer["config"].get("name") == "backbone")
    backbone["config"]["trainable"] = False
    path = tmp_path / "frozen.json"
    path.write_text(json.dumps(model))
    data = keras_import(str(path), (1, 3, 32, 40))
    assert {layer["name"] for layer in data["layers"] if layer.get("trainable") is False} == {
        "backbone/conv",
        "backbone/skip",
        "backbone/merge",
        "backbone/out",
    }
    cost = network_cost(analyze(network_from_data(data, "frozen.json")))
    keras_layers = _record("nested")["sizes"]["1x32x40x3"]
    assert cost.non_trainable_params == keras_layers["backbone"]["trainable"]  # Keras counted them trainable here
    assert cost.trainable_params == keras_layers["head"]["trainable"]


def test_a_model_of_several_inputs_reads_each_by_name() -> None:
    """Two images of one size, a stem shared by both, a map of its own size: Keras' shapes and count_params().

    The second image follows --input; the stem's second call shares the first's weights.
    """
    record = json.loads((FOLDER / f"{SEVERAL}.json").read_text())
    for size, layers in record["sizes"].items():
        _, height, width, _ = (int(v) for v in size.split("x"))
        result = analyze(read_network(str(FOLDER / f"{SEVERAL}.model.json"), input_shape=(1, 3, height, width)))
        assert result.ok, result.failures
        shapes = {name: list(to_keras_order(shape)) for name, shape in result.inputs}
        shapes |= {layer.name: list(to_keras_order(tuple(layer.output or ()))) for layer in result.layers}
        assert {name: shapes[name] for name in layers} == layers
        assert result.total_params == record["count_params"]
        assert [layer.spec.shares for layer in result.layers if layer.name.startswith("stem")] == [None, "stem"]
