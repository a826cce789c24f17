"""``rapport nlp``: language, sentiment and intent of texts read from standard input.

Each text command reads UTF-8 text, one message per line, and writes one answer per line in
the same order (with ``--json``, one JSON object per line). The commands themselves live in
``nlp_text`` (language, sentiment) and ``nlp_intent`` (intent, train-intent); ``eval`` gathers
the evaluators of both.
"""

from __future__ import annotations

import typer

nlp_app = typer.Typer(
    help="Language, sentiment and intent of texts (one per line on standard input).",
    no_args_is_help=True,
)
eval_app = typer.Typer(help="Evaluate a model on labelled data.", no_args_is_help=True)
nlp_app.add_typer(eval_app, name="eval")


def register_commands() -> None:
    """Attach the language, sentiment and intent commands (imported late: no work at import)."""
    from rapport.cli import nlp_intent, nlp_text

    nlp_text.register(nlp_app, eval_app)
    nlp_intent.register(nlp_app, eval_app)
