"""``rapport discover cases-of``: the cases behind an edge, an activity or a variant."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import WorkspaceOption, err_console, print_json, user_errors
from rapport.cli.discover import (
    CaseOption,
    DbOption,
    JsonOption,
    LogArgument,
    ObjectTypeOption,
    ResourceOption,
    SqlOption,
    TimestampOption,
    _load,
    _seconds,
)
from rapport.discovery.analysis import Edge
from rapport.discovery.drilldown import (
    SORTS,
    activity_cases,
    case_page,
    case_page_json,
    edge_cases,
    edge_times,
    variant_at,
    variant_cases,
)
from rapport.discovery.log import EventLog


def _workspace_log(workspace: str | None) -> EventLog:
    from rapport.cli.context import open_database, workspace_id
    from rapport.discovery.case_history import case_history_log

    db = open_database()
    try:
        ws = workspace_id(db, workspace)
        with db.session() as session:
            return case_history_log(session.connection(), ws)
    finally:
        db.dispose()


def cases_of_command(
    log: Path | None = LogArgument,
    edge: tuple[str, str] | None = typer.Option(
        None, "--edge", help="SOURCE TARGET: the cases where SOURCE is directly followed by TARGET."
    ),
    activity_name: str | None = typer.Option(
        None, "--activity", help="The cases with an event of this activity."
    ),
    variant: int | None = typer.Option(
        None, "--variant", min=1, help="The cases of the N-th most frequent variant (1 = top)."
    ),
    cases: bool = typer.Option(
        False, "--cases", help="Read the workspace's own case history instead of LOG."
    ),
    workspace: str | None = WorkspaceOption,
    sort: str = typer.Option("start", "--sort", help=f"Order: {', '.join(SORTS)}."),
    desc: bool = typer.Option(False, "--desc", help="Largest (latest, longest) first."),
    limit: int = typer.Option(25, "--limit", min=1, help="Cases per page."),
    offset: int = typer.Option(0, "--offset", min=0, help="Cases to skip (next pages)."),
    case: str = CaseOption,
    activity: str = typer.Option(
        "concept:name", "--activity-column", help="CSV/SQL column of the activity."
    ),
    timestamp: str = TimestampOption,
    resource: str = ResourceOption,
    object_type: str | None = ObjectTypeOption,
    sql: str | None = SqlOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """The cases behind a piece of the process map: give exactly one of --edge A B,
    --activity A or --variant N. Lists each case's start, duration and number of
    events, a page at a time (--limit, --offset); for an edge also its count and times.
    Here the CSV column of the activity is --activity-column; --cases reads the workspace's
    own case history instead of LOG."""
    chosen = [edge is not None, activity_name is not None, variant is not None]
    if sum(chosen) != 1:
        raise typer.BadParameter("give exactly one of --edge A B, --activity A, --variant N")
    with user_errors():
        if cases:
            loaded = _workspace_log(workspace)
        else:
            loaded = _load(log, case, activity, timestamp, resource, object_type, sql, db)
        times: Edge | None = None
        path: tuple[str, ...] | None = None
        if edge is not None:
            selected = edge_cases(loaded, *edge)
            times = edge_times(loaded, *edge)
        elif activity_name is not None:
            selected = activity_cases(loaded, activity_name)
        else:
            path = variant_at(loaded, variant or 1)
            selected = variant_cases(loaded, path)
        page = case_page(loaded, selected, sort=sort, descending=desc, offset=offset, limit=limit)
    if as_json:
        body = case_page_json(page, times)
        if path is not None:
            body["variant"] = list(path)
        print_json(body)
        return
    if times is not None:
        err_console.print(
            f"{times.source} → {times.target}: {times.count:,} times; mean "
            f"{_seconds(times.mean_seconds)}, median {_seconds(times.median_seconds)}, "
            f"p90 {_seconds(times.p90_seconds)}",
            highlight=False,
            markup=False,
        )
    if path is not None:
        err_console.print(f"variant {variant}: {' → '.join(path)}", highlight=False, markup=False)
    first = page.offset + 1 if page.rows else 0
    table = Table(title=f"Cases {first}-{page.offset + len(page.rows)} of {page.total:,}")
    for name in ("case", "start (UTC)", "duration", "events"):
        table.add_column(name, justify="right" if name in ("duration", "events") else "left")
    for row in page.rows:
        start = f"{row.start:%Y-%m-%d %H:%M}" if row.start else "-"
        table.add_row(row.case, start, _seconds(row.seconds), f"{row.events:,}")
    Console().print(table)
