"""Channel adapters: one folder per platform, each with its parsers, client and fixtures."""
