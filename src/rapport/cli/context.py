"""What every command needs: the database (migrated) and the workspace it works in."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from rapport.accounts.service import get_or_create_workspace
from rapport.cli.terminal import safe
from rapport.config import get_settings
from rapport.errors import RapportError
from rapport.store.db import Database

err_console = Console(stderr=True)


def progress_bar(
    label: str,
    unit: str,
    *,
    quiet: bool = False,
    spinner: bool = False,
    transient: bool = False,
    console: Console | None = None,
) -> Progress:
    """The bar every long job shows: ``label`` (or each task's description, for
    ``"{task.description}"``), the bar, done of total ``unit``, and the time taken; on
    standard error unless ``console`` says otherwise, and none at all with ``quiet``."""
    columns = [SpinnerColumn()] if spinner else []
    return Progress(
        *columns,
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=console or err_console,
        disable=quiet,
        transient=transient,
    )


def open_database() -> Database:
    db = Database(get_settings().database_url)
    db.migrate()
    return db


def workspace_id(db: Database, slug: str | None) -> int:
    with db.session() as session:
        return get_or_create_workspace(session, slug or get_settings().workspace).id


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {safe(message)}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a RapportError as one line saying what was wrong, never as a stack trace."""
    try:
        yield
    except RapportError as exc:
        fail(str(exc))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace slug (default: RAPPORT_WORKSPACE or 'default')."
)


def parse_when(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or time given on the command line; UTC when it names no zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(
            f"{option}: {value!r} is not a date or time like 2026-11-01 or 2026-11-01T09:00+01:00",
            2,
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
