"""``rapport discover kpi``: a KPI of the process, and whether it changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import print_json, user_errors
from rapport.cli.discover_source import LogSource, duration_text, log_command
from rapport.cli.terminal import safe
from rapport.discovery.kpis import KPIS, KpiSpec, KpiValue, compare_kpi, measure_kpi, split_periods
from rapport.discovery.views import kpi_json


@log_command(filters=False)
def kpi_command(
    source: LogSource,
    kpi: str = typer.Option(..., "--kpi", help=f"One of: {', '.join(KPIS)}.", show_default=False),
    response_activity: str | None = typer.Option(
        None, "--response-activity", help="first-response: the activity that is the response."
    ),
    where: str | None = typer.Option(
        None, "--where", help="share: KEY=VALUE, e.g. channel=twitter (cases with such an event)."
    ),
    before: str | None = typer.Option(
        None, "--before", help="START..END: the first period (cases by their start; END excluded)."
    ),
    after: str | None = typer.Option(None, "--after", help="START..END: the second period."),
    against: Path | None = typer.Option(
        None, "--against", help="A second log to compare with (read with the same options)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """A KPI: cycle time, first response time, share of cases with rework, or share of cases
    with an attribute value; with --before/--after (two periods) or --against (two logs),
    the change and whether it is significant at 5 % (Mann-Whitney U for times, a
    two-proportion z-test for shares)."""
    spec = KpiSpec(kpi, response_activity=response_activity, where=where)
    with user_errors():
        spec.check()
        if (before is None) != (after is None):
            raise typer.BadParameter("--before and --after go together")
        if before is not None and against is not None:
            raise typer.BadParameter(
                "compare two periods (--before/--after) or two logs (--against)"
            )
        log = source.load()
        if before is not None and after is not None:
            result = compare_kpi(*split_periods(log, before, after), spec, (before, after))
        elif against is not None:
            other = source.other(against).load()
            result = compare_kpi(log, other, spec, (log.source, other.source))
        else:
            data = measure_kpi(log, spec)
            if as_json:
                print_json(kpi_json(data, kpi))
            else:
                _table(kpi, [("value", data)])
            return
    if as_json:
        print_json(kpi_json(result, kpi))
        return
    _table(kpi, [("before", result.before), ("after", result.after)])
    fmt = _formatter(kpi)
    relative = "-" if result.relative_change is None else f"{result.relative_change:+.1%}"
    p = "-" if result.p_value is None else f"{result.p_value:.3g}"
    Console().print(
        f"change {fmt(result.change, signed=True)} ({relative}); {result.test} p = {p}; "
        f"significant at 5%: {'yes' if result.significant else 'no'}",
        highlight=False,
    )


def _formatter(kpi: str) -> Callable[..., str]:
    def fmt(value: float | None, signed: bool = False) -> str:
        if value is None:
            return "-"
        if kpi in ("cycle-time", "first-response"):
            text = duration_text(abs(value))
            return f"{'-' if value < 0 else '+'}{text}" if signed else text
        return f"{value:+.1%}" if signed else f"{value:.1%}"

    return fmt


def _table(kpi: str, rows: list[tuple[str, KpiValue]]) -> None:
    fmt = _formatter(kpi)
    durations = kpi in ("cycle-time", "first-response")
    table = Table(title=f"KPI {kpi}")
    heads = (
        ("", "period", "cases", "median", "mean", "p90")
        if durations
        else ("", "period", "cases", "share")
    )
    for name in heads:
        table.add_column(name, justify="left" if name in ("", "period") else "right")
    for name, v in rows:
        cells = [fmt(v.value), fmt(v.mean), fmt(v.p90)] if durations else [fmt(v.value)]
        table.add_row(name, safe(v.label), f"{v.cases:,}", *cells)
    Console().print(table)
