"""Read the config of a `.keras` archive or a `to_json()` file, with every byte read bounded.

A `.keras` file is a zip archive whose config.json holds the model; convcalc reads that member
only (never the weights). Whatever the bytes are, the outcome is the config text or one line
saying why not: a member whose declared or actual size is past MAX_CONFIG_BYTES (a zip bomb
expands no further than that), an encrypted member, a compression Python cannot read, or a
broken archive. (The callers refuse a FIFO or a device before this opens it.)
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from convcalc.core.errors import InputError, InputErrorGroup, Location

MAX_CONFIG_BYTES = 64 * 1024 * 1024
"""The largest config convcalc reads (64 MiB): the largest Keras application's config is under 1 MiB."""
MAX_NESTING = 200
"""The deepest JSON nesting of a config: Keras' own configs nest a few dozen levels at most."""
ENCRYPTED = 0x1
"""The zip flag bit of an encrypted member."""


def _refuse(path: str, message: str) -> InputErrorGroup:
    return InputErrorGroup([InputError(message, location=Location(path))])


def _member_text(archive: zipfile.ZipFile, path: str) -> bytes:
    """Return config.json's bytes, refused when encrypted or larger (declared or expanded) than the limit."""
    try:
        info = archive.getinfo("config.json")
    except KeyError:
        raise _refuse(path, "a zip archive without config.json: not a .keras file") from None
    if info.flag_bits & ENCRYPTED:
        raise _refuse(path, "config.json is encrypted: a .keras file's is not")
    if info.file_size > MAX_CONFIG_BYTES:
        raise _refuse(path, f"config.json would expand to {info.file_size:,} bytes, over the {MAX_CONFIG_BYTES:,} read")
    with archive.open(info) as member:
        data = member.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise _refuse(path, f"config.json expands past the {MAX_CONFIG_BYTES:,} bytes read")
    return data


def read_config_bytes(path: str, data: bytes | None) -> bytes:
    """Return the config's bytes from a `.keras` archive or a JSON file (`data`: the bytes of standard input).

    At most MAX_CONFIG_BYTES: a larger config is refused whichever way it comes.
    """
    read = _read_config_bytes(path, data)
    if len(read) > MAX_CONFIG_BYTES:
        raise _refuse(path, f"larger than the {MAX_CONFIG_BYTES:,} bytes read of a config")
    return read


def _read_config_bytes(path: str, data: bytes | None) -> bytes:
    try:
        source: str | io.BytesIO = path if data is None else io.BytesIO(data)
        if zipfile.is_zipfile(source):
            with zipfile.ZipFile(source) as archive:
                return _member_text(archive, path)
        if data is not None:
            return data[: MAX_CONFIG_BYTES + 1]
        with Path(path).open("rb") as handle:
            return handle.read(MAX_CONFIG_BYTES + 1)
    except InputErrorGroup:
        raise
    except OSError as error:
        raise _refuse(path, f"cannot read: {error.strerror or error}") from None
    # zipfile and its decompressors raise a zoo for broken archives (BadZipFile, RuntimeError,
    # NotImplementedError, EOFError, zlib.error, lzma.LZMAError, ValueError, struct.error, ...):
    # any of them, while reading this one member, means the archive is broken
    except Exception as error:  # noqa: BLE001 - any failure inside a damaged archive is bad input, said in one line
        raise _refuse(path, f"not a readable .keras archive ({type(error).__name__}: {error})") from None


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEPS = str.maketrans({"[": "1", "{": "1", "]": "0", "}": "0"})


def nesting_depth_over(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether JSON text nests arrays or objects deeper than `limit` (brackets inside strings do not count)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text)).translate(_STEPS)
    depth = 0
    for step in brackets:
        depth += 1 if step == "1" else -1
        if depth > limit:
            return True
    return False
