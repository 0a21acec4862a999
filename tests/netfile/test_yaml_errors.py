"""YAML syntax errors: one located line in convcalc's own words, whatever PyYAML says or limits."""

from __future__ import annotations

import pytest
import yaml

from convcalc import InputErrorGroup
from convcalc.netfile import nodes as yamlnodes
from convcalc.netfile.loader import load_network

SYNTAX = [
    ("unclosed list", "input: [1, 3, 8, 8\nlayers: []\n", "net.yaml:2:7: invalid YAML: the [ list opened at line 1, column 8 is not closed: expected `,` or `]` here"),
    ("unclosed mapping", "input: [1, 3, 8, 8]\nlayers:\n  - {type: conv\n", "net.yaml:4:1: invalid YAML: the { mapping opened at line 3, column 5 is not closed: expected `,` or `}` here"),
    ("unclosed quote", 'input: "abc\n', "net.yaml:2:1: invalid YAML: the quoted string opened at line 1, column 8 is not closed"),
    ("key without colon", "input: [1, 3, 8, 8]\nlayers\n", "net.yaml:3:1: invalid YAML: the key at line 2, column 1 has no `:` after it on its line"),
    ("colon after a value", "a: b: c\n", "net.yaml:1:5: invalid YAML: a `:` where no key can start: quote the value or check the indentation"),
    ("bad indentation", "input: [1]\n  layers: 2\n x: 3\n", "net.yaml:2:3: invalid YAML: expected a `key:` at the indentation of the mapping at line 1, column 1: check the indentation"),
    ("a character no token starts with", "input: @x\n", "net.yaml:1:8: invalid YAML: the character '@' cannot start a value: quote the value (and indent with spaces, not tabs)"),
    ("an anchor without a name", "a: &\n", "net.yaml:1:5: invalid YAML: an anchor `&` needs a name of letters, digits, `-` or `_`"),
    ("a control character", "input: [1, 3, 8, 8]\x00\n", "net.yaml:1:20: invalid YAML: character U+0000 is not allowed in YAML text"),
    ("a control character after wide ones", 'name: "ééé"\n\x07\n', "net.yaml:2:1: invalid YAML: character U+0007 is not allowed in YAML text"),
    ("deep flow nesting", "input: " + "[" * 10_000 + "]" * 10_000 + "\n", "net.yaml:1:39: nested more than 32 levels deep"),
    ("deep mapping nesting", "input: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n", "net.yaml:1:132: nested more than 32 levels deep"),
    ("deep block nesting", "input:\n" + "".join("  " * i + "- \n" for i in range(2000)), "net.yaml:33:63: nested more than 32 levels deep"),
]  # fmt: skip

# Words of PyYAML's and libyaml's own messages: none may reach the user.
LIBRARY_WORDS = ("while parsing", "while scanning", "did not find", "but found", "#x", "<stream end>", "expected <")


def error_of(text: str) -> str:
    """Return the one error line a malformed file gives."""
    with pytest.raises(InputErrorGroup) as caught:
        load_network(text, "net.yaml")
    (error,) = caught.value.errors
    return str(error)


@pytest.mark.parametrize(("title", "text", "expected"), SYNTAX, ids=[case[0] for case in SYNTAX])
def test_syntax_errors_in_own_words(title: str, text: str, expected: str) -> None:
    """Each syntax error is located and described in convcalc's words."""
    del title
    assert error_of(text) == expected


@pytest.mark.parametrize(("title", "text", "expected"), SYNTAX, ids=[case[0] for case in SYNTAX])
def test_pure_python_parser_gives_own_words(
    title: str, text: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyYAML without libyaml (another parser, other messages) still gives convcalc's wording."""
    del title
    monkeypatch.setattr(yamlnodes, "_Loader", yaml.SafeLoader)
    message = error_of(text)
    assert not any(word in message for word in LIBRARY_WORDS), message
    assert message.split(": ", 1)[1] == expected.split(": ", 1)[1] or "invalid YAML" in message


def test_nesting_limit_holds_when_the_parser_stops_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser with a nesting limit of its own that it hits while reading ahead loses to convcalc's limit."""

    def parse_with_a_limit(text: str, Loader: type) -> object:  # noqa: N803 - PyYAML's own keyword
        if text.count("[") >= 1000:  # like libyaml 0.2.6, which reads a flow collection ahead
            mark = yaml.Mark("<unicode string>", 1000, 0, 1000, None, None)  # type: ignore[arg-type]  # PyYAML takes None for no buffer; its stubs say int
            raise yaml.scanner.ScannerError("while increasing flow level", mark, "exceeded maximum nesting depth", mark)
        return real_parse(text, Loader=Loader)

    real_parse = yaml.parse
    monkeypatch.setattr(yaml, "parse", parse_with_a_limit)
    assert error_of("input: " + "[" * 1000 + "]" * 1000 + "\n") == "net.yaml:1:39: nested more than 32 levels deep"
    # and were the limit hit before convcalc's, its message is still convcalc's own
    assert error_of("input: [" + "[" * 1000 + "\n").endswith(": nested more than 32 levels deep")
