"""`convcalc check` for CI: every problem as data, in text, JSON, GitHub annotations and JUnit XML, and --quiet."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from typer.testing import Result

Run = Callable[..., "Result"]
FAILING = "examples/failing/failing_expect.yaml"
GOOD = "examples/resnet_stem.yaml"
TYPOS = "examples/malformed/typos.yaml"


def test_json_has_every_finding_with_its_place(run: Run) -> None:
    """Failing layers and a malformed file's errors, each with file, line, column, key and message."""
    result = run("check", FAILING, GOOD, TYPOS, "--format", "json")
    assert result.exit_code == 2  # a malformed file
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["ok"] is False
    failing, good, typos = document["files"]
    assert (failing["ok"], failing["malformed"], failing["layers"]) == (False, False, 2)
    assert failing["findings"][0] == {
        "file": FAILING, "line": 5, "column": 5, "key": None, "layer": "layer 1 (stem)",
        "message": "layer 1 (stem): expected output [1, 32, 64, 64], got [1, 32, 62, 62]", "kind": "layer",
    }  # fmt: skip
    assert good == {"file": GOOD, "ok": True, "malformed": False, "layers": 2, "findings": []}
    assert typos["malformed"] is True
    assert [(f["line"], f["column"], f["key"]) for f in typos["findings"]] == [
        (4, 5, "layers[0]"), (5, 5, "layers[0].kernal_size"), (6, 13, "layers[0].stride"), (7, 11, "layers[1].type"),
    ]  # fmt: skip
    assert document["summary"] == "convcalc check: 3 files: 2 failing layers, 1 malformed file"


def test_github_annotations_point_at_the_lines(run: Run) -> None:
    """One ::error line per finding with file, line and col, as GitHub Actions reads them, then the verdict."""
    result = run("check", FAILING, TYPOS, "-f", "github")
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"::error file={FAILING},line=5,col=5,title=shape check failed::"
        "layer 1 (stem): expected output [1, 32, 64, 64], got [1, 32, 62, 62]"
    )
    assert lines[2] == (
        f"::error file={TYPOS},line=4,col=5,title=malformed network file::layers[0]: missing `kernel_size`"
    )
    assert lines[-1] == "convcalc check: 2 files: 2 failing layers, 1 malformed file"
    assert len(lines) == 2 + 4 + 1


def test_github_escapes_what_would_end_a_property(run: Run, tmp_path: Path) -> None:
    """A file name with a comma and a colon stays one property; a newline in a message stays on its line."""
    path = tmp_path / "a,b:c.yaml"
    path.write_text("input: [1, 3, 8, 8]\nlayers: [{type: conv}]\n")
    line = run("check", str(path), "-f", "github").stdout.splitlines()[0]
    assert f"file={str(path).replace(':', '%3A').replace(',', '%2C')},line=2" in line


def test_junit_has_a_test_case_per_file(run: Run) -> None:
    """A failure for failing layers, an error for a malformed file, a passing case otherwise; valid XML."""
    result = run("check", FAILING, GOOD, TYPOS, "-f", "junit")
    suite = ET.fromstring(result.stdout)  # noqa: S314 - our own output
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [FAILING, GOOD, TYPOS]
    failure = cases[0].find("failure")
    assert failure is not None
    assert (failure.text or "").count("\n") == 1  # both failing layers
    assert not list(cases[1])
    assert cases[2].find("error") is not None


def test_quiet_says_nothing_when_all_pass(run: Run) -> None:
    """--quiet: no line on success; failures still said, with the verdict."""
    passing = run("check", GOOD, "--quiet")
    assert (passing.exit_code, passing.stdout, passing.stderr) == (0, "", "")
    failing = run("check", FAILING, "-q")
    assert failing.exit_code == 1
    assert failing.stdout == "convcalc check: 1 file: 2 failing layers\n"
    assert len(failing.stderr.splitlines()) == 2


def test_a_bad_format_is_one_line(run: Run) -> None:
    """An unknown --format: one line, exit 2."""
    result = run("check", GOOD, "--format", "sarif")
    assert result.exit_code == 2
    assert result.stderr == "convcalc: error: --format: expected one of text, json, github, junit, got 'sarif'\n"


def test_stack_json_reports_input_errors_as_json(run: Run) -> None:
    """A malformed file under --format json: ok false and every error as data on stdout, the lines on stderr."""
    result = run("stack", TYPOS, "--format", "json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["output"] is None
    assert [e["line"] for e in document["errors"]] == [4, 5, 6, 7]
    assert len(result.stderr.splitlines()) == 4


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit"])
def test_every_format_of_a_passing_run_exits_0(run: Run, fmt: str) -> None:
    """Passing files exit 0 in every format."""
    assert run("check", GOOD, "examples/unet.yaml", "-f", fmt).exit_code == 0


def test_no_expect_checks_another_resolution(run: Run) -> None:
    """Expect lines fail at another input; --no-expect checks only that every layer is valid there."""
    assert run("check", "examples/unet.yaml", "--input", "1,1,380,380").exit_code == 1
    passing = run("check", "examples/unet.yaml", "--input", "1,1,380,380", "--no-expect")
    assert passing.exit_code == 0, passing.output
    invalid = run("check", "examples/unet.yaml", "--input", "1,1,100,100", "--no-expect")  # below 188: too small
    assert invalid.exit_code == 1


def test_csv_types_are_the_json_types(run: Run) -> None:
    """The CSV `type` column says what the JSON says: relu, batchnorm2d, not identity."""
    csv = run("stack", "examples/resnet18.yaml", "--format", "csv").stdout.splitlines()[1:]
    document = json.loads(run("stack", "examples/resnet18.yaml", "--format", "json").stdout)
    assert [row.split(",")[2] for row in csv] == [layer["type"] for layer in document["layers"]]
    assert "relu" in {layer["type"] for layer in document["layers"]}


def test_an_input_of_another_rank_is_blamed_on_the_flag(run: Run) -> None:
    """`--input 3,512,512` (C, H, W) on a 2-D file: one line on --input with the shape it likely means."""
    result = run("stack", GOOD, "--input", "3,512,512")
    assert result.exit_code == 2
    assert result.stderr == (
        f"convcalc: error: --input: gives 3 values, but {GOOD}'s input [1, 3, 224, 224] has 4 "
        "(N, C, then 2 spatial); for example 1,3,512,512\n"
    )


def test_a_terminal_reads_each_error_once(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Both streams on one terminal: the table's red line is the error, not repeated on stderr; piped, it is."""
    import sys

    from convcalc.cli.entry import main

    assert main(["conv", "-i", "2", "-k", "3"]) == 1
    piped = capsys.readouterr()
    assert "output size 0 < 1" in piped.out
    assert "output size 0 < 1" in piped.err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["conv", "-i", "2", "-k", "3"]) == 1
    terminal = capsys.readouterr()
    assert "output size 0 < 1" in terminal.out
    assert terminal.err == ""
