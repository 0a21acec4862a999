"""Model files and outputs fuzzed on every run: a short, fixed-seed slice of tools/fuzz_models.py.

ONNX files are mutated field by field (a field's wire type changed, a field inserted, bytes
cut off), Keras configs value by value (a value of another JSON type, a key removed) and
`.keras` archives byte by byte, each seeded with the real fixtures; `import torch`'s argument
forms are drawn. Only convcalc's input errors may come out, and what is rendered must parse:
JSON, CSV, JUnit XML with a strict parser, GitHub annotations one line per finding.

    FUZZ_EXAMPLES=5000 python -m pytest tests/property/test_model_fuzz.py   # a longer slice
    python tools/fuzz_models.py onnx -max_total_time=600                    # coverage-guided (atheris)
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import random
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convcalc import InputErrorGroup, analyze
from convcalc.core.errors import InputError
from convcalc.core.text import visible
from convcalc.importers.keras_config import keras_import, keras_network_data
from convcalc.importers.onnx_graph import onnx_import
from convcalc.importers.onnx_proto import fields
from convcalc.netfile.loader import PrefixMeasure, measured_shapes, network_from_data
from convcalc.render.check import input_findings, layer_findings, render_github, render_json, render_junit
from convcalc.render.stack import RENDERERS
from convcalc.render.toolkit import RenderOptions
from tests.conftest import cost_of
from tests.core.torch_cases import FIXTURES

pytestmark = pytest.mark.slow  # mutated ONNX and Keras files

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,  # the same slice on every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
    database=None,
)
ONNX_SEEDS = [
    path.read_bytes() for path in sorted([*FIXTURES.glob("onnx/*.onnx"), *FIXTURES.glob("onnx_dynamo/*.onnx")])
]
KERAS_ARCHIVES = [path.read_bytes() for path in sorted(FIXTURES.glob("keras/*.keras"))]
KERAS_CONFIGS = [json.loads(zipfile.ZipFile(io.BytesIO(data)).read("config.json")) for data in KERAS_ARCHIVES]


def _parsed(message: bytes, depth: int = 0) -> list[list[Any]]:
    """Return a message's fields, with the ones that parse as messages parsed too (at most 5 deep)."""
    out = []
    for number, wire, value in fields(message):
        inner = None
        if wire == 2 and depth < 5 and value:
            try:
                inner = _parsed(value, depth + 1)
            except ValueError:
                inner = None
        out.append([number, wire, value, inner])
    return out


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _encoded(message: list[list[Any]]) -> bytes:
    out = bytearray()
    for number, wire, value, inner in message:
        out += _varint(number << 3 | wire)
        if wire == 0:
            out += _varint(value)
        elif wire == 2:
            body = _encoded(inner) if inner is not None else value
            out += _varint(len(body)) + body
        else:
            out += value
    return bytes(out)


PARSED_ONNX = [_parsed(seed) for seed in ONNX_SEEDS[:8]]


def _every(message: list[list[Any]], found: list[list[Any]]) -> list[list[Any]]:
    for field in message:
        found.append(field)
        if field[3] is not None:
            _every(field[3], found)
    return found


def _mutated_onnx(rng: random.Random) -> bytes:
    message = copy.deepcopy(rng.choice(PARSED_ONNX))
    everything = _every(message, [])
    for _ in range(rng.randint(1, 3)):
        chosen = rng.random()
        if chosen < 0.4:  # a field's wire type (and value) changed
            field = rng.choice(everything)
            wire = rng.choice([0, 1, 2, 5])
            field[1], field[3] = wire, None
            field[2] = {0: rng.choice([0, 1, 7, 2**63, 2**64 - 1]), 1: bytes(8), 5: bytes(4)}.get(
                wire, bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))
            )
        elif chosen < 0.8:  # a field of any number inserted in any message
            holder = rng.choice([f[3] for f in everything if f[3] is not None] + [message])
            wire = rng.choice([0, 1, 2, 5])
            value = {0: rng.choice([0, 1, 7, 2**63]), 1: bytes(8), 5: bytes(4)}.get(wire, bytes(rng.randint(0, 9)))
            holder.insert(rng.randint(0, len(holder)), [rng.randint(1, 25), wire, value, None])
        else:  # a message's value replaced by random bytes
            field = rng.choice(everything)
            field[1], field[2], field[3] = 2, bytes(rng.randrange(256) for _ in range(rng.randint(0, 30))), None
    data = _encoded(message)
    return data[: rng.randint(len(data) // 2, len(data))] if rng.random() < 0.2 else data


def _problems(read: Any) -> tuple[InputError, ...]:
    """Run a reader; return the input errors it raised (none when it read the file)."""
    try:
        read()
    except InputErrorGroup as errors:
        return errors.errors
    return ()


def _rendered_everywhere(data: dict[str, Any]) -> None:
    """Analyse and render in every format: JSON parses, CSV parses into rows of one width."""
    result = analyze(network_from_data(data, "fuzz"))
    for fmt, render in RENDERERS.items():
        written = render(result, cost_of(result), RenderOptions(width=80))
        if fmt == "json":
            json.loads(written)
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(written)))
            assert len({len(row) for row in rows if row and not row[0].startswith("layer ")}) <= 1


@FUZZ
@given(seed=st.integers(0, 2**32))
def test_mutated_onnx_files(seed: int) -> None:
    """A mutated real ONNX file: its layers, or one line per problem."""
    data = _mutated_onnx(random.Random(seed))  # noqa: S311 - reproducible mutations, not secrets
    problems = _problems(
        lambda: _rendered_everywhere(onnx_import("fuzz.onnx", None, PrefixMeasure(measured_shapes), data)[0])
    )
    assert all(str(problem).startswith("fuzz") for problem in problems)


WRONG: list[object] = [None, 0, -1, 1.5, "x", [], {}, [None], [[]], {"a": 1}, True, 10**30, [1, 2, 3, 4, 5, 6], "same"]


@settings(
    FUZZ, max_examples=int(os.environ.get("FUZZ_EXAMPLES", "600"))
)  # the reader's checks hold only if this runs long
@given(seed=st.integers(0, 2**32))
def test_mutated_keras_configs(seed: int) -> None:
    """A real Keras config with values of other JSON types and keys removed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible mutations, not secrets
    config = copy.deepcopy(rng.choice(KERAS_CONFIGS))
    places: list[tuple[Any, Any]] = []

    def walk(value: Any, parent: Any, key: Any) -> None:
        places.append((parent, key))
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for child_key, child in children:
            walk(child, value, child_key)

    walk(config, None, None)
    for _ in range(rng.randint(1, 3)):
        parent, key = rng.choice(places[1:])
        if isinstance(parent, dict) and key in parent and rng.random() < 0.3:
            del parent[key]
        elif (isinstance(parent, dict) and key in parent) or (isinstance(parent, list) and key < len(parent)):
            parent[key] = rng.choice(WRONG)
    problems = _problems(
        lambda: _rendered_everywhere(keras_network_data(config, "fuzz.json", None, PrefixMeasure(measured_shapes)))
    )
    assert all(str(problem).startswith("fuzz") for problem in problems)


@FUZZ
@given(seed=st.integers(0, 2**32))
def test_mutated_keras_archives(seed: int) -> None:
    """A real `.keras` archive with bytes changed, cut or inserted: read, or one line."""
    rng = random.Random(seed)  # noqa: S311 - reproducible mutations, not secrets
    data = bytearray(rng.choice(KERAS_ARCHIVES))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data))
        chosen = rng.random()
        if chosen < 0.5:
            data[at] = rng.randrange(256)
        elif chosen < 0.8:
            del data[at : at + rng.randint(1, 40)]
        else:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    problems = _problems(
        lambda: _rendered_everywhere(keras_import("fuzz.keras", None, PrefixMeasure(measured_shapes), bytes(data)))
    )
    assert all(str(problem).startswith("fuzz") for problem in problems)


TARGETS = st.one_of(
    st.sampled_from(["", ":", "a:", ":b", "a.b", "a:b:c", "os:system", "json:loads", "math:pi", "sys:exit",
                     "tests.importers.torch_factories:not_a_model", "\x00:x", "a b:c", "é:ü", "..:x", "a::b"]),
    st.text(max_size=30),
)  # fmt: skip
ARGUMENTS = st.one_of(st.none(), st.sampled_from(["", "{", "[]", "{}", "[1, 2]", '{"x": 1}', "3", "null", '"s"']))


@FUZZ
@given(target=TARGETS, arguments=ARGUMENTS)
def test_import_torch_argument_forms(target: str, arguments: str | None) -> None:
    """`import torch TARGET --args JSON` in any form: a model, or one input error (torch or not)."""
    from convcalc.importers.torch_fx import build_model

    refused: list[InputError] = []
    try:
        build_model(target, arguments)
    except InputError as error:
        refused.append(error)
    assert all("\n" not in error.message for error in refused)


GITHUB_LINE = "::error "


@FUZZ
@given(data=st.data())
def test_check_reports_parse(data: st.DataObject) -> None:
    """check's JSON and JUnit (a strict XML parser) read back; GitHub annotations are one line per finding."""
    names = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
    name = data.draw(names)
    file = data.draw(names) or "f.yaml"
    network = {"input": [1, 1, 8, 8], "layers": [{"type": "conv", "kernel_size": 3, "name": name or "n",
                                                   "expect": [1, 1, 9, 9]}]}  # fmt: skip
    try:
        checks = [layer_findings(file, analyze(network_from_data(network, file)))]
    except InputErrorGroup as errors:  # a name the loader refuses ('0', 'input')
        checks = [input_findings(file, errors.errors)]
    checks.append(input_findings(file, (InputError(f"bad {name}", where="layers[0]"),)))
    json.loads(render_json(checks))
    ET.fromstring(render_junit(checks))  # noqa: S314 - our own output
    lines = render_github(checks).splitlines()
    assert len([line for line in lines if line.startswith(GITHUB_LINE)]) == sum(len(c.findings) for c in checks)
    assert all(visible(line) == line for line in lines)  # controls, format characters, separators: escaped


def test_the_seeds_are_the_real_fixtures() -> None:
    """Every ONNX and Keras fixture seeds the mutations (a fixture added is fuzzed with the rest)."""
    assert len(ONNX_SEEDS) == len([*FIXTURES.glob("onnx/*.onnx"), *FIXTURES.glob("onnx_dynamo/*.onnx")]) >= 20
    assert len(KERAS_CONFIGS) >= 10
    assert [f for f in _parsed(ONNX_SEEDS[0]) if f[0] == 7]  # ModelProto.graph parsed as a message
