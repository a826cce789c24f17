"""``rapport enrich``: read stored messages for their language, sentiment, intent, keywords."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rapport.cli.context import (
    WorkspaceOption,
    err_console,
    open_database,
    parse_when,
    user_errors,
    workspace_id,
)

ENRICH_HELP = (
    "Backfill: work out the language, sentiment, intent and keywords of stored messages."
    "\n\nNew messages are read as they arrive; this reads the ones stored before, or again "
    "after a model changed. Messages the same models already read are skipped, so a stopped "
    "run picks up where it left off. Prints `enriched=N`."
)


def enrich_command(
    since: str | None = typer.Option(
        None, help="Only messages sent at or after this date or time (ISO 8601)."
    ),
    redo: bool = typer.Option(
        False, "--redo", help="Read every message again, even those the same models read."
    ),
    accurate: bool = typer.Option(
        False,
        "--accurate",
        help="Read sentiment and intent with the e5 models: better, much slower.",
    ),
    intent_model: Path | None = typer.Option(
        None,
        "--intent-model",
        help="A folder made by `rapport nlp train-intent` instead of the default intents.",
        exists=True,
        file_okay=False,
    ),
    workspace: str | None = WorkspaceOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Enrich stored messages (see ENRICH_HELP)."""
    from rapport.intelligence.analyzer import default_analyzer
    from rapport.intelligence.enrichment import enrich_messages

    start = parse_when(since, "--since")
    with user_errors():
        analyzer = default_analyzer(accurate=accurate, intent_model=intent_model)
        db = open_database()
        ws = workspace_id(db, workspace)
        with Progress(
            TextColumn("enriching"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("messages"),
            TimeElapsedColumn(),
            console=err_console,
            disable=quiet,
        ) as progress:
            task = progress.add_task("enrich", total=None)
            report = enrich_messages(
                db,
                ws,
                analyzer,
                since=start,
                redo=redo,
                on_total=lambda total: progress.update(task, total=total),
                progress=lambda done: progress.advance(task, done),
            )
    typer.echo(f"enriched={report.enriched}")
