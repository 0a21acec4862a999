"""Render the pictures of `convcalc explain`: plain text, colour, or SVG."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from convcalc.core.text import visible
from convcalc.render.toolkit import RenderOptions, console_text, make_console

if TYPE_CHECKING:
    from rich.console import Console

    from convcalc.design.explain import Section


EXPLAIN_STYLES = {
    "text": "not italic",  # plain, but a style of its own: SVG then places it after its indentation
    "real": "bold",
    "pad": "dim",
    "zero": "cyan",
    "extra": "magenta",
    "unread": "bold red",
    "window": "yellow",
    "note": "dim",
}


def _explanation_console(sections: tuple[Section, ...], console: Console) -> None:
    from rich.text import Text

    for number, section in enumerate(sections):
        if number:
            console.print()
        console.print(Text(visible(section.heading), style="bold"))
        for line in section.lines:
            text = Text()
            for chunk, style in line:
                text.append(visible(chunk), style=EXPLAIN_STYLES.get(style or ""))
            console.print(text)


def render_explanation(sections: tuple[Section, ...], options: RenderOptions) -> str:
    """Render an explanation for the terminal: colour where allowed, distinct characters always."""
    buffer = io.StringIO()
    console = make_console(buffer, options)
    _explanation_console(sections, console)
    return console_text(buffer)


def explanation_svg(sections: tuple[Section, ...], title: str, width: int) -> str:
    """Return the same picture as an SVG document, in colour (for docs and slides)."""
    from rich.console import Console

    console = Console(record=True, file=io.StringIO(), width=width, color_system="truecolor", force_terminal=True)
    # rich wraps long lines at the width; the grids are narrower than any width used here
    _explanation_console(sections, console)
    return str(console.export_svg(title=visible(title)))  # XML 1.0 cannot hold most control characters
