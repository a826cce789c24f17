"""``rapport import``: load conversations from the files platforms emit."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import TaskID

from rapport.channels.base import format_names, get_format
from rapport.cli.context import (
    WorkspaceOption,
    err_console,
    open_database,
    progress_bar,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.config import get_settings
from rapport.errors import InvalidInput
from rapport.ingest.pipeline import ImportReport
from rapport.ingest.service import import_file

EXIT_REJECTED = 3
IMPORT_HELP = (
    "Import conversations from files, threading them into the inbox.\n\n"
    "Prints `imported=N duplicates=N rejected=N`. Importing the same file twice adds nothing."
    "\n\nExit status: 0 when every record went in; 3 when some were rejected (the good ones "
    "are in, the others are kept in `rapport deadletters list`); 2 for a usage error."
)


def import_command(
    paths: list[Path] = typer.Argument(
        ...,
        help="Files (or, for e-mail, folders) to import.",
        metavar="PATH",
        exists=True,
        readable=True,
        resolve_path=False,
    ),
    format: str = typer.Option(
        ...,
        "--format",
        "-f",
        help="twcs | x-v2 | meta | email | jsonl (see docs/import-formats.md).",
    ),
    channel: str | None = typer.Option(
        None, "--channel", "-c", help="Channel name to import into (default: one per format)."
    ),
    workspace: str | None = WorkspaceOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    routing: bool = typer.Option(
        True,
        "--routing/--no-routing",
        help="Open cases and run the rules as messages are stored (default); --no-routing "
        "only stores the conversations.",
    ),
    enrich: bool | None = typer.Option(
        None,
        "--enrich/--no-enrich",
        help="Read each new message for its language, sentiment, intent and keywords "
        "(default, unless RAPPORT_ENRICH=false); `rapport enrich` can do it later.",
    ),
) -> None:
    """Import conversations from files (see IMPORT_HELP)."""
    if format not in format_names():
        raise typer.BadParameter(
            f"{format!r} is not a format; choose from {', '.join(format_names())}",
            param_hint="--format",
        )
    fmt = get_format(format)
    total = ImportReport()
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        # The models' modules load numpy and more: only the commands that read text pay.
        from rapport.intelligence.analyzer import analyzer_from_settings, default_analyzer

        analyzer = (
            analyzer_from_settings() if enrich is None else (default_analyzer() if enrich else None)
        )
        with progress_bar("{task.description}", "records", quiet=quiet, spinner=True) as progress:
            for path in paths:
                task = progress.add_task(safe(path.name), total=None)

                def advance(n: int, task: TaskID = task) -> None:
                    progress.advance(task, n)

                try:
                    report = import_file(
                        db,
                        workspace_id=ws,
                        path=path,
                        fmt=fmt,
                        channel_name=channel,
                        batch_size=get_settings().import_batch_size,
                        progress=advance,
                        route=routing,
                        analyzer=analyzer,
                    )
                except UnicodeDecodeError as exc:
                    raise InvalidInput(f"{path}: not UTF-8 text ({exc.reason})") from None
                progress.update(task, total=progress.tasks[task].completed)
                total.add(report)
                for rejected in report.rejections:
                    err_console.print(
                        f"[yellow]rejected[/yellow] {safe(str(path))}:"
                        f"{safe(rejected.location)}: {safe(rejected.reason)}",
                        highlight=False,
                    )
                if report.rejected > len(report.rejections):
                    err_console.print(
                        f"... and {report.rejected - len(report.rejections)} more rejected in "
                        f"{safe(str(path))}; see `rapport deadletters list`",
                        highlight=False,
                    )
    typer.echo(total.summary())
    if total.rejected:
        raise typer.Exit(EXIT_REJECTED)
