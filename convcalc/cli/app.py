"""The Typer app, made from the command table (flags.py): help with examples, usage errors; the work is in commands."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError
from typer.exceptions import TyperException

from convcalc import ExitCode, __version__, api
from convcalc.cli import commands
from convcalc.cli.completion import complete, completion_request
from convcalc.cli.flags import ALIASES, COMMANDS, Command, Option
from convcalc.cli.help_style import Command as HelpCommand
from convcalc.cli.help_style import Group
from convcalc.cli.process import say

app = typer.Typer(
    name="convcalc",
    cls=Group,
    help="Output shapes, receptive field and equivalent convolutions of CNN layers, exact to torch.nn.",
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:  # noqa: FBT001 - Typer callback
    if value:
        sys.stdout.write(f"convcalc {__version__}\n")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[  # noqa: FBT002 - Typer reads the flag's default from the signature
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True, metavar=""),
    ] = False,
) -> None:
    """Output shapes, receptive field and equivalent convolutions of CNN layers, exact to torch.nn."""


def _examples(lines: tuple[str, ...]) -> str:
    title = "Example" if len(lines) == 1 else "Examples"
    return f"[bold]{title}[/bold]\n\n" + "\n\n".join(f"  {line}" for line in lines)


def _completer(option: Option) -> Callable[[str], list[str]] | None:
    """Return what shell completion offers for an option's value: its choices, or the bundled examples' names."""
    if option.param == "name":  # convcalc examples NAME

        def names(incomplete: str) -> list[str]:
            return [name for name in api.example_names() if name.startswith(incomplete)]

        return names
    if not option.choices:
        return None
    choices = option.choices
    return lambda incomplete: [choice for choice in choices if choice.startswith(incomplete)]


def _parameter(option: Option) -> inspect.Parameter:
    """Return the signature parameter Typer reads an option or argument from."""
    complete = _completer(option)
    if option.argument:
        declared: object = typer.Argument(help=option.help, metavar=option.shown, autocompletion=complete)
        kind: object = list[str] if option.many else str
    elif option.switch:
        spellings = (f"{option.names[0]}/{option.negation}",) if option.negation else option.names
        declared, kind = typer.Option(*spellings, help=option.help, metavar=""), bool
    else:
        declared = typer.Option(
            *option.names, help=option.help, metavar=option.shown, hidden=option.hidden, autocompletion=complete
        )
        kind = str if option.required or option.default is not None else str | None
    default = inspect.Parameter.empty if option.required or option.many else option.default
    return inspect.Parameter(
        option.param, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, declared]
    )


def _add(command: Command) -> None:
    """Declare one command of the table on the app: its signature, summary and examples."""

    def run(**arguments: object) -> None:
        raise typer.Exit(commands.run(command.name, arguments))

    parameters = [_parameter(option) for option in command.options]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]  # Typer reads the signature it is given
    run.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    run.__doc__ = command.summary
    app.command(command.name, cls=HelpCommand, epilog=_examples(command.examples))(run)


for _command in COMMANDS.values():
    _add(_command)


_HELP_PRINTED = NoArgsIsHelpError
"""What Typer raises after printing a command's help for no arguments: not an error."""


def main(argv: list[str] | None = None) -> int:
    """Run the Typer app; usage errors become one line on stderr and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    request = completion_request(args)
    if request is not None:
        return complete(*request)
    if args and args[0] in ALIASES:  # conv-transpose and deconv are convt
        args[0] = ALIASES[args[0]]
    try:
        code = app(args=args, prog_name="convcalc", standalone_mode=False)
    except typer.Exit as stop:
        return stop.exit_code
    except TyperException as error:
        if isinstance(error, _HELP_PRINTED):  # help was printed: not an error
            return ExitCode.OK
        say(f"convcalc: error: {error.format_message()}")
        return ExitCode.BAD_INPUT
    except typer.Abort:
        sys.stderr.write("convcalc: interrupted\n")
        return ExitCode.INTERRUPTED
    return code if isinstance(code, int) else ExitCode.OK
