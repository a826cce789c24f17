"""``rapport discover cases-of``: the cases behind an edge, an activity or a variant."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import err_console, fail, print_json, user_errors
from rapport.cli.discover_source import LogSource, duration_text, log_command
from rapport.cli.terminal import safe
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


@log_command()
def cases_of_command(
    source: LogSource,
    edge: tuple[str, str] | None = typer.Option(
        None,
        "--edge",
        metavar="SOURCE TARGET",
        help="The cases where SOURCE is directly followed by TARGET.",
    ),
    with_activity: str | None = typer.Option(
        None, "--with-activity", metavar="ACTIVITY", help="The cases with an event of ACTIVITY."
    ),
    rank: int | None = typer.Option(
        None, "--rank", min=1, help="The cases of the N-th most frequent variant (1 = top)."
    ),
    sort: str = typer.Option("start", "--sort", help=f"Order: {', '.join(SORTS)}."),
    desc: bool = typer.Option(False, "--desc", help="Largest (latest, longest) first."),
    limit: int = typer.Option(25, "--limit", min=1, help="Cases per page."),
    offset: int = typer.Option(0, "--offset", min=0, help="Cases to skip (next pages)."),
    tz: str = typer.Option("UTC", "--tz", help="Show the start times in this zone."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The cases behind a piece of the process map: give one of --edge A B,
    --with-activity A or --rank N (a variant).

    Lists each case's start, duration and number of events, a page at a time (--limit,
    --offset); for an edge also how often it was taken and its mean, median and p90 wait.
    The case filters apply first, as for the map."""
    if sum((edge is not None, with_activity is not None, rank is not None)) != 1:
        raise typer.BadParameter("give exactly one of --edge A B, --with-activity A, --rank N")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--tz: {tz!r} is not a time zone (e.g. Europe/Rome, UTC)", 2)
    with user_errors():
        loaded = source.load()
        times: Edge | None = None
        path: tuple[str, ...] | None = None
        if edge is not None:
            selected = edge_cases(loaded, *edge)
            times = edge_times(loaded, *edge)
        elif with_activity is not None:
            selected = activity_cases(loaded, with_activity)
        else:
            path = variant_at(loaded, rank or 1)
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
            f"{safe(times.source)} → {safe(times.target)}: {times.count:,} times; mean "
            f"{duration_text(times.mean_seconds)}, median {duration_text(times.median_seconds)}"
            f", p90 {duration_text(times.p90_seconds)}",
            highlight=False,
        )
    if path is not None:
        err_console.print(f"variant {rank}: {safe(' → '.join(path))}", highlight=False)
    first = page.offset + 1 if page.rows else 0
    table = Table(title=f"Cases {first}-{page.offset + len(page.rows)} of {page.total:,}")
    for name in ("case", f"start ({zone.key})", "duration", "events"):
        table.add_column(name, justify="right" if name in ("duration", "events") else "left")
    for row in page.rows:
        start = f"{row.start.astimezone(zone):%Y-%m-%d %H:%M}" if row.start else "-"
        table.add_row(safe(row.case), start, duration_text(row.seconds), f"{row.events:,}")
    Console().print(table)
