"""Plausible input that once ended in a traceback: each ends in one located line and its exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

Run = Callable[..., Result]

FLATTENED = "input: [1, 3, 8, 8]\nlayers:\n  - {type: Flatten}\n  - {type: conv, kernel_size: 1}\n"

CASES = [
    ("an int tag on letters", 'input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: !!int "abc"}\n', ["stack", "net.yaml"], 2,
     "net.yaml:3:31: tag !!int does not fit 'abc': network files need no tags"),
    ("an int tag on nothing", 'input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: !!int ""}\n', ["stack", "net.yaml"], 2,
     "net.yaml:3:31: tag !!int does not fit '': network files need no tags"),
    ("a bool tag on a number", "input: [1, 3, 8, 8]\nlayers:\n  - {type: conv, kernel_size: 3, bias: !!bool 7}\n", ["stack", "net.yaml"], 2,
     "net.yaml:3:40: tag !!bool does not fit '7': network files need no tags"),
    ("a map tag on a list", "input: !!map [1, 3, 8, 8]\nlayers: []\n", ["stack", "net.yaml"], 2,
     "net.yaml:1:8: tag !!map does not fit a list: network files need no tags"),
    ("upsample factors for another rank", "input: [1, 3, 8, 8]\nlayers:\n  - {type: Upsample, scale_factor: [2, 2, 2]}\n", ["stack", "net.yaml"], 1,
     "net.yaml:3:5: layer 1: Upsample has 3 scale_factor values but 2 spatial axes come in; give one value, or 2"),
    ("adaptive sizes for another rank", "input: [1, 3, 8, 8]\nlayers:\n  - {type: AdaptiveAvgPool2d, output_size: [2, 2, 2]}\n", ["stack", "net.yaml"], 1,
     "net.yaml:3:5: layer 1: AdaptiveAvgPool2d has 3 output_size values but 2 spatial axes come in; give one value, or 2"),
    ("explain a convolution after Flatten", FLATTENED, ["explain", "net.yaml", "--layer", "2"], 1,
     "net.yaml: layer 2: conv expects [N, C] and 2 spatial axes, got [1, 192]"),
    ("port a convolution after Flatten", FLATTENED, ["port", "net.yaml"], 1,
     "net.yaml: layer 2: conv expects [N, C] and 2 spatial axes, got [1, 192]"),
    ("port a layer without a kernel", None, ["port", "conv", "-i", "5"], 2, "convcalc: error: --kernel: port conv needs --kernel"),
    ("port a layer without an input", None, ["port", "pool", "-k", "2"], 2, "convcalc: error: --input: port pool needs --input"),
]  # fmt: skip


@pytest.mark.parametrize(("title", "text", "args", "code", "line"), CASES, ids=[case[0] for case in CASES])
def test_one_line_and_the_right_code(
    run: Run,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    title: str,
    text: str | None,
    args: list[str],
    code: int,
    line: str,
) -> None:
    """Exit 2 for malformed input, 1 for a layer that cannot be computed; one stderr line saying why."""
    del title
    if text is not None:
        (tmp_path / "net.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert (result.exit_code, result.stderr) == (code, line + "\n")
