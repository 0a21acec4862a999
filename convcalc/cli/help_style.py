"""How help writes options and arguments: Click's conventions (FILE, [NAME], INT), no type for a switch.

Typer writes `{file}` in the usage line, a `<str>` type beside every argument and `<bool>`
beside --help; a command made with this class writes `FILE`, `[NAME]`, `FILES...` and
leaves switches bare.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from convcalc.cli.terminal import use_colour


class _Argument(TyperArgument):
    """A positional argument shown by its metavar alone."""

    def display_type_rich(self, ctx: Any) -> str | None:  # noqa: ANN401, ARG002 - Typer's signature
        """Write no type beside the argument: its name says it."""
        return None

    def get_usage_pieces(self, ctx: Any) -> list[str]:  # noqa: ANN401, ARG002 - Typer's signature
        """Write the argument in the usage line as Click does: FILE, [NAME], FILES..."""
        name = self.metavar or (self.name or "").upper()
        many = "..." if self.nargs != 1 else ""
        return [f"{name}{many}" if self.required else f"[{name}]{many}"]


def _colour_as_tables() -> None:
    """Make the help console follow the tables' colour rule (Typer's own reads other variables)."""
    from typer import rich_utils  # rich loads only for help

    colour = use_colour(tty=sys.stdout.isatty())
    rich_utils.FORCE_TERMINAL = colour
    rich_utils.COLOR_SYSTEM = "auto" if colour else None


class _ClickStyle:
    """What the app's group and every command share: help coloured by the tables' rule, --help bare."""

    def format_help(self, ctx: Any, formatter: Any) -> None:  # noqa: ANN401 - Typer's signature
        """Write help in colour by the tables' rule."""
        _colour_as_tables()
        super().format_help(ctx, formatter)  # type: ignore[misc]  # Typer's untyped base class

    def get_help_option(self, ctx: Any) -> TyperOption | None:  # noqa: ANN401 - Typer's signature
        """Return --help, shown without a type like every other switch."""
        option: TyperOption | None = super().get_help_option(ctx)  # type: ignore[misc]  # Typer's untyped base class
        if option is not None:
            option.metavar = ""
        return option


class Group(_ClickStyle, TyperGroup):
    """The app's command group."""


class Command(_ClickStyle, TyperCommand):
    """A Typer command whose arguments are written as Click writes them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - Typer's signature
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument
                kind = getattr(param, "type", None)  # older Typer writes the type's metavar beside an argument
                if kind is not None:
                    bare = copy.copy(kind)
                    bare.get_metavar = lambda param, ctx: ""  # noqa: ARG005 - what Click calls
                    setattr(param, "type", bare)  # noqa: B010 - the attribute only older Typer has
