"""The package version; kept in step with the extension's package.json."""

__version__ = "0.1.0"
