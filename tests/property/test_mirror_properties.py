"""mirror followed by stack restores the encoder's input shape, for random encoders."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from convcalc import analyze
from convcalc.design.mirror import mirror
from convcalc.netfile.loader import load_network
from convcalc.netfile.writer import network_yaml
from tests.property.brute import Layer1d
from tests.property.strategies import SETTINGS, chains_1d, layers_1d, network


@SETTINGS
@given(
    chain=chains_1d(
        st.lists(
            layers_1d(kinds=("conv", "maxpool", "avgpool"), max_padding=2, symmetric=True, ceil_mode=False),
            min_size=1,
            max_size=5,
        ),
        extra=150,
    )
)
def test_mirror_restores_every_shape(chain: tuple[list[Layer1d], int]) -> None:
    """The decoder, written as a file and read back, meets every expect and ends at the input shape."""
    layers, size = chain
    encoder = analyze(network(layers, size))
    assume(encoder.ok)
    decoder = analyze(load_network(network_yaml(mirror(encoder)), "decoder.yaml"))
    assert decoder.ok, [layer.message for layer in decoder.failures]
    assert decoder.output == encoder.input
    expected = [layer.input for layer in reversed(encoder.layers)]
    assert [layer.output for layer in decoder.layers] == expected
