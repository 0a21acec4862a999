"""explain --html without a browser: one self-contained file, its data, and the refusals of the flags."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from convcalc.core.analysis import analyze
from convcalc.design.scene import MILLISECONDS
from convcalc.sources.read import read_network

Run = Callable[..., Result]
ROOT = Path(__file__).parent.parent.parent


def _payload(text: str) -> dict[str, Any]:
    found = re.search(r'<script id="convcalc-data" type="application/json">(.*?)</script>', text, re.DOTALL)
    assert found is not None
    return json.loads(found.group(1).replace("<\\/", "</"))  # type: ignore[no-any-return]


def test_a_page_is_self_contained(run: Run, tmp_path: Path) -> None:
    """No address to fetch: no src or href, no @import or url(), the script inlined."""
    path = tmp_path / "ex5.html"
    result = run("explain", "convt", "-i", "3", "-k", "2", "-s", "2", "--html", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"\b(src|href)\s*=", text)
    assert "@import" not in text
    assert "url(" not in text
    assert "<link" not in text
    addresses = set(re.findall(r"https?://[^\s\"')]+", text))
    assert addresses <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, a name and not a request
    payload = _payload(text)
    (section,) = payload["sections"]
    assert section["scene"]["sizes"] == "3×3 in, 7×7 grid, 6×6 out"
    assert len(section["scene"]["steps"]) == 40


def test_a_network_page_has_a_section_per_layer_and_traces_to_the_input(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "stem.html"
    result = run("explain", "examples/resnet_stem.yaml", "--html", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    payload = _payload(path.read_text())
    network = analyze(read_network(str(ROOT / "examples" / "resnet_stem.yaml")))
    assert len(payload["sections"]) == len(network.layers)
    assert payload["input"] == list(network.input[2:])
    for section, layer in zip(payload["sections"], network.layers, strict=True):
        assert section["heading"].startswith(layer.label)
        if "scene" in section:
            scene = section["scene"]
            assert layer.fields is not None
            for axis, field, traced, size in zip(
                scene["axes"], layer.fields, scene["trace"], network.input[2:], strict=True
            ):
                for output, intervals in zip(axis["outputs"], traced, strict=True):
                    cells = {i for lo, hi in field.at(output) for i in range(lo, hi + 1) if 0 <= i < size}
                    assert {i for lo, hi in intervals for i in range(lo, hi + 1)} == cells
        else:
            assert "text" in section


def test_a_hostile_name_cannot_close_the_script(tmp_path: Path, run: Run) -> None:
    net = tmp_path / "net.yaml"
    net.write_text("input: [1, 1, 8, 8]\nlayers:\n  - {type: conv, name: '</script><b>x', kernel_size: 3}\n")
    path = tmp_path / "net.html"
    result = run("explain", str(net), "--html", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.count("</script>") == 2  # the data's and the script's own
    assert _payload(text)["sections"][0]["heading"].startswith("layer 1 (</script><b>x)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["examples/unet_decoder.yaml", "--gif", "{tmp}/a.gif"],
            "convcalc: error: --layer: which layer? add --layer N (its index, from 1, or its name)",
        ),
        (
            ["examples/unet_decoder.yaml", "--html", "{tmp}/a.html", "--gif", "{tmp}/a.gif"],
            "convcalc: error: --layer: --gif, --svg and --matrix draw one layer: add --layer N",
        ),
        (
            ["convt", "-i", "3", "-k", "2", "--gif", "{tmp}/a", "--html", "{tmp}/a"],
            "convcalc: error: --html: '{tmp}/a' is --gif too: not written over",
        ),
        (
            ["examples/unet_decoder.yaml", "-k", "3", "--html", "{tmp}/a.html"],
            "convcalc: error: --kernel: layer flags (--kernel) go with conv, convt or pool, not a file",
        ),
        (
            ["conv", "-i", "6", "-k", "2", "--html", "{tmp}/missing/a.html"],
            "{tmp}/missing/a.html: cannot write: No such file or directory",
        ),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(
    run: Run, tmp_path: Path, args: list[str], message: str
) -> None:
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("explain", *filled)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [message.replace("{tmp}", str(tmp_path))]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_impossible_layer_writes_no_page(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.html"
    result = run("explain", "conv", "-i", "2", "-k", "3", "--html", str(path))
    assert result.exit_code == 1
    assert "output size 0 < 1" in result.stderr
    assert not path.exists()


def test_the_page_plays_each_stage_as_long_as_the_gif(run: Run, tmp_path: Path) -> None:
    """One timing for both pictures: the page reads the GIF's milliseconds from its data, not a copy."""
    path = tmp_path / "timing.html"
    result = run("explain", "convt", "-i", "3", "-k", "2", "-s", "2", "--html", str(path))
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert _payload(text)["milliseconds"] == {str(stage): ms for stage, ms in MILLISECONDS.items()}
    assert "data.milliseconds[stage]" in text
    assert not re.search(r"\b(450|600|1400|2200)\b", text.split("<script>", 1)[1])
