"""Rewrite the output shown after every `$ convcalc ...` line in README.md's console blocks.

Usage: python tools/update_readme.py   (then review the diff; tests/test_docs.py checks it)
"""

from __future__ import annotations

import io
import os
import re
import shlex
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def rerun(block: str) -> str:
    """Run each command of a console block and put its real output under it."""
    from convcalc.cli.entry import main  # after COLUMNS is set

    parts = []
    for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
        command = chunk.partition("\n")[0]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            main(shlex.split(command)[1:])
        parts.append(f"$ {command}\n{out.getvalue()}{err.getvalue()}")
    return "".join(parts)


def main() -> None:
    """Rewrite README.md in place, from the checkout's root."""
    os.environ["COLUMNS"] = "100"
    os.chdir(README.parent)
    text = README.read_text()
    README.write_text(
        re.sub(r"```console\n(.*?)```", lambda m: f"```console\n{rerun(m.group(1))}```", text, flags=re.DOTALL)
    )


if __name__ == "__main__":
    main()
