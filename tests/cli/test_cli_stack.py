"""convcalc stack, check and schema through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from convcalc.cli.app import main
from convcalc.netfile.schema import schema_text
from tests.conftest import EXAMPLES, ROOT, WELL_FORMED, schema_errors, schema_valid

Run = Callable[..., Result]
Golden = Callable[[Path, str], None]
GOLDEN = Path(__file__).parent.parent / "golden"

SNAPSHOTS = [
    ("resnet_stem", "table", 80),
    ("resnet18", "table", 80),
    ("resnet18", "table", 160),
    ("unet_decoder", "table", 80),
    ("unet_decoder", "table", 160),
    ("unet_decoder", "markdown", 100),
    ("alexnet_features", "markdown", 100),
    ("dilated_context", "csv", 100),
    ("seed000_example4", "table", 80),
]


@pytest.mark.parametrize(("example", "fmt", "width"), SNAPSHOTS, ids=[f"{e}-{f}-{w}" for e, f, w in SNAPSHOTS])
def test_snapshots(
    run: Run, monkeypatch: pytest.MonkeyPatch, golden: Golden, example: str, fmt: str, width: int
) -> None:
    """Tables at 80 and 160 columns, Markdown and CSV stay as reviewed (pytest --update-golden rewrites)."""
    monkeypatch.setenv("COLUMNS", str(width))
    result = run("stack", f"examples/{example}.yaml", "--format", fmt)
    assert result.exit_code == 0
    golden(GOLDEN / f"{example}.{width}.{fmt}.txt", result.stdout)
    if fmt == "table":
        assert max(len(line) for line in result.stdout.splitlines()) <= width


def test_failing_layer_is_red_and_later_rows_not_computed(run: Run, tmp_path: Path) -> None:
    """An impossible layer: exit 1, one located stderr line, the rows after it not computed."""
    net = tmp_path / "net.yaml"
    net.write_text(
        "input: [1, 3, 8, 8]\n"
        "layers:\n"
        "  - {type: conv, kernel_size: 3}\n"
        "  - {type: conv, name: conv2, kernel_size: 9}\n"
        "  - {type: maxpool, kernel_size: 2}\n"
    )
    result = run("stack", str(net))
    assert result.exit_code == 1
    assert result.stderr == (
        f"{net}:4:5: layer 2 (conv2), axes H, W: output size -2 < 1: input 6 + padding 0 is smaller than the "
        "dilated kernel 9; use an input of at least 9, padding of at least 2 per side, or a smaller kernel\n"
    )
    assert "invalid" in result.stdout
    assert "not computed" in result.stdout
    data = json.loads(run("stack", str(net), "--format", "json").stdout)
    assert [layer["status"] for layer in data["layers"]] == ["ok", "invalid", "not_computed"]
    assert data["layers"][2]["error"] == "not computed: layer 2 (conv2) is invalid"
    assert data["ok"] is False


def test_stack_reads_standard_input(run: Run) -> None:
    """FILE may be - for standard input."""
    text = (EXAMPLES / "resnet_stem.yaml").read_text()
    result = run("stack", "-", "--format", "json", stdin=text)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["output"] == [1, 64, 56, 56]


def test_input_override_on_stack_and_check(run: Run) -> None:
    """--input replaces the file's input shape; expect lines then fail at the other size."""
    result = run("stack", "examples/resnet_stem.yaml", "--input", "1,3,256,256", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["layers"][1]["output"] == [1, 64, 64, 64]
    result = run("check", "examples/resnet_stem.yaml", "--input", "1x3x256x256")
    assert result.exit_code == 1
    assert "expected output [1, 64, 112, 112], got [1, 64, 128, 128]" in result.stderr


def test_check_is_quiet_on_success(run: Run) -> None:
    """Every example passes: one summary line, nothing on stderr."""
    files = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("*.yaml"))
    result = run("check", *files)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith(f"convcalc check: {len(files)} files, ")


def test_check_lists_every_failure(run: Run) -> None:
    """A failing expect: file, line, layer, expected and got on stderr; exit 1."""
    result = run("check", "examples/failing/failing_expect.yaml", "examples/resnet_stem.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "examples/failing/failing_expect.yaml:5:5: layer 1 (stem): expected output [1, 32, 64, 64], got [1, 32, 62, 62]",
        "examples/failing/failing_expect.yaml:10:5: layer 2 (pool): expected output [1, 32, 32, 32], got [1, 32, 31, 31]",
    ]
    assert result.stdout == "convcalc check: 2 files: 2 failing layers\n"


def test_check_malformed_file_exits_2(run: Run, tmp_path: Path) -> None:
    """A malformed file among good ones: its errors on stderr, exit 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: [1, 3, 8, 8]\nlayers: [{type: conv}]\n")
    result = run("check", str(bad), "examples/resnet_stem.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"{bad}:2:10: layers[0]: missing `kernel_size`\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text (byte 0x89 at offset 0)"),
        (b"\xff\xfe\xfd garbage", "not UTF-8 text (byte 0xff at offset 0)"),
    ],
)
def test_binary_garbage(run: Run, tmp_path: Path, content: bytes, message: str) -> None:
    """Binary files: exit 2 and one located line."""
    path = tmp_path / "garbage.yaml"
    path.write_bytes(content)
    result = run("stack", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{path}: {message}\n"


def test_huge_file_is_refused_quickly(run: Run, tmp_path: Path) -> None:
    """A 50 MB file is refused without being parsed."""
    path = tmp_path / "huge.yaml"
    with path.open("w") as handle:
        handle.write("input: [1, 3, 8, 8]\nlayers:\n")
        line = "  - {type: conv, kernel_size: 1}\n"
        handle.write(line * (50 * 1024 * 1024 // len(line)))
    result = run("stack", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"{path}: larger than 10 MiB: not a network file\n"


def test_unreadable_file(run: Run, tmp_path: Path) -> None:
    """A missing file or a directory: exit 2, one line."""
    result = run("stack", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory\n"
    result = run("stack", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: is a folder, not a file\n"


def test_huge_valid_sizes_are_exact(run: Run, tmp_path: Path) -> None:
    """An axis of 10**20 pixels is not bad input: it is computed exactly, at once."""
    path = tmp_path / "wide.yaml"
    path.write_text(
        "input: [1, 1, 100000000000000000000]\nlayers:\n"
        "  - {type: conv, kernel_size: 3, stride: 2, padding: 1}\n"
        "  - {type: convtranspose, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}\n"
    )
    data = json.loads(run("stack", str(path), "--format", "json").stdout)
    assert data["output"] == [1, 1, 10**20]
    assert data["layers"][0]["output"] == [1, 1, 5 * 10**19]


def test_schema_command_prints_the_shipped_schema(run: Run) -> None:
    """convcalc schema prints the schema shipped in the package (regenerate: convcalc schema > convcalc/network.schema.json)."""
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == schema_text()
    assert result.stdout == (ROOT / "convcalc" / "network.schema.json").read_text()
    schema: dict[str, Any] = json.loads(result.stdout)
    assert schema["required"] == ["layers"]
    assert schema["oneOf"] == [{"required": ["input"]}, {"required": ["inputs"]}]
    assert schema["$defs"]["takes_1"]["properties"]["kernel_size"] == {"$ref": "#/$defs/positive"}


@pytest.mark.slow  # jsonschema over every example: about 4 s
def test_examples_validate_against_the_schema() -> None:
    """Every example file is valid under the schema (when jsonschema is installed)."""
    yaml = pytest.importorskip("yaml")
    for path in WELL_FORMED:
        assert schema_errors(yaml.safe_load(path.read_text())) == [], path
    assert not schema_valid({"input": [1, 3, 8, 8], "layers": [{"type": "conv", "kernal_size": 3}]})


def test_main_runs_stack(capsys: pytest.CaptureFixture[str]) -> None:
    """The console entry point returns the exit code of stack."""
    assert main(["stack", "examples/failing/failing_expect.yaml", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False


def test_every_padding_word_and_form_validates_against_the_schema() -> None:
    """Each framework's padding words in any case, ONNX's flat pads and JAX's negative pairs are valid files."""
    cases = {
        "torch": ("same", "same-upper", "VALID", [1, 2], [[1, 0], 2], 2),
        "keras": ("same", "Causal", "valid", 0, [[0, 0], [0, 0]]),
        "onnx": ("SAME_LOWER", "same_upper", "VALID", 1),
        "jax": ("SAME", "same_lower", [[-1, 2], [0, 0]], -1),
    }
    for framework, paddings in cases.items():
        for padding in paddings:
            layer = {"type": "conv", "kernel_size": 3, "padding": padding, "out_channels": 1}
            network = {"framework": framework, "input": [1, 1, 8, 8], "layers": [layer]}
            assert schema_errors(network) == [], (framework, padding)
    pads = {
        "framework": "onnx",
        "input": [1, 1, 8, 8],
        "layers": [{"type": "Conv", "kernel_shape": [3, 3], "pads": [1, 2, 0, 1]}],
    }
    assert schema_errors(pads) == []
    for framework, padding in (("torch", "sme"), ("torch", "causal"), ("keras", 1), ("onnx", "causal"), ("torch", -1)):
        network = {
            "framework": framework,
            "input": [1, 1, 8],
            "layers": [{"type": "conv", "kernel_size": 3, "padding": padding}],
        }
        assert not schema_valid(network), (framework, padding)
