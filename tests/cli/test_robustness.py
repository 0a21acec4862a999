"""Plausible input that once ended in a traceback: each ends in one located line and its exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import convcalc
from convcalc import InputErrorGroup, Status, analyze
from convcalc.netfile.loader import MAX_LAYERS, MAX_NAME, load_network

Run = Callable[..., Result]

FLATTENED = "input: [1, 3, 8, 8]\nlayers:\n  - {type: Flatten}\n  - {type: conv, kernel_size: 1}\n"

CASES = [
    ("an int tag on letters", 'input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: !!int "abc"}\n', ["stack", "net.yaml"], 2,
     "net.yaml:3:31: tag !!int does not fit 'abc': network files need no tags"),
    ("an int tag on nothing", 'input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: !!int ""}\n', ["stack", "net.yaml"], 2,
     "net.yaml:3:31: tag !!int does not fit '': network files need no tags"),
    ("a bool tag on a number", "input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: 3, bias: !!bool 7}\n", ["stack", "net.yaml"], 2,
     "net.yaml:3:40: tag !!bool does not fit '7': network files need no tags"),
    ("a map tag on a list", "input: !!map [1, 3, 8, 8]\nlayers: []\n", ["stack", "net.yaml"], 2,
     "net.yaml:1:8: tag !!map does not fit a list: network files need no tags"),
    ("upsample factors for another rank", "input: [1, 3, 8, 8]\nlayers:\n  - {type: Upsample, scale_factor: [2, 2, 2]}\n", ["stack", "net.yaml"], 1,
     "net.yaml:3:5: layer 1: Upsample has 3 scale_factor values but 2 spatial axes come in; give one value, or 2"),
    ("adaptive sizes for another rank", "input: [1, 3, 8, 8]\nlayers:\n  - {type: AdaptiveAvgPool2d, output_size: [2, 2, 2]}\n", ["stack", "net.yaml"], 1,
     "net.yaml:3:5: layer 1: AdaptiveAvgPool2d has 3 output_size values but 2 spatial axes come in; give one value, or 2"),
    ("explain a convolution after Flatten", FLATTENED, ["explain", "net.yaml", "--layer", "2"], 1,
     "net.yaml: layer 2: conv expects [N, C] and 2 spatial axes, got [1, 192]"),
    ("port a convolution after Flatten", FLATTENED, ["port", "net.yaml"], 1,
     "net.yaml: layer 2: conv expects [N, C] and 2 spatial axes, got [1, 192]"),
    ("a layer named like another's index", 'input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: 3, name: "2"}\n  - {type: conv, kernel_size: 3}\n', ["stack", "net.yaml"], 2,
     "net.yaml:3:40: layers[0].name: '2' is a layer index in `from:` (layer 2); use a name that is not a number"),
    ("a layer named input", "input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: 3, name: input}\n", ["stack", "net.yaml"], 2,
     "net.yaml:3:40: layers[0].name: `input` is the network's input in `from:`; name the layer otherwise"),
    ("a 101-digit input size", "input: [1, 3, " + "9" * 101 + ", 8]\nlayers: []\n", ["stack", "net.yaml"], 2,
     "net.yaml:1:15: input[2]: expected at most 100 digits, got 101"),
    ("an undefined tag handle", "input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: !a!b 3}\n", ["stack", "net.yaml"], 2,
     "net.yaml:3:31: invalid YAML: an undefined tag handle (such as !a!): network files are plain YAML and need no tags"),
    ("port a layer without a kernel", None, ["port", "conv", "-i", "5"], 2, "convcalc: error: --kernel: port conv needs --kernel"),
    ("port a layer without an input", None, ["port", "pool", "-k", "2"], 2, "convcalc: error: --input: port pool needs --input"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "text", "args", "code", "line"), CASES, ids=[case[0] for case in CASES])
def test_one_line_and_the_right_code(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    title: str,
    text: str | None,
    args: list[str],
    code: int,
    line: str,
) -> None:
    """Exit 2 for malformed input, 1 for a layer that cannot be computed; one stderr line saying why."""
    del title
    if text is not None:
        (tmp_path / "net.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert (result.exit_code, result.stderr) == (code, line + "\n")


def merge_bomb(levels: int) -> str:
    """Each mapping merges the one before twice: expanded naively, the work doubles per line."""
    lines = ["m0: &m0 {type: conv, kernel_size: 1}"]
    lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}]}}" for i in range(1, levels)]
    return "\n".join(lines) + f"\ninput: [1, 1, 8, 8]\nlayers: [*m{levels - 1}]\n"


def merge_chain(length: int) -> str:
    """Each mapping merges the one before: a chain of merges."""
    lines = ["m0: &m0 {type: conv, kernel_size: 1}"]
    lines += [f"m{i}: &m{i} {{<<: *m{i - 1}}}" for i in range(1, length)]
    return "\n".join(lines) + f"\ninput: [1, 1, 8, 8]\nlayers: [*m{length - 1}]\n"


def merge_errors(text: str) -> list[str]:
    """Return the error lines of a file, leaving out the unknown top-level keys of the anchors."""
    with pytest.raises(InputErrorGroup) as caught:
        load_network(text, "net.yaml")
    return [str(e) for e in caught.value.errors if "unknown key" not in str(e)]


def test_merges_are_expanded_once() -> None:
    """Thirty layers, each merging the one before twice (2**30 expansions if done naively), load at once."""
    layers = ["  - &m0 {type: conv, kernel_size: 1}"]
    layers += [f"  - &m{i} {{<<: [*m{i - 1}, *m{i - 1}], name: layer{i}}}" for i in range(1, 30)]
    network = load_network("input: [1, 1, 8, 8]\nlayers:\n" + "\n".join(layers) + "\n", "net.yaml")
    assert len(network.layers) == 30
    assert network.layers[-1].name == "layer29"


def test_merge_limits() -> None:
    """Deeper than 32 merges, or a mapping merging itself, is one located line each."""
    assert merge_errors(merge_bomb(60))[0] == "net.yaml:27:6: layers[0]: << merges nested more than 32 deep"
    assert merge_errors(merge_chain(3000))[0] == "net.yaml:2967:8: layers[0]: << merges nested more than 32 deep"
    assert merge_errors("input: [1, 1, 8, 8]\nlayers:\n  - &m {<<: *m, type: conv, kernel_size: 1}\n") == [
        "net.yaml:3:5: layers[0]: a << merge of a mapping into itself"
    ]


def test_meeting_sizes_have_one_budget_per_file() -> None:
    """300 merges that do not meet: each says so; the search for sizes where they would stops for the file."""
    lines = ["input: [1, 1, 64, 64]", "layers:"]
    for i in range(300):
        lines.append(f"  - {{type: conv, name: a{i}, from: input, kernel_size: 3}}")
        lines.append(f"  - {{type: add, name: s{i}, from: [input, a{i}]}}")
    result = analyze(load_network("\n".join(lines) + "\n", "net.yaml"))
    merges = [layer for layer in result.layers if layer.name.startswith("s")]
    assert all(layer.status is Status.INVALID for layer in merges)
    hinted = [layer.name for layer in merges if "where they meet" in (layer.error or "")]
    assert hinted[:1] == ["s0"]
    assert len(hinted) < 30  # the file's budget, not the number of merges, bounds the search


def test_receptive_fields_have_one_budget_per_file() -> None:
    """Sixteen stride-2 transposed layers (period 65,536) then 60 convolutions: the field stops, with its note."""
    lines = ["input: [1, 1, 8]", "layers:"]
    lines += ["  - {type: convtranspose, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}"] * 16
    lines += ["  - {type: conv, kernel_size: 3, padding: 1}"] * 60
    result = analyze(load_network("\n".join(lines) + "\n", "net.yaml"))
    assert result.ok
    assert result.layers[10].receptive_field == (2,)
    assert result.layers[-1].receptive_field is None
    notes = [warning for layer in result.layers for warning in layer.warnings]
    assert notes == ["receptive field not computed from here on: too many positions to follow, or past 4000 digits"]


def test_size_limits_are_one_line_each() -> None:
    """More layers than any model has, or a name longer than any, is refused at once, saying the limit."""
    many = "input: [1, 1, 8, 8]\nlayers:\n" + "  - {type: conv, kernel_size: 1}\n" * (MAX_LAYERS + 1)
    assert merge_errors(many) == [
        f"net.yaml:3:3: layers: {MAX_LAYERS + 1:,} layers; at most {MAX_LAYERS:,} are read: split the network into files"
    ]
    long_name = "input: [1, 1, 8, 8]\nlayers:\n  - {type: conv, kernel_size: 1, name: " + "x" * 5000 + "}\n"
    assert merge_errors(long_name) == [
        f"net.yaml:3:40: layers[0].name: expected a name of at most {MAX_NAME} characters, got 5,000"
    ]


@pytest.mark.parametrize(
    ("flags", "widest", "span"),
    [
        (["--stride", "1..100000"], "--stride", "2,100,000"),
        (["--kernel", "1..1000000000000"], "--kernel", "12,000,000,000,000"),
        (["--kernel", "1..10000000000000000000"], "--kernel", "120,000,000,000,000,000,000"),
    ],
)
def test_solve_searches_within_a_budget(run: Run, flags: list[str], widest: str, span: str) -> None:
    """A search too wide to try is refused at once: exit 2, how wide it is, what to narrow (was a hang or MemoryError)."""
    result = run("solve", "conv", "-i", "1000", "-t", "3", *flags)
    assert result.exit_code == 2
    assert result.stderr == (
        f"convcalc: error: {widest}: the limits span {span} layer shapes (kernels x strides x dilations; paddings "
        "are solved for); at most 2,000,000 are tried: narrow the kernel, stride or dilation range\n"
    )


def test_the_library_refuses_a_wide_search_as_the_command_does() -> None:
    """One check, one message: the API names the widest range by its key, the command line by its flag."""
    with pytest.raises(convcalc.InputError) as caught:
        convcalc.solve("conv", 1000, 3, stride=(1, 100_000))
    assert caught.value.where == "stride"
    assert "the limits span 2,100,000 layer shapes" in caught.value.message


def test_solve_takes_any_padding(run: Run) -> None:
    """Paddings are solved for, not tried: a limit of 10**8 costs what 4 does (it was refused)."""
    result = run("solve", "conv", "-i", "10", "-t", "100000", "--max-padding", "100000000", "--format", "json")
    assert result.exit_code == 0
    first = json.loads(result.stdout)[0]
    assert first["kernel_size"] == [1, 1]
    assert first["padding"] == [[49995, 49995], [49995, 49995]]


def test_solve_with_too_many_answers_says_so(run: Run) -> None:
    """More answers than are ranked is refused with the count, not a long wait."""
    flags = ["--kernel", "1..100", "--stride", "1..100", "--dilation", "1..199", "--max-padding", "32"]
    result = run("solve", "conv", "-i", "1000", "-t", "3", *flags)
    assert result.exit_code == 2
    assert result.stderr == (
        "convcalc: error: more than 20,000 layers map 1000 to 3 within the limits: "
        "narrow the kernel, stride, dilation or padding\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["explain", "conv", "--dims", "1", "-i", "5", "-k", "1", "-p", "1000000000000000000"],
        ["explain", "conv", "-i", "5", "-k", "1", "-p", "1000000000000000000"],
        ["explain", "convt", "-i", "100000000000", "-k", "3", "-s", "2", "-p", "1"],
    ],
    ids=["1-D padding 10**18", "2-D padding 10**18", "transposed input 10**11"],
)
def test_huge_axes_are_drawn_with_the_middle_left_out(run: Run, args: list[str]) -> None:
    """A drawing builds only the cells it shows (padding of 10**18 raised MemoryError)."""
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "…" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


POOLED = "input: [1, 8, 16, 16]\nlayers:\n  - {type: conv, name: body, kernel_size: 3, padding: 1}\n  - {type: AdaptiveAvgPool2d, name: gate, from: body, output_size: 1}\n"
AFTER_POOLING = [
    "  - {type: add, from: [body, gate]}\n",
    "  - {type: concat, from: [gate, gate]}\n",
    "  - {type: Upsample, scale_factor: [16, 16]}\n  - {type: concat, from: [body, 3]}\n",
    "  - {type: pad, to: body}\n  - {type: add, from: [body, 3]}\n",
    "  - {type: crop, from: body, to: gate}\n  - {type: mul, from: [3, gate]}\n",
]


@pytest.mark.parametrize("tail", AFTER_POOLING)
def test_merging_a_pooled_path_is_no_traceback(run: Run, tmp_path: Path, tail: str) -> None:
    """A merge with an adaptively pooled path ended in IndexError (exit 70); now it is computed, no field followed."""
    path = tmp_path / "net.yaml"
    path.write_text(POOLED + tail)
    result = run("stack", str(path), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert '"receptive_field": null' in result.stdout.splitlines()[-3]  # the last layer's line


@pytest.mark.parametrize(
    "args",
    [
        ("solve", "{}", "-i", "7", "-t", "15", "--limit", "2"),
        ("port", "{}", "-i", "7", "-k", "3", "-s", "2", "--to", "keras"),
        ("explain", "{}", "-i", "3", "-k", "2", "-s", "2"),
    ],
)
def test_every_command_that_takes_a_layer_word_takes_its_other_spellings(run: Run, args: tuple[str, ...]) -> None:
    """deconv and conv-transpose are convt wherever a layer word is taken, not only as a command."""
    outputs = set()
    for word in ("convt", "deconv", "conv-transpose"):
        result = run(*(a.format(word) for a in args))
        assert result.exit_code == 0, (word, result.output)
        outputs.add(result.stdout)
    assert len(outputs) == 1
