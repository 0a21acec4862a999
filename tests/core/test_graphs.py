"""Graph networks and the layers around convolutions: PyTorch's shapes, receptive fields through merges, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import Result

from convcalc import LayerError, LayerSpec, NetworkSpec, Problem, Status, analyze, read_network
from convcalc.core.kinds.merge import broadcast_shapes
from convcalc.netfile.loader import load_network
from tests.conftest import EXAMPLES
from tests.core.torch_cases import FIXTURES, load_cases
from tests.property.brute import graph_dependencies

Run = Callable[..., Result]
GRAPHS = load_cases("torch_graphs.json")


@pytest.mark.parametrize("case", GRAPHS, ids=[f"{case['source']} {case.get('input', '')}" for case in GRAPHS])
def test_graph_shapes_match_pytorch(case: dict[str, Any]) -> None:
    """Every layer of the graph examples has PyTorch 2.13's shape, at the file's input size and others."""
    given = case.get("input")
    result = analyze(read_network(case["source"], input_shape=None if given is None else tuple(given)))
    assert all(layer.status in (Status.OK, Status.EXPECT_FAILED) for layer in result.layers)  # expect: own size
    assert [list(layer.output or ()) for layer in result.layers] == case["shapes"]
    assert [layer.params for layer in result.layers] == case["params"]


BROADCASTS = json.loads((FIXTURES / "torch_graphs.json").read_text())["broadcast"]


@pytest.mark.parametrize("case", BROADCASTS, ids=[f"{c['a']}*{c['b']}" for c in BROADCASTS])
def test_elementwise_merges_broadcast_as_torch(case: dict[str, Any]) -> None:
    """`a * b` of torch 2.13: the broadcast shape, or a refusal naming both shapes."""
    a, b = tuple(case["a"]), tuple(case["b"])
    if case["shape"] is None:
        with pytest.raises(LayerError, match=re.escape(f"a gives {list(a)}")) as caught:
            broadcast_shapes([a, b], ["a", "b"])
        assert caught.value.problem is Problem.INPUTS_DIFFER
    else:
        assert list(broadcast_shapes([a, b], ["a", "b"])) == case["shape"]


PADDING_MODES = json.loads((FIXTURES / "torch_graphs.json").read_text())["padding_modes"]


@pytest.mark.parametrize(
    "case", PADDING_MODES, ids=[f"{c['mode']} p{c['padding']} i{c['size']} k{c['kernel']}" for c in PADDING_MODES]
)
def test_padding_modes_as_torch(case: dict[str, Any]) -> None:
    """Conv2d's padding_mode: reflect needs padding below the input size, circular at most it (torch 2.13)."""
    layer = LayerSpec.create("conv", case["kernel"], padding=case["padding"], padding_mode=case["mode"])
    (result,) = analyze(NetworkSpec(input=(1, 1, case["size"], case["size"]), layers=(layer,))).layers
    if case["shape"] is None:
        assert result.status is Status.INVALID
    else:
        assert list(result.output or ()) == case["shape"]


def test_resnet18_numbers() -> None:
    """torchvision's ResNet-18: 11,689,512 parameters; receptive field 435 and jump 32 at layer4."""
    result = analyze(read_network(str(EXAMPLES / "resnet18.yaml")))
    assert result.total_params == 11_689_512
    layer4 = next(layer for layer in result.layers if layer.name == "layer4.1")
    assert layer4.receptive_field == (435, 435)
    assert layer4.jump is not None
    assert [int(j) for j in layer4.jump] == [32, 32]


def test_resnet18_receptive_field_by_brute_force() -> None:
    """The receptive field at the end of every stage equals the widest brute-force dependency hull."""
    network = read_network(str(EXAMPLES / "resnet18.yaml"))
    result = analyze(network)
    for stage in ("layer1.1", "layer2.1", "layer3.1", "layer4.1"):
        index = next(i for i, layer in enumerate(result.layers) if layer.name == stage)
        widest = 0
        for position in range(40, 42):
            cells = graph_dependencies(network, 0, index, position)
            widest = max(widest, max(cells) - min(cells) + 1)
        assert result.layers[index].receptive_field == (widest, widest), stage
    assert widest == 435


def _one_axis(*layers: LayerSpec, size: int = 8) -> NetworkSpec:
    return NetworkSpec(input=(1, 1, size), layers=layers)


def test_distill_aligned_dag() -> None:
    """Araujo et al.: (k1, s4) added to (k3, p 1:0, s2) then (k1, s2): r 3, jump 4, aligned."""
    net = _one_axis(
        LayerSpec.create("conv", (1,), stride=(4,), name="a"),
        LayerSpec.create("conv", (3,), stride=(2,), padding=((1, 0),), name="b1", inputs=["input"]),
        LayerSpec.create("conv", (1,), stride=(2,), name="b2"),
    )
    text_net = NetworkSpec(input=net.input, layers=net.layers)
    result = analyze(text_net)
    merged = analyze(
        load_network(
            "input: [1, 1, 8]\nlayers:\n"
            + "".join(
                f"  - {line}\n"
                for line in (
                    "{type: conv, name: a, kernel_size: 1, stride: 4}",
                    "{type: conv, name: b1, from: input, kernel_size: 3, stride: 2, padding: [[1, 0]]}",
                    "{type: conv, name: b2, kernel_size: 1, stride: 2}",
                    "{type: add, name: sum, from: [a, b2]}",
                )
            ),
            "dag.yaml",
        )
    )
    assert result.ok
    last = merged.layers[-1]
    assert last.receptive_field == (3,)
    assert last.jump is not None
    assert int(last.jump[0]) == 4
    assert last.warnings == ()


def test_distill_misaligned_dag_is_flagged() -> None:
    """Araujo et al.: (k5, p 2:1, s2) added to two (k3, s1): the paths' jumps differ, and it says so."""
    text = "input: [1, 1, 8]\nlayers:\n" + "".join(
        f"  - {line}\n"
        for line in (
            "{type: conv, name: a, kernel_size: 5, stride: 2, padding: [[2, 1]]}",
            "{type: conv, name: b1, from: input, kernel_size: 3}",
            "{type: conv, name: b2, kernel_size: 3}",
            "{type: add, name: sum, from: [a, b2]}",
        )
    )
    last = analyze(load_network(text, "dag.yaml")).layers[-1]
    assert last.status is Status.OK
    assert last.receptive_field is None
    assert last.warnings == ("axis L: paths misaligned: their jumps differ (2, 1); receptive field not followed",)


def stack_of(run: Run, tmp_path: Any, body: str, shape: str = "[1, 3, 16, 16]") -> Result:
    """Run convcalc stack on a small file."""
    path = tmp_path / "net.yaml"
    path.write_text(f"input: {shape}\nlayers:\n{body}")
    return run("stack", str(path))


ERRORS = [
    ("unknown name", "  - {type: conv, kernel_size: 3}\n  - {type: add, from: [1, cnv]}\n",
     2, ":4:27: layers[1].from[1]: no layer named 'cnv' before this one"),
    ("forward reference", "  - {type: conv, name: a, from: b, kernel_size: 3}\n  - {type: conv, name: b, kernel_size: 3}\n",
     2, ":3:33: layers[0].from: 'b' is defined later (layers[1]): a layer reads only layers before it"),
    ("cycle", "  - {type: conv, name: a, from: a, kernel_size: 3}\n",
     2, ":3:33: layers[0].from: layer 'a' reads itself: a layer reads only layers before it (a cycle)"),
    ("duplicate name", "  - {type: conv, name: a, kernel_size: 3}\n  - {type: conv, name: a, kernel_size: 3}\n",
     2, ":4:24: layers[1].name: 'a' names layers[0] already"),
    ("two inputs to a conv", "  - {type: conv, name: a, kernel_size: 3}\n  - {type: conv, from: [a, input], kernel_size: 3}\n",
     2, ":4:24: layers[1].from: conv reads one input, not 2"),
    ("add of one input", "  - {type: add}\n", 2, ":3:5: layers[0]: add needs `from` with at least 2 layers to combine"),
    ("crop without to", "  - {type: crop}\n", 2, ":3:5: layers[0]: crop needs exactly one of `to` and `cropping`"),
    ("unknown key", "  - {type: Linear, out_features: 3, in_feature: 4}\n",
     2, ":3:37: layers[0].in_feature: Linear takes no `in_feature` (did you mean `in_features`?)"),
    ("upsample without size", "  - {type: Upsample, mode: nearest}\n",
     2, ":3:5: layers[0]: Upsample needs exactly one of `size`, `scale_factor` and `to`"),
    ("add mismatch", "  - {type: conv, name: a, kernel_size: 3}\n  - {type: add, name: s, from: [a, input]}\n",
     1, ":4:5: layer 2 (s): a gives [1, 3, 14, 14] but input gives [1, 3, 16, 16]: axes H, W are 14x14 vs 16x16; crop 2 from input or pad a by 2 (a crop or pad layer with to:); input sizes where they meet (up to 32): 3"),
    ("upsample to an unknown layer", "  - {type: Upsample, to: nope}\n",
     2, ":3:26: layers[0].to: no layer named 'nope' before this one"),
    ("upsample to and a size", "  - {type: Upsample, to: input, size: 4}\n",
     2, ":3:5: layers[0]: Upsample needs exactly one of `size`, `scale_factor` and `to`"),
    ("crop too small", "  - {type: conv, name: a, kernel_size: 3}\n  - {type: crop, from: a, to: input}\n",
     1, ":4:5: layer 2, axes H, W: cannot crop 14x14 to 16x16; pad instead, or take `to` from a smaller layer"),
    ("linear in_features", "  - {type: Flatten}\n  - {type: Linear, name: fc, in_features: 700, out_features: 10}\n",
     1, ":4:5: layer 2 (fc): mat1 and mat2 shapes cannot be multiplied (1x768 and 700x10); in_features must be 768, the size of the last axis coming in"),
    ("batchnorm features", "  - {type: BatchNorm2d, num_features: 4}\n",
     1, ":3:5: layer 1: num_features is 4 but 3 channels come in; set num_features to 3"),
    ("batchnorm rank", "  - {type: Flatten}\n  - {type: BatchNorm2d}\n",
     1, ":4:5: layer 2: BatchNorm2d expects 4-D input, got 2-D [1, 768]"),
    ("conv after flatten", "  - {type: Flatten}\n  - {type: conv, kernel_size: 3}\n",
     1, ":4:5: layer 2: conv expects [N, C] and 2 spatial axes, got [1, 768]"),
    ("pad with both", "  - {type: conv, name: a, kernel_size: 3}\n  - {type: pad, to: input, padding: 1}\n",
     2, ":4:5: layers[1]: pad needs exactly one of `to` and `padding`"),
    ("keras padding without amounts", "  - {type: ZeroPadding2D}\n", 2, ":3:5: layers[0]: ZeroPadding2D needs `padding`"),
    ("negative cropping", "  - {type: Cropping2D, cropping: [1, -1]}\n",
     2, ":3:38: layers[0].cropping[1]: expected a non-negative integer, got the number -1"),
    ("torch order count", "  - {type: ZeroPad2d, padding: [1, 2, 3]}\n",
     2, (":3:32: layers[0].padding: expected one integer or 4 (before and after each axis, the last axis first; "
         "fewer pairs pad the last axes only), got 3")),
    ("pair of three", "  - {type: pad, padding: [[1, 2, 3], 1]}\n", 2, ":3:27: layers[0].padding[0]: expected [before, after], got 3 values"),
    ("class rank", "  - {type: ZeroPadding1D, padding: 1}\n", 2, ":3:5: layers[0].type: ZeroPadding1D is 1-D but the input has 2 spatial axes"),
    ("align with amounts", "  - {type: pad, padding: 1, align: top-left}\n", 2, ":3:29: layers[0].align: pad takes `align` with `to` only"),
    ("crop too much", "  - {type: Cropping2D, cropping: [[8, 8], 0]}\n", 1, ":3:5: layer 1, axis H: cannot crop 16 from 16; crop less"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "body", "code", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_graph_errors_are_located(run: Run, tmp_path: Any, title: str, body: str, code: int, message: str) -> None:
    """Every graph error names the file and line (and the fix, for shapes that do not meet)."""
    del title
    result = stack_of(run, tmp_path, body)
    assert result.exit_code == code
    assert f"{tmp_path / 'net.yaml'}{message}" in result.stderr.splitlines()  # sorted by line and column


@pytest.mark.parametrize(
    ("layer", "shape", "cell"),
    [
        ("{type: ZeroPad2d, padding: [1, 2, 3, 4]}", [1, 3, 23, 19], "p3:4,1:2"),  # torch.nn: the last axis first
        ("{type: ZeroPad2d, padding: [0, 1]}", [1, 3, 16, 17], "p0,0:1"),  # F.pad(x, (0, 1)): the last axis only
        ("{type: ConstantPad2d, padding: 1, value: -1.5}", [1, 3, 18, 18], "p1,1"),
        ("{type: ZeroPadding2D, padding: [[1, 2], [3, 4]]}", [1, 3, 19, 23], "p1:2,3:4"),  # Keras: the first axis first
        ("{type: ZeroPadding2D, padding: [1, 2]}", [1, 3, 18, 20], "p1,2"),
        ("{type: Cropping2D, cropping: [[1, 2], 3]}", [1, 3, 13, 10], "c1:2,3"),
        ("{type: pad, padding: [[-1, 2], 0]}", [1, 3, 17, 16], "p-1:2,0"),
        ("{type: crop, cropping: 2}", [1, 3, 12, 12], "c2,2"),
    ],
)
def test_explicit_pads_and_crops(run: Run, tmp_path: Any, layer: str, shape: list[int], cell: str) -> None:
    """pad and crop by explicit amounts, in convcalc's, torch.nn's and Keras' spellings; negative pads crop."""
    result = stack_of(run, tmp_path, f"  - {layer}\n")
    assert result.exit_code == 0, result.stderr
    assert f" {cell} " in result.stdout
    data = json.loads(run("stack", str(tmp_path / "net.yaml"), "--format", "json").stdout)
    assert data["output"] == shape


def test_ported_keras_resnet_padding_shifts_the_receptive_field(run: Run, tmp_path: Any) -> None:
    """A ZeroPadding2D before a valid conv sizes and aligns as the conv's own padding would."""
    padded = stack_of(
        run, tmp_path, "  - {type: ZeroPadding2D, padding: 3}\n  - {type: conv, kernel_size: 7, stride: 2}\n"
    )
    data = json.loads(run("stack", str(tmp_path / "net.yaml"), "--format", "json").stdout)
    assert padded.exit_code == 0
    own = stack_of(run, tmp_path, "  - {type: conv, kernel_size: 7, stride: 2, padding: 3}\n")
    assert own.exit_code == 0
    same = json.loads(run("stack", str(tmp_path / "net.yaml"), "--format", "json").stdout)
    assert data["output"] == same["output"] == [1, 3, 8, 8]
    assert data["layers"][-1]["receptive_field"] == same["layers"][-1]["receptive_field"]


def test_linear_in_features_filled_in(run: Run, tmp_path: Any) -> None:
    """A Linear without in_features gets it from the input, and the table shows it."""
    result = stack_of(run, tmp_path, "  - {type: Flatten}\n  - {type: Linear, name: fc, out_features: 10}\n")
    assert result.exit_code == 0
    assert "768→10" in result.stdout
    assert "in_features is 768 (filled in from the input)" in result.stdout


def test_upsample_and_adaptive_pool_shapes() -> None:
    """Upsample floors float(size) * scale as PyTorch does; adaptive pooling keeps None axes."""
    text = """\
input: [1, 4, 7, 9]
layers:
  - {type: Upsample, scale_factor: 1.5}
  - {type: Upsample, size: [20, 30]}
  - {type: AdaptiveAvgPool2d, output_size: [5, null]}
  - {type: Upsample, scale_factor: 2}
"""
    result = analyze(load_network(text, "net.yaml"))
    assert [layer.output for layer in result.layers] == [(1, 4, 10, 13), (1, 4, 20, 30), (1, 4, 5, 30), (1, 4, 10, 60)]
    assert result.layers[0].receptive_field == (1, 1)  # followed through a fractional scale: one cell each
    assert result.layers[1].receptive_field == (1, 1)
    assert result.layers[2].receptive_field == (2, 1)  # windows of 20/5 = 4 outputs of the first: 7 -> 20 read 2
    assert result.layers[0].warnings == ()


def test_resampling_receptive_fields_by_hand() -> None:
    """Values autograd gives in torch 2.13: nearest by 1.5 then a 3-tap conv reads 3 inputs; linear by 2 reads 2."""
    text = "input: [1, 1, 12]\nlayers:\n  - {type: Upsample, scale_factor: 1.5}\n  - {type: conv, kernel_size: 3}\n"
    assert analyze(load_network(text, "net.yaml")).layers[1].receptive_field == (3,)
    text = "input: [1, 1, 12]\nlayers:\n  - {type: Upsample, scale_factor: 2, mode: linear}\n  - {type: conv, kernel_size: 3}\n"
    result = analyze(load_network(text, "net.yaml"))
    assert [layer.receptive_field for layer in result.layers] == [(2,), (3,)]
    text = "input: [1, 1, 12]\nlayers:\n  - {type: Upsample, size: 23, mode: linear, align_corners: true}\n"
    assert analyze(load_network(text, "net.yaml")).layers[0].receptive_field == (2,)
    text = "input: [1, 1, 12]\nlayers:\n  - {type: AdaptiveAvgPool1d, output_size: 5}\n"
    assert analyze(load_network(text, "net.yaml")).layers[0].receptive_field == (4,)  # 12/5: windows of 3 or 4


def test_nearest_upsample_receptive_field() -> None:
    """Nearest upsampling by 2 then a 3-tap conv: outputs read 2 inputs, as a transposed conv k=s=2 would say."""
    text = "input: [1, 1, 8]\nlayers:\n  - {type: Upsample, scale_factor: 2}\n  - {type: conv, kernel_size: 3, padding: 1}\n"
    result = analyze(load_network(text, "net.yaml"))
    assert result.layers[0].receptive_field == (1,)
    assert result.layers[1].receptive_field == (2,)
    assert result.layers[1].jump is not None
    assert float(result.layers[1].jump[0]) == 0.5


def test_merge_mismatch_says_which_input_sizes_meet(run: Run, tmp_path: Any) -> None:
    """Two stride-2 convolutions and an up-convolution meet the skip near multiples of 4 (and where 1x1 broadcasts)."""
    body = (
        "  - {type: conv, name: a, kernel_size: 3, stride: 2, padding: 1}\n"
        "  - {type: conv, name: b, kernel_size: 3, stride: 2, padding: 1}\n"
        "  - {type: ConvTranspose2d, name: up, kernel_size: 2, stride: 2}\n"
        "  - {type: add, name: s, from: [a, up]}\n"
    )
    result = stack_of(run, tmp_path, body, shape="[1, 3, 18, 18]")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "crop 1 from up or pad a by 1 (a crop or pad layer with to:); "
        "input sizes where they meet (up to 36): 1 to 4; 7 to 8; 11 to 12; 15 to 16; 19 to 20; 23 to 24; "
        "27 to 28; 31 to 32; 35 to 36\n"  # 1 and 2 too: a 1x1 output broadcasts against 2x2, as in torch
    )


def test_a_globally_pooled_gate_makes_the_receptive_field_global() -> None:
    """Squeeze-excitation: after the 1x1 pool every layer reads every position, the gated body included."""
    result = analyze(read_network(str(EXAMPLES / "squeeze_excitation.yaml")))
    by_name = {layer.name: layer for layer in result.layers}
    assert by_name["body"].receptive_field == (5, 5)
    assert not by_name["body"].whole_input
    for name in ("squeeze", "fc1", "gate", "excite", "project"):
        assert by_name[name].whole_input, name
        assert by_name[name].receptive_field is None
    assert by_name["squeeze"].warnings == (
        "receptive field: global from here on (each output reads every position of its input)",
    )
    assert by_name["excite"].warnings == ()


def test_flatten_then_linear_is_global_but_flatten_alone_is_not() -> None:
    result = analyze(read_network(str(EXAMPLES / "mnist_classifier.yaml")))
    flatten, fc1 = result.layers[6], result.layers[7]
    assert not flatten.whole_input
    assert fc1.whole_input


def test_pooling_a_single_cell_is_not_global() -> None:
    net = load_network("input: [1, 3, 1, 1]\nlayers:\n  - {type: AdaptiveAvgPool2d, output_size: 1}\n")
    assert not analyze(net).layers[0].whole_input
