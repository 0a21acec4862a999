"""The kinds RAFT needs: a constant made from the input's size, grid_sample, and unfold (shapes as torch 2.13 gives).

The shapes were read off torch (F.unfold, F.grid_sample) for these arguments.
"""

from __future__ import annotations

from typing import Any

import pytest

from convcalc.core.analysis import analyze
from convcalc.core.cost import network_cost
from convcalc.netfile.loader import network_from_data

UNFOLDED = [  # input, kernel_size, dilation, padding, stride -> torch's output
    ([2, 3, 9, 7], 3, 1, 1, 1, (2, 27, 63)),
    ([1, 2, 10, 11], [2, 3], [1, 2], [0, 1], [2, 1], (1, 12, 45)),
    ([1, 1, 5, 5], 5, 1, 0, 1, (1, 25, 1)),
    ([1, 4, 6, 6], 2, 1, 0, 2, (1, 16, 9)),
]


def _result(shape: list[int], layers: list[dict[str, Any]], inputs: dict[str, Any] | None = None) -> Any:
    data = {"inputs": inputs} if inputs else {"input": shape}
    return analyze(network_from_data({**data, "layers": layers}))


@pytest.mark.parametrize(("shape", "kernel", "dilation", "padding", "stride", "output"), UNFOLDED)
def test_unfold_gives_torch_s_columns(shape: list[int], kernel: Any, dilation: Any, padding: Any, stride: Any,
                                      output: tuple[int, ...]) -> None:  # fmt: skip
    layer = {"type": "unfold", "kernel_size": kernel, "dilation": dilation, "padding": padding, "stride": stride}
    result = _result(shape, [layer])
    assert result.ok, result.failures
    assert result.output == output
    assert network_cost(result).total_flops == 0


def test_unfold_refuses_a_window_that_does_not_fit() -> None:
    result = _result([1, 1, 3, 3], [{"type": "Unfold", "kernel_size": 4}])
    assert not result.ok
    assert "no window of [4, 4] fits in [3, 3] padded by [0, 0]" in (result.layers[0].error or "")


def test_grid_sample_takes_the_grid_s_positions() -> None:
    """F.grid_sample([2, 3, 9, 7], grid [2, 4, 5, 2]) is [2, 3, 4, 5]; 3-D: [2, 3, 4, 9, 7] by [2, 1, 4, 5, 3]."""
    layers = [
        {"name": "grid", "type": "constant", "shape": [2, 4, 5, 2], "from": "input"},
        {"name": "sampled", "type": "grid_sample", "from": ["input", "grid"]},
        {"name": "fixed", "type": "grid_sample", "size": [4, 5], "from": "input"},
    ]
    result = _result([2, 3, 9, 7], layers)
    assert result.ok, result.failures
    assert [layer.output for layer in result.layers] == [(2, 4, 5, 2), (2, 3, 4, 5), (2, 3, 4, 5)]
    volume = _result([2, 3, 4, 9, 7], [{"type": "grid_sample", "size": [1, 4, 5]}])
    assert volume.output == (2, 3, 1, 4, 5)


def test_grid_sample_refuses_a_grid_of_another_rank() -> None:
    layers = [
        {"name": "grid", "type": "constant", "shape": [2, 4, 2], "from": "input"},
        {"name": "sampled", "type": "grid_sample", "from": ["input", "grid"]},
    ]
    result = _result([2, 3, 9, 7], layers)
    assert "grid gives a grid [2, 4, 2]: expected [2, *2 sizes, 2]" in (result.layers[1].error or "")
    assert "needs its grid" in (_result([2, 3, 9, 7], [{"type": "grid_sample"}]).layers[0].error or "")


def test_a_constant_holds_what_making_it_holds_and_costs() -> None:
    layers = [
        {"name": "flow", "type": "constant", "shape": [1, 4, 8, 8], "params": 76, "flops": 9216, "from": "input"},
        {"name": "joined", "type": "cat", "dim": 1, "from": ["input", "flow"]},
    ]
    result = _result([1, 2, 8, 8], layers)
    assert result.ok, result.failures
    assert [(layer.output, layer.params) for layer in result.layers] == [((1, 4, 8, 8), 76), ((1, 6, 8, 8), 0)]
    assert network_cost(result).total_flops == 9216
    assert result.layers[0].receptive_field is None  # it reads no position of the input


def test_a_scatter_keeps_the_first_input_s_shape() -> None:
    """ScatterND (torch's slice_scatter): the data's shape, whatever the updates' (a corner of it)."""
    layers = [
        {"name": "corner", "type": "narrow", "dim": 2, "start": 1, "length": 3},
        {"name": "written", "type": "ScatterND", "from": ["input", "corner"]},
    ]
    result = _result([1, 2, 4, 4], layers)
    assert result.ok, result.failures
    assert [layer.output for layer in result.layers] == [(1, 2, 3, 4), (1, 2, 4, 4)]
    assert result.layers[1].receptive_field is None  # where each update goes is the indices'


@pytest.mark.parametrize(
    ("layer", "code", "message"),
    [
        ("{type: constant, shape: [0, 2]}", 2, ":3:29: layers[0].shape: expected positive sizes, got [0, 2]"),
        ("{type: constant}", 2, ":3:5: layers[0]: constant needs `shape`"),
        ("{type: unfold}", 2, ":3:5: layers[0]: unfold needs `kernel_size`"),
        (
            "{type: grid_sample}",
            1,
            ":3:5: layer 1: grid_sample needs its grid (a second input) or `size`, 2 positive sizes; got None",
        ),
        (
            "{type: scatter, from: [input, input, input]}",
            1,
            ":3:5: layer 1: scatter reads the data and its updates, not 3 inputs (input, input, input)",
        ),
    ],
)
def test_bad_layers_are_one_located_line(run: Any, tmp_path: Any, layer: str, code: int, message: str) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(f"input: [1, 2, 8, 8]\nlayers:\n  - {layer}\n")
    result = run("stack", str(path))
    assert result.exit_code == code
    assert f"{path}{message}" in result.stderr.splitlines()
    assert "Traceback" not in result.output
