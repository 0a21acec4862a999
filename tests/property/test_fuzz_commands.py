"""A fuzzer that stays: hostile network files and command lines through every command, as a user runs them.

Each example runs the real entry point (fast path or Typer) in this process and checks the
promises: an exit code of 0, 1 or 2, no internal error, no traceback, every stderr line one
line of visible text, nothing from the input reaching the terminal raw.

In the suite each test draws a few dozen examples. The long run is

    FUZZ_EXAMPLES=20000 python -m pytest tests/property/test_fuzz_commands.py -x -p no:cacheprovider

(about 15 minutes on two cores); whatever it finds becomes a case in tests/cli/test_robustness.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convcalc.cli.entry import main

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

HOSTILE_NAMES = st.sampled_from(
    [
        "conv1",
        "[/]",
        "[link=http://example.invalid]x[/link]",
        "[bold red]loud",
        "a\nfake.yaml:1:1: forged",
        "\x1b[2J\x1b[31m",
        "\u202eevil",
        "=1+1",
        "-2",
        "2",
        "input",
        "",
        " ",
        "é日本",
        "x" * 300,
    ]
)
NUMBERS = st.one_of(
    st.integers(-3, 12),
    st.integers(10**18, 10**22),
    st.just(10**101),
    st.sampled_from(["3", "x", "same", "valid", "causal", "SAME_LOWER", True, None, 1.5, [], [3, 3], [[1, 2], [0, 1]]]),
    st.sampled_from([[0, 2, 2, 2], [-1, 1], [[-2, -1]], [2, 2, 2], [1]]),
)
WINDOW_TYPES = st.sampled_from(
    ["conv", "convtranspose", "maxpool", "avgpool", "Conv2d", "ConvTranspose1d", "Conv3d", "MaxPool2d", "AvgPool3d"]
)
OTHER_TYPES = st.sampled_from(
    [
        "add",
        "concat",
        "crop",
        "pad",
        "Flatten",
        "Linear",
        "Upsample",
        "AdaptiveAvgPool2d",
        "ZeroPad2d",
        "ReLU",
        "BatchNorm2d",
        "mul",
        "sub",
        "div",
        "chunk",
        "narrow",
        "ChannelShuffle",
        "PixelShuffle",
        "PixelUnshuffle",
        "LayerNorm",
        "mean",
        "amax",
        "interpolate",
        "StochasticDepth",
        "Softmax2d",
        "cat",
        "permute",
        "transpose",
        "view",
        "reshape",
        "unflatten",
        "contiguous",
        "GroupNorm",
        "InstanceNorm2d",
        "FrozenBatchNorm2d",
        "Transpose",
        "ReduceMean",
        "GlobalAveragePool",
        "SpaceToDepth",
        "Concatenate",
        "UpSampling2D",
        "GlobalMaxPooling2D",
        "LayerNormalization",
        "concatenate",
    ]
)
CLEAN = {  # values a layer of that kind takes, drawn three times in four
    "kernel_size": st.integers(1, 3),
    "stride": st.integers(1, 3),
    "padding": st.integers(0, 1),
    "dilation": st.integers(1, 2),
    "output_padding": st.just(0),
    "ceil_mode": st.booleans(),
    "groups": st.just(1),
    "out_channels": st.integers(1, 8),
    "bias": st.booleans(),
    "scale_factor": st.sampled_from([2, 1.5, [2, 2]]),
    "out_features": st.integers(1, 10),
    "cropping": st.sampled_from([1, [[1, 0], [0, 1]]]),
    "dim": st.just(1),
    "mode": st.sampled_from(["nearest", "bilinear"]),
    "output_size": st.sampled_from([1, [2, 2], 4]),
    "chunks": st.integers(1, 4),
    "index": st.integers(-3, 3),
    "start": st.integers(-4, 6),
    "length": st.integers(1, 6),
    "upscale_factor": st.integers(1, 3),
    "downscale_factor": st.integers(1, 3),
    "normalized_shape": st.sampled_from([8, [8, 8], [3, 8, 8], [4]]),
    "keepdim": st.booleans(),
    "padding_mode": st.sampled_from(["zeros", "reflect", "replicate", "circular", "mirror"]),
    "count_include_pad": st.booleans(),
    "dims": st.sampled_from([[0, 2, 3, 1], [0, 3, 1, 2], [0, 1, 2], [1, 1, 0, 2]]),
    "dim0": st.integers(-4, 4),
    "dim1": st.integers(-4, 4),
    "shape": st.sampled_from([[1, -1], [1, 3, -1], [-1, -1], [1, 3, 16, 16], [2, 0]]),
    "sizes": st.sampled_from([[3, -1], [1, -1], [2, 2]]),
    "perm": st.sampled_from([[0, 2, 3, 1], [0, 1], [3, 2, 1, 0]]),
    "axes": st.sampled_from([[1], [2, 3], [-1], [0, 9]]),
    "axis": st.sampled_from([1, -1, 0, 7]),
    "keepdims": st.sampled_from([0, 1, True, "no"]),
    "blocksize": st.integers(0, 3),
}
WINDOW_KEYS = [
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "output_padding",
    "ceil_mode",
    "groups",
    "out_channels",
    "bias",
    "output_size",
    "padding_mode",
    "count_include_pad",
]
OTHER_KEYS = [
    "scale_factor",
    "size",
    "out_features",
    "padding",
    "cropping",
    "to",
    "dim",
    "mode",
    "output_size",
    "chunks",
    "index",
    "start",
    "length",
    "upscale_factor",
    "downscale_factor",
    "normalized_shape",
    "keepdim",
    "groups",
    "dims",
    "dim0",
    "dim1",
    "shape",
    "sizes",
    "perm",
    "axes",
    "axis",
    "keepdims",
    "blocksize",
]


@st.composite
def layer_maps(draw: st.DrawFn, count: int) -> dict[str, object]:
    """Draw one layer: mostly well-formed, with hostile names, references and values mixed in."""
    if draw(st.booleans()):
        layer: dict[str, object] = {
            "type": draw(WINDOW_TYPES),
            "kernel_size": draw(st.sampled_from([1, 2, 3, [3, 3], 0])),
        }
        keys = WINDOW_KEYS
    else:
        layer = {"type": draw(OTHER_TYPES)}
        keys = OTHER_KEYS
    for key in draw(st.lists(st.sampled_from(keys), unique=True, max_size=3)):
        clean = CLEAN.get(key)
        layer[key] = draw(clean) if clean is not None and draw(st.integers(0, 3)) else draw(NUMBERS)
    if draw(st.integers(0, 2)) == 0:
        layer["name"] = draw(HOSTILE_NAMES)
    if draw(st.integers(0, 3)) == 0:
        references = st.sampled_from(["input", *(str(i) for i in range(1, count + 2)), "nope", "[/]"])
        layer["from"] = draw(st.lists(references, min_size=1, max_size=2) | references)
    if draw(st.integers(0, 4)) == 0:
        layer["expect"] = draw(st.sampled_from([[1, 3, 8, 8], [1, 3], "x", [1, 3, 10**30, 1]]))
    return layer


KIND_KEYS = {
    "conv": ["stride", "padding", "dilation", "groups", "out_channels", "bias"],
    "convtranspose": ["stride", "padding", "dilation", "output_padding", "out_channels", "bias"],
    "maxpool": ["stride", "padding", "dilation", "ceil_mode"],
    "avgpool": ["stride", "padding", "ceil_mode"],
}


@st.composite
def clean_layer_maps(draw: st.DrawFn, index: int) -> dict[str, object]:
    """Draw a layer that is well-formed (it may still not fit its input): hostile names, valid keys and values."""
    if index > 1 and draw(st.integers(0, 4)) == 0:
        merge = draw(st.sampled_from(["add", "concat"]))
        sources = draw(st.lists(st.integers(0, index - 1), min_size=2, max_size=2))
        return {"type": merge, "from": [str(i) if i else "input" for i in sources], "name": f"m{index}"}
    if draw(st.integers(0, 5)) == 0:
        return {"type": draw(st.sampled_from(["ReLU", "BatchNorm2d", "Dropout"])), "name": f"x{index}"}
    kind = draw(st.sampled_from(sorted(KIND_KEYS)))
    layer: dict[str, object] = {"type": kind, "kernel_size": draw(st.integers(1, 3))}
    for key in draw(st.lists(st.sampled_from(KIND_KEYS[kind]), unique=True, max_size=3)):
        layer[key] = draw(CLEAN[key])
    if kind in ("maxpool", "avgpool") and "padding" in layer:
        layer["padding"] = min(int(layer["padding"]), int(layer["kernel_size"]) // 2)  # type: ignore[call-overload]
    layer["name"] = draw(HOSTILE_NAMES.filter(lambda n: n not in ("", "input") and not n.isdigit())) + f"#{index}"
    return layer


@st.composite
def network_texts(draw: st.DrawFn) -> str:
    """Draw a network file: YAML from a drawn structure, sometimes with anchors, merges or a stray edit.

    Half the files are well-formed, so that they reach the arithmetic and every renderer.
    """
    count = draw(st.integers(0, 6))
    if draw(st.booleans()):
        layers = [draw(clean_layer_maps(index)) for index in range(1, count + 1)]
    else:
        layers = [draw(layer_maps(count)) for _ in range(count)]
    valid = st.sampled_from([[1, 3, 16, 16], [1, 3, 32, 32], [1, 3, 8], [2, 4, 6, 6, 6]])
    hostile = st.sampled_from([[1, 3, 0, 4], [1, 3], "1,3,8,8", [1, 3, 10**40, 2]])
    shape = draw(hostile if draw(st.integers(0, 5)) == 0 else valid)
    document: dict[str, object] = {"input": shape, "layers": layers}
    if layers and draw(st.integers(0, 3)) == 0:  # the first layers as a block, placed and repeated
        cut = draw(st.integers(1, len(layers)))
        repeat = draw(st.sampled_from([1, 2, 3, 0, "$n", 10**12]))
        body: dict[str, object] = {
            "params": {"n": 2, "c": draw(st.sampled_from([4, None, "x"]))},
            "layers": layers[:cut],
        }
        document["blocks"] = {
            "b": body,
            **({"loop": {"layers": [{"block": "loop", "name": "z"}]}} if repeat == 0 else {}),
        }
        instance = {"block": draw(st.sampled_from(["b", "b", "nope", "loop"])), "name": "x", "repeat": repeat}
        document["layers"] = [instance, *layers[cut:]]
    if draw(st.integers(0, 5)) == 0:
        document["framework"] = draw(st.sampled_from(["keras", "onnx", "jax", "tf", "caffe"]))
    text = yaml.safe_dump(document, allow_unicode=True)
    edit = draw(st.integers(0, 9))
    if edit == 0 and len(layers) > 1:  # the first layer merged into the others
        head, _, items = text.partition("layers:\n- ")
        first, *rest = items.split("\n- ")
        text = head + "layers:\n- &first\n  " + first + "".join("\n- <<: *first\n  " + item for item in rest)
    elif edit == 1:  # a stray character somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list("[]{}:,-&*!|\t'\"\x00"))) + text[at:]
    elif edit == 2:  # a tag
        text = text.replace(
            "kernel_size: ",
            draw(st.sampled_from(["kernel_size: !!int ", "kernel_size: !!str ", "kernel_size: !!python/none "])),
            1,
        )
    return text


def run_convcalc(args: list[str]) -> tuple[int, str, str]:
    """Run convcalc's entry point in this process; return the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return int(code), out.getvalue(), err.getvalue()


def assert_promises(args: list[str], code: int, out: str, err: str) -> None:
    """Check the contract's promises for any input."""
    assert code in (0, 1, 2), (args, code, err)
    assert "internal error" not in err, (args, err)
    assert "Traceback" not in err, (args, err)
    assert "\x1b" not in out + err, args  # nothing from the input reaches the terminal raw
    if code == 2:
        assert err.strip(), args


COMMANDS = st.sampled_from(
    [
        ["stack", "net.yaml"],
        ["stack", "net.yaml", "--format", "json"],
        ["stack", "net.yaml", "--format", "csv"],
        ["stack", "net.yaml", "--format", "markdown"],
        ["check", "net.yaml"],
        ["check", "net.yaml", "--input", "1,3,9,9"],
        ["sizes", "net.yaml", "-r", "1:40"],
        ["mirror", "net.yaml"],
        ["explain", "net.yaml", "--layer", "1"],
        ["explain", "net.yaml", "--layer", "2"],
        ["port", "net.yaml"],
        ["port", "net.yaml", "--to", "keras"],
        ["port", "net.yaml", "--to", "onnx", "-f", "yaml"],
        ["port", "net.yaml", "--to", "jax", "-f", "python"],
    ]
)


@FUZZ
@given(text=network_texts(), command=COMMANDS)
def test_network_files_through_every_command(text: str, command: list[str], tmp_path_factory: object) -> None:
    """Any network file, through any command that reads one."""
    folder = Path(tmp_path_factory.mktemp("fuzz"))  # type: ignore[attr-defined]
    (folder / "net.yaml").write_text(text, encoding="utf-8")
    args = [folder / "net.yaml" if word == "net.yaml" else word for word in command]
    words = [str(word) for word in args]
    code, out, err = run_convcalc(words)
    event(f"exit {code}")
    if os.environ.get("FUZZ_WHY"):
        event(re.sub(r"[0-9]+", "N", (err.splitlines() or [""])[0].split(": ", 1)[-1])[:70])
    assert_promises(words, code, out, err)


VALUE_WORDS = st.one_of(
    st.integers(-2, 40).map(str),
    st.sampled_from(
        ["1..7", "3..1", "1..100000", "0..0", "1:40", "40:1", "same", "1:2", "2x3", "x", "", "-", "1" * 120]
    ),
)
OPTION_VALUES = {  # an option and a value it takes
    "-i": st.sampled_from(["9", "16", "7x9", "5x8x8"]),
    "-t": st.sampled_from(["4", "8", "3x4"]),
    "-k": st.sampled_from(["1", "2", "3", "3x2"]),
    "-s": st.sampled_from(["1", "2", "1..3"]),
    "-p": st.sampled_from(["0", "1", "same", "1:0"]),
    "-d": st.sampled_from(["1", "2"]),
    "-a": st.sampled_from(["0", "1"]),
    "--dims": st.sampled_from(["1", "2", "3"]),
    "--kernel": st.sampled_from(["1..5", "3"]),
    "--stride": st.sampled_from(["1..3", "2"]),
    "--dilation": st.sampled_from(["1..2", "1"]),
    "--max-padding": st.sampled_from(["0", "3"]),
    "--limit": st.sampled_from(["1", "5"]),
    "--mode": st.sampled_from(["max", "avg"]),
    "--format": st.sampled_from(["table", "json", "csv", "markdown", "yaml", "python"]),
    "--from": st.sampled_from(["torch", "keras", "onnx", "jax"]),
    "--to": st.sampled_from(["torch", "keras", "onnx", "jax"]),
    "--target": st.sampled_from(["14", "15"]),
    "--channels": st.sampled_from(["3", "8"]),
    "--framework": st.sampled_from(["torch", "keras", "onnx", "jax"]),
}
FLAGS_ALONE = ["--matrix", "--symmetric-only", "--ceil", "--no-bias"]


LAYER_OPTIONS = ["-s", "-p", "-d", "--dims", "--channels", "--format", "--framework"]
OPTIONS_OF = {  # what each command takes, besides -i, -o and -k
    "conv": LAYER_OPTIONS,
    "convt": [*LAYER_OPTIONS, "-a", "--target"],
    "pool": [*LAYER_OPTIONS, "--mode", "--ceil"],
    "solve": ["--kernel", "--stride", "--dilation", "--max-padding", "--limit", "--mode", "--format", "--dims",
              "--symmetric-only", "--framework"],
    "explain": ["-s", "-p", "-d", "-a", "--dims", "--matrix", "--framework", "--target"],
    "port": ["-s", "-p", "-d", "-a", "--dims", "--from", "--to", "--format", "--channels"],
}  # fmt: skip


@st.composite
def option_words(draw: st.DrawFn, command: str) -> list[str]:
    """Draw options the command takes (three times in four), with values they take (likewise), and bare flags."""
    words: list[str] = []
    own = OPTIONS_OF.get(command, [])
    anything = st.sampled_from([*OPTION_VALUES, *FLAGS_ALONE])
    mostly_own = draw(st.integers(0, 3))
    for option in draw(st.lists(st.sampled_from(own) if own and mostly_own else anything, max_size=5)):
        words.append(option)
        if option in OPTION_VALUES:
            words.append(draw(OPTION_VALUES[option]) if draw(st.integers(0, 3)) else draw(VALUE_WORDS))
    return words


HEADS = st.sampled_from(
    [
        ["solve", "conv"],
        ["solve", "convt"],
        ["solve", "pool"],
        ["explain", "conv"],
        ["explain", "convt"],
        ["explain", "pool"],
        ["port", "conv"],
        ["port", "convt"],
        ["port", "pool"],
        ["conv"],
        ["convt"],
        ["pool"],
        ["sizes", "missing.yaml"],
        ["schema"],
        ["nonsense"],
        [],
    ]
)
CORES = {"solve": ["-i", "9", "-t", "4"], "conv": ["-i", "9", "-k", "3"]}


@FUZZ
@given(data=st.data())
def test_command_lines_for_every_command(data: st.DataObject) -> None:
    """Any options after any command, mostly with the sizes and the options the command takes."""
    head = data.draw(HEADS)
    command = head[0] if head else ""
    core = CORES.get(command, CORES["conv"]) if data.draw(st.integers(0, 4)) else []
    args = [*head, *core, *data.draw(option_words(command))]
    code, out, err = run_convcalc(args)
    event(f"exit {code}")
    assert_promises(args, code, out, err)
