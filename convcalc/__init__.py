"""convcalc: shapes, receptive fields and equivalent convolutions of CNN layers, exact to torch.nn.

The Python API, for a model repository's own tests (docs/python-api.md shows more)::

    import convcalc

    report = convcalc.report("model.convcalc.yaml")
    assert report.ok, report.messages
    assert report.output == (1, 64, 56, 56)
    print(report)  # the table of `convcalc stack`; report.to_dict() is its JSON

    net = convcalc.network(
        [1, 3, 64, 64],
        [
            convcalc.layer("Conv2d", name="a", out_channels=8, kernel_size=3, padding=1),
            convcalc.layer("Conv2d", out_channels=8, kernel_size=3, padding=1),
            convcalc.layer("add", inputs=["a", 2]),
        ],
    )
    assert convcalc.report(net).output == (1, 8, 64, 64)
"""

from __future__ import annotations

from convcalc.api import (
    NetworkSource,
    Report,
    explain,
    layer,
    load_network,
    mirror,
    network,
    network_yaml,
    port,
    port_network,
    read_network,
    report,
    sizes,
    solve,
)
from convcalc.core.analysis import LayerResult, StackResult, Status, analyze
from convcalc.core.errors import (
    ConvcalcError,
    Diagnostic,
    ExitCode,
    InputError,
    InputErrorGroup,
    LayerError,
    Location,
    Problem,
)
from convcalc.core.spec import Framework, LayerKind, LayerSpec, NetworkSpec, OtherSpec, PaddingMode

__version__ = "0.1.0"

__all__ = [
    "ConvcalcError",
    "Diagnostic",
    "ExitCode",
    "Framework",
    "InputError",
    "InputErrorGroup",
    "LayerError",
    "LayerKind",
    "LayerResult",
    "LayerSpec",
    "Location",
    "NetworkSource",
    "NetworkSpec",
    "OtherSpec",
    "PaddingMode",
    "Problem",
    "Report",
    "StackResult",
    "Status",
    "__version__",
    "analyze",
    "explain",
    "layer",
    "load_network",
    "mirror",
    "network",
    "network_yaml",
    "port",
    "port_network",
    "read_network",
    "report",
    "sizes",
    "solve",
]


def __dir__() -> list[str]:
    return sorted(__all__)
