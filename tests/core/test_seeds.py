"""Golden tests: every worked example of the seed documents comes out as they say."""

from __future__ import annotations

import pytest

from convcalc import LayerSpec, NetworkSpec, Status, analyze
from convcalc.core.analysis import LayerResult


def one(
    kind: str, size: tuple[int, ...], kernel: int | tuple[int, ...], channels: int = 1, **kwargs: object
) -> LayerResult:
    """Analyse one layer on a 1-sample input of the given spatial size."""
    rank = len(size)
    layer = LayerSpec.create(kind, kernel, rank=rank, **kwargs)  # type: ignore[arg-type]
    (result,) = analyze(NetworkSpec(input=(1, channels, *size), layers=(layer,))).layers
    return result


# seed 000: examples 1 to 7 (square 2-D images; example 3's text and numbers use padding 1)
SEED_000 = [
    ("1 conv stride 1", "conv", 6, {"kernel": 2, "stride": 1}, 5),
    ("2 conv stride 2", "conv", 6, {"kernel": 2, "stride": 2}, 3),
    ("3 conv stride 2 padding 1", "conv", 6, {"kernel": 2, "stride": 2, "padding": 1}, 4),
    ("4 conv coverage gap", "conv", 5, {"kernel": 2, "stride": 2}, 2),
    ("5 transposed stride 2", "convtranspose", 3, {"kernel": 2, "stride": 2}, 6),
    ("6 transposed stride 1", "convtranspose", 5, {"kernel": 2, "stride": 1}, 6),
    ("7 transposed stride 2 padding 1", "convtranspose", 3, {"kernel": 2, "stride": 2, "padding": 1}, 4),
]


@pytest.mark.parametrize(("title", "kind", "size", "params", "expected"), SEED_000, ids=[s[0] for s in SEED_000])
def test_seed_000_examples(title: str, kind: str, size: int, params: dict[str, int], expected: int) -> None:
    """Seed 000's seven pictures: the output is expected × expected."""
    del title
    params = dict(params)
    result = one(kind, (size, size), params.pop("kernel"), **params)
    assert result.status is Status.OK
    assert result.output == (1, 1, expected, expected)


def test_seed_000_example_4_warns_about_the_uncovered_column() -> None:
    """Example 4: the last row and column of the 5×5 image are never read; the fix is 4 or 6."""
    result = one("conv", (5, 5), 2, stride=2)
    assert len(result.warnings) == 2
    assert result.warnings[1].startswith("axis W: the last input column is never read")
    assert "an input of 4 or 6 reads every column" in result.warnings[1]


def test_seed_000_examples_1_to_3_have_no_gaps() -> None:
    """Examples 1 to 3 cover every input cell, so they warn about nothing."""
    for params in ({"stride": 1}, {"stride": 2}, {"stride": 2, "padding": 1}):
        assert one("conv", (6, 6), 2, **params).warnings == ()


@pytest.mark.parametrize(
    ("size", "stride", "padding", "grid", "pad_each_side"),
    [
        (3, 2, 0, 5, 1),  # example 5: cells spaced 2 apart (5×5), one ring of zeros -> 7×7 grid
        (5, 1, 0, 5, 1),  # example 6: no gap between cells, one ring -> 7×7 grid
        (3, 2, 1, 5, 0),  # example 7: one ring removed -> 5×5 grid
    ],
)
def test_seed_000_transposed_recipe(size: int, stride: int, padding: int, grid: int, pad_each_side: int) -> None:
    """Examples 5 to 7: the intermediate grid and its rings of zeros, as the seed draws them."""
    eq = one("convtranspose", (size, size), 2, stride=stride, padding=padding).equivalent_conv
    assert eq is not None
    assert eq.zeros_inserted == (stride - 1,) * 2
    assert eq.stretched_input == (grid, grid)
    assert eq.padding == ((pad_each_side, pad_each_side),) * 2
    assert eq.stride == (1, 1)


# seed 001: a book chapter on 1-D, 2-D and 3-D convolution, transposed convolution and pooling
def test_seed_001_1d_valid_convolution() -> None:
    """Figure 10.1: size-7 input, kernel 3, stride 1, valid padding -> 5 outputs, each sees 3 inputs."""
    result = one("conv", (7,), 3, padding="valid")
    assert result.output == (1, 1, 5)
    assert result.receptive_field == (3,)


def test_seed_001_1d_zero_padded_stride_2() -> None:
    """Figure 10.4: kernel 3, stride 2, zero padding on a size-7 input -> 4 outputs."""
    assert one("conv", (7,), 3, stride=2, padding=1).output == (1, 1, 4)


def test_seed_001_same_padding_keeps_the_size() -> None:
    """Same (zero) padding at stride 1: the output has the input's size."""
    assert one("conv", (7,), 3, padding="same").output == (1, 1, 7)


def test_seed_001_2d_matrix_view_sizes() -> None:
    """Section 10.3.4: a 4×4 image and a 2×2 kernel at stride 1 -> 3×3 (a 9×16 weight matrix)."""
    result = one("conv", (4, 4), 2)
    assert result.output == (1, 1, 3, 3)


def test_seed_001_2d_smoothing() -> None:
    """Listing 10.x: a 5×5 grayscale image, 3×3 kernel, stride 2 -> 2×2."""
    assert one("conv", (5, 5), 3, stride=2).output == (1, 1, 2, 2)


def test_seed_001_3d_motion_detector() -> None:
    """Section 10.4: five 320×320 frames, a 2×3×3 kernel -> 4×318×318."""
    result = one("conv", (5, 320, 320), (2, 3, 3), bias=False)
    assert result.output == (1, 1, 4, 318, 318)
    assert result.weight_shape == (1, 1, 2, 3, 3)
    assert result.params == 18


def test_seed_001_transposed_1d() -> None:
    """Section 10.5.2: n' = 3, k = 3, stride 1, valid padding -> o' = 5."""
    assert one("convtranspose", (3,), 3).output == (1, 1, 5)


def test_seed_001_transposed_2d_weight_is_cin_by_cout() -> None:
    """Figure 10.18: 1×1×2×2 input, 2×2 kernel, stride 2 -> 4×4; the kernel is Cin×Cout×kH×kW."""
    layer = LayerSpec.create("convtranspose", 2, stride=2, out_channels=3, bias=False)
    (result,) = analyze(NetworkSpec(input=(1, 2, 2, 2), layers=(layer,))).layers
    assert result.output == (1, 3, 4, 4)
    assert result.weight_shape == (2, 3, 2, 2)


@pytest.mark.parametrize("kind", ["maxpool", "avgpool"])
def test_seed_001_pooling(kind: str) -> None:
    """Listing 10.9: 2×2 pooling with stride 2 halves a 4×4 input; a 3×3/3 pool thirds it."""
    assert one(kind, (4, 4), 2, stride=2).output == (1, 1, 2, 2)
    assert one(kind, (4, 4), 2).output == (1, 1, 2, 2)  # pool stride defaults to the kernel
    assert one(kind, (9, 9), 3, stride=3).output == (1, 1, 3, 3)


# seed 002: the convolution arithmetic relationships
@pytest.mark.parametrize(
    ("i", "k", "s", "p"),
    [(5, 3, 1, 0), (5, 4, 1, 2), (5, 3, 2, 1), (6, 3, 2, 1), (7, 3, 2, 0), (11, 5, 3, 2), (224, 7, 2, 3)],
)
def test_seed_002_relationship_6(i: int, k: int, s: int, p: int) -> None:
    """Relationship 6: o = floor((i + 2p - k) / s) + 1."""
    assert one("conv", (i,), k, stride=s, padding=p).output == (1, 1, (i + 2 * p - k) // s + 1)


@pytest.mark.parametrize(("i", "k", "s"), [(5, 3, 1), (7, 3, 2), (8, 2, 2), (9, 3, 3), (10, 3, 2)])
def test_seed_002_relationship_7(i: int, k: int, s: int) -> None:
    """Relationship 7 (pooling): o = floor((i - k) / s) + 1."""
    for kind in ("maxpool", "avgpool"):
        assert one(kind, (i,), k, stride=s).output == (1, 1, (i - k) // s + 1)


@pytest.mark.parametrize(("i", "k", "s", "p"), [(5, 3, 2, 0), (6, 3, 2, 1), (7, 3, 2, 1), (8, 4, 3, 1), (5, 3, 2, 1)])
def test_seed_002_relationship_14(i: int, k: int, s: int, p: int) -> None:
    """Relationship 14: with a = (i + 2p - k) mod s, the transposed conv gives back i; p' = k - p - 1."""
    down = one("conv", (i,), k, stride=s, padding=p)
    assert down.output is not None
    a = (i + 2 * p - k) % s
    up = one("convtranspose", (down.output[2],), k, stride=s, padding=p, output_padding=a)
    assert up.output == (1, 1, i)
    assert up.output[2] == s * (down.output[2] - 1) + a + k - 2 * p
    assert up.equivalent_conv is not None
    assert up.equivalent_conv.padding == ((k - p - 1, k - p - 1 + a),)


# seed 003: the 4-step recipe of transposed convolution
@pytest.mark.parametrize(("i", "k", "s", "p"), [(2, 3, 2, 0), (3, 3, 1, 0), (3, 3, 2, 1), (4, 4, 2, 1), (5, 2, 3, 0)])
def test_seed_003_four_steps(i: int, k: int, s: int, p: int) -> None:
    """Z = s - 1 zeros, stretched size (i-1)s + 1, p' = k - p - 1, stride 1, o = (i - 1)s + k - 2p."""
    result = one("convtranspose", (i,), k, stride=s, padding=p)
    eq = result.equivalent_conv
    assert eq is not None
    assert eq.zeros_inserted == (s - 1,)
    assert eq.stretched_input == ((i - 1) * s + 1,)
    assert eq.padding == ((k - p - 1, k - p - 1),)
    assert eq.stride == (1,)
    assert result.output == (1, 1, (i - 1) * s + k - 2 * p)
    stretched_and_padded = eq.stretched_input[0] + 2 * (k - p - 1)
    assert result.output[2] == stretched_and_padded - k + 1  # step 4: stride-1 convolution


def test_seed_003_stretch_of_stride_2_is_2i_minus_1() -> None:
    """Step 2: with stride 2 the stretched input is (2i - 1) × (2i - 1)."""
    eq = one("convtranspose", (4, 4), 3, stride=2).equivalent_conv
    assert eq is not None
    assert eq.stretched_input == (7, 7)
