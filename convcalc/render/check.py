"""The report of `convcalc check`: every problem as data, and its text, JSON, GitHub annotations and JUnit XML.

A malformed file's problems (a bad key, an unreadable file) and a well-formed file's failing
layers (an impossible layer, an expect missed) are both findings, each with its file, line,
column, key path and message, so that CI tools can point at the place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from convcalc.core.text import visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from convcalc.core.analysis import LayerResult, StackResult
    from convcalc.core.errors import InputError


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where it is and what it is (`malformed` for a file convcalc cannot read as a network)."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    key: str = ""  # the key path, layers[2].stride
    layer: str = ""  # the failing layer's label, layer 3 (conv3)
    malformed: bool = False

    @property
    def text(self) -> str:
        """Return the one line `check` prints for it: file:line:col: key: message."""
        place = ":".join(str(part) for part in (self.file, self.line, self.column) if part is not None)
        key = "" if self.layer else self.key  # a layer's message names the layer already
        return ": ".join(part for part in (place, key, self.message) if part)


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file's check: its layers, and its findings."""

    file: str
    layers: int = 0
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def malformed(self) -> bool:
        """Whether the file could not be read as a network."""
        return any(finding.malformed for finding in self.findings)


def input_findings(
    file: str, errors: tuple[InputError, ...], told: Callable[[InputError], InputError] | None = None
) -> FileCheck:
    """Return a malformed file's check: one finding per input error, sorted by line and column.

    `told` says an error as a front end says it (the command line names a key by its flag).
    """
    found = []
    for error in (told(e) for e in errors) if told is not None else errors:
        location = error.location
        found.append(
            Finding(
                file=location.source if location else file,
                message=error.message,
                line=location.line if location else None,
                column=location.column if location else None,
                key=error.where,
                malformed=True,
            )
        )
    found.sort(key=lambda f: (f.line or 0, f.column or 0))
    return FileCheck(file, 0, tuple(found))


def layer_findings(file: str, result: StackResult) -> FileCheck:
    """Return a well-formed file's check: one finding per failing layer, at the layer's place in the file."""
    return FileCheck(file, len(result.layers), tuple(_layer_finding(file, layer) for layer in result.failures))


def _layer_finding(file: str, layer: LayerResult) -> Finding:
    location = layer.spec.location
    return Finding(
        file=location.source if location else file,
        message=layer.message,
        line=location.line if location else None,
        column=location.column if location else None,
        layer=layer.label,
    )


def summary(checks: list[FileCheck]) -> str:
    """Return the one-line verdict: how many files and layers, or how many layers fail and files are malformed."""
    files = f"{len(checks)} {'file' if len(checks) == 1 else 'files'}"
    failing = sum(len(check.findings) for check in checks if not check.malformed)
    malformed = sum(check.malformed for check in checks)
    if not failing and not malformed:
        layers = sum(check.layers for check in checks)
        return f"convcalc check: {files}, {layers} {'layer' if layers == 1 else 'layers'}, every shape as expected"
    parts = []
    if failing:
        parts.append(f"{failing} failing {'layer' if failing == 1 else 'layers'}")
    if malformed:
        parts.append(f"{malformed} malformed {'file' if malformed == 1 else 'files'}")
    return f"convcalc check: {files}: {', '.join(parts)}"


def finding_json(f: Finding) -> dict[str, object]:
    """Return one finding as JSON data."""
    return {
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "key": f.key or None,
        "layer": f.layer or None,
        "message": f.message,
        "kind": "malformed" if f.malformed else "layer",
    }


def render_json(checks: list[FileCheck]) -> str:
    """Return the report as one JSON object: ok, the counts, and every file with its findings."""
    document = {
        "ok": all(not check.findings for check in checks),
        "files": [
            {
                "file": check.file,
                "ok": not check.findings,
                "malformed": check.malformed,
                "layers": check.layers,
                "findings": [finding_json(f) for f in check.findings],
            }
            for check in checks
        ],
        "summary": summary(checks),
    }
    return json.dumps(document, indent=1) + "\n"


def _github_value(text: str, *, property_value: bool = False) -> str:
    """Escape text for a workflow command (its properties escape ':' and ',' too); controls show as escapes."""
    text = visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def render_github(checks: list[FileCheck]) -> str:
    """Return one `::error file=...,line=...,col=...::message` line per finding, then the verdict."""
    lines = []
    for check in checks:
        for f in check.findings:
            props = [f"file={_github_value(f.file, property_value=True)}"]
            if f.line is not None:
                props.append(f"line={f.line}")
            if f.column is not None:
                props.append(f"col={f.column}")
            title = "malformed network file" if f.malformed else "shape check failed"
            props.append(f"title={_github_value(title, property_value=True)}")
            message = f.message if f.layer else ": ".join(part for part in (f.key, f.message) if part)
            lines.append(f"::error {','.join(props)}::{_github_value(message)}")
    lines.append(summary(checks))
    return "\n".join(lines) + "\n"


def render_junit(checks: list[FileCheck]) -> str:
    """Return JUnit XML: one test case per file; a malformed file is an error, failing layers a failure."""
    failures = sum(1 for check in checks if check.findings and not check.malformed)
    errors = sum(1 for check in checks if check.malformed)
    cases = []
    for check in checks:
        name = quoteattr(visible(check.file))  # XML 1.0 has no way to write most control characters
        if not check.findings:
            cases.append(f'  <testcase classname="convcalc.check" name={name}/>')
            continue
        tag = "error" if check.malformed else "failure"
        body = escape("\n".join(visible(f.text) for f in check.findings))
        first = quoteattr(visible(check.findings[0].text))
        cases.append(
            f'  <testcase classname="convcalc.check" name={name}>\n'
            f'    <{tag} message={first} type="{"malformed" if check.malformed else "shape"}">{body}</{tag}>\n'
            "  </testcase>"
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="convcalc check" tests="{len(checks)}" failures="{failures}" errors="{errors}">'
    )
    return "\n".join([head, *cases, "</testsuite>"]) + "\n"
