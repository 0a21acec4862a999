"""Pure: user text made safe to print, so that input is always shown as data.

Layer names, file names and every other text that comes from the input may hold newlines,
escape sequences or invisible controls; printed raw, they would split one error line into
two (the second could pose as another file's error), colour or clear the terminal, or
reorder text. They are shown as visible escapes instead, as Python writes them.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escape(character: str) -> str:
    code = ord(character)
    if code < 0x100:  # noqa: PLR2004 - one byte
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"  # noqa: PLR2004


def visible(text: str) -> str:
    """Return `text` with every control, format or separator character written as an escape."""
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


def spatial_axes(count: int) -> str:
    """Return '1 spatial axis' or 'N spatial axes'."""
    return f"{count} spatial {'axis' if count == 1 else 'axes'}"
