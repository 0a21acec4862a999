"""Pure: user text made safe to print, so that input is always shown as data.

Layer names, file names and every other text that comes from the input may hold newlines,
escape sequences or invisible controls; printed raw, they would split one error line into
two (the second could pose as another file's error), colour or clear the terminal, or
reorder text. They are shown as visible escapes instead, as Python writes them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(character: str) -> str:
    code = ord(character)
    if code < 0x100:  # noqa: PLR2004 - one byte
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"  # noqa: PLR2004 - beyond the Basic Multilingual Plane


def visible(text: str) -> str:
    r"""Return `text` with every control, format or separator character written as an escape.

    `##[` is written `##\\x5b` too: a CI runner would act on it anywhere in a line (see ci_inert).
    """
    if "##[" in text:
        text = text.replace("##[", "##\\x5b")
    if text.isprintable():
        return text  # the common case, at C speed
    out = []
    for character in text:
        if character in _NAMED:
            out.append(_NAMED[character])
        elif unicodedata.category(character) in _UNSAFE_CATEGORIES and character != " ":
            out.append(_escape(character))
        else:
            out.append(character)
    return "".join(out)


def csv_safe(text: str) -> str:
    """Return a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def axes_text(values: Sequence[object]) -> str:
    """Show per-axis values as one value when they agree, else joined with ×."""
    texts = [str(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "×".join(texts)


def padding_cell(padding: Sequence[tuple[int, int]] | None) -> str:
    """Show (before, after) padding per axis: 1 when even, 1:2 when not, one value when every axis agrees."""
    if padding is None:
        return "-"
    return axes_text([str(b) if b == a else f"{b}:{a}" for b, a in padding])


def spatial_axes(count: int) -> str:
    """Return '1 spatial axis' or 'N spatial axes'."""
    return f"{count} spatial {'axis' if count == 1 else 'axes'}"


_CHUNK = 10**1000
"""Whole numbers are written 1,000 digits at a time: Python refuses to write more than 4,300 at once."""


def integer_text(value: int, *, grouped: bool = False) -> str:
    """Return the decimal digits of `value` exactly, however many (1,234,567 when grouped)."""
    if value < 0:
        return "-" + integer_text(-value, grouped=grouped)
    if value < _CHUNK:
        return f"{value:,}" if grouped else str(value)
    chunks: list[int] = []
    while value:
        value, chunk = divmod(value, _CHUNK)
        chunks.append(chunk)
    text = str(chunks[-1]) + "".join(f"{chunk:01000d}" for chunk in reversed(chunks[:-1]))
    if not grouped:
        return text
    head = len(text) % 3 or 3
    return ",".join([text[:head], *(text[i : i + 3] for i in range(head, len(text), 3))])


_LINE_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)
_INERT = {  # how each kind of output writes `[` after `##`, and a line's first `:`, so that its reader gets them back
    "text": ("\\x5b", "\\x3a"),
    "json": ("\\u005b", "\\u003a"),
    "xml": ("&#91;", "&#58;"),
}


def ci_inert(text: str, kind: str = "text") -> str:
    r"""Return output that no CI runner reads as a workflow command, however names and file names are written.

    GitHub's runner acts on `##[` anywhere in a line and on `::` at a line's start after white
    space. Text shows them as visible escapes (`##\x5b`, `\x3a:`); JSON and XML escape them as
    their parsers read back (`\u005b`, `&#91;`), so the data is unchanged. Other kinds are as given.
    """
    if kind not in _INERT or ("##[" not in text and "::" not in text):
        return text
    bracket, colon = _INERT[kind]
    text = text.replace("##[", "##" + bracket)
    return _LINE_COMMAND.sub(lambda match: match.group(1) + colon, text)
