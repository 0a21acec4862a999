"""Output: the table toolkit, the JSON report, each command's renderer and generated code."""
