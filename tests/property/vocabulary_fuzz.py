"""Network files drawn from the vocabulary itself: every layer type and every key it takes, at any size.

A type added to netfile/vocabulary.py is drawn the day it lands; the values of each key are drawn
by the kind of value the key reads, with sizes up to 10^100 and values of the wrong kind.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from convcalc.core.kinds.file_types import IGNORED
from convcalc.netfile.vocabulary import KIND_NAMES, LAYER_KEYS, OTHER_TYPES

HUGE = st.one_of(st.integers(10**15, 10**99), st.sampled_from([10**18, 10**50, 10**99, 2**63, 2**64 + 1]))
SMALL = st.integers(-2, 9)
SIZES = st.one_of(st.integers(1, 9), st.integers(1, 300), HUGE, SMALL)
WRONG: st.SearchStrategy[object] = st.sampled_from(["x", "", None, True, 1.5, [], {}, [None], "1e400", float("nan")])


def _values(what: str, *, wrong: bool) -> st.SearchStrategy[Any]:
    """Draw a value for a key that reads `what` (the loader's readers), mostly well formed."""
    one = SIZES
    many = st.lists(SIZES, min_size=1, max_size=4)
    by_kind: dict[str, st.SearchStrategy[Any]] = {
        "int": SMALL,
        "count": SIZES,
        "bool": st.booleans(),
        "sizes": one | many,
        "dims": many,
        "ints": st.lists(SMALL, min_size=0, max_size=5) | SMALL,
        "factors": one | many | st.floats(0.01, 1e30) | st.lists(st.floats(0.1, 1e6), min_size=1, max_size=3),
        "pads": one | many | st.lists(st.lists(SIZES, min_size=2, max_size=2), min_size=1, max_size=3),
        "torchpads": one | st.lists(SIZES, min_size=1, max_size=6),
        "crops": one | many | st.lists(st.lists(SIZES, min_size=2, max_size=2), min_size=1, max_size=3),
        "mode": st.sampled_from(["nearest", "bilinear", "linear", "bicubic", "trilinear", "area", "nearest-exact"]),
        "align": st.sampled_from(["center", "top-left"]),
        "name": st.sampled_from(["1", "2", "a", "b", "missing"]),
        # window layers' keys
        "positive": one | many,
        "non_negative": one | many,
        "padding": one | many | st.sampled_from(["same", "valid"]) | st.lists(st.tuples(SMALL, SMALL).map(list)),
        "shape": many,
        "boolean": st.booleans(),
        "padding_mode": st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
        "type": st.just("conv"),
    }
    if what == IGNORED:
        return st.just(0.5)
    return st.one_of(by_kind.get(what, SIZES), WRONG) if wrong else by_kind.get(what, SIZES)


OTHER_NAMES = sorted(OTHER_TYPES)
WINDOW_NAMES = sorted(KIND_NAMES)


def _rank_of(name: str) -> int | None:
    """Return the spatial rank a class name fixes (conv2d: 2), None when the input's rank is taken."""
    info = OTHER_TYPES.get(name)
    return info.rank if info is not None else KIND_NAMES[name][1]


@st.composite
def layer(draw: st.DrawFn, rank: int, earlier: tuple[str, ...], *, wrong: bool) -> dict[str, Any]:
    """Draw one layer of any type the vocabulary has, mostly of the input's rank, with some of its keys."""
    window = draw(st.booleans())
    names = WINDOW_NAMES if window else OTHER_NAMES
    fitting = [name for name in names if _rank_of(name) in (None, rank)]
    kind = draw(st.sampled_from(names if wrong and draw(st.integers(0, 9)) == 0 else fitting))
    if window:
        layer_kind = KIND_NAMES[kind][0]
        allowed = sorted(
            key
            for key, spec in LAYER_KEYS.items()
            if key not in ("type", "name", "expect") and (spec.kinds is None or layer_kind in spec.kinds)
        )
        keys = draw(st.lists(st.sampled_from(allowed), max_size=5, unique=True))
        drawn = {key: draw(_values(LAYER_KEYS[key].value, wrong=wrong)) for key in keys}
        drawn.setdefault("kernel_size", draw(st.integers(1, 5) | SIZES))
    else:
        info = OTHER_TYPES[kind]
        keys = draw(st.lists(st.sampled_from(sorted(info.keys) or ["dim"]), max_size=4, unique=True))
        keys = [key for key in keys if key in info.keys or wrong]
        drawn = {key: draw(_values(info.keys.get(key, "int"), wrong=wrong)) for key in (*info.required, *keys)}
        if earlier and (info.min_inputs > 1 or draw(st.integers(0, 5)) == 0):
            drawn["from"] = draw(st.lists(st.sampled_from(earlier), min_size=info.min_inputs, max_size=3))
    return {"type": kind, **drawn}


@st.composite
def network(draw: st.DrawFn, *, wrong: bool = True) -> dict[str, Any]:
    """Draw a network file: an input of 1 to 3 spatial axes at any size, and one to five drawn layers."""
    rank = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 4)), draw(st.integers(1, 8)), *(draw(SIZES) for _ in range(rank))]
    count = draw(st.integers(1, 5))
    layers = []
    for index in range(count):
        earlier = tuple(str(i) for i in range(1, index + 1))
        layers.append(draw(layer(rank, earlier, wrong=wrong)))
    framework = draw(st.sampled_from([None, "torch", "keras", "onnx", "jax"]))
    data: dict[str, Any] = {"input": shape, "layers": layers}
    if framework:
        data["framework"] = framework
    return data


def _required(name: str, rank: int) -> dict[str, Any]:
    """Return plausible values for what a type needs, so that pairs of types get past the loader."""
    info = OTHER_TYPES.get(name)
    if info is None:  # a window layer
        kind = KIND_NAMES[name][0]
        return {"kernel_size": 2, "stride": 2} if kind.is_transposed else {"kernel_size": 3, "padding": 1}
    plausible: dict[str, Any] = {
        "dims": [0, 1, *range(rank + 1, 1, -1)],  # permute: the spatial axes reversed
        "shape": [-1] if name in ("view", "reshape") else [1],
        "dim": -1 if name != "unflatten" else 1,
        "dim0": 1,
        "dim1": -1,
        "sizes": [-1, 1],
        "start": 0,
        "length": 1,
        "chunks": 2,
        "index": 1,
        "groups": 1,
        "upscale_factor": 2,
        "downscale_factor": 2,
        "output_size": 2,
        "normalized_shape": [4],
        "out_features": 3,
        "padding": 1,
        "cropping": 1,
    }
    values = {key: plausible.get(key, 1) for key in info.required}
    for key in ("padding", "cropping"):
        if key in info.keys and "to" not in info.keys:
            values[key] = 1
    if info.kind.name == "UPSAMPLE":
        values["scale_factor"] = 2
    if info.kind.name in ("CROP", "PAD") and "to" in info.keys:
        values["cropping" if info.kind.name == "CROP" else "padding"] = 1
    return values


def representative_types() -> list[str]:
    """Return one type name per distinct reading of the vocabulary (kind, rank, keys), and every window class."""
    chosen: dict[tuple[object, ...], str] = {}
    for name, info in sorted(OTHER_TYPES.items()):
        chosen.setdefault((info.kind, info.rank, tuple(sorted(info.keys.items())), info.needs_rank), name)
    return sorted(chosen.values()) + WINDOW_NAMES


def pair_network(first: str, second: str, shape: list[int]) -> dict[str, Any]:
    """Return a network of two types one after the other, after a layer that merges may also read."""
    rank = len(shape) - 2
    layers: list[dict[str, Any]] = [{"type": "relu", "name": "start"}]
    for index, name in enumerate((first, second), start=2):
        drawn = {"type": name, **_required(name, rank)}
        if OTHER_TYPES.get(name) is not None and OTHER_TYPES[name].min_inputs > 1:
            drawn["from"] = ["start", str(index - 1)]
        layers.append(drawn)
    return {"input": shape, "layers": layers}
