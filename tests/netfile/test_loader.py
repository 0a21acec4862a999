"""Network files: every malformed input is reported, located, one line each, all at once."""

from __future__ import annotations

import pytest

from convcalc import InputErrorGroup, LayerKind, LayerSpec, NetworkSpec
from convcalc.netfile.loader import load_network

GOOD = """\
input: [1, 3, 32, 32]
layers:
  - type: conv
    kernel_size: 3
"""


def windows(network: NetworkSpec) -> list[LayerSpec]:
    """Return a network's layers, which the test wrote as window layers only."""
    found = [layer for layer in network.layers if isinstance(layer, LayerSpec)]
    assert len(found) == len(network.layers)
    return found


def errors_of(text: str) -> list[str]:
    """Return the error lines a file produces (it must produce some)."""
    with pytest.raises(InputErrorGroup) as caught:
        load_network(text, "net.yaml")
    return [str(error) for error in caught.value.errors]


BAD = [
    ("empty file", "", ["net.yaml: the file is empty: expected `input` and `layers`"]),
    ("only a comment", "# nothing\n", ["net.yaml: the file is empty: expected `input` and `layers`"]),
    ("not a mapping", "- 1\n- 2\n", ["net.yaml:1:1: expected a mapping with `input` and `layers`, got a list"]),
    ("a bare scalar", "hello\n", ["net.yaml:1:1: expected a mapping with `input` and `layers`, got a string 'hello'"]),
    ("missing input", "layers: []\n", ["net.yaml:1:1: missing `input` (the input shape, such as [1, 3, 224, 224])"]),
    ("missing layers", "input: [1, 3, 8, 8]\n", ["net.yaml:1:1: missing `layers` (a list of layers)"]),
    ("layers not a list", "input: [1, 3, 8, 8]\nlayers: {type: conv}\n", ["net.yaml:2:9: layers: expected a list of layers, got a mapping"]),
    ("input rank too small", "input: [1, 3]\nlayers: []\n", ["net.yaml:1:8: input: expected [N, C] and 1 to 3 spatial sizes, got 2 values"]),
    ("input rank too large", "input: [1, 3, 2, 2, 2, 2]\nlayers: []\n", ["net.yaml:1:8: input: expected [N, C] and 1 to 3 spatial sizes, got 6 values"]),
    ("zero size", "input: [1, 3, 0, 8]\nlayers: []\n", ["net.yaml:1:15: input[2]: expected a positive integer, got 0"]),
    ("negative stride", GOOD + "    stride: -1\n", ["net.yaml:5:13: layers[0].stride: expected a positive integer, got -1"]),
    ("string for a number", GOOD + "    stride: '2'\n", ["net.yaml:5:13: layers[0].stride: expected a positive integer, got a string '2'"]),
    ("boolean for a number", GOOD + "    padding: yes\n", ["net.yaml:5:14: layers[0].padding: expected a non-negative integer, got a boolean 'yes'"]),
    ("float for a number", GOOD + "    dilation: 1.5\n", ["net.yaml:5:15: layers[0].dilation: expected a positive integer, got the number 1.5"]),
    ("null for a number", GOOD + "    groups:\n", ["net.yaml:5:12: layers[0].groups: expected a positive integer, got nothing (null)"]),
    ("list too long for the input", GOOD + "    stride: [1, 1, 1]\n", ["net.yaml:5:13: layers[0].stride: expected 2 values (one per spatial axis of the input), got 3"]),
    ("list longer than 3", GOOD + "    stride: [1, 1, 1, 1]\n", ["net.yaml:5:13: layers[0].stride: expected 1 to 3 values (one per spatial axis), got 4"]),
    ("unknown key", GOOD + "    strid: 2\n", ["net.yaml:5:5: layers[0].strid: unknown key `strid` (did you mean `stride`?)"]),
    ("unknown top key", "inputt: [1, 3, 8, 8]\n" + GOOD, ["net.yaml:1:1: inputt: unknown key `inputt` (did you mean `input`?)"]),
    ("inputs as a list", GOOD.replace("input:", "inputs:"), ["net.yaml:1:9: inputs: expected a mapping of input names to shapes, got a list"]),
    ("input and inputs", "inputs: {a: [1, 3, 8, 8]}\n" + GOOD, ["net.yaml:1:9: inputs: give `input` (one input) or `inputs` (several), not both"]),
    ("an input like a later one", GOOD.replace("input: [1, 3, 32, 32]", "inputs: {a: b, b: [1, 3, 32, 32]}"), ["net.yaml:1:13: inputs.a: expected a shape, got a string 'b'"]),
    ("an input named input", GOOD.replace("input: [1, 3, 32, 32]", "inputs: {x: [1, 3, 32, 32], input: x}"), ["net.yaml:1:29: inputs.input: 'input' cannot name an input (`input`, numbers and names given before are taken)"]),
    ("unknown type", GOOD.replace("type: conv", "type: Conv2D_transposed"), ["net.yaml:3:11: layers[0].type: unknown layer type 'Conv2D_transposed' (did you mean `conv2dtranspose`?)"]),
    ("class of the wrong rank", GOOD.replace("type: conv", "type: Conv3d"), ["net.yaml:3:11: layers[0].type: Conv3d is 3-D but the input has 2 spatial axes"]),
    ("missing type", "input: [1, 3, 8, 8]\nlayers:\n  - kernel_size: 3\n", ["net.yaml:3:5: layers[0]: missing `type` (conv, convtranspose, maxpool, avgpool, add, concat, Linear, ...)"]),
    ("missing kernel", "input: [1, 3, 8, 8]\nlayers:\n  - type: conv\n", ["net.yaml:3:5: layers[0]: missing `kernel_size`"]),
    ("key for another kind", GOOD + "    ceil_mode: true\n", ["net.yaml:5:5: layers[0].ceil_mode: conv takes no `ceil_mode`"]),
    ("layer not a mapping", "input: [1, 3, 8, 8]\nlayers:\n  - conv\n", ["net.yaml:3:5: layers[0]: expected a mapping of layer keys, got a string 'conv'"]),
    ("duplicate key", GOOD + "    kernel_size: 5\n", ["net.yaml:5:5: layers[0].kernel_size: appears twice"]),
    ("python tag", "input: !!python/object/apply:os.system ['echo hi']\nlayers: []\n", ["net.yaml:1:8: tag !!python/object/apply:os.system is not allowed: network files are plain YAML"]),
    ("custom tag", GOOD + "    stride: !evil 2\n", ["net.yaml:5:13: tag !evil is not allowed: network files are plain YAML"]),
    ("bad YAML", "input: [1, 3, 8, 8\nlayers: []\n", ["net.yaml:2:7: invalid YAML: the [ list opened at line 1, column 8 is not closed: expected `,` or `]` here"]),
    ("two documents", GOOD + "---\n" + GOOD, ["net.yaml:5:1: expected one YAML document, found a second (---)"]),
    ("control characters", "input: [1, 3, 8, 8]\x00\n", ["net.yaml:1:20: invalid YAML: character U+0000 is not allowed in YAML text"]),
    ("deep nesting", "input: " + "[" * 10_000 + "]" * 10_000 + "\n", ["net.yaml:1:39: nested more than 32 levels deep"]),
    ("same on a transposed layer", GOOD.replace("type: conv", "type: convtranspose") + "    padding: same\n", ["net.yaml:5:14: layers[0].padding: convtranspose takes numbers only; padding='same' is for conv (as in torch.nn)"]),
    ("unknown padding word", GOOD + "    padding: full\n", ["net.yaml:5:14: layers[0].padding: expected an integer, a per-axis list, same or valid, got 'full'"]),
]  # fmt: skip


@pytest.mark.parametrize(("title", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_malformed_files(title: str, text: str, expected: list[str]) -> None:
    """Each malformed file gets exactly these located messages."""
    del title
    assert expected == errors_of(text)


def test_every_problem_is_reported_at_once() -> None:
    """Problems in several layers and keys come out together, in file order."""
    text = """\
input: [1, 3, 224, 224]
layers:
  - type: maxpol
    kernal_size: 3
    stride: -2
  - type: conv
    kernel_size: [3, 3]
    bias: 1
"""
    assert errors_of(text) == [
        "net.yaml:3:11: layers[0].type: unknown layer type 'maxpol' (did you mean `maxpool`?)",
        "net.yaml:4:5: layers[0].kernal_size: unknown key `kernal_size` (did you mean `kernel_size`?)",
        "net.yaml:5:13: layers[0].stride: expected a positive integer, got -2",
        "net.yaml:3:5: layers[0]: missing `kernel_size`",
        "net.yaml:8:11: layers[1].bias: expected true or false, got the number 1",
    ]


def test_billion_laughs_is_not_expanded() -> None:
    """Aliases share one node: an exponential alias bomb is read at once and rejected by shape."""
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 12)]
    text = "\n".join(lines) + "\ninput: *a11\nlayers: *a11\n"
    problems = errors_of(text)
    assert problems[:2] == [
        "net.yaml:1:1: a0: unknown key `a0`",
        "net.yaml:2:1: a1: unknown key `a1`",
    ]
    # an alias points at its anchor, so the message points there too
    assert "net.yaml:12:6: input: expected [N, C] and 1 to 3 spatial sizes, got 9 values" in problems
    assert len(problems) == 12 + 1 + 1  # the unknown keys, the input, the shared layer node once


def test_aliases_and_merge_keys_work() -> None:
    """A YAML anchor with << merges shared settings into layers; later keys win."""
    text = """\
input: [1, 3, 32, 32]
layers:
  - &block {type: conv, kernel_size: 3, padding: 1, out_channels: 16}
  - {<<: *block, stride: 2}
  - <<: *block
    out_channels: 32
"""
    layers = windows(load_network(text, "net.yaml"))
    assert [layer.stride for layer in layers] == [(1, 1), (2, 2), (1, 1)]
    assert [layer.out_channels for layer in layers] == [16, 16, 32]


def test_type_names_in_any_case() -> None:
    """Short names and torch.nn class names in any case pick the same kind."""
    for name, kind in (
        ("CONV", LayerKind.CONV),
        ("ConvTranspose2d", LayerKind.CONVTRANSPOSE),
        ("maxPool2D", LayerKind.MAXPOOL),
        ("AvgPool2d", LayerKind.AVGPOOL),
    ):
        network = load_network(GOOD.replace("type: conv", f"type: {name}"), "net.yaml")
        assert network.layers[0].kind is kind


def test_layer_locations_and_defaults() -> None:
    """Layers remember where they start; torch.nn defaults apply (pool stride = kernel)."""
    network = load_network(GOOD + "  - {type: maxpool, kernel_size: 2}\n", "net.yaml")
    conv, pool = windows(network)
    assert str(conv.location) == "net.yaml:3:5"
    assert conv.stride == (1, 1)
    assert pool.stride == (2, 2)


def test_input_override() -> None:
    """An input shape given by the caller replaces the file's."""
    network = load_network(GOOD, "net.yaml", input_shape=(2, 3, 64, 48))
    assert network.input == (2, 3, 64, 48)


def test_output_size_in_files() -> None:
    """output_size on a transposed layer, spatial or full, as forward(output_size=...) takes it."""
    from convcalc import analyze

    text = "input: [1, 8, 7, 7]\nlayers:\n  - {type: convtranspose, kernel_size: 3, stride: 2, padding: 1, output_size: [1, 8, 14, 14]}\n"
    (layer,) = analyze(load_network(text, "net.yaml")).layers
    assert layer.output == (1, 8, 14, 14)
    assert isinstance(layer.spec, LayerSpec)
    assert layer.spec.output_padding == (1, 1)
    assert errors_of(GOOD + "    output_size: [8, 8]\n") == [
        "net.yaml:5:5: layers[0].output_size: conv takes no `output_size`"
    ]


def test_every_keyword_of_the_supported_layers_is_taken() -> None:
    """padding_mode, count_include_pad, divisor_override and return_indices, as torch.nn takes them."""
    from convcalc import network_yaml

    text = (
        "input: [1, 3, 16, 16]\nlayers:\n"
        "  - {type: Conv2d, out_channels: 8, kernel_size: 3, padding: 1, padding_mode: reflect}\n"
        "  - {type: AvgPool2d, kernel_size: 3, padding: 1, stride: 2, count_include_pad: false, divisor_override: 4}\n"
        "  - {type: MaxPool2d, kernel_size: 2, return_indices: true}\n"
    )
    network = load_network(text, "net.yaml")
    conv, avg, _ = network.layers
    assert conv.padding_mode == "reflect"  # type: ignore[union-attr]
    assert avg.count_include_pad is False  # type: ignore[union-attr]
    assert load_network(network_yaml(network), "again.yaml").layers == network.layers


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        (
            "{type: ConvTranspose2d, kernel_size: 3, padding_mode: reflect}",
            'layers[0].padding_mode: only "zeros" padding mode is supported for convtranspose (torch.nn)',
        ),
        (
            "{type: Conv2d, kernel_size: 3, padding_mode: mirror}",
            "layers[0].padding_mode: expected one of zeros, reflect, replicate, circular, got a string 'mirror'",
        ),
        (
            "{type: MaxPool2d, kernel_size: 2, count_include_pad: false}",
            "layers[0].count_include_pad: maxpool takes no `count_include_pad`",
        ),
        (
            "{type: AvgPool2d, kernel_size: 2, return_indices: true}",
            "layers[0].return_indices: avgpool takes no `return_indices`",
        ),
    ],
)
def test_keywords_in_the_wrong_place_are_refused(layer: str, message: str) -> None:
    with pytest.raises(InputErrorGroup) as caught:
        load_network(f"input: [1, 3, 8, 8]\nlayers:\n  - {layer}\n", "net.yaml")
    (error,) = caught.value.errors
    assert str(error).split(": ", 1)[1] == message
