"""``rapport cases`` and ``rapport sla``: the team's work from a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from rapport.cli.context import (
    WorkspaceOption,
    fail,
    open_database,
    parse_when,
    print_json,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.engage.case_queries import CaseFilter, CaseSort, get_case, iter_all_cases, list_cases
from rapport.engage.eventlog import FORMATS, iter_events, write_csv, write_xes
from rapport.engage.schemas import CaseDetailOut, CaseOut
from rapport.engage.sla import sla_report, sweep

cases_app = typer.Typer(help="Cases: customer work that needs an answer.", no_args_is_help=True)
sla_app = typer.Typer(
    help="Service levels: due times, breaches and the report.", no_args_is_help=True
)
console = Console()


@cases_app.command("list")
def list_command(
    status: str | None = typer.Option(
        None, help="new, open, pending, resolved, closed, or active."
    ),
    priority: str | None = typer.Option(None, help="low, normal, high or urgent."),
    team: str | None = typer.Option(None, help="Only this team's cases (by name)."),
    assignee: str | None = typer.Option(None, help="Only this agent's (e-mail), or 'none'."),
    tag: str | None = typer.Option(None, help="Only cases with this tag."),
    channel: str | None = typer.Option(None, help="Only cases from this channel (by name)."),
    escalated: bool | None = typer.Option(None, "--escalated/--not-escalated"),
    sort: CaseSort = typer.Option(CaseSort.UPDATED, help="Sort order."),
    limit: int | None = typer.Option(
        None, min=1, help="At most N (default: all with --json, 50 otherwise)."
    ),
    offset: int = typer.Option(0, min=0, help="Skip the first N."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """List cases, most recently changed first."""
    flt = CaseFilter(
        status=status,
        priority=priority,
        team=team,
        assignee=assignee,
        tag=tag,
        channel=channel,
        escalated=escalated,
    )
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            if as_json:
                if limit is None:
                    items = list(iter_all_cases(session, ws, flt))[offset:]
                else:
                    items = list_cases(
                        session, ws, flt, sort=sort, limit=limit, offset=offset
                    ).items
                print_json([CaseOut.model_validate(c).model_dump(mode="json") for c in items])
                return
            page = list_cases(
                session, ws, flt, sort=sort, limit=min(limit or 50, 500), offset=offset
            )
    total = f"{page.total}" + ("" if page.total_exact else "+")
    table = Table(title=f"{total} cases", title_justify="left")
    for column in (
        "id",
        "status",
        "priority",
        "team",
        "assignee",
        "customer",
        "first response due",
        "subject",
    ):
        table.add_column(column, overflow="fold" if column == "subject" else "ellipsis")
    for c in page.items:
        due = c.first_response_due.strftime("%Y-%m-%d %H:%M") if c.first_response_due else "—"
        if c.first_response_breached:
            due += " [red]breached[/red]"
        elif c.first_responded_at:
            due += " [green]answered[/green]"
        table.add_row(
            str(c.id),
            c.status + (" ⚑" if c.escalated else ""),
            c.priority,
            safe(c.team or "—"),
            safe(c.assignee or "—"),
            safe(c.customer or "—"),
            due,
            safe(c.subject[:80]),
        )
    console.print(table)
    shown_to = page.offset + len(page.items)
    if shown_to < page.total:
        console.print(f"showing {page.offset + 1}-{shown_to}; use --offset {shown_to} for more")


@cases_app.command("show")
def show_command(
    case_id: int = typer.Argument(..., metavar="ID", help="Case number."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Show a case: its state, SLA clocks, conversations, notes and history."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            detail = get_case(session, ws, case_id)
    out = CaseDetailOut.model_validate(detail)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    c = out.case
    console.print(
        f"[bold]Case #{c.id}[/bold] {c.status} · {c.priority} · {safe(c.channel)} · "
        f"{safe(c.customer or '—')}",
        highlight=False,
    )
    console.print(f"subject: {safe(c.subject)}", highlight=False)
    console.print(
        f"team: {safe(c.team or '—')} · assignee: {safe(c.assignee or '—')} · "
        f"tags: {safe(', '.join(c.tags) or '—')}",
        highlight=False,
    )
    console.print(f"conversations: {', '.join(map(str, out.conversation_ids)) or '—'}")
    if c.first_response_due:
        state = (
            "breached"
            if c.first_response_breached
            else ("met" if c.first_responded_at else "running")
        )
        console.print(f"first response due {c.first_response_due:%Y-%m-%d %H:%M} UTC ({state})")
    console.print("\n[bold]history[/bold]")
    for e in out.events:
        console.print(f"{e.at:%Y-%m-%d %H:%M} {e.activity:18s} {safe(e.resource)}", highlight=False)
    if out.notes:
        console.print("\n[bold]notes[/bold]")
        for n in out.notes:
            console.print(
                f"{n.created_at:%Y-%m-%d %H:%M} {safe(n.author or '—')}: {safe(n.body)}",
                highlight=False,
            )


@cases_app.command("export-log")
def export_log_command(
    path: Path = typer.Argument(
        ..., metavar="FILE", help="Where to write the log ('-' for stdout)."
    ),
    fmt: str = typer.Option(
        "csv", "--format", help="csv (case_id,activity,timestamp,resource) or xes."
    ),
    since: str | None = typer.Option(None, help="Only events at or after this time (ISO 8601)."),
    until: str | None = typer.Option(None, help="Only events before this time (ISO 8601)."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Export every case's history as an event log, for process discovery."""
    if fmt not in FORMATS:
        fail(f"--format: must be one of {', '.join(FORMATS)}, not {fmt!r}", 2)
    write = write_csv if fmt == "csv" else write_xes
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            events = iter_events(session.connection(), ws, since=start, until=end)
            if str(path) == "-":
                count = write(events, sys.stdout)
            else:
                try:
                    with path.open("w", encoding="utf-8", newline="") as out:
                        count = write(events, out)
                except OSError as exc:
                    fail(f"cannot write {path}: {exc.strerror}")
    if str(path) != "-":
        console.print(f"wrote {count} events to {safe(str(path))}", highlight=False)


@sla_app.command("report")
def report_command(
    since: str | None = typer.Option(
        None, help="Only cases opened at or after this time (ISO 8601)."
    ),
    until: str | None = typer.Option(None, help="Only cases opened before this time (ISO 8601)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Share of cases within SLA, and first-response and resolution times (median, p90)
    overall and per team, agent and channel."""
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            report = sla_report(session.connection(), ws, since=start, until=end)
    if as_json:
        print_json(report)
        return
    ratio = report["within_sla_ratio"]
    console.print(
        f"[bold]{report['cases']} cases[/bold] · within SLA: "
        f"{'—' if ratio is None else f'{ratio:.1%}'} · breaches: {report['breaches']}"
    )
    for group in ("team", "agent", "channel"):
        table = Table(title=f"by {group}", title_justify="left")
        for column in (
            group,
            "cases",
            "within SLA",
            "first response median",
            "p90",
            "resolution median",
            "p90 ",
        ):
            table.add_column(column)
        for row in report[f"by_{group}"]:
            share = row["within_sla_ratio"]
            table.add_row(
                safe(row[group]),
                str(row["cases"]),
                "—" if share is None else f"{share:.1%}",
                _duration(row["first_response_seconds_median"]),
                _duration(row["first_response_seconds_p90"]),
                _duration(row["resolution_seconds_median"]),
                _duration(row["resolution_seconds_p90"]),
            )
        console.print(table)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours / 24:.1f} days"


@sla_app.command("sweep")
def sweep_command(workspace: str | None = WorkspaceOption) -> None:
    """Warn before due times, record breaches, resolve cases left silent by the customer.
    (The server does this every minute; run it by hand after an import.)"""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            report = sweep(session.connection(), ws)
    console.print(
        f"warned={len(report.warned)} breached={len(report.breached)} "
        f"resolved={len(report.resolved)}"
    )
