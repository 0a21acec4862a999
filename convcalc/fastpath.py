"""Parse plain command lines without loading Typer, which costs more than the arithmetic.

A command line made only of known options with their values (the table in commands.py)
is parsed here and run directly. Anything else (help, an unknown, repeated or bundled
option, a missing value or argument) returns None, and the Typer app takes over with its
own messages. tests/test_fastpath.py runs command lines both ways and compares.
"""

from __future__ import annotations

from convcalc.commands import ALIASES, FLAGS, Flag

POSITIONALS = {"stack": "file", "check": "files"}
REQUIRED = {"conv": ("size", "kernel"), "convt": ("size", "kernel"), "pool": ("size", "kernel")}


def _is_option(token: str) -> bool:
    return token.startswith("-") and token != "-"


def parse(argv: list[str]) -> tuple[str, dict[str, object]] | None:
    """Return (command, keyword arguments) for a plain command line, or None to leave it to Typer."""
    if not argv:
        return None
    command = ALIASES.get(argv[0], argv[0])
    if command not in FLAGS:
        return None
    flags: dict[str, Flag] = {name: flag for flag in FLAGS[command] for name in flag.names}
    arguments: dict[str, object] = {}
    positionals: list[str] = []
    tokens = iter(argv[1:])
    for token in tokens:
        if not _is_option(token):
            positionals.append(token)
            continue
        name, equals, value = token.partition("=")
        flag = flags.get(name)
        if flag is None or flag.param in arguments or (equals and not flag.takes_value):
            return None
        if not flag.takes_value:
            arguments[flag.param] = flag.sets
        elif equals:
            arguments[flag.param] = value
        else:
            following = next(tokens, None)
            if following is None:
                return None
            arguments[flag.param] = following
    if any(param not in arguments for param in REQUIRED.get(command, ())):
        return None
    target = POSITIONALS.get(command)
    if target == "file" and len(positionals) == 1:
        arguments["file"] = positionals[0]
    elif target == "files" and positionals:
        arguments["files"] = positionals
    elif positionals:
        return None
    elif target is not None:
        return None
    return command, arguments
