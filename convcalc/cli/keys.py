"""The one table from the library's keys to the command line's flags: messages name what the user typed.

The library names what is wrong by its own keys (`dtype`, `kernel_size`); a command's
input error that points at no file is about a flag, and is reported under the flag's name.
"""

from __future__ import annotations

import re

from convcalc import InputError

FLAGS = {
    "kernel_size": "--kernel",
    "output_size": "--target",
    "dtype": "--dtype",
    "count": "--count",
    "range": "--range",
    "gif": "--gif",
    "args": "--args",
    "input": "--input",
    "input_shape": "--input",
    "sources": "SOURCE",
}
"""Library keys whose flag is not the key itself with dashes."""

ARGUMENTS = frozenset(
    {
        "input_shape",
        "dtype",
        "count",
        "range",
        "gif",
        "args",
        "sources",
        "format",
        "layer",
        "kernel",
        "stride",
        "dilation",
    }
)
"""Keys of the library's function arguments, never of a file: an error on one is about its flag, wherever it points."""


def for_the_command_line(error: InputError) -> InputError:
    """Return an input error as the command line says it: an argument's key named by its flag."""
    message = error.message
    if error.asks:  # the key the message asks for, by its flag
        message = re.sub(rf"\b{re.escape(error.asks)}\b", flag_for(error.asks), message)
    where = flag_for(error.where) if error.where in ARGUMENTS else error.where
    if (message, where) == (error.message, error.where):
        return error
    return InputError(message, where=where, location=error.location)


def flag_for(key: str) -> str:
    """Return the flag that gives a library key (`kernel_size` -> `--kernel`, `padding_mode` -> `--padding-mode`)."""
    if key.startswith("--") or key.isupper():
        return key
    return FLAGS.get(key, "--" + key.replace("_", "-"))
