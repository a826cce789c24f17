"""``rapport discover network`` and ``water-coolers``: who works with whom."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import fail, print_json, user_errors
from rapport.cli.discover_source import LogSource, log_command
from rapport.cli.terminal import safe
from rapport.discovery.coolers import find_water_coolers, water_coolers_json
from rapport.discovery.social import handover_network, together_network
from rapport.discovery.views import network_json

KINDS = ("handover", "together")
JsonOption = typer.Option(False, "--json", help="Print JSON (nodes and edges) instead of a table.")
ByOption = typer.Option(
    "org:group", "--by", help="The attribute: org:group (departments), org:resource (people)..."
)


@log_command()
def network_command(
    source: LogSource,
    by: str = ByOption,
    kind: str = typer.Option(
        "handover",
        "--kind",
        help="handover: X's event followed by Y's in a case; together: X and Y in the same cases.",
    ),
    min_count: int = typer.Option(1, "--min-count", min=1, help="Leave out lighter edges."),
    as_json: bool = JsonOption,
) -> None:
    """A network of people or departments: nodes sized by their cases, edges weighted by
    handovers (directed) or by shared cases (undirected)."""
    if kind not in KINDS:
        fail(f"--kind: must be one of {', '.join(KINDS)}, not {kind!r}", 2)
    build = handover_network if kind == "handover" else together_network
    with user_errors():
        result = build(source.load(), by, min_count)
    if as_json:
        print_json(network_json(result))
        return
    arrow = "→" if kind == "handover" else "—"
    table = Table(title=f"{kind.capitalize()} network by {safe(by)}: {len(result.nodes):,} nodes")
    for name in ("from", "to", "handovers" if kind == "handover" else "shared cases"):
        table.add_column(name, justify="left" if name in ("from", "to") else "right")
    for edge in result.edges:
        table.add_row(
            safe(str(edge["source"])), f"{arrow} {safe(str(edge['target']))}", f"{edge['weight']:,}"
        )
    Console().print(table)


@log_command()
def water_coolers_command(
    source: LogSource,
    by: str = ByOption,
    kind: str = typer.Option(
        "handover",
        "--kind",
        help="handover: work passed X → Y; together: X and Y on the same cases.",
    ),
    min_count: int = typer.Option(
        10, "--min-count", min=1, help="Pairs with fewer handovers (or shared cases) are left out."
    ),
    min_lift: float = typer.Option(
        2.0, "--min-lift", min=0.0, help="Observed over expected, at least."
    ),
    max_p: float = typer.Option(
        0.01, "--max-p", min=0.0, max=1.0, help="Poisson tail P(N ≥ observed | expected), at most."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Water coolers: pairs of departments that hand work to each other (or share cases) far
    more often than the process explains (expected: each event's department drawn from its
    activity's split, e.g. an edge a → b spread over the pairs by their shares of a and b)."""
    if kind not in KINDS:
        fail(f"--kind: must be one of {', '.join(KINDS)}, not {kind!r}", 2)
    with user_errors():
        log = source.load()
        found = find_water_coolers(
            log, by, kind=kind, min_count=min_count, min_lift=min_lift, max_p=max_p
        )
        data = water_coolers_json(log, by, found, kind)
    if as_json:
        print_json(data)
        return
    table = Table(title=f"Water coolers by {safe(by)} ({kind}): {len(found):,} pairs")
    for name in ("from", "to", "observed", "expected", "lift", "p"):
        table.add_column(name, justify="left" if name in ("from", "to") else "right")
    for w in found:
        table.add_row(
            safe(w.source),
            safe(w.target),
            f"{w.observed:,}",
            f"{w.expected:.2g}",
            f"{w.lift:.1f}x",
            f"{w.p_value:.1e}",
        )
    Console().print(table)
