"""A module that raises while it is imported (for `convcalc import torch`'s tests)."""

msg = "this module fails at import"
raise RuntimeError(msg)
