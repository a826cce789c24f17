"""``rapport discover exceptions`` and ``hotspots``: where a process goes off its path."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import print_json, user_errors
from rapport.cli.discover_source import LogSource, log_command
from rapport.cli.terminal import safe
from rapport.discovery.exceptions import CANCEL_PATTERN, RARE_BELOW, find_exceptions
from rapport.discovery.hotspots import find_hotspots
from rapport.discovery.views import exceptions_json, hotspots_json

JsonOption = typer.Option(False, "--json", help="Print JSON instead of tables.")
RareOption = typer.Option(
    RARE_BELOW,
    "--rare-below",
    min=0.0,
    max=1.0,
    help="A variant is rare when its share of the cases is below this.",
)


@log_command()
def exceptions_command(
    source: LogSource,
    rare_below: float = RareOption,
    cancel: str = typer.Option(
        CANCEL_PATTERN,
        "--cancel",
        help="A regular expression (any case): activities whose name matches are cancellations.",
    ),
    top: int = typer.Option(10, "--top", min=1, help="Rows per list."),
    as_json: bool = JsonOption,
) -> None:
    """Rework and exception paths: activities repeated in a case, rare variants, loops (an
    edge back to an activity the case already did) and cancellations."""
    with user_errors():
        result = find_exceptions(
            source.load(), rare_below=rare_below, cancel_pattern=cancel, top=top
        )
    if as_json:
        print_json(exceptions_json(result))
        return
    console = Console()
    total = max(result.cases, 1)
    console.print(
        f"{result.cases:,} cases: rework in {result.rework_cases / total:.1%}, rare variants "
        f"in {result.rare_cases / total:.1%}, loops in {result.loop_cases / total:.1%}, "
        f"cancelled {result.cancelled_cases / total:.1%}",
        highlight=False,
    )
    tables = (
        ("Rework: activities repeated in a case", "activity", result.rework),
        ("Loops: edges back to an activity done before", "edge", result.loops),
        ("Cancellations", "activity", result.cancellations),
    )
    for title, what, rows in tables:
        table = Table(title=title)
        for name in (what, "cases", "share"):
            table.add_column(name, justify="left" if name == what else "right")
        for row in rows:
            name = f"{row['source']} → {row['target']}" if what == "edge" else str(row["activity"])
            table.add_row(safe(name), f"{row['cases']:,}", f"{row['share']:.1%}")
        console.print(table)
    rare = Table(title=f"Rare variants (under {result.rare_below:.1%} of the cases each)")
    for name in ("cases", "path"):
        rare.add_column(name, justify="left" if name == "path" else "right")
    for v in result.rare_variants:
        rare.add_row(f"{v['count']:,}", safe(" → ".join(v["variant"])))  # type: ignore[arg-type]
    console.print(rare)


@log_command()
def hotspots_command(
    source: LogSource,
    by: str = typer.Option(
        "activity",
        "--by",
        help="What to rank: activity, org:resource (people), org:group (departments)...",
    ),
    top: int = typer.Option(10, "--top", min=1, help="How many to show."),
    min_cases: int = typer.Option(5, "--min-cases", min=1, help="Leave out values in fewer cases."),
    rare_below: float = RareOption,
    as_json: bool = JsonOption,
) -> None:
    """Hot spots: the values where rework, long waits (above the log's p90) and rare variants
    concentrate and overlap, ranked by their ratio to the baseline (1.0 is usual)."""
    with user_errors():
        result = find_hotspots(
            source.load(), by, top=top, min_cases=min_cases, rare_below=rare_below
        )
    if as_json:
        print_json(hotspots_json(result))
        return
    table = Table(title=f"Hot spots by {safe(by)} ({result.cases:,} cases)")
    for name in ("#", by, "cases", "score", "rework", "delay", "rare", "why"):
        table.add_column(name, justify="left" if name in (by, "why") else "right")
    for rank, item in enumerate(result.items, 1):
        table.add_row(
            str(rank),
            safe(item.value),
            f"{item.cases:,}",
            f"{item.score:.2f}",
            *(f"{item.shares[s]:.0%}" for s in ("rework", "delay", "rare")),
            safe("; ".join(item.reasons)) or "-",
        )
    Console().print(table)
