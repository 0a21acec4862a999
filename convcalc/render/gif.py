"""Render a layer's scene as an animated GIF (Pillow, the `gif` extra): a frame per step of the scene.

Each frame shows, left, the grid of its stage (the input; the zeros inserted; the padding or
the rings and crops; the grid the kernel moves over, its taps outlined and the input cells
read filled darker) and, right, the output, filled as far as the stops have come. Cells
differ in colour and in a mark, so a frame reads in grey too.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from convcalc.core.errors import InputError
from convcalc.design.scene import (
    GAP,
    MILLISECONDS,
    CellKind,
    Drawn,
    Scene,
    Slices,
    Stage,
    Step,
    depth_labels,
    output_grid,
    stage_grid,
)

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

Colour = tuple[int, int, int]

BACKGROUND: Colour = (255, 255, 255)
INK: Colour = (40, 40, 40)
FAINT: Colour = (150, 150, 150)
FILL: dict[CellKind, Colour] = {
    CellKind.INPUT: (238, 130, 166),  # the seeds' pink input cells
    CellKind.PAD: (222, 222, 222),
    CellKind.ZERO: (250, 250, 250),
    CellKind.EXTRA: (205, 185, 235),
    CellKind.CROP: (255, 255, 255),
}
MARK: dict[CellKind, str] = {CellKind.PAD: "·", CellKind.ZERO: "0", CellKind.EXTRA: ",", CellKind.CROP: "/"}
UNREAD: Colour = (250, 214, 226)
READ: Colour = (176, 30, 86)
WINDOW: Colour = (255, 170, 0)
WRITTEN: Colour = (125, 185, 235)
CURRENT: Colour = (255, 196, 0)
EMPTY: Colour = (244, 244, 244)

SWATCHES = (*FILL.values(), UNREAD, READ, WINDOW, WRITTEN, CURRENT, EMPTY, INK, FAINT)

"""How long each kind of frame shows, in milliseconds."""
WIDTH = 720
"""The picture's least width in pixels: cells shrink to fit it, down to MIN_CELL, then it widens."""
MIN_CELL = 14
LEGEND = (
    ("input", FILL[CellKind.INPUT], ""),
    ("padding", FILL[CellKind.PAD], MARK[CellKind.PAD]),
    ("inserted zero", FILL[CellKind.ZERO], MARK[CellKind.ZERO]),
    ("output_padding", FILL[CellKind.EXTRA], MARK[CellKind.EXTRA]),
    ("cropped", FILL[CellKind.CROP], MARK[CellKind.CROP]),
    ("never read", UNREAD, "x"),
)


def _latin(text: str) -> str:
    """Write × and → as x and ->: Pillow's own font has neither."""
    return text.replace("×", "x").replace("→", "->")


def _pillow() -> Any:  # noqa: ANN401 - Pillow's modules, imported on demand
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise InputError("writing a GIF needs Pillow: pip install 'convcalc[gif]'", where="gif") from None
    return Image, ImageDraw, ImageFont


def _columns(slices: Slices) -> int:
    return sum(len(s[0]) if s else 0 for s in slices) + max(len(slices) - 1, 0)


def _rows(slices: Slices) -> int:
    return max((len(s) for s in slices), default=0)


class _Painter:
    """Draws the frames of one scene at one cell size."""

    def __init__(self, scene: Scene, modules: Any) -> None:  # noqa: ANN401 - Pillow's modules, imported on demand
        self.scene = scene
        self.image_module, self.draw_module, font_module = modules
        self.grids = {stage: stage_grid(scene, stage) for stage in dict.fromkeys(step.stage for step in scene.steps)}
        self.output = output_grid(scene)
        columns = max(_columns(grid) for grid in self.grids.values()) + _columns(self.output) + 3
        self.cell = max(MIN_CELL, min(32, (WIDTH - 32) // max(columns, 1)))
        self.font: ImageFont.FreeTypeFont = font_module.load_default(13)
        self.small: ImageFont.FreeTypeFont = font_module.load_default(max(8, self.cell * 3 // 5))
        rows = max(_rows(grid) for grid in [*self.grids.values(), self.output])
        self.top = 76
        self.height = self.top + rows * self.cell + 20 + (16 if len(scene.axes) == 3 else 0) + 40  # noqa: PLR2004 - a 3-D picture has a slice caption
        texts = [scene.title, scene.sizes, *(step.caption for step in scene.steps)]
        longest = max(self.font.getlength(_latin(text)) for text in texts)
        self.width = max(WIDTH, columns * self.cell + 32, int(longest) + 32)
        self.left_width = max(_columns(grid) for grid in self.grids.values()) * self.cell

    def frame(self, number: int, step: Step) -> Any:  # noqa: ANN401 - a PIL image
        image = self.image_module.new("RGB", (self.width, self.height), BACKGROUND)
        draw = self.draw_module.Draw(image)
        draw.text((16, 8), _latin(self.scene.title), fill=INK, font=self.font)
        draw.text((16, 26), _latin(self.scene.sizes), fill=FAINT, font=self.font)
        draw.text((16, 46), _latin(step.caption), fill=INK, font=self.font)
        stage = step.stage
        window, reads = self._lit(step)
        self._slices(draw, self.grids[stage], 16, stage, window, reads)
        labels = depth_labels(self.scene, stage)
        self._labels(draw, labels, self.grids[stage], 16)
        right = 16 + self.left_width + 3 * self.cell
        written = self._written(number)
        self._outputs(draw, right, written, step.stop)
        self._labels(draw, depth_labels(self.scene, Stage.OUTPUT), self.output, right)
        self._legend(draw)
        return image

    def _lit(self, step: Step) -> tuple[list[tuple[int, ...]] | None, set[tuple[int, ...]]]:
        if step.stop is None:
            return None, set()
        windows = []
        for axis, o in zip(self.scene.axes, step.stop, strict=True):
            windows.append(set(axis.windows[axis.shown_outputs.index(o)]))
        return [tuple(sorted(w)) for w in windows], self.scene.reads(step.stop)

    def _written(self, number: int) -> set[tuple[int, ...]]:
        steps = self.scene.steps
        if steps[number].stage is Stage.OUTPUT:
            return {s.stop for s in steps if s.stop is not None}
        return {s.stop for s in steps[: number + 1] if s.stop is not None}

    def _origin(self, slices: Slices, left: int) -> list[int]:
        lefts, x = [], left
        for grid in slices:
            lefts.append(x)
            x += (len(grid[0]) + 1) * self.cell if grid else self.cell
        return lefts

    def _slices(  # the grid, where, and what is lit
        self,
        draw: ImageDraw.ImageDraw,
        slices: Slices,
        left: int,
        stage: Stage,
        window: list[tuple[int, ...]] | None,
        reads: set[tuple[int, ...]],
    ) -> None:
        for x0, grid in zip(self._origin(slices, left), slices, strict=True):
            for r, row in enumerate(grid):
                for c, cell in enumerate(row):
                    box = (x0 + c * self.cell, self.top + r * self.cell)
                    self._cell(draw, box, cell, stage, window, reads)

    def _cell(  # one cell and what is lit
        self,
        draw: ImageDraw.ImageDraw,
        box: tuple[int, int],
        cell: Drawn,
        stage: Stage,
        window: list[tuple[int, ...]] | None,
        reads: set[tuple[int, ...]],
    ) -> None:
        x, y, size = box[0], box[1], self.cell
        if cell is GAP or cell.kind is None:
            draw.text((x + size // 2, y + size // 2), "…", fill=FAINT, font=self.small, anchor="mm")
            return
        fill = FILL[cell.kind]
        mark = MARK.get(cell.kind, "")
        if cell.kind is CellKind.INPUT and not cell.read:
            fill, mark = UNREAD, "x"
        if cell.index is not None and cell.index in reads:
            fill = READ
        draw.rectangle((x, y, x + size - 2, y + size - 2), fill=fill, outline=(190, 190, 190))
        if cell.kind is CellKind.CROP:
            draw.line((x, y + size - 2, x + size - 2, y), fill=FAINT, width=1)
        elif mark:
            draw.text((x + size // 2 - 1, y + size // 2 - 1), mark, fill=FAINT, font=self.small, anchor="mm")
        taps = window is not None and cell.position is not None and stage is Stage.STOP
        if taps and all(p in w for p, w in zip(cell.position or (), window or [], strict=True)):
            draw.rectangle((x - 1, y - 1, x + size - 1, y + size - 1), outline=WINDOW, width=3)

    def _outputs(
        self, draw: ImageDraw.ImageDraw, left: int, written: set[tuple[int, ...]], stop: tuple[int, ...] | None
    ) -> None:
        for x0, grid in zip(self._origin(self.output, left), self.output, strict=True):
            for r, row in enumerate(grid):
                for c, cell in enumerate(row):
                    x, y, size = x0 + c * self.cell, self.top + r * self.cell, self.cell
                    if cell.index is None:
                        draw.text((x + size // 2, y + size // 2), "…", fill=FAINT, font=self.small, anchor="mm")
                        continue
                    fill = CURRENT if cell.index == stop else WRITTEN if cell.index in written else EMPTY
                    draw.rectangle((x, y, x + size - 2, y + size - 2), fill=fill, outline=(190, 190, 190))

    def _labels(self, draw: ImageDraw.ImageDraw, labels: tuple[str, ...], slices: Slices, left: int) -> None:
        if not labels:
            return
        y = self.top + _rows(slices) * self.cell + 2
        for x0, label in zip(self._origin(slices, left), labels, strict=False):
            draw.text((x0, y), label, fill=FAINT, font=self.small)

    def _legend(self, draw: ImageDraw.ImageDraw) -> None:
        x, y = 16, self.height - 26
        kinds = {cell.kind for grid in self.grids.values() for s in grid for row in s for cell in row}
        unread = any(not cell.read for grid in self.grids.values() for s in grid for row in s for cell in row)
        shown = {
            "input": True,
            "padding": CellKind.PAD in kinds,
            "inserted zero": CellKind.ZERO in kinds,
            "output_padding": CellKind.EXTRA in kinds,
            "cropped": CellKind.CROP in kinds,
            "never read": unread,
        }
        for name, colour, mark in LEGEND:
            if not shown[name]:
                continue
            draw.rectangle((x, y, x + 12, y + 12), fill=colour, outline=(190, 190, 190))
            if mark:
                draw.text((x + 6, y + 6), mark, fill=FAINT, font=self.font, anchor="mm")
            x += 18
            draw.text((x, y - 1), name, fill=INK, font=self.font)
            x += int(draw.textlength(name, font=self.font)) + 16
        for name, colour in (("kernel", WINDOW), ("read", READ), ("output", WRITTEN)):
            draw.rectangle((x, y, x + 12, y + 12), outline=colour, width=3, fill=colour if name != "kernel" else None)
            x += 18
            draw.text((x, y - 1), name, fill=INK, font=self.font)
            x += int(draw.textlength(name, font=self.font)) + 16


def scene_gif(scene: Scene) -> bytes:
    """Return the animated GIF of a scene: a frame per step, looping."""
    modules = _pillow()
    painter = _Painter(scene, modules)
    image = modules[0]
    steps = scene.steps
    middle = min(len(steps) - 2, len(steps) // 2)
    strip = image.new("RGB", (painter.width, painter.height * 2 + 16), BACKGROUND)  # every colour a frame uses
    strip.paste(painter.frame(middle, steps[middle]), (0, 0))
    strip.paste(painter.frame(len(steps) - 1, steps[-1]), (0, painter.height))
    swatch = image.new("RGB", (16 * len(SWATCHES), 16))
    for n, colour in enumerate(SWATCHES):
        swatch.paste(colour, (16 * n, 0, 16 * n + 16, 16))
    strip.paste(swatch, (0, painter.height * 2))
    palette = strip.quantize(colors=48, dither=image.Dither.NONE)
    shown = [  # each frame drawn, then kept in the palette's 48 colours only: a third of the memory
        painter.frame(n, step).quantize(palette=palette, dither=image.Dither.NONE) for n, step in enumerate(steps)
    ]
    buffer = io.BytesIO()
    shown[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=shown[1:],
        duration=[MILLISECONDS[step.stage] for step in steps],
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()
