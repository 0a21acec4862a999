"""Parse plain command lines without loading Typer, which costs more than the arithmetic.

A command line made only of known options with their values (the table in commands.py)
is parsed here and run directly. Anything else (help, an unknown, repeated or bundled
option, a missing value or argument) returns None, and the Typer app takes over with its
own messages. tests/cli/test_fastpath.py runs command lines both ways and compares.
"""

from __future__ import annotations

from convcalc.cli.commands import ALIASES, FLAGS, Flag

POSITIONALS = {
    "stack": "file",
    "check": "files",
    "solve": "kind",
    "mirror": "file",
    "sizes": "file",
    "explain": "what",
    "port": "what",
}
REQUIRED = {
    "conv": ("size", "kernel"),
    "convt": ("size", "kernel"),
    "pool": ("size", "kernel"),
    "solve": ("size", "output"),
}


def _is_option(word: str) -> bool:
    return word.startswith("-") and word != "-"


def _read_options(words: list[str], flags: dict[str, Flag]) -> tuple[dict[str, object], list[str]] | None:
    """Split words into option values and positional arguments; None for anything unusual."""
    arguments: dict[str, object] = {}
    positionals: list[str] = []
    stream = iter(words)
    for word in stream:
        if not _is_option(word):
            positionals.append(word)
            continue
        name, equals, value = word.partition("=")
        flag = flags.get(name)
        if flag is None or flag.param in arguments or (equals and not flag.takes_value):
            return None
        if not flag.takes_value:
            arguments[flag.param] = flag.sets
            continue
        following = value if equals else next(stream, None)
        if following is None:
            return None
        arguments[flag.param] = following
    return arguments, positionals


def parse(argv: list[str]) -> tuple[str, dict[str, object]] | None:
    """Return (command, keyword arguments) for a plain command line, or None to leave it to Typer."""
    command = ALIASES.get(argv[0], argv[0]) if argv else ""
    if command not in FLAGS:
        return None
    read = _read_options(argv[1:], {name: flag for flag in FLAGS[command] for name in flag.names})
    if read is None:
        return None
    arguments, positionals = read
    if any(param not in arguments for param in REQUIRED.get(command, ())):
        return None
    target = POSITIONALS.get(command)
    if target is None:
        return (command, arguments) if not positionals else None
    if target in ("file", "kind", "what") and len(positionals) == 1:
        return command, {**arguments, target: positionals[0]}
    if target == "files" and positionals:
        return command, {**arguments, "files": positionals}
    return None
