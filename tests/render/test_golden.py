"""The golden files themselves: each width pair tests two widths, no line ends in spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
FILES = sorted(GOLDEN.rglob("*.txt"))


def test_width_pairs_differ() -> None:
    """A table kept at 80 and at 160 columns looks different at the two: else one width goes untested."""
    pairs = [(path, path.with_name(path.name.replace(".80.", ".160."))) for path in FILES if ".80." in path.name]
    pairs = [(narrow, wide) for narrow, wide in pairs if wide.exists()]
    assert len(pairs) >= 5
    same = [narrow.name for narrow, wide in pairs if narrow.read_text() == wide.read_text()]
    assert same == []


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(GOLDEN)) for p in FILES])
def test_no_trailing_spaces(path: Path) -> None:
    """Output lines end where their text ends (rich pads table cells and wrapped lines with spaces)."""
    padded = [n for n, line in enumerate(path.read_text().splitlines(), 1) if line != line.rstrip()]
    assert padded == []
