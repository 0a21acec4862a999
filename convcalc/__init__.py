"""convcalc: shapes, receptive fields and equivalent convolutions of CNN layers, exact to torch.nn.

The Python API, for a model repository's own tests::

    import convcalc

    result = convcalc.analyze(convcalc.read_network("model.convcalc.yaml"))
    assert result.ok, [layer.message for layer in result.failures]
    assert result.output == (1, 64, 56, 56)

    layer = convcalc.LayerSpec.create("convtranspose", 4, stride=2, padding=1, out_channels=64)
    net = convcalc.NetworkSpec(input=(1, 128, 16, 16), layers=(layer,))
    assert convcalc.analyze(net).layers[0].output == (1, 64, 32, 32)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from convcalc.core.analysis import LayerResult, StackResult, Status, analyze
from convcalc.core.errors import ExitCode, InputError, InputErrorGroup, LayerError, Location
from convcalc.core.spec import LayerKind, LayerSpec, NetworkSpec

if TYPE_CHECKING:
    from convcalc.netfile.loader import load_network, read_network

__version__ = "0.1.0"

_LAZY = {"load_network", "read_network"}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - module attributes
    """Import the YAML loader only when it is asked for (it costs start-up time)."""
    if name in _LAZY:
        from convcalc.netfile import loader  # noqa: PLC0415

        return getattr(loader, name)
    raise AttributeError(f"module 'convcalc' has no attribute {name!r}")


__all__ = [
    "ExitCode",
    "InputError",
    "InputErrorGroup",
    "LayerError",
    "LayerKind",
    "LayerResult",
    "LayerSpec",
    "Location",
    "NetworkSpec",
    "StackResult",
    "Status",
    "__version__",
    "analyze",
    "load_network",
    "read_network",
]
