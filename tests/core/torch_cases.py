"""What the tests need of the fixture tables beyond reading them: PyTorch's refusals in convcalc's words."""

from __future__ import annotations

from tools.cases import FIXTURES, case_input, layer_from_case, load_cases

__all__ = ["FIXTURES", "case_input", "expected_reason", "layer_from_case", "load_cases"]


REASONS = (
    ("divisible by groups", "divisible by groups"),
    ("output padding must be smaller", "output_padding"),
    ("pad should", "more than half the kernel"),
    ("padding should be at most half", "more than half the kernel"),
    ("smaller than kernel size", "smaller than the kernel"),
    ("padding='same'", "padding='same'"),
    ("Output size is too small", "output size"),
    ("Invalid computed output size", "output size"),
    ("Kernel size can't be greater", "output size"),
    ("memory descriptor", "output size"),
    ("requested an output size of", "requested an output size of"),
)


def expected_reason(torch_message: str) -> str:
    """Return the words convcalc's message must contain for a given PyTorch refusal."""
    for torch_words, ours in REASONS:
        if torch_words in torch_message:
            return ours
    raise AssertionError(f"unclassified PyTorch message: {torch_message}")
