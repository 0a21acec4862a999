"""A plain command loads nothing it does not use: every feature's modules stay out of its path (start-up is measured).

Each command runs in a fresh interpreter, which then lists the modules it loaded.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES
from tests.core.torch_cases import FIXTURES

NEVER = ("typer", "click", "torch", "onnx", "numpy", "PIL", "jsonschema", "shellingham", "keras")
"""Packages no plain command needs (the CLI's own parser reads its flags; Typer is for help and completion)."""


def _loaded(*argv: str) -> set[str]:
    code = (
        "import contextlib, io, sys\n"
        "from convcalc.cli.entry import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({list(argv)!r})\n"
        "print(*sorted(sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (("stack", str(EXAMPLES / "resnet_stem.yaml")), ()),
        (("stack", str(FIXTURES / "onnx" / "resnet18.onnx"), "-i", "1,3,64,64"), ("convcalc.importers",)),
        (("conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1", "--format", "json"), ()),
    ],
    ids=["stack yaml", "stack onnx", "conv json"],
)
def test_a_plain_command_loads_only_what_it_uses(argv: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    loaded = _loaded(*argv)
    assert not {name for name in loaded if name.split(".")[0] in NEVER}
    extra = {name for name in loaded if name.startswith(("convcalc.importers", "convcalc.design"))}
    assert {name for name in extra if not name.startswith(allowed)} == set()
    assert not {name for name in loaded if name.startswith(("convcalc.importers.torch", "convcalc.importers.keras"))}
