"""``rapport trends``: inbound volume and sentiment over time, in the user's time zone."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import (
    WorkspaceOption,
    open_database,
    parse_when,
    print_json,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.intelligence.trends.buckets import time_zone
from rapport.intelligence.trends.series import Series, sparkline
from rapport.intelligence.trends.service import Trends, trend_series, trends_document

console = Console()
TRENDS_HELP = (
    "Inbound volume and sentiment per hour or day: counts, negative share and mean score "
    "(-1 negative to +1 positive), for the workspace or split by channel, intent, language "
    "or sentiment. Buckets start on the local clock of --tz (an IANA zone; DST-correct)."
)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _print_series(series: Series, trends: Trends) -> None:
    zone = time_zone(trends.tz)
    pattern = "%Y-%m-%d %H:%M" if trends.interval == "hour" else "%Y-%m-%d %a"
    title = "all messages" if series.key is None else f"{trends.by}: {series.key}"
    console.print(
        f"[bold]{safe(title)}[/bold] · {series.total} messages · "
        f"{sparkline(b.total for b in series.buckets)}",
        highlight=False,
    )
    table = Table(title_justify="left")
    for column in (f"{trends.interval} ({zone.key})", "messages", "neg", "neu", "pos", "neg %"):
        table.add_column(column, justify="left" if column.startswith(trends.interval) else "right")
    table.add_column("mean score", justify="right")
    for b in series.buckets:
        mean = "—" if b.mean_score is None else f"{b.mean_score:+.2f}"
        table.add_row(
            b.start.astimezone(zone).strftime(pattern),
            str(b.total),
            str(b.negative),
            str(b.neutral),
            str(b.positive),
            _share(b.negative_share),
            mean,
        )
    console.print(table)


def trends_command(
    by: str | None = typer.Option(None, help="Split by channel, intent, language or sentiment."),
    interval: str = typer.Option("hour", help="hour or day."),
    since: str | None = typer.Option(
        None, help="From this time (ISO 8601; default: 2 days, or 30 days of days, back)."
    ),
    until: str | None = typer.Option(None, help="Until this time (ISO 8601; default: now)."),
    tz: str = typer.Option("UTC", "--tz", help="Time zone of the buckets, e.g. Asia/Tehran."),
    top: int = typer.Option(10, min=1, help="Show at most this many series (largest first)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (every series)."),
    workspace: str | None = WorkspaceOption,
) -> None:
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            trends = trend_series(
                session, ws, by=by, interval=interval, since=start, until=end, tz=tz
            )
    if as_json:
        print_json(trends_document(trends))
        return
    for series in trends.series[:top]:
        _print_series(series, trends)
    if len(trends.series) > top:
        console.print(f"{len(trends.series) - top} more series; use --top or --json")
