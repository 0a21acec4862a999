"""The JSON Schema says of a file's form what the loader says: the same files accepted, the same refused.

The loader is the reference. A drawn file (a type in any spelling, keys of its own, of other
types and unknown ones, values of every form, in each framework) is valid under the schema
exactly when the loader reads it, leaving aside what only the whole network shows (per-axis
lists as long as the input has axes, `from:` naming a layer before).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convcalc.core.errors import InputErrorGroup
from convcalc.netfile.loader import load_network, network_from_data
from convcalc.netfile.vocabulary import DIALECT_TYPES, KEY_ALIASES, KIND_NAMES, LAYER_KEYS, OTHER_TYPES
from tests.conftest import schema_errors, schema_valid
from tests.property.strategies import SETTINGS

pytest.importorskip("jsonschema")

TYPES = sorted({*KIND_NAMES, *OTHER_TYPES, *(name for types in DIALECT_TYPES.values() for name in types)})
EVERY_KEY = sorted(
    {*LAYER_KEYS, "from", "when", "bogus"}
    | {alias for aliases in KEY_ALIASES.values() for alias in aliases}
    | {key for types in (OTHER_TYPES, *DIALECT_TYPES.values()) for info in types.values() for key in info.keys}
)
FRAMEWORKS = {None: "torch", "torch": "torch", "PyTorch": "torch", "keras": "keras", "TF": "keras", " Keras ": "keras",
              "onnx": "onnx", "jax": "jax"}  # fmt: skip
WHOLE_NETWORK = (
    "no layer named",
    "reads itself",
    "is a layer index",
    "one per spatial axis",
    "is defined later",
    "expected one integer or",
    "needs `from` with at least",
)
"""What the loader says only from the whole network: references and per-axis lengths (not the schema's)."""


def _own_keys(framework: str, name: str) -> list[str]:
    keys = set(LAYER_KEYS) | set(KEY_ALIASES.get(framework, {})) if name in KIND_NAMES else set()
    for info in (OTHER_TYPES.get(name), DIALECT_TYPES.get(framework, {}).get(name)):
        keys |= set(info.keys) if info else set()
    return sorted(keys | {"from", "name", "expect"})


def _values(rank: int) -> list[Any]:
    """Values of every form a key may hold (and many it may not), with lists as long as the input has axes."""
    words = ["same", "valid", "SAME_UPPER", "Same-Lower", "causal", "NOTSET", "nearest", "bilinear", "center",
             "top_left", "zeros", "reflect", "foo", "input"]  # fmt: skip
    axes = [[n] * rank for n in (0, 1, 2, -1)] + [[None] * rank, [1.5] * rank, [[1, 1]] * rank, [[-1, 1]] * rank]
    return [0, 1, 2, 3, -1, True, False, None, 1.5, *words, *axes, [1, 1] * rank, [0] * (2 * rank),
            [[1, 2], *[1] * (rank - 1)], [1, 4, *[8] * rank], [1, 4, *[4] * rank], ["input", "input"], {"a": 1}, [],
            [1, "x"], [0, 2, 3, 1][: rank + 2]]  # fmt: skip


@st.composite
def network_files(draw: st.DrawFn) -> dict[str, Any]:
    """Draw a one-layer network: a type spelled in any case, keys mostly its own, values of every form."""
    rank = draw(st.integers(1, 3))
    written = draw(st.sampled_from(list(FRAMEWORKS)))
    framework = FRAMEWORKS[written]
    name = draw(st.sampled_from(TYPES))
    spelling = draw(st.sampled_from(["lower", "upper", "mixed", "underscore"]))
    if spelling == "upper":
        name = name.upper()
    elif spelling == "mixed":
        name = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    elif spelling == "underscore":
        cut = draw(st.integers(1, len(name) - 1))
        name = name[:cut] + "_" + name[cut:]
    layer: dict[str, Any] = {"type": name}
    values = st.sampled_from(_values(rank))
    for key in draw(st.lists(st.sampled_from(_own_keys(framework, name.lower().replace("_", ""))), max_size=3)):
        layer[key] = draw(values)
    if draw(st.integers(0, 6)) == 0:
        layer[draw(st.sampled_from(EVERY_KEY))] = draw(values)
    if name.lower().replace("_", "") in KIND_NAMES and draw(st.integers(0, 4)):
        kernel = draw(st.sampled_from(["kernel_size", "pool_size", "kernel_shape"]))
        layer.setdefault(kernel, draw(st.sampled_from([1, [1] * rank])))
    network: dict[str, Any] = {"input": [1, 4, *[8] * rank], "layers": [layer]}
    if written is not None:
        network["framework"] = written
    return network


def _loader_reads(data: dict[str, Any]) -> tuple[bool, list[str]]:
    try:
        network_from_data(data, "<drawn>")
    except InputErrorGroup as group:
        return False, [str(error) for error in group.errors]
    return True, []


@SETTINGS
@given(network_files())
def test_the_schema_accepts_what_the_loader_reads_and_refuses_what_it_refuses(network: dict[str, Any]) -> None:
    """Schema and loader agree on every drawn file whose refusal is not about the whole network."""
    reads, messages = _loader_reads(network)
    assume(reads or not all(any(part in message for part in WHOLE_NETWORK) for message in messages))
    errors = schema_errors(network)
    assert (errors == []) == reads, (messages, errors[:3])


@pytest.mark.parametrize(
    "network",
    [
        {"framework": "keras", "input": [1, 3, 32, 32], "layers": [
            {"type": "Conv2D", "filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
            {"type": "MaxPooling2D", "pool_size": 2, "strides": 2}, {"type": "BatchNormalization"}]},
        {"framework": "onnx", "input": [1, 3, 32, 32], "layers": [
            {"type": "Conv", "out_channels": 8, "kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [2, 2]},
            {"type": "MaxPool", "kernel_shape": [2, 2], "auto_pad": "SAME_UPPER", "ceil_mode": 1}]},
        {"framework": "jax", "input": [1, 1, 6], "layers": [{"type": "conv", "kernel_size": 2, "padding": [[-1, -1]]}]},
        {"framework": "TF", "input": [1, 3, 8, 8], "layers": [{"type": "CONV2D", "filters": 4, "kernel_size": 3}]},
        {"input": [1, 3, 8, 8], "layers": [{"type": "CONV2D", "out_channels": 8, "kernel_size": 3},
                                            {"type": "RELU"}, {"type": "conv_transpose_2d", "kernel_size": 2}]},
    ],
)  # fmt: skip
def test_framework_names_and_any_case_are_valid(network: dict[str, Any]) -> None:
    """The files the issue named: Keras' and ONNX's keys, types in capitals, JAX's cropping pads."""
    assert _loader_reads(network) == (True, [])
    assert schema_errors(network) == []


@pytest.mark.parametrize(
    ("network", "why"),
    [
        ({"input": [1, 3, 8, 8], "layers": [{"type": "conv", "filters": 8, "kernel_size": 3}]}, "Keras' name, torch"),
        ({"input": [1, 3, 8], "layers": [{"type": "Conv2d", "kernel_size": 3}]}, "Conv2d on a 1-D input"),
        ({"input": [1, 3, 8], "layers": [{"type": "maxpool", "kernel_size": 2, "out_channels": 3}]}, "pool channels"),
        ({"framework": "keras", "input": [1, 3, 8], "layers": [{"type": "conv", "kernel_size": 3, "padding": 1}]},
         "Keras pads with a layer"),
        ({"framework": "keras", "input": [1, 3, 8], "layers": [{"type": "maxpool", "pool_size": 2, "ceil_mode": True}]},
         "Keras has no ceil_mode"),
        ({"input": [1, 3, 8], "layers": [{"type": "relu", "name": "input"}]}, "a layer named input"),
        ({"input": [1, 3, 8], "layers": [{"type": "add", "from": "input"}]}, "add of one tensor"),
        ({"input": [1, 3, 8], "layers": [{"type": "upsample"}]}, "upsample without a size"),
        ({"input": [1, 3, 8], "layers": [{"type": "mean", "dim": []}]}, "an empty dim"),
        ({"framework": "caffe", "input": [1, 3, 8], "layers": [{"type": "relu"}]}, "an unknown framework"),
    ],
)  # fmt: skip
def test_files_the_loader_refuses_are_invalid(network: dict[str, Any], why: str) -> None:
    """Files refused by the loader for their form are invalid under the schema too."""
    assert not _loader_reads(network)[0], why
    assert not schema_valid(network), why


BLOCKS = """\
input: [1, 3, 8, 8]
blocks:
  cbr:
    params: {c: null, act: relu}
    layers:
      - {type: conv, out_channels: $c, kernel_size: [3, $c], padding: 1}
      - {type: $act, when: true}
layers:
  - {block: cbr, name: a, c: 2}
"""


def test_blocks_take_parameters_and_a_misspelt_key_is_refused_even_unused() -> None:
    """A block's values may be parameters, its type too; a key its type does not take is refused by both."""
    yaml = pytest.importorskip("yaml")
    load_network(BLOCKS)
    assert schema_errors(yaml.safe_load(BLOCKS)) == []
    unused = BLOCKS.replace("padding: 1", "paddin: 1").replace("  - {block: cbr, name: a, c: 2}", "  - {type: relu}")
    with pytest.raises(InputErrorGroup, match=r"blocks\.cbr\.layers\[0\]\.paddin: unknown key `paddin`"):
        load_network(unused)
    assert not schema_valid(yaml.safe_load(unused))
    used = BLOCKS.replace("padding: 1", "paddin: 1")
    with pytest.raises(InputErrorGroup) as caught:
        load_network(used)
    assert [str(error).count("paddin`") for error in caught.value.errors] == [1]  # said once


def test_a_mapping_where_keras_permute_wants_axes_is_an_error_not_a_crash() -> None:
    """Keras' Permute given a mapping for `dims` is reported (it raised AttributeError before)."""
    network = {"framework": "keras", "input": [1, 3, 8, 8], "layers": [{"type": "permute", "dims": {"a": 1}}]}
    reads, messages = _loader_reads(network)
    assert not reads
    assert messages == ["<drawn>: layers[0].dims: expected an integer, got a mapping"]
    assert not schema_valid(network)


@pytest.mark.parametrize("framework", ["keras", "jax"])
def test_an_lp_pool_is_refused_where_the_framework_has_none(framework: str) -> None:
    """Keras and JAX have no Lp pooling: the loader refuses `lppool` there, and so does the schema."""
    network = {"input": [1, 4, 8], "layers": [{"type": "lppool", "kernel_size": 1}], "framework": framework}
    assert not schema_valid(network)
    assert schema_valid({**network, "framework": "onnx"})
