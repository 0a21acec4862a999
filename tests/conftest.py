"""Shared fixtures: a CliRunner, the examples folder, and the --update-golden option."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from convcalc.cli.app import app
from convcalc.core.analysis import StackResult
from convcalc.core.cost import Convention, Cost, network_cost
from convcalc.render.toolkit import RenderOptions

settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")
"""Property tests hold behaviour, not time: a shared machine's first call (imports, a loaded core) ran past
Hypothesis' 200 ms deadline once in CI, a failure of nothing convcalc does. Speed is benchmarks/'s."""

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
WELL_FORMED = sorted([*EXAMPLES.glob("*.yaml"), *EXAMPLES.glob("failing/*.yaml"), *EXAMPLES.glob("models/*.yaml")])
"""Example files that load (examples/malformed/ holds files that are broken on purpose)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-golden, which rewrites the golden files from the current output."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from current output")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare output with its golden file; under --update-golden rewrite a file that changed, and fail.

    An update is never a pass: each rewritten file fails its test with its name, so the run
    says which files changed and asks for a review and a run without the option.
    """
    update = bool(request.config.getoption("--update-golden"))

    def check(path: Path, text: str) -> None:
        old = path.read_text() if path.exists() else None
        if update and old != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            pytest.fail(f"rewrote {path.relative_to(ROOT)}: review the change, then run without --update-golden")
        assert old is not None, f"{path.relative_to(ROOT)} is missing: run pytest --update-golden to write it"
        assert old == text

    return check


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Invoke convcalc through Typer's CliRunner at a fixed table width, without colour."""
    monkeypatch.chdir(ROOT)  # examples are named relative to the checkout, as in README.md
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=stdin)

    return invoke


@pytest.fixture
def run_json(run: Callable[..., Result]) -> Callable[..., tuple[int, dict[str, Any]]]:
    """Invoke convcalc with --format json and return the exit code and the parsed document."""

    def invoke(*args: str) -> tuple[int, dict[str, Any]]:
        result = run(*args, "--format", "json")
        return result.exit_code, json.loads(result.stdout)

    return invoke


@functools.cache
def _schema_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    from convcalc.netfile.schema import network_schema

    schema = network_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(data: object) -> list[str]:
    """Return what the shipped JSON Schema says is wrong with network data, nothing when valid (needs jsonschema)."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in _schema_validator().iter_errors(data)
    ]


def schema_valid(data: object) -> bool:
    """Whether the shipped JSON Schema accepts network data (the test is skipped without jsonschema)."""
    return bool(_schema_validator().is_valid(data))


def cost_of(result: StackResult, options: RenderOptions | None = None) -> Cost:
    """Return a result's cost as the options count it: what convcalc.api computes before any renderer runs."""
    options = options or RenderOptions()
    return network_cost(result, options.dtype, Convention(options.count))
