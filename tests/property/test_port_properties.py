"""Ported layers read exactly the same input cells as the source layer, output for output (brute force)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from convcalc.core.errors import LayerError
from convcalc.core.spec import Framework
from convcalc.core.windows import layer_shape
from convcalc.design.port import port
from tests.property.brute import Layer1d, dependencies, output_size
from tests.property.strategies import SETTINGS, layers_1d, to_spec


def _reads(layer: Layer1d, size: int, shift: int = 0) -> dict[int, set[int]]:
    """Map each output cell to the input cells it reads (padding left out), inputs shifted by `shift`."""
    deps = dependencies(layer, size, output_size(layer, size))
    return {o: {cell - shift for cell in cells if 0 <= cell - shift < size} for o, cells in deps.items()}


@SETTINGS
@given(layers_1d(), st.integers(1, 24), st.sampled_from(list(Framework)))
def test_ported_layers_read_the_same_cells(layer: Layer1d, size: int, target: Framework) -> None:
    """Pad before, the target's layer with its own resolved padding, crop after: the same reads per output."""
    if output_size(layer, size) < 1:
        return
    try:
        ported = port(to_spec(layer), (1, 1, size), target)
    except LayerError:
        assert target is not Framework.TORCH  # torch.nn to torch.nn always ports
        return
    (pre_b, pre_a) = ported.pad_before[0] if ported.pad_before else (0, 0)
    padded = size + pre_b + pre_a
    resolved = layer_shape(ported.layer, (1, 1, padded))
    (rb, ra), a = resolved.padding[0], resolved.output_padding[0]
    main = Layer1d(layer.kind, layer.kernel, layer.stride, rb, ra, layer.dilation, a, ported.layer.ceil_mode)
    main_reads = dependencies(main, padded, output_size(main, padded))
    (post_b, _) = ported.pad_after[0] if ported.pad_after else (0, 0)
    got = {
        o: {cell - pre_b for cell in main_reads.get(o - post_b, set()) if 0 <= cell - pre_b < size}
        for o in range(ported.output[0])
    }
    assert got == _reads(layer, size)
