"""No input, however broken, makes convcalc raise: every outcome is a result or an InputErrorGroup."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from convcalc import InputError, InputErrorGroup, analyze
from convcalc.commands import FLAGS
from convcalc.fastpath import parse
from convcalc.loader import load_network
from convcalc.render import RENDERERS, RenderOptions
from tests.property.strategies import SETTINGS

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
            assert render(result, RenderOptions(width=80))
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


@SETTINGS
@given(
    command=st.sampled_from(sorted(FLAGS)),
    words=st.lists(
        st.sampled_from(
            [
                "-i",
                "-k",
                "-s",
                "-p",
                "-a",
                "--dims",
                "6",
                "0",
                "-1",
                "3x3",
                "same",
                "x",
                "--ceil",
                "--format",
                "json",
                "-",
            ]
        ),
        max_size=8,
    ),
)
def test_random_command_lines(command: str, words: list[str]) -> None:
    """Random command lines: the fast path parses or declines, and commands report input errors themselves."""
    from convcalc.commands import run  # noqa: PLC0415

    parsed = parse([command, *words])
    if parsed is None or parsed[0] in ("stack", "check"):
        return
    try:
        code = run(*parsed)
    except InputError:  # pragma: no cover - commands must report, never raise
        raise AssertionError from None
    assert code in (0, 1, 2)
