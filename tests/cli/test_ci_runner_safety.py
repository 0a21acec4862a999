"""What a CI runner or a parser reads is what convcalc meant: no forged workflow command, no broken XML.

GitHub's runner acts on `::` at a line's start (after white space) and on `##[` anywhere in a
line. Names and file names may hold both, and control characters that XML 1.0 cannot hold.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from convcalc.core.text import ci_inert

Run = Callable[..., Result]
FORGING = """\
input: [1, 3, 16, 16]
layers:
  - {type: conv, name: "##[error]x", kernel_size: 3}
  - {type: conv, name: "::add-mask::secret", kernel_size: 3, expect: [1, 3, 99, 99]}
  - {type: conv, name: "words_words_words_words_words_words_words_words_words_::add-mask::x_words_words", kernel_size: 3}
  - {type: conv, name: "ctl\\x01\\x1b[31m\\u2028<!--<script>]]>", kernel_size: 1}
  - {type: conv, name: "##[stop-commands]TOKEN", kernel_size: 30}
"""
FILE_NAME = "::error title=Forged::x.yaml"
COMMAND = re.compile(r"^\s*::|##\[")


@pytest.fixture
def forging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Write the network file (itself named as a workflow command) and work beside it."""
    (tmp_path / FILE_NAME).write_text(FORGING)
    monkeypatch.chdir(tmp_path)
    return FILE_NAME


def _commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if COMMAND.search(line)]


@pytest.mark.parametrize("columns", ["40", "100", "200"])
@pytest.mark.parametrize(
    "args",
    [
        ["stack"],
        ["stack", "-f", "markdown"],
        ["stack", "-f", "json"],
        ["check"],
        ["check", "-f", "json"],
        ["check", "-f", "junit"],
        ["sizes"],
        ["explain", "--layer", "2"],
        ["mirror"],
    ],
)
def test_no_output_holds_a_workflow_command(
    run: Run, forging: str, monkeypatch: pytest.MonkeyPatch, args: list[str], columns: str
) -> None:
    """Neither stdout nor stderr, at any width, wrapped or not."""
    monkeypatch.setenv("COLUMNS", columns)
    result = run(args[0], forging, *args[1:])
    assert result.exit_code in (0, 1, 2), result.output
    assert _commands(result.stdout) == []
    assert _commands(result.stderr) == []


def test_json_and_xml_keep_the_names_their_parsers_read(run: Run, forging: str) -> None:
    r"""JSON escapes as \u005b and XML as &#91;: the parsed names are the names written."""
    data = json.loads(run("stack", forging, "-f", "json").stdout)
    assert [layer["name"] for layer in data["layers"]][:2] == ["##[error]x", "::add-mask::secret"]
    junit = run("check", forging, "-f", "junit").stdout
    root = ET.fromstring(junit)  # noqa: S314 - our own output
    assert root.find("testcase").get("name") == FILE_NAME  # type: ignore[union-attr]
    assert "##[error]x" not in junit
    failure = root.find("testcase/failure")
    assert failure is not None
    assert "##[stop-commands]TOKEN" in (failure.text or "").replace("\\x5b", "[")


def test_github_annotations_are_one_line_each(run: Run, forging: str) -> None:
    """--format github: every finding one `::error` line, controls shown as escapes, nothing else a command."""
    lines = run("check", forging, "-f", "github").stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::error ")]
    assert len(annotations) == 2  # the expect and the kernel 30
    assert all(line.isprintable() for line in lines)
    assert [line for line in lines if COMMAND.search(line) and not line.startswith("::error ")] == []
    assert all(line.count("##[") == 0 for line in lines)


def test_ci_inert_by_kind() -> None:
    """Text shows escapes; JSON and XML escape as their parsers read back; other kinds are left."""
    text = "a ##[error]x\n  ::add-mask::y\n\u00a0::z"
    assert ci_inert(text) == "a ##\\x5berror]x\n  \\x3a:add-mask::y\n\u00a0\\x3a:z"
    assert json.loads(ci_inert(json.dumps({"n": "##[e]", "m": "::x"}), "json")) == {"n": "##[e]", "m": "::x"}
    assert ci_inert("<a>##[x]</a>", "xml") == "<a>##&#91;x]</a>"
    assert ci_inert("::x", "raw") == "::x"


def test_svg_and_page_of_hostile_names(run: Run, forging: str, tmp_path: Path) -> None:
    """The SVG parses as XML; the page's data cannot end its script or open a comment."""
    result = run("explain", forging, "--layer", "4", "--svg", "p.svg")
    assert result.exit_code == 0, result.output
    ET.parse(tmp_path / "p.svg")  # noqa: S314 - our own output
    assert run("explain", forging, "--html", "p.html").exit_code == 0
    page = (tmp_path / "p.html").read_text()
    script = page[page.index('<script id="convcalc-data"') :]
    data = script[script.index(">") + 1 : script.index("</script>")]
    assert "<" not in data
    assert "&" not in data
    assert json.loads(data)["sections"]


def test_markdown_notes_are_escaped(run: Run, forging: str) -> None:
    """The error list after the Markdown table escapes HTML and pipes, as the cells do."""
    text = run("stack", forging, "-f", "markdown").stdout
    notes = [line for line in text.splitlines() if line.startswith("- ")]
    assert notes
    assert all("<!--" not in line and "<script" not in line for line in notes)


def test_an_imported_network_file_keeps_a_forging_name_as_yaml_reads_it(run: Run, tmp_path: Path) -> None:
    r"""`import` writes `##[` inside its double-quoted names as \u005b, which a YAML reader reads back."""
    onnx = pytest.importorskip("onnx")
    helper = onnx.helper
    node = helper.make_node("Relu", ["x"], ["y"], name="##[error]x")
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 2, 4, 4])
    graph = helper.make_graph([node], "g", [x], [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(tmp_path / "m.onnx"))
    result = run("import", str(tmp_path / "m.onnx"))
    assert result.exit_code == 0, result.output
    assert _commands(result.stdout) == []
    assert yaml.safe_load(result.stdout)["layers"][0]["name"] == "##[error]x"
