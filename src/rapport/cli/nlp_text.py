"""``rapport nlp language|sentiment`` and their evaluators."""

from __future__ import annotations

import typer


def register(nlp_app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``language``, ``sentiment`` and ``eval language|sentiment``."""
