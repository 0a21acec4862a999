"""Allow `python -m convcalc`."""

from convcalc.entry import entry_point

entry_point()
