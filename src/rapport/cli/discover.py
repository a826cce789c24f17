"""``rapport discover``: process maps, variants and handover networks from event logs."""

from __future__ import annotations

from typing import Any, cast

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import print_json, user_errors
from rapport.cli.discover_source import LogSource, duration_text, log_command, number
from rapport.cli.terminal import safe
from rapport.discovery.analysis import discover_handover, discover_map, discover_variants
from rapport.discovery.views import handover_json, map_json, performance_json, variants_json

discover_app = typer.Typer(
    help=(
        "Process discovery from event logs: the process map, its variants, who hands work "
        "to whom, hot spots, water coolers, a model and KPIs. LOG is a file: .xes, .xes.gz, "
        ".csv (with --case/--activity/--timestamp/--resource), .jsonocel, .xmlocel or an OCEL "
        ".sqlite (with --object-type); or give --sql QUERY --db DATABASE, or --cases for the "
        "workspace's own case history, instead of LOG."
    ),
    no_args_is_help=True,
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


@discover_app.command("map")
@log_command()
def map_command(
    source: LogSource,
    min_count: int = typer.Option(1, "--min-count", min=1, help="Hide edges seen fewer times."),
    as_json: bool = JsonOption,
) -> None:
    """The process map: activities, start and end activities, and the directly-follows edges
    with their counts and the time between (mean, median, p90 seconds)."""
    with user_errors():
        loaded = source.load()
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
            safe(e.source),
            safe(e.target),
            f"{e.count:,}",
            duration_text(e.mean_seconds),
            duration_text(e.median_seconds),
            duration_text(e.p90_seconds),
        )
    console.print(table)
    acts = Table(title="Activities")
    for name in ("activity", "events", "starts", "ends"):
        acts.add_column(name, justify="left" if name == "activity" else "right")
    for name, count in result.activities.items():
        acts.add_row(
            safe(name),
            f"{count:,}",
            f"{result.start.get(name, 0):,}",
            f"{result.end.get(name, 0):,}",
        )
    console.print(acts)


@discover_app.command("variants")
@log_command()
def variants_command(
    source: LogSource,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Show only the N most frequent."),
    as_json: bool = JsonOption,
) -> None:
    """The variants (distinct paths through the process), most frequent first, with their
    share of the cases and their durations."""
    with user_errors():
        loaded = source.load()
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
            duration_text(v.median_seconds),
            safe(" → ".join(v.variant)),
        )
    Console().print(table)


@discover_app.command("handover")
@log_command()
def handover_command(
    source: LogSource,
    by: str = typer.Option(
        "org:resource",
        "--by",
        help="The attribute: org:resource (people), org:group (departments).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Handover of work: how often a case's event by X was followed by its next event by Y
    (X ≠ Y). Events without a value are skipped."""
    with user_errors():
        loaded = source.load()
        result = discover_handover(loaded, by)
    if as_json:
        print_json(handover_json(result))
        return
    table = Table(title=f"Handover of work by {safe(by)}")
    for name in ("from", "to", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for h in result:
        table.add_row(safe(h.source), safe(h.target), f"{h.count:,}")
    Console().print(table)


@discover_app.command("performance")
@log_command()
def performance_command(
    source: LogSource,
    top: int = typer.Option(10, "--top", min=1, help="Rows per list."),
    as_json: bool = JsonOption,
) -> None:
    """Performance: case durations, waiting (and, where the log records starts, service)
    times per activity, the bottleneck edges (most total time between two activities),
    rework (activities repeated within a case) and the variants seen once."""
    from rapport.discovery.performance import measure_performance

    with user_errors():
        loaded = source.load()
        result = measure_performance(loaded, top=top)
    if as_json:
        print_json(performance_json(result))
        return
    console = Console()
    d = result.case_seconds
    console.print(
        f"{result.cases:,} cases, {result.events:,} events; case duration mean "
        f"{duration_text(d['mean'])}, median {duration_text(d['median'])}, "
        f"p90 {duration_text(d['p90'])}, max {duration_text(d['max'])}"
    )
    slow = Table(title="Bottleneck edges (total time)")
    for name in ("from", "to", "count", "median", "total"):
        slow.add_column(name, justify="left" if name in ("from", "to") else "right")
    for b in result.bottlenecks:
        slow.add_row(
            safe(str(b["source"])),
            safe(str(b["target"])),
            f"{b['count']:,}",
            duration_text(number(b["median_seconds"])),
            duration_text(number(b["total_seconds"])),
        )
    console.print(slow)
    service = result.service_times_known
    times = Table(title="Waiting before each activity" + (" and its service time" if service else
                  " (the log records no starts, so service times are unknown)"))  # fmt: skip
    for name in ("activity", "events", "wait median", "wait p90", "service median"):
        times.add_column(name, justify="left" if name == "activity" else "right")
    for a in result.activities:
        wait, work = (
            cast(dict[str, Any], a["waiting_seconds"]),
            cast(dict[str, Any], a["service_seconds"]),
        )
        times.add_row(
            safe(str(a["activity"])),
            f"{a['events']:,}",
            duration_text(number(wait["median"])),
            duration_text(number(wait["p90"])),
            duration_text(number(work["median"])) if service else "—",
        )
    console.print(times)
    rework = Table(title="Rework: activities repeated in a case")
    for name in ("activity", "cases", "share", "repeats"):
        rework.add_column(name, justify="left" if name == "activity" else "right")
    for r in result.rework:
        rework.add_row(
            safe(str(r["activity"])), f"{r['cases']:,}", f"{r['share']:.1%}", f"{r['repeats']:,}"
        )
    console.print(rework)
    rare = result.rare_variants
    console.print(
        f"{rare['seen_once']:,} of {rare['variants']:,} variants were seen once "
        f"({rare['share_of_cases']:.1%} of the cases)"
    )


def _register() -> None:
    """The other views' commands live in their own modules; they share ``@log_command``."""
    from rapport.cli.discover_exceptions import exceptions_command, hotspots_command
    from rapport.cli.discover_kpi import kpi_command
    from rapport.cli.discover_model import conformance_command, model_command
    from rapport.cli.discover_people import network_command, water_coolers_command

    for name, command in (
        ("exceptions", exceptions_command),
        ("hotspots", hotspots_command),
        ("network", network_command),
        ("water-coolers", water_coolers_command),
        ("model", model_command),
        ("conformance", conformance_command),
        ("kpi", kpi_command),
    ):
        discover_app.command(name)(command)


_register()
