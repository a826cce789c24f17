"""``rapport alerts``: rules that warn when a volume or a negative share jumps."""

from __future__ import annotations

from datetime import UTC, datetime

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
from rapport.intelligence.alerts import store
from rapport.intelligence.alerts.check import check_alerts, describe
from rapport.intelligence.alerts.delivery import deliver_pending
from rapport.intelligence.alerts.history import list_events, rule_document
from rapport.intelligence.alerts.rules import (
    DEFAULT_COOLDOWN,
    create_rule,
    delete_rule,
    find_rule,
)
from rapport.intelligence.trends.detect import DEFAULT_MIN_COUNT, DEFAULT_SENSITIVITY

alerts_app = typer.Typer(
    help="Alerts: be told when a volume or a negative share jumps, with the posts behind it.",
    no_args_is_help=True,
)
console = Console()


@alerts_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="The rule's name (unique in the workspace)."),
    metric: str = typer.Option(..., help="volume or negative-share."),
    channel: str | None = typer.Option(None, help="Watch only this channel (by name)."),
    intent: str | None = typer.Option(None, help="Watch only messages of this intent."),
    language: str | None = typer.Option(None, help="Watch only messages in this language."),
    interval: str = typer.Option("hour", help="Judge each hour or each day."),
    tz: str = typer.Option("UTC", "--tz", help="Time zone the hours and days are cut in."),
    sensitivity: float = typer.Option(
        DEFAULT_SENSITIVITY, help="Score needed to fire (robust std devs; lower fires more)."
    ),
    min_count: int = typer.Option(DEFAULT_MIN_COUNT, help="Messages a bucket needs to fire."),
    cooldown: int = typer.Option(
        DEFAULT_COOLDOWN // 60, help="Minutes to stay quiet after firing."
    ),
    notify: list[str] = typer.Option([], help="Notify this user in the app (e-mail; repeat)."),
    email: list[str] = typer.Option([], help="E-mail this address (repeat)."),
    webhook: str | None = typer.Option(None, help="POST the alert as JSON to this URL."),
    secret: str | None = typer.Option(None, help="Signs the webhook (HMAC-SHA256)."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Add an alert rule."""
    subjects = [
        (k, v) for k, v in (("channel", channel), ("intent", intent), ("language", language)) if v
    ]
    if len(subjects) > 1:
        fail("give at most one of --channel, --intent, --language", 2)
    kind, value = subjects[0] if subjects else ("all", None)
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            users = store.user_ids_by_email(session, ws, notify)
            missing = [u for u in notify if u.lower() not in users]
            if missing:
                fail(f"--notify: no user {missing[0]!r} in this workspace")
            rule = create_rule(
                session,
                ws,
                {
                    "name": name,
                    "metric": metric,
                    "subject_kind": kind,
                    "subject_value": value,
                    "interval": interval,
                    "time_zone": tz,
                    "sensitivity": sensitivity,
                    "min_count": min_count,
                    "cooldown_seconds": cooldown * 60,
                    "notify_user_ids": [users[u.lower()] for u in notify],
                    "emails": email,
                    "webhook_url": webhook,
                    "webhook_secret": secret,
                },
            )
            console.print(f"added alert rule {rule.id}: {safe(rule.name)}", highlight=False)


@alerts_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """List the alert rules, by name."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            rules = [rule_document(r) for r in store.rules_of(session, ws)]
    if as_json:
        print_json(rules)
        return
    table = Table(title=f"{len(rules)} alert rules", title_justify="left")
    for column in ("id", "name", "watches", "metric", "per", "sensitivity", "tells", "on"):
        table.add_column(column)
    for r in rules:
        tells = [f"{len(r['notify_user_ids'])} users"] if r["notify_user_ids"] else []
        tells += r["emails"] + (["webhook"] if r["webhook_url"] else [])
        table.add_row(
            str(r["id"]),
            safe(r["name"]),
            safe(f"{r['subject_kind']} {r['subject_value'] or ''}".strip()),
            r["metric"],
            f"{r['interval']} ({r['time_zone']})",
            f"{r['sensitivity']:g}",
            safe(", ".join(tells) or "—"),
            "yes" if r["enabled"] else "no",
        )
    console.print(table)


@alerts_app.command("remove")
def remove_command(
    name: str = typer.Argument(..., help="The rule's name."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Remove an alert rule and its history."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            delete_rule(session, ws, find_rule(session, ws, name).id)
    console.print(f"removed alert rule {safe(name)}", highlight=False)


@alerts_app.command("check")
def check_command(
    now: str | None = typer.Option(None, help="Judge as if it were this time (ISO 8601)."),
    force: bool = typer.Option(False, help="Judge buckets already judged again."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Judge every rule's last complete hour or day now, and send what fired.
    (The server does this on every tick.)"""
    at = parse_when(now, "--now") or datetime.now(UTC)
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            fired = check_alerts(session, ws, at, force=force)
        delivered = deliver_pending(db)
    if not fired:
        console.print("no alert fired")
    for alert in fired:
        status = delivered.get(alert.event_id, {})
        channels = ", ".join(f"{k} {v.get('status')}" for k, v in status.items())
        console.print(
            f"[bold]{safe(alert.rule)}[/bold]: {safe(alert.subject)}, "
            f"{describe(alert.metric, alert.observed, alert.expected)} "
            f"{alert.window_start:%Y-%m-%d %H:%M} to {alert.window_end:%H:%M} UTC · "
            f"{len(alert.message_ids)} posts · {channels or 'in app'}",
            highlight=False,
        )


@alerts_app.command("history")
def history_command(
    name: str | None = typer.Argument(None, help="Only this rule's events."),
    limit: int = typer.Option(20, min=1, max=500, help="At most N events."),
    offset: int = typer.Option(0, min=0, help="Skip the first N."),
    posts: int = typer.Option(5, min=0, help="Posts shown per event (all with --json)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Alerts that fired, newest first, with the posts behind each."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            rule_id = find_rule(session, ws, name).id if name else None
            page = list_events(session, ws, rule_id=rule_id, limit=limit, offset=offset)
    if as_json:
        print_json({"total": page.total, "items": page.items})
        return
    console.print(f"{page.total} alerts", highlight=False)
    for event in page.items:
        rule = event["rule"]
        console.print(
            f"\n[bold]{safe(rule['name'])}[/bold] · {event['window']['start']} → "
            f"{event['window']['end']} · "
            f"{describe(rule['metric'], event['observed'], event['expected'])} · "
            f"score {event['score']:.1f}",
            highlight=False,
        )
        for post in event["posts"][:posts]:
            console.print(
                f"  {post['sent_at'][:16]} {safe(post['channel'])} {safe(post['author'])}: "
                f"{safe(post['text'][:200])}",
                highlight=False,
            )
