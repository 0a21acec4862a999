"""Read the fixture tables that the tools write (tests/fixtures/*.json) into convcalc layers; no framework needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from convcalc.core.spec import LayerSpec

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def load_cases(name: str) -> list[dict[str, Any]]:
    """Return the cases of one fixture file."""
    return json.loads((FIXTURES / name).read_text())["cases"]


def layer_from_case(case: dict[str, Any]) -> LayerSpec:
    """Build the convcalc layer a fixture case describes (torch.nn arguments unless it names a framework)."""
    return LayerSpec.create(
        case["type"],
        case["kernel_size"],
        rank=case["rank"],
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        output_padding=case.get("output_padding", 0),
        ceil_mode=case.get("ceil_mode", False),
        groups=case.get("groups", 1),
        out_channels=case.get("out_channels"),
        output_size=case.get("output_size"),
        framework=case.get("framework", "torch"),
        norm_type=case.get("norm_type", 2.0),
    )


def case_input(case: dict[str, Any]) -> tuple[int, ...]:
    """Return a case's full input shape: the torch tables give [N, C, *spatial], the others spatial sizes."""
    return tuple(case["input"]) if "framework" not in case else (1, 2, *case["input"])
