"""How help writes options and arguments: Click's conventions (FILE, [NAME], INT), no type for a switch.

Typer writes `{file}` in the usage line, a `<str>` type beside every argument and `<bool>`
beside --help; a command made with this class writes `FILE`, `[NAME]`, `FILES...` and
leaves switches bare.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _Argument(TyperArgument):
    """A positional argument shown by its metavar alone."""

    def display_type_rich(self, ctx: Any) -> str | None:  # noqa: ANN401, ARG002 - Typer's signature
        """Write no type beside the argument: its name says it."""
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        many = "..." if self.nargs != 1 else ""
        return f"{name}{many}" if self.required else f"[{name}]{many}"


def _bare(option: TyperOption | None) -> TyperOption | None:
    if option is not None:
        option.metavar = ""
    return option


class Group(TyperGroup):
    """The app's command group, its --help shown without a type."""

    def get_help_option(self, ctx: Any) -> TyperOption | None:  # noqa: ANN401 - Typer's signature
        """Return --help, shown without a type like every other switch."""
        return _bare(super().get_help_option(ctx))


class Command(TyperCommand):
    """A Typer command whose help follows Click's conventions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - Typer's signature
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument

    def get_help_option(self, ctx: Any) -> TyperOption | None:  # noqa: ANN401 - Typer's signature
        """Return --help, shown without a type like every other switch."""
        return _bare(super().get_help_option(ctx))
