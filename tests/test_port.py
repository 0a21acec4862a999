"""convcalc port: the code it writes, run in each target framework, gives exactly the source framework's shape."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from convcalc import NetworkSpec, Status, analyze
from convcalc.errors import LayerError
from convcalc.loader import read_network
from convcalc.port import port, target_output
from convcalc.portcode import snippet
from convcalc.portnet import port_network
from convcalc.spec import Framework
from convcalc.writer import network_yaml
from tests.torch_cases import FIXTURES, case_input, layer_from_case, load_cases

Run = Callable[..., Result]
SOURCES = ("torch", "keras", "onnx", "jax")
TARGETS = ("torch", "keras", "onnx", "jax")
CASES = {name: load_cases(f"{name}_layers.json") for name in SOURCES}
TABLES = {target: json.loads((FIXTURES / f"port_{target}.json").read_text()) for target in TARGETS}
RECORDS = [(target, record) for target in TARGETS for record in TABLES[target]["records"]]
EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/*.yaml"))


def _source_output(case: dict[str, Any]) -> list[int]:
    """The source framework's own output size (the torch table records full shapes)."""
    return case["output"][2:] if "framework" not in case else case["output"]


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
    assert len(recorded) >= 700  # noqa: PLR2004


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
        "no keras layer does this: Keras pooling layers have no dilation": 97,
        "no keras layer does this: `strides > 1` not supported in conjunction with `dilat": 167,
        "no keras layer does this: Keras' Conv*DTranspose has no groups": 25,
        "no jax layer does this: lax.conv_transpose has no groups": 25,
        "no torch layer gives an output of size [..]: torch refuses sizes below 1": 73,
        "no keras layer gives an output of size [..]: keras refuses sizes below 1": 73,
        "no onnx layer gives an output of size [..]: onnx refuses sizes below 1": 73,
    }
