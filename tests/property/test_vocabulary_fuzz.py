"""Every layer type the vocabulary has, drawn at any size and after every other type: never an exception.

The types and their keys come from netfile/vocabulary.py, so a type is fuzzed the day it lands.
Every outcome is a result (rendered in every format) or input errors naming the file. CI
runs a fixed slice; `FUZZ_EXAMPLES=20000 python -m pytest tests/property/test_vocabulary_fuzz.py`
draws anew, for the long run before a release.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings

from convcalc import InputErrorGroup, analyze
from convcalc.netfile.loader import load_network, network_from_data
from convcalc.netfile.vocabulary import KIND_NAMES, OTHER_TYPES
from convcalc.render.stack import RENDERERS
from convcalc.render.toolkit import RenderOptions
from tests.conftest import cost_of
from tests.property.strategies import SETTINGS
from tests.property.vocabulary_fuzz import _rank_of, network, pair_network, representative_types

pytestmark = pytest.mark.slow  # drawn network files of every kind: about 17 s

TYPES = representative_types()
FUZZ = settings(
    SETTINGS,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    derandomize=not os.environ.get("FUZZ_EXAMPLES"),  # CI: the same slice every run; a long run draws anew
)


def _outcome(data: dict[str, Any], *, text: bool = False) -> None:
    """Load, analyse and render in every format; only InputErrorGroup may escape, and JSON must parse."""
    problems: tuple[object, ...] = ()
    try:
        spec = load_network(yaml.safe_dump(data), "fuzz.yaml") if text else network_from_data(data, "fuzz.yaml")
    except InputErrorGroup as errors:
        problems = errors.errors or ("an empty group",)
    if problems:
        assert all(str(problem).startswith("fuzz.yaml") for problem in problems)
        return
    result = analyze(spec)
    for fmt, render in RENDERERS.items():
        written = render(result, cost_of(result), RenderOptions(width=80))
        assert written
        if fmt == "json":
            json.loads(written)


def test_every_reading_of_the_vocabulary_is_drawn() -> None:
    """Each type's reading (kind, rank, keys) has a representative, and every window class is one."""
    readings = {
        (info.kind, info.rank, tuple(sorted(info.keys.items())), info.needs_rank) for info in OTHER_TYPES.values()
    }
    assert len(TYPES) == len(readings) + len(KIND_NAMES)


@pytest.mark.parametrize("first", TYPES)
def test_every_pair_of_consecutive_types(first: str) -> None:
    """`first` then each type, at small sizes and at 10^99 per axis."""
    for second in TYPES:
        rank = _rank_of(first) or _rank_of(second) or 2
        for size in (6, 10**99):
            _outcome(pair_network(first, second, [2 if size == 6 else 1, 4, *[size] * rank]))


SCALAR_THEN_CHANNELS = {  # a reduction to a scalar, then a layer that counts channels (found by the test below)
    "input": [1, 1, 10**15],
    "layers": [
        {"type": "adaptiveavgpool1d", "output_size": 1},
        {"type": "amax", "dim": [0, 1, -1], "keepdim": False},
        {"type": "alphadropout"},
    ],
}


SCALAR_THEN_CHANNELS = {  # a reduction to a scalar, then a layer that counts channels (found by the test below)
    "input": [1, 1, 10**15],
    "layers": [
        {"type": "adaptiveavgpool1d", "output_size": 1},
        {"type": "amax", "dim": [0, 1, -1], "keepdim": False},
        {"type": "alphadropout"},
    ],
}


EMPTY_THEN_CHUNK = {  # JAX allows an output of size 0; torch.chunk splits it into `chunks` empty pieces
    "input": [1, 1, 1],
    "framework": "jax",
    "layers": [
        {"type": "averagepool", "kernel_size": 10**15},
        {"type": "chunk", "chunks": 1, "index": 0, "dim": -1, "from": ["1"]},
    ],
}


@FUZZ
@given(data=network(wrong=False))
@example(data=SCALAR_THEN_CHANNELS)
@example(data=EMPTY_THEN_CHUNK)
def test_drawn_networks_of_well_formed_layers(data: dict[str, Any]) -> None:
    """Up to five layers of any types with well-formed values up to 10^99, in any framework's rules."""
    _outcome(data)


@FUZZ
@given(data=network(wrong=True))
def test_drawn_network_files_with_wrong_values(data: dict[str, Any]) -> None:
    """The same with values of the wrong kind and types of the wrong rank, through the YAML reader."""
    _outcome(data, text=True)
