"""Print README's table of the torchvision zoo through `import torch`, from docs/zoo.json.

    python tools/zoo_table.py [--readme]   (--readme: write it into README.md between its markers)

docs/zoo.json comes from tools/probe_torch_zoo.py (it needs torch and torchvision; this does
not). tests/test_docs.py checks that README.md holds this table as printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "docs" / "zoo.json"
README = ROOT / "README.md"
MARKERS = ("<!-- zoo -->\n", "<!-- /zoo -->")


def zoo() -> dict[str, Any]:
    """Return docs/zoo.json."""
    return dict(json.loads(ZOO.read_text()))


def _short(reason: str) -> str:
    """Return a refusal's first line without its prefix, cut after its first sentence."""
    first = reason.split("; import torch:", 1)[0].removeprefix("import torch: ")
    sentence = first.split(". ")[0]
    return sentence.replace("|", "/")


def table(found: dict[str, Any]) -> str:
    """Return the summary line and the table of models not read right, with their reasons."""
    models = found["models"]
    ok = sorted(name for name, outcome in models.items() if outcome["status"] == "ok")
    others = sorted(name for name in models if name not in ok)
    unused = sorted(name for name in ok if models[name].get("unused_params"))
    summary = (
        f"Of torchvision {found['torchvision']}'s {len(models)} models (torch {found['torch']}), "
        f"{len(ok)} import with torch's parameters and FlopCounterMode's FLOPs exactly (the parameters "
        f"of the modules forward runs: {', '.join(unused)} keep auxiliary classifiers they do not run "
        "in eval mode); the others:"
    )
    lines = [
        summary,
        "",
        "| model | outcome |",
        "| --- | --- |",
    ]
    for name in others:
        outcome = models[name]
        reason = outcome.get("reason") or (
            f"parameters {outcome['convcalc_params']:,} (torch {outcome['params']:,}), "
            f"FLOPs {outcome['convcalc_flops']:,} (torch {outcome['flops']:,})"
        )
        lines.append(f"| {name} | {outcome['status']}: {_short(reason)} |")
    return "\n".join(lines) + "\n"


def shown(text: str) -> str:
    """Return the table README.md holds between its markers."""
    return text.split(MARKERS[0], 1)[1].split(MARKERS[1], 1)[0]


def main(argv: list[str]) -> None:
    """Print the table, or write it into README.md."""
    printed = table(zoo())
    if argv == ["--readme"]:
        text = README.read_text()
        README.write_text(text.replace(MARKERS[0] + shown(text), MARKERS[0] + printed, 1))
    else:
        print(printed, end="")


if __name__ == "__main__":
    main(sys.argv[1:])
