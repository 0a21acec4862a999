"""Inputs that once ended in an internal error: layers after a Linear, sizes past doubles, 4,000-digit tensors."""

from __future__ import annotations

import json
import sys
import tracemalloc

import pytest

from convcalc import analyze
from convcalc.core.analysis import Status
from convcalc.core.text import integer_text
from convcalc.netfile.loader import network_from_data
from convcalc.render.stack import RENDERERS
from convcalc.render.toolkit import RenderOptions, byte_size, short_count
from tests.conftest import cost_of


def _layers(shape: list[int], *layers: dict[str, object]) -> list[tuple[str, Status, str | None]]:
    result = analyze(network_from_data({"input": shape, "layers": list(layers)}, "net.yaml"))
    for render in RENDERERS.values():
        assert render(result, cost_of(result), RenderOptions(width=80))
    return [(r.name, r.status, r.error) for r in result.layers]


def test_a_pad_after_a_linear_pads_its_last_axis() -> None:
    """[1, 1, 8] -> Linear(4) -> pad 1: torch's F.pad pads the last axis; the field is not followed."""
    result = analyze(network_from_data(
        {"input": [1, 1, 8], "layers": [{"type": "Linear", "out_features": 4}, {"type": "pad", "padding": 1}]}, "n"
    ))  # fmt: skip
    assert [layer.output for layer in result.layers] == [(1, 1, 4), (1, 1, 6)]
    assert result.layers[1].receptive_field is None


def test_an_upsample_past_doubles_is_refused_not_a_crash() -> None:
    """torch computes floor(float(size) * scale) in doubles: past the largest double the layer is refused."""
    layers = [{"type": "upsample", "scale_factor": 1e300, "mode": "bilinear"} for _ in range(3)]
    outcome = _layers([1, 3, 10**50], *layers)
    assert outcome[0][1] is Status.INVALID
    assert "past the largest double" in (outcome[0][2] or "")
    assert [status for _, status, _ in outcome[1:]] == [Status.NOT_COMPUTED] * 2


def test_a_tensor_of_4000_digits_of_elements_is_refused_where_it_is_made() -> None:
    """Each transposed layer multiplies three axes by 10^99: the one passing 10^4000 elements is refused."""
    big = 10**99
    grow = {"type": "convtranspose", "kernel_size": big, "stride": big}
    outcome = _layers([1, 2, big, big, big], *[grow] * 14, {"type": "flatten"}, {"type": "linear", "out_features": 4})
    statuses = [status for _, status, _ in outcome]
    assert statuses[:12] == [Status.OK] * 12  # 3 axes x 13 x 99 digits = 3861 digits of elements
    assert statuses[12] is Status.INVALID  # 4158 digits
    assert "more than 4000 digits of elements" in (outcome[12][2] or "")
    assert statuses[13:] == [Status.NOT_COMPUTED] * 3


def test_a_global_adaptive_pool_of_a_long_axis_lists_no_window() -> None:
    """AdaptiveAvgPool1d(1) of 10^8 cells: the whole input is read, and said so, in a few megabytes."""
    tracemalloc.start()
    result = analyze(
        network_from_data({"input": [1, 1, 10**8], "layers": [{"type": "AdaptiveAvgPool1d", "output_size": 1}]}, "n")
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.layers[0].output == (1, 1, 1)
    assert result.layers[0].whole_input
    assert peak < 50 * 2**20


@pytest.mark.parametrize(
    "value",
    [0, 7, 1234567, 10**999, 10**1000, 10**1000 - 1, 10**3000 + 12345, 3 * 10**9000 + 5],
    ids=lambda value: f"{value.bit_length()}bits",
)
def test_integer_text_writes_every_digit(value: int) -> None:
    """Whole numbers of any length, exactly, grouped or not (Python's str() stops at 4,300 digits)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        expected, grouped = str(value), f"{value:,}"
    finally:
        sys.set_int_max_str_digits(limit)
    assert (integer_text(value), integer_text(value, grouped=True)) == (expected, grouped)


def test_counts_and_bytes_past_doubles() -> None:
    """Past 10^308 a count or a byte size cannot be divided in doubles: written in whole numbers."""
    assert short_count(10**400).endswith("P")
    assert byte_size(10**400 + 5 * 10**6).startswith("10")
    assert byte_size(10**400).endswith(".00 GB")
    assert byte_size(46_760_000) == "46.76 MB"
    assert short_count(999_500) == "1M"
    assert short_count(3_630_000_000) == "3.63G"


def test_flops_of_more_than_4300_digits_print_in_every_format() -> None:
    """A conv over a 10^3957-element tensor with 10^99 channels and 10^99-tap kernels: FLOPs of 4,353 digits."""
    big = 10**99 - 1
    grow = {"type": "convtranspose", "kernel_size": big, "stride": big}
    conv = {"type": "conv", "kernel_size": [big, big, big], "out_channels": big}
    result = analyze(
        network_from_data({"input": [1, big, 10**98, 10**98, 10**98], "layers": [*[grow] * 12, conv]}, "n")
    )
    assert result.ok
    limit = sys.get_int_max_str_digits()
    for fmt, render in RENDERERS.items():
        written = render(result, cost_of(result), RenderOptions(width=80))
        assert sys.get_int_max_str_digits() == limit  # put back after rendering
        if fmt == "json":
            sys.set_int_max_str_digits(0)
            try:
                flops = json.loads(written)["total_flops"]
                assert len(str(flops)) > 4300
            finally:
                sys.set_int_max_str_digits(limit)
