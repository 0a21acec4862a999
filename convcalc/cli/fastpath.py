"""Parse plain command lines without loading Typer, which costs more than the arithmetic.

A command line made only of known options with their values (the table in flags.py, from
which the Typer app is made too) is parsed here and run directly. Anything else (help, an
unknown, repeated or bundled option, a missing value or argument) returns None, and the
Typer app takes over with its own messages. tests/cli/test_fastpath.py runs command lines
both ways and compares.
"""

from __future__ import annotations

from convcalc.cli.flags import ALIASES, COMMANDS, Option


def _is_option(word: str) -> bool:
    return word.startswith("-") and word != "-"


def _spellings(options: tuple[Option, ...]) -> dict[str, tuple[Option, object]]:
    """Map every spelling of an option to it, and a switch's spellings to the value each stores."""
    found: dict[str, tuple[Option, object]] = {}
    for option in options:
        if option.argument:
            continue
        for name in option.names:
            found[name] = (option, True if option.switch else None)
        if option.negation:
            found[option.negation] = (option, False)
    return found


def _read_options(words: list[str], options: tuple[Option, ...]) -> tuple[dict[str, object], list[str]] | None:
    """Split words into option values and positional arguments; None for anything unusual."""
    spellings = _spellings(options)
    arguments: dict[str, object] = {}
    positionals: list[str] = []
    stream = iter(words)
    for word in stream:
        if not _is_option(word):
            positionals.append(word)
            continue
        name, equals, value = word.partition("=")
        known = spellings.get(name)
        if known is None:
            return None
        option, stores = known
        if option.param in arguments or (equals and option.switch):
            return None
        if option.switch:
            arguments[option.param] = stores
            continue
        following = value if equals else next(stream, None)
        if following is None:
            return None
        arguments[option.param] = following
    return arguments, positionals


def parse(argv: list[str]) -> tuple[str, dict[str, object]] | None:
    """Return (command, keyword arguments) for a plain command line, or None to leave it to Typer."""
    name = ALIASES.get(argv[0], argv[0]) if argv else ""
    command = COMMANDS.get(name)
    if command is None:
        return None
    read = _read_options(argv[1:], command.options)
    if read is None:
        return None
    arguments, positionals = read
    if any(o.required and not o.argument and o.param not in arguments for o in command.options):
        return None
    target = command.positional
    if target is None:
        return (name, arguments) if not positionals else None
    if target.many and positionals:
        return name, {**arguments, target.param: positionals}
    if not target.many and len(positionals) == 1:
        return name, {**arguments, target.param: positionals[0]}
    return None
