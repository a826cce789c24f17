"""Rapport: one inbox for every customer conversation, self-hosted and offline."""

__version__ = "0.1.0"
