"""Design helpers on the core: solve, the size sweep, mirror, port between frameworks, explain as data."""
