"""explain --gif: the frames read back with Pillow, a frame per step, the cells lit where the scene says."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from convcalc.cli.layer_flags import network_from_flags
from convcalc.core.spec import LayerKind, LayerSpec
from convcalc.design.scene import MILLISECONDS, CellKind, Scene, Stage, build_scene, stage_grid
from convcalc.render import gif

Image = pytest.importorskip("PIL.Image")

Run = Callable[..., Result]

SEEDS = {  # seed 000's seven examples, as explain's flags
    "1": ["conv", "-i", "6", "-k", "2", "-s", "1"],
    "2": ["conv", "-i", "6", "-k", "2", "-s", "2"],
    "3": ["conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1"],
    "4": ["conv", "-i", "5", "-k", "2", "-s", "2"],
    "5": ["convt", "-i", "3", "-k", "2", "-s", "2"],
    "6": ["convt", "-i", "5", "-k", "2", "-s", "1"],
    "7": ["convt", "-i", "3", "-k", "2", "-s", "2", "-p", "1"],
}
KINDS = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}


def _scene(flags: list[str]) -> Scene:
    kind, rest = flags[0], flags[1:]
    values = dict(zip(rest[::2], rest[1::2], strict=True))
    names = {"-i": "size", "-k": "kernel", "-s": "stride", "-p": "padding"}
    network = network_from_flags(KINDS[kind], **{names[k]: v for k, v in values.items()})  # type: ignore[arg-type]  # the flags' text, as the command passes it
    (layer,) = network.layers
    assert isinstance(layer, LayerSpec)
    return build_scene(layer, network.input)


def _frames(data: bytes) -> list[tuple[object, int]]:
    image = Image.open(io.BytesIO(data))
    frames = []
    for n in range(image.n_frames):
        image.seek(n)
        frames.append((image.convert("RGB"), image.info["duration"]))
    return frames


@pytest.mark.parametrize("example", sorted(SEEDS))
def test_each_seed_example_is_a_small_gif_with_a_frame_per_step(run: Run, tmp_path: Path, example: str) -> None:
    path = tmp_path / f"example{example}.gif"
    result = run("explain", *SEEDS[example], "--gif", str(path))
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data[:6] == b"GIF89a"
    assert len(data) < 120_000
    scene = _scene(SEEDS[example])
    frames = _frames(data)
    assert len(frames) == len(scene.steps)
    assert [duration for _, duration in frames] == [MILLISECONDS[step.stage] for step in scene.steps]
    with Image.open(io.BytesIO(data)) as image:
        assert image.info["loop"] == 0


def _pixel(frame: object, x: int, y: int) -> tuple[int, int, int]:
    return frame.getpixel((x, y))  # type: ignore[attr-defined, no-any-return]


def test_a_stop_frame_lights_what_the_stop_reads_and_the_output_it_writes() -> None:
    """Seed 000's example 5, stop (2, 3): the one input it reads is filled dark, its output cell amber."""
    scene = _scene(SEEDS["5"])
    number = next(n for n, step in enumerate(scene.steps) if step.stop == (2, 3))
    frames = _frames(gif.scene_gif(scene))
    frame = frames[number][0]
    painter = gif._Painter(scene, gif._pillow())  # noqa: SLF001 - the frame's geometry
    size, top = painter.cell, painter.top

    def centre_of(column: int, row: int, left: int = 16) -> tuple[int, int]:
        return left + column * size + 3, top + row * size + 3  # a corner inside the cell, clear of its mark

    grid = [[cell.index for cell in row] for row in stage_grid(scene, Stage.STOP)[0]]
    lit = {(r, c) for r, row in enumerate(grid) for c, index in enumerate(row) if index in scene.reads((2, 3))}
    assert lit == {(3, 3)}  # input (1, 1) sits at grid cell (3, 3): 1 ring, then a zero between cells
    for r, row in enumerate(grid):
        for c, index in enumerate(row):
            colour = _pixel(frame, *centre_of(c, r))
            if (r, c) in lit:
                assert colour == gif.READ
            elif index is not None:
                assert colour == gif.FILL[CellKind.INPUT]
    right = 16 + painter.left_width + 3 * size
    assert _pixel(frame, *centre_of(3, 2, right)) == gif.CURRENT
    assert _pixel(frame, *centre_of(2, 2, right)) == gif.WRITTEN
    assert _pixel(frame, *centre_of(4, 2, right)) == gif.EMPTY


def test_long_and_three_d_layers_stay_small(run: Run, tmp_path: Path) -> None:
    for flags in (
        ["conv", "-i", "1000000000000", "-k", "3", "-s", "2"],
        ["conv", "--dims", "3", "-i", "5", "-k", "3", "-s", "2", "-p", "1"],
        ["pool", "--dims", "1", "-i", "9", "-k", "3", "-s", "2", "--ceil"],
    ):
        path = tmp_path / "layer.gif"
        result = run("explain", *flags, "--gif", str(path))
        assert result.exit_code == 0, result.output
        data = path.read_bytes()
        assert len(data) < 250_000
        with Image.open(io.BytesIO(data)) as image:
            assert image.n_frames <= 70


def test_without_pillow_the_gif_is_refused_in_one_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillow is the gif extra: without it, one line saying how to get it, exit 2, no file and no picture."""
    monkeypatch.setitem(sys.modules, "PIL", None)
    path = tmp_path / "ex5.gif"
    result = run("explain", *SEEDS["5"], "--gif", str(path))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == "convcalc: error: --gif: writing a GIF needs Pillow: pip install 'convcalc[gif]'"
    assert result.stdout == ""
    assert not path.exists()


def test_the_readme_gif_is_seed_000_example_5() -> None:
    """docs/seed000-example5.gif, shown in the README, is the animation of example 5 as convcalc makes it."""
    path = Path(__file__).parent.parent.parent / "docs" / "seed000-example5.gif"
    with Image.open(path) as image:
        assert image.n_frames == len(_scene(SEEDS["5"]).steps) == 40
