"""The command line: the entry point, the fast path, the flags, the Typer app and the commands."""
