"""No input, however broken, makes convcalc raise: every outcome is a result or an InputErrorGroup."""

from __future__ import annotations

import contextlib
import io

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from convcalc import InputErrorGroup, analyze
from convcalc.netfile.loader import load_network
from convcalc.render.stack import RENDERERS
from convcalc.render.toolkit import RenderOptions
from tests.conftest import cost_of
from tests.property.strategies import SETTINGS

pytestmark = pytest.mark.slow  # random files through every command

NUMBERS = st.one_of(
    st.integers(-3, 12),
    st.integers(10**18, 10**22),
    st.sampled_from(["3", "x", "same", "valid", True, None, 1.5, [], [3, 3], [[1, 2], [0, 1]], [0, 2, 2, 2]]),
)
KEYS = st.sampled_from(
    ["type", "kernel_size", "stride", "padding", "dilation", "output_padding", "ceil_mode", "groups",
     "out_channels", "in_channels", "bias", "expect", "name", "kernal_size"]
)  # fmt: skip
TYPES = st.sampled_from(["conv", "convtranspose", "maxpool", "avgpool", "Conv2d", "ConvTranspose1d", "pool", 3])
LAYERS = st.lists(
    st.dictionaries(KEYS, NUMBERS, max_size=6).map(lambda d: {**d, "type": d.get("type", "conv")})
    | st.fixed_dictionaries({"type": TYPES, "kernel_size": NUMBERS}, optional={"stride": NUMBERS, "padding": NUMBERS}),
    max_size=5,
)
INPUTS = st.lists(st.integers(-1, 40), min_size=0, max_size=6) | st.sampled_from([None, "1,3,8,8", [1, 3, 10**20]])


def outcome(text: str) -> None:
    """Load, analyse and render; only InputErrorGroup may escape."""
    try:
        network = load_network(text, "fuzz.yaml")
    except InputErrorGroup as errors:
        problems = errors.errors
    else:
        result = analyze(network)
        for render in RENDERERS.values():
            assert render(result, cost_of(result), RenderOptions(width=80))
        return
    assert problems
    assert all(str(e).startswith("fuzz.yaml") for e in problems)


@SETTINGS
@given(layers=LAYERS, shape=INPUTS)
def test_random_network_files(layers: list[dict[str, object]], shape: object) -> None:
    """Random keys and values in otherwise valid YAML."""
    outcome(yaml.safe_dump({"input": shape, "layers": layers}))


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("[]{}:,-&*!| \n\tabc0123'\"#>%@`")), max_size=80))
def test_random_yaml_text(text: str) -> None:
    """Random text made of YAML's structural characters."""
    outcome("input: [1, 1, 8]\nlayers:\n" + text)
    outcome(text)


SIZE_WORDS = st.one_of(
    st.integers(1, 64).map(str),
    st.tuples(st.integers(1, 16), st.integers(1, 16)).map(lambda t: f"{t[0]}x{t[1]}"),
    st.sampled_from(["0", "-1", "x", "3x", "1.5", "", "same", "1:2", "99999999999", "3x3x3x3"]),
)
SMALL_WORDS = st.one_of(
    st.integers(0, 5).map(str),
    st.sampled_from(["same", "valid", "1:2", "2x1", "-1", "x", "0:0", "1..3"]),
)
LAYER_OPTIONS = {
    "-s": SMALL_WORDS,
    "-p": SMALL_WORDS,
    "-d": SMALL_WORDS,
    "-a": SMALL_WORDS,
    "--dims": st.sampled_from(["1", "2", "3", "0", "4"]),
    "--channels": st.sampled_from(["1", "3", "0", "64"]),
    "--format": st.sampled_from(["table", "json", "markdown", "csv", "yaml", "x"]),
    "--framework": st.sampled_from(["torch", "keras", "onnx", "jax", "tf", "caffe"]),
}


@st.composite
def layer_command_lines(draw: st.DrawFn) -> list[str]:
    """Draw a layer command line: the command, -i and -k (nearly always), a few more options."""
    command = draw(st.sampled_from(["conv", "convt", "pool", "conv-transpose", "deconv"]))
    words = [command]
    if draw(st.integers(0, 19)):
        words += ["-i", draw(SIZE_WORDS)]
    if draw(st.integers(0, 19)):
        words += ["-k", draw(SIZE_WORDS)]
    for option in draw(st.lists(st.sampled_from(sorted(LAYER_OPTIONS)), unique=True, max_size=4)):
        if command == "pool" and option in ("-a", "--framework"):
            continue
        words += [option, draw(LAYER_OPTIONS[option])]
    if command == "pool" and draw(st.booleans()):
        words += draw(st.sampled_from([["--ceil"], ["--mode", "avg"], ["--mode", "max"], ["--mode", "x"]]))
    return words


@SETTINGS
@given(words=layer_command_lines())
def test_random_layer_command_lines(words: list[str]) -> None:
    """Layer command lines as users write them, right and wrong: exit 0, 1 or 2 and one line per error."""
    from convcalc.cli.entry import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as stderr:
        code = main(words)
    err = stderr.getvalue()
    assert code in (0, 1, 2)
    if code == 2:
        assert err.strip(), words
        assert "Traceback" not in err
    else:
        event("computed")  # the command got past its input checks
