"""convcalc port: the code it writes, run in each target framework, gives exactly the source framework's shape."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from convcalc import Status, analyze
from convcalc.core.errors import LayerError
from convcalc.core.spec import Framework
from convcalc.design.port import port, target_output
from convcalc.design.port_network import port_network
from convcalc.netfile.writer import network_yaml
from convcalc.render.code import snippet
from convcalc.sources.read import read_network
from tests.conftest import schema_errors
from tests.core.torch_cases import FIXTURES, case_input, layer_from_case, load_cases

Run = Callable[..., Result]
Golden = Callable[[Path, str], None]
SOURCES = ("torch", "keras", "onnx", "jax")
TARGETS = ("torch", "keras", "onnx", "jax")
CASES = {name: load_cases(f"{name}_layers.json") for name in SOURCES}
TABLES = {target: json.loads((FIXTURES / f"port_{target}.json").read_text()) for target in TARGETS}
RECORDS = [(target, record) for target in TARGETS for record in TABLES[target]["records"]]
EXAMPLES = sorted(Path(__file__).parent.parent.parent.glob("examples/*.yaml"))


def _source_output(case: dict[str, Any]) -> list[int]:
    """Return the source framework's own output size (the torch table records full shapes)."""
    output: list[int] = case["output"][2:] if "framework" not in case else case["output"]
    return output


def _ported_cases(target: str) -> list[tuple[str, int]]:
    found = []
    for source in SOURCES:
        for index, case in enumerate(CASES[source]):
            if case["error"] is not None:
                continue
            try:
                port(layer_from_case(case), case_input(case), Framework(target))
            except LayerError:
                continue
            found.append((source, index))
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_every_portable_layer_was_run_in_the_target(target: str) -> None:
    """The fixture holds every layer convcalc ports to the target, from every source table, and no other."""
    recorded = [(r["from"], r["case"]) for r in TABLES[target]["records"]]
    assert recorded == _ported_cases(target)
    assert len(recorded) >= 700


@pytest.mark.parametrize(("target", "record"), RECORDS, ids=[f"{r['from']}-{r['case']}-to-{t}" for t, r in RECORDS])
def test_ported_code_gives_the_source_shape_in_the_target(target: str, record: dict[str, Any]) -> None:
    """The code is what convcalc writes today, and the target framework ran it to the source's output size."""
    case = CASES[record["from"]][record["case"]]
    shape = case_input(case)
    ported = port(layer_from_case(case), shape, Framework(target))
    assert snippet(ported, shape[1], ported.layer.out_channels or shape[1]) == record["python"]
    assert record["output"] == _source_output(case) == list(ported.output)


def test_refusals_say_why() -> None:
    """What has no equivalent: a dilated Keras pool, strided dilation in Keras, grouped transposed layers, size 0."""
    reasons: Counter[str] = Counter()
    for source in SOURCES:
        for case in CASES[source]:
            if case["error"] is not None:
                continue
            for target in Framework:
                try:
                    port(layer_from_case(case), case_input(case), target)
                except LayerError as error:
                    reasons[re.sub(r"\[[^\]]*\]", "[..]", str(error))[:80]] += 1
    assert reasons == {
        "no keras layer does this: Keras pooling layers have no dilation": 80,
        "no keras layer does this: `strides > 1` not supported in conjunction with `dilat": 159,
        "no keras layer does this: Keras' Conv*DTranspose has no groups": 25,
        "no jax layer does this: lax.conv_transpose has no groups": 25,
        "no torch layer gives an output of size [..]: torch refuses sizes below 1": 73,
        "no keras layer gives an output of size [..]: keras refuses sizes below 1": 73,
        "no onnx layer gives an output of size [..]: onnx refuses sizes below 1": 73,
    }


def test_port_table(run: Run) -> None:
    """Keras same with stride 2 and an even kernel: a ZeroPad2d((1, 2, 1, 2)) before a Conv2d(padding=0)."""
    result = run("port", "--from", "keras", "conv", "-i", "7", "-k", "4", "-s", "2", "-p", "same")
    assert result.exit_code == 0
    assert result.stdout == (
        "keras conv on 7×7 → 4×4, in torch.nn (N, C, H, W):\n"
        "#   torch.nn                                              output\n"
        "────────────────────────────────────────────────────────────────\n"
        "1   nn.ZeroPad2d((1, 2, 1, 2))                             10×10\n"
        "2   nn.Conv2d(1, 1, kernel_size=4, stride=2, padding=0)      4×4\n"
    )


def test_port_to_keras_finds_its_same(run: Run) -> None:
    """A torch.nn upsampler (k=4, s=2, p=1) is Keras' Conv2DTranspose with padding same; the layout is channels last."""
    result = run("port", "--to", "keras", "convt", "-i", "4", "-k", "4", "-s", "2", "-p", "1", "-f", "python")
    assert result.stdout == 'import keras\n\nlayer = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same")\n'
    table = run("port", "--to", "keras", "convt", "-i", "4", "-k", "4", "-s", "2", "-p", "1").stdout
    assert table.startswith("torch convtranspose on 4×4 → 8×8, in Keras (N, H, W, C):")


def test_port_python_and_json(run: Run) -> None:
    """--format python is paste-ready; --format json carries the same code, the pads and the layer."""
    python = run("port", "--from", "keras", "convt", "-i", "3", "-k", "3", "-s", "2", "-a", "1", "--format", "python")
    assert python.stdout == (
        "from torch import nn\n\nlayer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=0, output_padding=1)\n"
    )
    data = json.loads(
        run(
            "port", "--from", "onnx", "pool", "--dims", "1", "-i", "7", "-k", "2", "-s", "1", "-p", "0:1", "-f", "json"
        ).stdout
    )
    assert data["output"] == [1, 1, 7]
    assert data["pad_before"] == [[0, 1]]
    assert data["layer"]["padding"] == [[0, 0]]
    onnx = json.loads(
        run("port", "--to", "onnx", "pool", "-i", "7", "-k", "3", "-s", "2", "-p", "1", "-f", "json").stdout
    )
    assert onnx["python"] == (
        "from onnx import helper\n\nnodes = [\n"
        '    helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),\n]\n'
    )


def test_port_yaml_reads_back_to_the_same_shape(run: Run, tmp_path: Path) -> None:
    """--format yaml writes a network file in the target framework that `convcalc stack` sizes the same."""
    result = run("port", "--from", "jax", "--to", "keras", "conv", "-i", "9", "-k", "3", "-p", "-1:2", "-f", "yaml")
    assert result.stdout == (
        "# conv layer ported from jax to keras\n"
        "framework: keras\n"
        "input: [1, 1, 9, 9]\n"
        "layers:\n"
        "  - {type: ZeroPadding2D, padding: [[0, 2], [0, 2]]}\n"
        "  - {type: Cropping2D, cropping: [[1, 0], [1, 0]]}\n"
        "  - {type: conv, kernel_size: 3, stride: 1, padding: valid}\n"
    )
    path = tmp_path / "ported.yaml"
    path.write_text(result.stdout)
    data = json.loads(run("stack", str(path), "--format", "json").stdout)
    assert data["output"] == [1, 1, 8, 8]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
@pytest.mark.parametrize("target", list(Framework))
def test_every_example_ports_and_reads_back(example: Path, target: Framework, tmp_path: Path) -> None:
    """Every bundled network, in every framework: the written file loads and gives every layer's expect."""
    network = read_network(str(example))
    ported = port_network(network, target)
    path = tmp_path / "ported.yaml"
    path.write_text(network_yaml(ported.network))
    back = analyze(read_network(str(path)))
    assert all(layer.status is Status.OK for layer in back.layers)
    assert back.layers[-1].output == analyze(network).layers[-1].output
    expected = sum(layer.expect is not None for layer in network.layers)
    assert sum(layer.spec.expect is not None for layer in back.layers) == expected
    yaml = pytest.importorskip("yaml")
    assert schema_errors(yaml.safe_load(path.read_text())) == []


def test_port_a_network_file(run: Run, tmp_path: Path) -> None:
    """A Keras file in torch.nn: a table per layer, then the same as a file and as code."""
    text = (
        "framework: keras\ninput: [1, 3, 31, 31]\nlayers:\n"
        "  - {type: Conv2D, name: stem, filters: 8, kernel_size: 4, strides: 2, padding: same}\n"
        "  - {type: ReLU}\n"
        "  - {type: Conv2D, filters: 8, kernel_size: 2, padding: same}\n"
        "  - {type: add, from: [3, 2], expect: [1, 8, 16, 16]}\n"
    )
    path = tmp_path / "keras_net.yaml"
    path.write_text(text)
    table = run("port", str(path))
    assert table.exit_code == 0, table.stderr
    assert "stem" in table.stdout
    assert "nn.ZeroPad2d((1, 2, 1, 2))" in table.stdout
    assert "(keras) in torch.nn, input 1×3×31×31 (N, C, H, W):" in table.stdout.replace("\n", " ").replace("  ", " ")
    written = run("port", str(path), "--format", "yaml").stdout
    assert "  - {type: ZeroPad2d, padding: [1, 2, 1, 2]}\n" in written
    assert 'from: ["layer3", "layer2"]' in written  # references by index follow the layers they meant
    python = run("port", str(path), "--format", "python").stdout
    assert python.startswith(
        "from torch import nn\n\n"
        "# each module takes (N, C, *spatial); the layers marked unchanged stay as they are\n"
        "# 1: stem\nstem = nn.Sequential(\n"
    )
    assert (
        '# 2: ReLU (unchanged)\n# 3: conv\nlayer3 = nn.Conv2d(8, 8, kernel_size=2, stride=1, padding="same")\n'
        in python
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["--from", "jax", "conv", "--dims", "1", "-i", "1", "-k", "3"],
            1,
            "jax conv: no torch layer gives an output of size [0]: torch refuses sizes below 1",
        ),
        (
            ["--to", "keras", "pool", "-i", "9", "-k", "3", "-d", "2"],
            1,
            "torch maxpool: no keras layer does this: Keras pooling layers have no dilation",
        ),
        (
            ["--to", "jax", "convt", "-i", "4", "-k", "3", "--channels", "4", "--groups", "2"],
            1,
            "torch convtranspose: no jax layer does this: lax.conv_transpose has no groups",
        ),
        (
            ["--from", "keras", "--to", "caffe", "conv", "-i", "7", "-k", "3"],
            2,
            "convcalc: error: --to: expected torch, keras (or tf), onnx or jax, got 'caffe'",
        ),
        (
            ["--from", "caffe", "conv", "-i", "7", "-k", "3"],
            2,
            "convcalc: error: --from: expected torch, keras (or tf), onnx or jax, got 'caffe'",
        ),
        (
            ["--from", "keras", "conv", "-i", "7", "-k", "3", "-f", "svg"],
            2,
            "convcalc: error: --format: expected one of table, python, json, yaml, got 'svg'",
        ),
        (
            ["convv", "-i", "7", "-k", "3"],
            2,
            "convcalc: error: KIND: expected conv, convt, pool or a network file, got 'convv'",
        ),
        (
            ["examples/vgg16_features.yaml", "-i", "7"],
            2,
            "convcalc: error: --size: layer flags go with conv, convt or pool; a network file brings its own",
        ),
        (
            ["--from", "onnx", "examples/vgg16_features.yaml"],
            2,
            "convcalc: error: --from: examples/vgg16_features.yaml says framework: torch",
        ),
    ],
)
def test_port_errors(run: Run, args: list[str], code: int, message: str) -> None:
    """No exact equivalent: exit 1 and why; malformed flags: exit 2."""
    result = run("port", *args)
    assert result.exit_code == code
    assert result.stderr == message + "\n"


def test_value_notes() -> None:
    """Shapes are exact; where border values differ the port says so."""
    from convcalc.core.spec import LayerSpec

    keras_pool = LayerSpec.create("maxpool", (3,), stride=(2,), padding=((1, 1),))
    ported = port(keras_pool, (1, 1, 8), Framework.KERAS)
    assert ported.pad_before == ((1, 1),)
    assert ported.notes == (
        "the padding cells are zeros here, where the source's max pool skips them (shapes are exact)",
    )
    onnx_avg = LayerSpec.create("avgpool", (3,), stride=(1,), padding=((1, 1),), framework="onnx")
    to_torch = port(onnx_avg, (1, 1, 8), Framework.TORCH)
    assert to_torch.notes == ()
    assert "count_include_pad=False" in snippet(to_torch, 1, 1)
    to_keras = port(onnx_avg, (1, 1, 8), Framework.KERAS)
    assert to_keras.layer.padding.value == "same"  # type: ignore[union-attr]
    assert to_keras.notes == ()
    keras_avg = LayerSpec.create("avgpool", (4,), stride=(2,), padding="same", framework="keras")
    in_torch = port(keras_avg, (1, 1, 7), Framework.TORCH)  # padding 1 and ceil_mode leave the same cells out
    assert "ceil_mode=True, count_include_pad=False" in snippet(in_torch, 1, 1)
    assert in_torch.notes == ()
    torch_avg = LayerSpec.create("avgpool", (3,), stride=(1,), padding=((1, 1),))
    in_keras = port(torch_avg, (1, 1, 8), Framework.KERAS)  # Keras' same leaves padding out of the average
    assert in_keras.layer.padding.value == "same"  # type: ignore[union-attr]
    assert in_keras.notes == (
        "some padding cells are left out of the average here, where the source counts them (shapes are exact)",
    )
    assert target_output(in_keras, (1, 1, 8)) == (8,)


GOLDEN = Path(__file__).parent.parent / "golden" / "port"
PORT_TABLES = {
    "keras_same_conv": [
        "--from",
        "keras",
        "conv",
        "-i",
        "7",
        "-k",
        "4",
        "-s",
        "2",
        "-p",
        "same",
        "--channels",
        "3",
        "--out-channels",
        "8",
    ],
    "onnx_pool_to_keras": ["--from", "onnx", "--to", "keras", "pool", "-i", "8", "-k", "3", "-s", "2", "-p", "1:0"],
    "convt_to_onnx": ["--to", "onnx", "convt", "-i", "5", "-k", "3", "-s", "2", "-p", "2", "-a", "1"],
    "dcgan_to_keras": ["--to", "keras", "examples/dcgan_generator.yaml"],
    "unet_to_jax": ["--to", "jax", "examples/unet.yaml"],
}


PORT_WIDTHS = [
    (name, width) for name in PORT_TABLES for width in (80, 160) if (name, width) != ("keras_same_conv", 160)
]


@pytest.mark.parametrize(("name", "width"), PORT_WIDTHS, ids=[f"{n}-{w}" for n, w in PORT_WIDTHS])
def test_port_tables(run: Run, monkeypatch: pytest.MonkeyPatch, golden: Golden, name: str, width: int) -> None:
    """Port tables at 80 and 160 columns stay as reviewed (pytest --update-golden rewrites)."""
    monkeypatch.setenv("COLUMNS", str(width))
    result = run("port", *PORT_TABLES[name])
    assert result.exit_code == 0, result.stderr
    golden(GOLDEN / f"{name}.{width}.txt", result.stdout)
    assert max(len(line) for line in result.stdout.splitlines()) <= width


VALUES = json.loads((FIXTURES / "port_values.json").read_text())


def test_value_fixture_is_large() -> None:
    """More than 3,000 ports were run in both frameworks; nearly all gave the same values."""
    records = VALUES["records"]
    assert len(records) >= 3000
    equal = sum(r["max_diff"] <= VALUES["tolerance"] for r in records)
    assert equal / len(records) > 0.95


@pytest.mark.parametrize("target", TARGETS)
def test_ported_layers_compute_the_same_values(target: str) -> None:
    """The code convcalc writes today is the code that ran, and gave the source's values unless a note says why.

    Each record keeps a digest of the code that ran (tools/check_port_values.py): today's
    port of the same layer must have it, with the same notes; a port without a note must
    have given the same values.
    """
    for record in VALUES["records"]:
        if record["to"] != target:
            continue
        case = CASES[record["from"]][record["case"]]
        shape = case_input(case)
        ported = port(layer_from_case(case), shape, Framework(target))
        written = snippet(ported, shape[1], ported.layer.out_channels or shape[1])
        assert hashlib.sha256(written.encode()).hexdigest()[:16] == record["code"], (record, written)
        assert list(ported.notes) == record["notes"], record
        assert ported.notes or record["max_diff"] <= VALUES["tolerance"], record


def test_explicit_padding_layers_become_the_targets_own(run: Run, tmp_path: Path) -> None:
    """A Keras ResNet stem's ZeroPadding2D layers become nn.ZeroPad2d, lax.pad or an ONNX Pad; expect still holds."""
    path = tmp_path / "stem.yaml"
    path.write_text(
        "framework: keras\ninput: [1, 3, 224, 224]\nlayers:\n"
        "  - {type: ZeroPadding2D, name: conv1_pad, padding: 3}\n"
        "  - {type: Conv2D, name: conv1_conv, filters: 64, kernel_size: 7, strides: 2}\n"
        "  - {type: ZeroPadding2D, name: pool1_pad, padding: [[1, 1], [1, 1]]}\n"
        "  - {type: MaxPooling2D, name: pool1_pool, pool_size: 3, strides: 2, expect: [1, 64, 56, 56]}\n"
    )
    table = run("port", str(path)).stdout
    assert "1   conv1_pad    nn.ZeroPad2d((3, 3, 3, 3))" in table
    written = run("port", str(path), "-f", "yaml").stdout
    assert '  - {type: ZeroPad2d, name: "conv1_pad", padding: [3, 3, 3, 3]}\n' in written
    ported = tmp_path / "stem_torch.yaml"
    ported.write_text(written)
    assert run("check", str(ported)).exit_code == 0
    assert (
        "lax.pad(x, jnp.array(0.0, x.dtype), ((0, 0, 0), (0, 0, 0), (3, 3, 0), (3, 3, 0)))"
        in run("port", "--to", "jax", str(path), "-f", "python").stdout
    )
    onnx = json.loads(run("port", "--to", "onnx", str(path), "-f", "json").stdout)
    assert onnx["layers"][0]["output"] == [230, 230]
    assert '"Pad"' in onnx["layers"][0]["python"]


def test_two_layers_in_one_cell_are_two_lines(run: Any, tmp_path: Any) -> None:
    """A pad and a pool in one cell of a network's port table are two lines, not joined by an escaped newline."""
    path = tmp_path / "net.yaml"
    path.write_text(
        "input: [1, 3, 16, 16]\nframework: onnx\nlayers:\n  - {type: AveragePool, kernel_shape: 3, pads: 1, strides: 2}\n"
    )
    result = run("port", "--to", "keras", str(path))
    assert "\\n" not in result.stdout
    (pad_line,) = [line for line in result.stdout.splitlines() if "ZeroPadding2D" in line]
    assert "AveragePooling2D" not in pad_line
