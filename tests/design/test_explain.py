"""convcalc explain: the pictures of the seed examples, sizes that agree with the core, the matrix view."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import Result

from convcalc import LayerSpec
from convcalc.core.errors import LayerError
from convcalc.core.windows import layer_shape
from convcalc.design.explain import explain_layer, matrix_entry, matrix_section
from tests.property.brute import Layer1d
from tests.property.strategies import SETTINGS, smallest_input

Run = Callable[..., Result]
Golden = Callable[[Path, str], None]
GOLDEN = Path(__file__).parent.parent / "golden" / "explain"

PICTURES = [
    ("seed000-1", ["conv", "-i", "6", "-k", "2", "-s", "1"]),
    ("seed000-2", ["conv", "-i", "6", "-k", "2", "-s", "2"]),
    ("seed000-3", ["conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1"]),
    ("seed000-4", ["conv", "-i", "5", "-k", "2", "-s", "2"]),
    ("seed000-5", ["convt", "-i", "3", "-k", "2", "-s", "2"]),
    ("seed000-6", ["convt", "-i", "5", "-k", "2", "-s", "1"]),
    ("seed000-7", ["convt", "-i", "3", "-k", "2", "-s", "2", "-p", "1"]),
    ("seed001-transposed", ["convt", "-i", "2x2", "-k", "2", "-s", "2", "--matrix"]),
    ("seed001-matrix-1d", ["conv", "--dims", "1", "-i", "5", "-k", "3", "--matrix"]),
    ("ceil-pool", ["pool", "--dims", "1", "-i", "6", "-k", "3", "-s", "2", "--ceil"]),
    ("crop-convt", ["convt", "--dims", "1", "-i", "4", "-k", "2", "-s", "1", "-p", "2"]),
    ("long-axis", ["conv", "--dims", "1", "-i", "224", "-k", "7", "-s", "2", "-p", "3"]),
]


@pytest.mark.parametrize(("name", "args"), PICTURES, ids=[p[0] for p in PICTURES])
def test_pictures(run: Run, golden: Golden, name: str, args: list[str]) -> None:
    """The drawings, in plain characters (no colour), stay as reviewed (pytest --update-golden rewrites)."""
    result = run("explain", *args)
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout
    golden(GOLDEN / f"{name}.txt", result.stdout)


def test_svg(run: Run, tmp_path: Path) -> None:
    """--svg saves the same picture as an SVG document."""
    path = tmp_path / "recipe.svg"
    result = run("explain", "convt", "-i", "3", "-k", "2", "-s", "2", "-p", "1", "--svg", str(path))
    assert result.exit_code == 0
    svg = path.read_text()
    assert svg.startswith("<svg")
    assert "step&#160;4" in svg or "step 4" in svg


def test_layer_of_a_file(run: Run) -> None:
    """A layer of a network file, by name or index."""
    result = run("explain", "examples/unet_decoder.yaml", "--layer", "up1")
    assert result.exit_code == 0
    assert result.stdout.startswith("transposed convolution: input 16×16 → output 32×32")
    assert run("explain", "examples/unet_decoder.yaml", "--layer", "2").stdout.startswith("convolution: input 32×32")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["conv", "-k", "3"], 2, "convcalc: error: --input: explain conv needs --input"),
        (
            ["examples/unet_decoder.yaml"],
            2,
            "convcalc: error: --layer: which layer? add --layer N (its index, from 1, or its name)",
        ),
        (
            ["examples/unet_decoder.yaml", "--layer", "9"],
            2,
            "convcalc: error: --layer: no layer '9' in examples/unet_decoder.yaml (it has 7)",
        ),
        (
            ["examples/unet_decoder.yaml", "--layer", "1", "-k", "3"],
            2,
            "convcalc: error: --kernel: layer flags (--kernel) go with conv, convt or pool, not a file",
        ),
        (
            ["examples/resnet18.yaml", "--layer", "bn1"],
            2,
            "convcalc: error: --layer: explain draws conv, convtranspose and pool layers, not identity",
        ),
        (
            ["conv", "-i", "2", "-k", "3"],
            1,
            "conv layer: axes H, W: output size 0 < 1: input 2 + padding 0 is smaller than the dilated kernel 3; use an input of at least 3, padding of at least 1 per side, or a smaller kernel",
        ),
    ],
)
def test_explain_errors(run: Run, args: list[str], code: int, message: str) -> None:
    """Bad requests exit 2, refused layers exit 1, one line each."""
    result = run("explain", *args)
    assert result.exit_code == code
    assert result.stderr == message + "\n"


LAYERS = st.builds(
    lambda kind, rank, k, s, p, d, a: (kind, rank, k, s, p, d, a),
    st.sampled_from(["conv", "convtranspose", "maxpool", "avgpool"]),
    st.integers(1, 2),
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 2),
    st.integers(1, 2),
    st.integers(0, 2),
)


def _layer(kind: str, rank: int, k: int, s: int, p: int, d: int, a: int) -> LayerSpec:
    pool = kind.endswith("pool")
    return LayerSpec.create(
        kind,
        k,
        rank=rank,
        stride=s,
        padding=min(p, k // 2) if pool else p,
        dilation=1 if kind == "avgpool" else d,
        output_padding=a if kind == "convtranspose" else 0,
    )


@st.composite
def taken_sizes(draw: st.DrawFn, params: tuple[str, int, int, int, int, int, int]) -> int:
    """Draw an input size the layer takes on every axis (by the brute-force model), up to 20."""
    kind, _, k, s, p, d, a = params
    pool = kind.endswith("pool")
    axis = Layer1d(
        kind,
        k,
        s,
        min(p, k // 2) if pool else p,
        min(p, k // 2) if pool else p,
        1 if kind == "avgpool" else d,
        a if kind == "convtranspose" else 0,
    )
    smallest = smallest_input([axis])
    return draw(st.integers(smallest, max(smallest, 20)))


@SETTINGS
@given(drawn=LAYERS.flatmap(lambda params: st.tuples(st.just(params), taken_sizes(params))))
def test_printed_sizes_are_the_cores(drawn: tuple[tuple[str, int, int, int, int, int, int], int]) -> None:
    """Every output size a drawing prints, in titles, formulas and grids, is the one the core computes."""
    params, size = drawn
    try:
        layer = _layer(*params)
        shape = layer_shape(layer, (1, 1, *(size,) * layer.rank))
    except LayerError:  # output_padding too large for the stride and dilation: torch.nn refuses it too
        assume(False)  # noqa: FBT003 - hypothesis's way to skip a draw
    out = shape.output[2:]
    sections = explain_layer(layer, (1, 1, *(size,) * layer.rank))
    dims = "×".join(map(str, out))
    assert sections[0].title.endswith(f"→ output {dims}")
    final = [s for s in sections if s.title.startswith("output ") and s.title != "output size"]
    assert final[0].title == f"output {dims}"
    cells = list(final[0].lines)
    if layer.rank == 2 and max(out) <= 32:
        assert len(cells) == out[0]
        assert all("".join(text for text, _ in line).split().count("o") == out[1] for line in cells)
    formulas = [s for s in sections if s.title == "output size" or s.title.startswith("step 4")]
    text = " ".join(chunk for section in formulas for line in section.lines for chunk, _ in line)
    printed = {int(n) for n in re.findall(r"= (\d+)(?:\s|$|,)", text + " ")}
    assert set(out) <= printed


def _slide(
    x: list[int],
    sizes: tuple[int, ...],
    w: list[int],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    before: tuple[int, ...],
    dilation: tuple[int, ...],
    out: tuple[int, ...],
) -> list[int]:
    """Slide the kernel over the (zero-padded) input by hand: the reference the matrix must match."""
    result = []
    for stop in _grid(out):
        total = 0
        for tap in _grid(kernel):
            cell = [stop[i] * stride[i] + tap[i] * dilation[i] - before[i] for i in range(len(sizes))]
            if all(0 <= c < n for c, n in zip(cell, sizes, strict=True)):
                total += x[_flat(cell, sizes)] * w[_flat(list(tap), kernel)]
        result.append(total)
    return result


def _grid(dims: tuple[int, ...]) -> list[tuple[int, ...]]:
    grid: list[tuple[int, ...]] = [()]
    for n in dims:
        grid = [(*g, i) for g in grid for i in range(n)]
    return grid


def _flat(index: list[int], dims: tuple[int, ...]) -> int:
    flat = 0
    for i, n in zip(index, dims, strict=True):
        flat = flat * n + i
    return flat


def _times(matrix: list[list[int | None]], x: list[int], w: list[int]) -> list[int]:
    return [sum(x[c] * w[t] for c, t in enumerate(row) if t is not None) for row in matrix]


@st.composite
def matrix_layers(draw: st.DrawFn) -> tuple[tuple[str, int, int, int, int, int, int], int]:
    """Draw a convolution or transposed convolution and an input size it takes (by the brute-force model)."""
    kind = draw(st.sampled_from(["conv", "convtranspose"]))
    rank, k, s = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    p, d = draw(st.integers(0, 2)), draw(st.integers(1, 2))
    smallest = smallest_input([Layer1d(kind, k, s, p, p, d)])
    return (kind, rank, k, s, p, d, 0), draw(st.integers(smallest, max(smallest, 9)))


def conv_matrix(
    sizes: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    before: tuple[int, ...],
    dilation: tuple[int, ...],
    out: tuple[int, ...],
) -> list[list[int | None]]:
    """Return the whole matrix of a direct convolution from the entries explain draws: a row per stop, a cell a column."""
    return [
        [matrix_entry(stop, cell, kernel, stride, before, dilation) for cell in _grid(sizes)] for stop in _grid(out)
    ]


@SETTINGS
@given(drawn=matrix_layers(), seed=st.integers(0, 1000))
def test_matrix_times_input_is_sliding_the_kernel(
    drawn: tuple[tuple[str, int, int, int, int, int, int], int], seed: int
) -> None:
    """M x equals sliding the kernel; for a transposed layer, Mᵀ x equals scattering each input through the kernel."""
    params, size = drawn
    kind, rank, k, s, p, d, _ = params
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    sizes, kernel, stride, before, dil = (size,) * rank, (k,) * rank, (s,) * rank, (p,) * rank, (d,) * rank
    taps = [rng.randint(-3, 3) for _ in range(k**rank)]
    try:
        layer = _layer(kind, rank, k, s, p, d, 0)
        out = layer_shape(layer, (1, 1, *sizes)).output[2:]
    except LayerError:
        assume(False)  # noqa: FBT003 - hypothesis's way to skip a draw
    x = [rng.randint(-5, 5) for _ in range(size**rank)]
    if kind == "conv":
        assert _times(conv_matrix(sizes, kernel, stride, before, dil, out), x, taps) == _slide(
            x, sizes, taps, kernel, stride, before, dil, out
        )
        return
    matrix = conv_matrix(out, kernel, stride, before, dil, sizes)  # the convolution the transposed one undoes
    transposed = [list(column) for column in zip(*matrix, strict=True)]
    scattered = [0] * len(transposed)
    for index in _grid(sizes):  # each input cell adds its value times each tap to the output cells it reaches
        for tap in _grid(kernel):
            cell = [index[i] * s + tap[i] * d - p for i in range(rank)]
            if all(0 <= c < n for c, n in zip(cell, out, strict=True)):
                scattered[_flat(cell, out)] += x[_flat(list(index), sizes)] * taps[_flat(list(tap), kernel)]
    assert _times(transposed, x, taps) == scattered


def _drawn(section_lines: tuple[tuple[tuple[str, str | None], ...], ...]) -> list[list[str]]:
    return ["".join(text for text, _ in line).split() for line in section_lines[1:]]


@pytest.mark.parametrize("kind", ["conv", "convtranspose"])
def test_a_small_matrix_is_drawn_whole_from_the_entries(kind: str) -> None:
    """A matrix of at most 64 rows and columns is drawn whole, entry for entry the brute-force matrix."""
    layer = _layer(kind, 1, 3, 2, 1, 1, 0)
    out = layer_shape(layer, (1, 1, 9)).output[2:]
    section = matrix_section(layer, (9,), ((1, 1),), out)
    if kind == "conv":
        whole = conv_matrix((9,), (3,), (2,), (1,), (1,), out)
    else:
        whole = [list(column) for column in zip(*conv_matrix(out, (3,), (2,), (1,), (1,), (9,)), strict=True)]
    assert _drawn(section.lines) == [["." if v is None else "abc"[v] for v in row] for row in whole]
    assert "left out" not in section.title


@pytest.mark.parametrize("size", [128, 1024, 10**6])
def test_a_large_matrix_shows_its_corners_whatever_its_size(size: int) -> None:
    """Past 64 rows or columns the first 12 and the last 8 of each are drawn, computed alone (any size, at once)."""
    layer = _layer("conv", 2, 3, 2, 1, 1, 0)
    out = layer_shape(layer, (1, 1, size, size)).output[2:]
    section = matrix_section(layer, (size, size), ((1, 1), (1, 1)), out)
    rows = _drawn(section.lines)
    assert len(rows) == 21
    assert all(len(row) == 21 for row in rows)
    assert rows[12] == ["…"] * 21
    assert f"M is {out[0] * out[1]}×{size * size}" in section.title
    assert section.title.endswith("; the middle rows and columns left out")
    assert rows[0][:2] == ["e", "f"]  # the first stop reads the first cells with the kernel's centre taps
    assert rows[-1][-1] == "i"  # the last stop reads the last cell with its last tap (an even size, stride 2)


def test_output_padding_shortens_a_crop_instead_of_adding_a_zero(run: Run) -> None:
    """p = 1 > d(k-1) = 0 crops one cell each side, but output_padding 1 keeps the last input: no `,` cell."""
    result = run("explain", "convt", "--dims", "1", "-i", "2", "-k", "1", "-p", "1", "-d", "2", "-a", "1")
    assert result.exit_code == 0
    step3 = result.stdout.split("step 3:")[1].split("step 4:")[0]
    assert "  o   L: 2 → 1 (crop 1 before, 0 after)" in step3
