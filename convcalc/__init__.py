"""convcalc: shapes, receptive fields and equivalent convolutions of CNN layers, exact to torch.nn."""

from convcalc.analysis import LayerResult, StackResult, Status, analyze
from convcalc.errors import ExitCode, InputError, InputErrorGroup, LayerError, Location
from convcalc.spec import LayerKind, LayerSpec, NetworkSpec

__version__ = "0.1.0"

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
]
