"""``rapport enrich``: read stored messages for their language, sentiment, intent, keywords."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from rapport.cli.context import (
    WorkspaceOption,
    err_console,
    open_database,
    parse_when,
    progress_bar,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.errors import WorkersStalled

ENRICH_HELP = (
    "Backfill: work out the language, sentiment, intent and keywords of stored messages."
    "\n\nNew messages are read as they arrive; this reads the ones stored before, or again "
    "after a model changed. Messages the same models already read are skipped, so a stopped "
    "run picks up where it left off. Prints `enriched=N`.\n\nWith --on-workers the work "
    "goes to Celery workers (`celery -A rapport.jobs.worker worker`, on RAPPORT_BROKER_URL "
    "and RAPPORT_JOBS_QUEUE) in spans of messages, as many workers as are running sharing "
    "it; a span delivered twice reads nothing twice, --redo or not. A worker whose models "
    "differ from this command's refuses the spans (its log says so) rather than store "
    "readings under another version. When no message is read for --stall-timeout seconds "
    "(no worker running, say) the command stops following, says how far it got, and exits "
    "1; the spans stay queued and are read once a worker starts."
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
    on_workers: bool = typer.Option(
        False,
        "--on-workers",
        help="Hand the work to Celery workers (RAPPORT_BROKER_URL, RAPPORT_JOBS_QUEUE), in "
        "spans of 2,000 messages, and follow their progress.",
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="With --on-workers: queue the spans and return at once."
    ),
    stall_timeout: int = typer.Option(
        120,
        "--stall-timeout",
        metavar="SECONDS",
        min=0,
        help="With --on-workers: stop following (exit 1) when the workers read no message "
        "for this long; the spans stay queued. 0 waits for ever.",
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
        if on_workers:
            options = {"since": start, "redo": redo, "accurate": accurate}
            follow = None if no_wait else _Follow(stall_timeout, quiet)
            done = _on_workers(db, ws, analyzer, options, intent_model, follow)
            typer.echo(f"enriched={done}" if not no_wait else f"queued={done}")
            return
        with progress_bar("enriching", "messages", quiet=quiet) as progress:
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


@dataclass(frozen=True, slots=True)
class _Follow:
    """How to follow the workers: give up after ``stall_timeout`` seconds without a message
    read (never when 0); a progress bar unless ``quiet``."""

    stall_timeout: float
    quiet: bool


def _on_workers(
    db: Any,
    ws: int,
    analyzer: Any,
    options: dict[str, Any],
    intent_model: Path | None,
    follow: _Follow | None,
) -> int:
    """Queue the backfill's spans on the Celery broker; then, given ``follow``, show the
    workers' progress until every queued message is read. Returns how many were read (or
    queued, without ``follow``). Raises ``WorkersStalled`` when the workers read nothing
    for ``follow.stall_timeout`` seconds."""
    from rapport.jobs.celery_app import ENRICH_TASK, make_celery_from_settings
    from rapport.jobs.enrich_tasks import enrichment_jobs

    moment = datetime.now(UTC)
    jobs = enrichment_jobs(db, ws, analyzer, intent_model=intent_model, queued_at=moment, **options)
    total = sum(int(job["count"]) for job in jobs)
    app = make_celery_from_settings()
    for job in jobs:
        app.send_task(ENRICH_TASK, args=[job])
    queue = app.conf.task_default_queue
    err_console.print(
        f"queued {total} messages in {len(jobs)} spans for the workers (queue {safe(queue)})",
        highlight=False,
    )
    if follow is None or not total:
        return total
    return _follow_workers(db, ws, analyzer, moment, total, follow, queue)


def _follow_workers(
    db: Any,
    ws: int,
    analyzer: Any,
    moment: datetime,
    total: int,
    follow: _Follow,
    queue: str,
) -> int:
    """Count the readings stored since ``moment`` until there are ``total``."""
    from rapport.jobs.enrich_tasks import read_since

    with progress_bar("workers enriching", "messages", quiet=follow.quiet) as progress:
        task = progress.add_task("enrich", total=total)
        done, moved = 0, time.monotonic()
        while done < total:
            time.sleep(0.5)
            now = min(total, read_since(db, ws, analyzer, moment))
            if now != done:
                done, moved = now, time.monotonic()
                progress.update(task, completed=done)
            elif follow.stall_timeout and time.monotonic() - moved >= follow.stall_timeout:
                raise WorkersStalled(
                    f"no worker read a message for {follow.stall_timeout:g} s: {done} of "
                    f"{total} messages read, {total - done} still queued. The spans stay on "
                    f"the broker (queue {queue}) and are read when a worker starts: "
                    "`celery -A rapport.jobs.worker worker`. A worker already running "
                    "says in its log why it reads nothing."
                )
    return done
