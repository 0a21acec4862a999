"""Allow `python -m convcalc`."""

from convcalc.cli import entry_point

entry_point()
