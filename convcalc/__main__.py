"""Allow `python -m convcalc`."""

from convcalc.cli.entry import entry_point

entry_point()
