"""Front end: read network files and write output files, safely.

Inputs and outputs are regular files or the standard streams: a FIFO would block forever
and a device is no network file. An output is written whole to a temporary file in its
folder and then renamed over the old one, so a failed write (a full disk, Ctrl-C) leaves
the old file as it was, and writers racing for one file leave one complete file. A symbolic
link is written through (the file it names is replaced, the link stays), a replaced file keeps
its permissions and owner, a read-only one is not replaced, and an output that is one of the
command's inputs or another of its outputs is refused.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from convcalc.core.errors import InputError, InputErrorGroup, Location


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def regular_file_problem(path: str, *, writing: bool) -> str | None:
    """Return why `path` cannot be read (or written) as a file, or None when it can.

    Asked of the path's status, which never blocks, before anything opens it.
    """
    if not path:
        return "no file name given"
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        return None if writing else "cannot read: No such file or directory"
    except OSError as error:
        return f"cannot {'write' if writing else 'read'}: {error.strerror or error}"
    return None if stat.S_ISREG(mode) else f"is {_kind(mode)}, not a file"


def is_standard_stream(path: str, stream: int) -> bool:
    """Whether `path` is '-' or names the file that standard input (0) or output (1) already is."""
    if path == "-":
        return True
    try:
        named, own = Path(path).stat(), os.fstat(stream)
    except (OSError, ValueError):
        return False
    return (named.st_dev, named.st_ino) == (own.st_dev, own.st_ino)


MAX_MODEL_BYTES = 2**31
"""The most a model given on standard input may hold (2 GiB, protobuf's own limit), read whole; a file is read
only where its graph is (its weights skipped), whatever its size."""


def check_model_file(path: str) -> None:
    """Raise InputErrorGroup unless `path` is a regular file (reading nothing): of any size, its weights are skipped."""
    problem = regular_file_problem(path, writing=False)
    if problem is not None:
        message = "no such file" if problem.endswith("No such file or directory") else problem
        raise InputErrorGroup([InputError(message, location=Location(path or "''"))])


def read_bytes(path: str, limit: int) -> bytes:
    """Return at most `limit` + 1 bytes of a regular file, or raise InputError saying why not."""
    problem = regular_file_problem(path, writing=False)
    if problem is not None:
        raise InputError(problem, location=Location(path or "''"))
    try:
        with Path(path).open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", location=Location(path)) from None


def _identity(path: str) -> tuple[int, int] | str:
    """Return the file's (device, inode) when it exists (through links), else its resolved path."""
    try:
        found = Path(path).stat()
    except OSError:
        return str(Path(path).resolve())
    return (found.st_dev, found.st_ino)


def check_outputs(inputs: dict[str, str], outputs: dict[str, str | None]) -> None:
    """Refuse an output that is one of the inputs, or the same file as another output, by what the paths resolve to.

    `inputs` and `outputs` map a flag or argument name (FILE, --html) to its path; standard
    streams ('-', /dev/stdout) and outputs not asked for (None) are left out. Raise InputError on the output.
    """
    seen: dict[tuple[int, int] | str, str] = {}
    for name, given in inputs.items():
        if given and given != "-":
            seen.setdefault(_identity(given), name)
    for name, path in outputs.items():
        if not path or is_standard_stream(path, 1):
            continue
        identity = _identity(path)
        if identity in seen:
            what = seen[identity]
            other = f"the input {what}" if what in inputs else f"{what} too"
            raise InputError(f"{path!r} is {other}: not written over", where=name)
        seen[identity] = name


def write_text_atomically(path: str, text: str) -> None:
    """Replace `path` by `text` (UTF-8) at once: the old file stays whole until the new one is complete."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str, data: bytes) -> None:
    """Replace `path` by `data` at once: the old file stays whole until the new one is complete."""
    problem = regular_file_problem(path, writing=True)
    if problem is not None:
        raise InputError(problem, location=Location(path or "''"))
    target = Path(os.path.realpath(path))  # a symbolic link is written through: the file it names is replaced
    owner = None
    try:
        found = target.stat()
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    else:
        mode = found.st_mode & 0o7777
        if not mode & 0o222:
            raise InputError("is read-only: not written over", location=Location(path))
        if (found.st_uid, found.st_gid) != (os.geteuid(), os.getegid()):
            owner = (found.st_uid, found.st_gid)
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if owner is not None:  # the replaced file keeps its owner, or is not replaced
            os.chown(temporary, *owner)
        Path(temporary).chmod(mode)
        Path(temporary).replace(target)
        temporary = None
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror or error}", location=Location(path)) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
