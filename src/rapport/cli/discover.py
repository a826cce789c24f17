"""``rapport discover``: process maps, variants and handover networks from event logs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import err_console, print_json, user_errors
from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.filters import MapFilters, apply_filters
from rapport.discovery.log import EventLog
from rapport.discovery.readers import ColumnMapping, read_log, read_sql
from rapport.discovery.views import handover_json, map_json, performance_json, variants_json

discover_app = typer.Typer(
    help=(
        "Process discovery from event logs: the process map, its variants and who hands work "
        "to whom. LOG is a file: .xes, .xes.gz, .csv (with --case/--activity/--timestamp/"
        "--resource), .jsonocel, .xmlocel or an OCEL .sqlite (with --object-type); or give "
        "--sql QUERY --db DATABASE instead of LOG."
    ),
    no_args_is_help=True,
)

LogArgument = typer.Argument(
    None, help="The event log file (format from its extension).", show_default=False
)
CaseOption = typer.Option("case:concept:name", "--case", help="CSV/SQL column of the case id.")
ActivityOption = typer.Option("concept:name", "--activity", help="CSV/SQL column of the activity.")
TimestampOption = typer.Option(
    "time:timestamp", "--timestamp", help="CSV/SQL column of the timestamp (ISO 8601)."
)
ResourceOption = typer.Option("org:resource", "--resource", help="CSV/SQL column of the resource.")
ObjectTypeOption = typer.Option(
    None, "--object-type", help="OCEL logs: the object type whose objects become the cases."
)
SqlOption = typer.Option(None, "--sql", help="A SQL query whose rows are the events.")
DbOption = typer.Option(None, "--db", help="The database for --sql: a SQLite file or a URL.")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _load(
    log: Path | None,
    case: str,
    activity: str,
    timestamp: str,
    resource: str,
    object_type: str | None,
    sql: str | None,
    db: str | None,
) -> EventLog:
    mapping = ColumnMapping(case=case, activity=activity, timestamp=timestamp, resource=resource)
    if sql is not None:
        if db is None:
            raise typer.BadParameter("--sql needs --db DATABASE")
        result = read_sql(db, sql, mapping)
    elif log is None:
        raise typer.BadParameter("give a LOG file, or --sql QUERY --db DATABASE")
    else:
        result = read_log(log, mapping=mapping, object_type=object_type)
    for line in result.missing.lines():
        err_console.print(f"[yellow]note:[/yellow] {line}", highlight=False)
    return result


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(value) >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} s"


@discover_app.command("map")
def map_command(
    log: Path | None = LogArgument,
    case: str = CaseOption,
    activity: str = ActivityOption,
    timestamp: str = TimestampOption,
    resource: str = ResourceOption,
    object_type: str | None = ObjectTypeOption,
    sql: str | None = SqlOption,
    db: str | None = DbOption,
    min_count: int = typer.Option(1, "--min-count", min=1, help="Hide edges seen fewer times."),
    since: datetime | None = typer.Option(None, "--since", help="Only cases started at or after."),
    until: datetime | None = typer.Option(None, "--until", help="Only cases started before."),
    where: list[str] = typer.Option(
        [],
        "--where",
        help="KEY=VALUE: only cases with an event having that attribute value (repeatable).",
    ),
    top_variants: int | None = typer.Option(
        None, "--top-variants", min=1, help="Only cases of the N most frequent variants."
    ),
    variant: str | None = typer.Option(
        None, "--variant", help="Only cases of this variant: activities joined by ','."
    ),
    as_json: bool = JsonOption,
) -> None:
    """The process map: activities, start and end activities, and the directly-follows edges
    with their counts and the time between (mean, median, p90 seconds)."""
    with user_errors():
        loaded = _load(log, case, activity, timestamp, resource, object_type, sql, db)
        filters = MapFilters(
            min_count=min_count,
            since=since,
            until=until,
            where=tuple(where),
            top_variants=top_variants,
            variant=tuple(variant.split(",")) if variant else None,
        )
        loaded = apply_filters(loaded, filters)
        result = discover_map(loaded, min_count=min_count)
    if as_json:
        print_json(map_json(result))
        return
    console = Console()
    table = Table(title=f"Process map: {loaded.cases:,} cases, {loaded.events:,} events")
    for name in ("from", "to", "count", "mean", "median", "p90"):
        table.add_column(name, justify="right" if name not in ("from", "to") else "left")
    for e in result.edges:
        table.add_row(
            e.source,
            e.target,
            f"{e.count:,}",
            _seconds(e.mean_seconds),
            _seconds(e.median_seconds),
            _seconds(e.p90_seconds),
        )
    console.print(table)
    acts = Table(title="Activities")
    for name in ("activity", "events", "starts", "ends"):
        acts.add_column(name, justify="left" if name == "activity" else "right")
    for name, count in result.activities.items():
        acts.add_row(
            name, f"{count:,}", f"{result.start.get(name, 0):,}", f"{result.end.get(name, 0):,}"
        )
    console.print(acts)


@discover_app.command("variants")
def variants_command(
    log: Path | None = LogArgument,
    case: str = CaseOption,
    activity: str = ActivityOption,
    timestamp: str = TimestampOption,
    resource: str = ResourceOption,
    object_type: str | None = ObjectTypeOption,
    sql: str | None = SqlOption,
    db: str | None = DbOption,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show only the N most frequent."),
    as_json: bool = JsonOption,
) -> None:
    """The variants (distinct paths through the process), most frequent first, with their
    share of the cases and their durations."""
    with user_errors():
        loaded = _load(log, case, activity, timestamp, resource, object_type, sql, db)
        result = discover_variants(loaded)[:limit]
    if as_json:
        print_json(variants_json(result))
        return
    table = Table(title=f"Variants of {loaded.cases:,} cases")
    for name in ("#", "cases", "share", "median duration", "path"):
        table.add_column(name, justify="left" if name == "path" else "right")
    for rank, v in enumerate(result, 1):
        table.add_row(
            str(rank),
            f"{v.count:,}",
            f"{v.coverage:.1%}",
            _seconds(v.median_seconds),
            " → ".join(v.variant),
        )
    Console().print(table)


@discover_app.command("handover")
def handover_command(
    log: Path | None = LogArgument,
    by: str = typer.Option(
        "org:resource",
        "--by",
        help="The attribute: org:resource (people), org:group (departments).",
    ),
    case: str = CaseOption,
    activity: str = ActivityOption,
    timestamp: str = TimestampOption,
    resource: str = ResourceOption,
    object_type: str | None = ObjectTypeOption,
    sql: str | None = SqlOption,
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Handover of work: how often a case's event by X was followed by its next event by Y
    (X ≠ Y). Events without a value are skipped."""
    with user_errors():
        loaded = _load(log, case, activity, timestamp, resource, object_type, sql, db)
        result = discover_handover(loaded, by)
    if as_json:
        print_json(handover_json(result))
        return
    table = Table(title=f"Handover of work by {by}")
    for name in ("from", "to", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for h in result:
        table.add_row(h.source, h.target, f"{h.count:,}")
    Console().print(table)


@discover_app.command("performance")
def performance_command(
    log: Path | None = LogArgument,
    case: str = CaseOption,
    activity: str = ActivityOption,
    timestamp: str = TimestampOption,
    resource: str = ResourceOption,
    object_type: str | None = ObjectTypeOption,
    sql: str | None = SqlOption,
    db: str | None = DbOption,
    top: int = typer.Option(10, "--top", min=1, help="Rows per list."),
    as_json: bool = JsonOption,
) -> None:
    """Performance: case durations, the bottleneck edges (most total time between two
    activities), rework (activities repeated within a case) and the variants seen once."""
    from rapport.discovery.performance import measure_performance

    with user_errors():
        loaded = _load(log, case, activity, timestamp, resource, object_type, sql, db)
        result = measure_performance(loaded, top=top)
    if as_json:
        print_json(performance_json(result))
        return
    console = Console()
    d = result.case_seconds
    console.print(
        f"{result.cases:,} cases, {result.events:,} events; case duration mean "
        f"{_seconds(d['mean'])}, median {_seconds(d['median'])}, p90 {_seconds(d['p90'])}, "
        f"max {_seconds(d['max'])}"
    )
    slow = Table(title="Bottleneck edges (total time)")
    for name in ("from", "to", "count", "median", "total"):
        slow.add_column(name, justify="left" if name in ("from", "to") else "right")
    for b in result.bottlenecks:
        slow.add_row(
            str(b["source"]),
            str(b["target"]),
            f"{b['count']:,}",
            _seconds(_number(b["median_seconds"])),
            _seconds(_number(b["total_seconds"])),
        )
    console.print(slow)
    rework = Table(title="Rework: activities repeated in a case")
    for name in ("activity", "cases", "share", "repeats"):
        rework.add_column(name, justify="left" if name == "activity" else "right")
    for r in result.rework:
        rework.add_row(
            str(r["activity"]), f"{r['cases']:,}", f"{r['share']:.1%}", f"{r['repeats']:,}"
        )
    console.print(rework)
    rare = result.rare_variants
    console.print(
        f"{rare['seen_once']:,} of {rare['variants']:,} variants were seen once "
        f"({rare['share_of_cases']:.1%} of the cases)"
    )
