"""Importers: models of other frameworks read into network files."""
