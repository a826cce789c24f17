"""``rapport nlp intent|train-intent`` and the intent evaluator."""

from __future__ import annotations

import typer


def register(nlp_app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add ``intent``, ``train-intent`` and ``eval intent``."""
