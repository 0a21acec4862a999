"""The scenes that --gif and --html draw: seed 000's examples, and what each stop reads against brute force."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from convcalc import LayerSpec
from convcalc.core.errors import LayerError
from convcalc.core.receptive import direct_field, input_field, transposed_field
from convcalc.core.spec import LayerKind
from convcalc.core.windows import layer_shape
from convcalc.design.scene import CellKind, Stage, build_scene, output_grid, stage_cells, stage_grid
from tests.property.brute import Layer1d, dependencies, output_size, unread_inputs
from tests.property.strategies import SETTINGS, layers_1d, smallest_input

KINDS = {
    "conv": LayerKind.CONV,
    "convtranspose": LayerKind.CONVTRANSPOSE,
    "maxpool": LayerKind.MAXPOOL,
    "avgpool": LayerKind.AVGPOOL,
}


def _spec(kind: str, rank: int, **values: object) -> LayerSpec:
    kernel = values.pop("kernel_size")
    return LayerSpec.create(KINDS[kind], kernel, rank=rank, **values)  # type: ignore[arg-type]


SEEDS = [  # seed 000's seven examples: (name, layer, input size, sizes written, stops, stages before the stops)
    ("1", "conv", {"kernel_size": 2, "stride": 1}, 6, "6×6 in, 6×6 grid, 5×5 out", 25, ["input"]),
    ("2", "conv", {"kernel_size": 2, "stride": 2}, 6, "6×6 in, 6×6 grid, 3×3 out", 9, ["input"]),
    (
        "3",
        "conv",
        {"kernel_size": 2, "stride": 2, "padding": 1},
        6,
        "6×6 in, 8×8 grid, 4×4 out",
        16,
        ["input", "padded"],
    ),
    ("4", "conv", {"kernel_size": 2, "stride": 2}, 5, "5×5 in, 5×5 grid, 2×2 out", 4, ["input"]),
    (
        "5",
        "convtranspose",
        {"kernel_size": 2, "stride": 2},
        3,
        "3×3 in, 7×7 grid, 6×6 out",
        36,
        ["input", "stretched", "padded"],
    ),
    (
        "6",
        "convtranspose",
        {"kernel_size": 2, "stride": 1},
        5,
        "5×5 in, 7×7 grid, 6×6 out",
        36,
        ["input", "stretched", "padded"],
    ),
    (
        "7",
        "convtranspose",
        {"kernel_size": 2, "stride": 2, "padding": 1},
        3,
        "3×3 in, 5×5 grid, 4×4 out",
        16,
        ["input", "stretched", "padded"],
    ),
]


@pytest.mark.parametrize(("name", "kind", "values", "size", "sizes", "stops", "before"), SEEDS)
def test_seed_000_examples(
    name: str, kind: str, values: dict[str, int], size: int, sizes: str, stops: int, before: list[str]
) -> None:
    """Each of seed 000's examples: the sizes it writes, a frame per stop, the recipe's stages before them."""
    scene = build_scene(_spec(kind, 2, **values), (1, 1, size, size))
    assert scene.sizes == sizes, name
    assert scene.stops == stops
    stages = [step.stage.value for step in scene.steps]
    assert stages == [*before, *["stop"] * stops, "output"]
    assert [step.stop for step in scene.steps if step.stop is not None][:2] == [(0, 0), (0, 1)]


def test_example_4_leaves_the_last_row_and_column_unread() -> None:
    scene = build_scene(_spec("conv", 2, kernel_size=2, stride=2), (1, 1, 5, 5))
    grid = stage_grid(scene, Stage.STOP)[0]
    unread = {cell.index for row in grid for cell in row if not cell.read}
    assert unread == {(r, 4) for r in range(5)} | {(4, c) for c in range(5)}


def test_example_5_recipe_captions() -> None:
    """The recipe as the seeds tell it: one zero between cells (5×5), one ring of zeros (7×7), kernel by 1."""
    scene = build_scene(_spec("convtranspose", 2, kernel_size=2, stride=2), (1, 1, 3, 3))
    captions = [step.caption for step in scene.steps]
    assert captions[1] == "step 2: z = s - 1 = 1 zero inserted between the input cells: 5×5"
    assert captions[2] == "step 3: p' = d(k-1) - p = 1 - 0 = 1: 1 ring of zeros on each side: 7×7"
    assert captions[3] == "step 4: kernel 2×2, stride 1: stop 1 of 36, output (0, 0)"
    stretched = stage_cells(scene.axes[0], Stage.STRETCHED)
    assert [c.kind for c in stretched if c is not None] == [CellKind.INPUT, CellKind.ZERO] * 2 + [CellKind.INPUT]


def test_example_7_crops_nothing_the_ring_is_taken_back() -> None:
    """Padding 1 takes back the one ring: the stretched 5×5 input is the grid."""
    scene = build_scene(_spec("convtranspose", 2, kernel_size=2, stride=2, padding=1), (1, 1, 3, 3))
    assert "= 0: nothing added on each side: 5×5" in scene.steps[2].caption
    kinds = [c.kind for c in stage_cells(scene.axes[0], Stage.STOP) if c is not None]
    assert kinds == [CellKind.INPUT, CellKind.ZERO] * 2 + [CellKind.INPUT]


def test_crop_and_output_padding_are_drawn_where_they_act() -> None:
    """Padding beyond d(k-1) crops stretched cells; output_padding keeps back as many of the crop after."""
    scene = build_scene(_spec("convtranspose", 1, kernel_size=3, stride=2, padding=4, output_padding=1), (1, 1, 4))
    padded = [c.kind for c in stage_cells(scene.axes[0], Stage.PADDED) if c is not None]
    i, z, c = CellKind.INPUT, CellKind.ZERO, CellKind.CROP
    assert padded == [c, c, i, z, i, z, c]  # 2 cropped before; 2 - 1 after
    grid = [cell.kind for cell in stage_cells(scene.axes[0], Stage.STOP) if cell is not None]
    assert len(grid) == scene.axes[0].length == 4  # 2 outputs + kernel 3 - 1
    assert "2 cells cropped on each side, then output_padding 1: 1 zero after" in scene.steps[2].caption
    zeros = build_scene(_spec("convtranspose", 1, kernel_size=3, stride=2, padding=1, output_padding=1), (1, 1, 3))
    kinds = [cell.kind for cell in stage_cells(zeros.axes[0], Stage.STOP) if cell is not None]
    assert kinds[-2:] == [CellKind.PAD, CellKind.EXTRA]  # the ring, then output_padding's zero


def test_long_axes_cost_what_they_draw() -> None:
    """A 10^12 input draws its first and last windows only: a bounded scene, 64 stops at most."""
    scene = build_scene(_spec("conv", 2, kernel_size=3, stride=2), (1, 1, 10**12, 10**12))
    assert scene.stops == ((10**12 - 3) // 2 + 1) ** 2
    assert sum(step.stage is Stage.STOP for step in scene.steps) == 64
    axis = scene.axes[0]
    assert len(axis.cells) < 40
    assert axis.inputs[-1] == 10**12 - 1
    assert None in axis.cells
    assert scene.notes[0] == f"64 of the {scene.stops} stops drawn: the middle of a long axis is left out"


def test_far_apart_windows_leave_out_the_runs_between() -> None:
    scene = build_scene(_spec("conv", 1, kernel_size=3, stride=400), (1, 1, 1000))
    axis = scene.axes[0]
    assert axis.shown_outputs == (0, 1, 2)
    assert len(axis.cells) < 40
    assert axis.reads == ((0, 1, 2), (400, 401, 402), (800, 801, 802))


def test_three_d_is_drawn_as_slices() -> None:
    scene = build_scene(_spec("conv", 3, kernel_size=3, stride=2, padding=1), (1, 1, 5, 5, 5))
    slices = stage_grid(scene, Stage.STOP)
    assert len(slices) == 7  # padding, 5 input depths, padding
    assert len(output_grid(scene)) == 3


def _axis_spec(axis: Layer1d) -> LayerSpec:
    values: dict[str, object] = {
        "kernel_size": axis.kernel,
        "stride": axis.stride,
        "padding": ((axis.before, axis.after),),
    }
    if axis.kind != "avgpool":
        values["dilation"] = axis.dilation
    if axis.kind == "convtranspose":
        values["output_padding"] = axis.output_padding
    if axis.kind.endswith("pool"):
        values["ceil_mode"] = axis.ceil_mode
    return _spec(axis.kind, 1, **values)


@st.composite
def drawn_layers(draw: st.DrawFn) -> tuple[Layer1d, int]:
    axis = draw(layers_1d())
    smallest = smallest_input([axis])
    return axis, draw(st.integers(smallest, smallest + 30))


@SETTINGS
@given(drawn=drawn_layers())
def test_what_each_stop_reads_is_the_brute_force_dependency_set(drawn: tuple[Layer1d, int]) -> None:
    """Every drawn output reads what sliding (or scattering) the kernel by hand reads, and nothing else.

    The grid agrees too: the input cells under a stop's taps are the ones it reads, so the
    recipe's zeros and rings are where the dependency rule says.
    """
    axis, size = drawn
    try:
        scene = build_scene(_axis_spec(axis), (1, 1, size))
    except LayerError:  # torch.nn refuses some drawn layers (output_padding, ceil windows): the core says why
        assume(False)  # noqa: FBT003
    (drawn_axis,) = scene.axes
    out = output_size(axis, size)
    assert drawn_axis.output == out
    truth = {o: {i for i in cells if 0 <= i < size} for o, cells in dependencies(axis, size, out).items()}
    by_position = {c.position: c for c in stage_cells(drawn_axis, Stage.STOP) if c is not None}
    for o, window in zip(drawn_axis.shown_outputs, drawn_axis.windows, strict=True):
        assert set(drawn_axis.reads_of(o)) == truth[o]
        under = {by_position[p].index for p in window if p in by_position and by_position[p].kind is CellKind.INPUT}
        assert under == truth[o]
    never = unread_inputs(axis, size)
    for cell in drawn_axis.cells:
        if cell is not None and cell.kind is CellKind.INPUT:
            assert cell.read == (cell.index not in never)
    for index in drawn_axis.inputs:
        if index is not None:
            assert set(drawn_axis.readers(index)) == {o for o in drawn_axis.shown_outputs if index in truth[o]}


@SETTINGS
@given(drawn=drawn_layers())
def test_the_scene_reads_what_the_receptive_field_reads(drawn: tuple[Layer1d, int]) -> None:
    """The scene and the receptive field take their sets from one rule: the field's sets, clipped, are the reads."""
    axis, size = drawn
    try:
        layer = _axis_spec(axis)
        shape = layer_shape(layer, (1, 1, size))
        scene = build_scene(layer, (1, 1, size))
    except LayerError:
        assume(False)  # noqa: FBT003
    step = transposed_field if axis.kind == "convtranspose" else direct_field
    field = step(input_field(), axis.kernel, axis.stride, shape.padding[0][0], axis.dilation)
    assert field is not None
    (drawn_axis,) = scene.axes
    for o in drawn_axis.shown_outputs:
        cells = {i for lo, hi in field.at(o) for i in range(lo, hi + 1) if 0 <= i < size}
        assert set(drawn_axis.reads_of(o)) == cells


def test_two_d_reads_are_the_product_of_the_axes() -> None:
    scene = build_scene(_spec("conv", 2, kernel_size=(3, 2), stride=(2, 1), padding=1), (1, 1, 5, 4))
    assert scene.reads((0, 0)) == {(r, c) for r in (0, 1) for c in (0,)}
    assert scene.reads((1, 2)) == {(r, c) for r in (1, 2, 3) for c in (1, 2)}
