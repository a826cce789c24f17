"""The generic JSON-lines format, for any source without an adapter of its own."""
