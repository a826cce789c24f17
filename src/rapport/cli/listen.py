"""``rapport listen``: named listening queries, their matches and share of voice."""

from __future__ import annotations

import sys
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
from rapport.intelligence.listening.matcher import Matcher
from rapport.intelligence.listening.matching import list_matches
from rapport.intelligence.listening.queries import (
    add_query,
    edit_query,
    get_query,
    list_queries,
    query_history,
    remove_query,
    view,
)
from rapport.intelligence.listening.schemas import (
    ChangeOut,
    MatchOut,
    QueryOut,
    ShareOfVoiceOut,
)
from rapport.intelligence.listening.service import voice_of_queries
from rapport.store.listening import QueryKind

listen_app = typer.Typer(
    help=(
        "Listening: named keyword queries for brands, products, competitors and campaigns; "
        "their matches among customers' messages; share of voice between them.\n\n"
        'Expressions: words, "phrases", AND, OR, NOT or -word, (parentheses), #hashtags, '
        "@handles and prefix*. Matching ignores case and accents (cafe finds Café) in any "
        "script. Try one with `rapport listen test EXPR` before saving it."
    ),
    no_args_is_help=True,
)
console = Console()

_KINDS = ", ".join(k.value for k in QueryKind)
VariantOption = typer.Option(
    None,
    "--variant",
    help="LANG=EXPR: messages read as LANG (ISO 639-1, e.g. fa) are matched by EXPR instead. "
    "Repeat for more languages; with edit, LANG= removes a variant.",
)
TzOption = typer.Option("UTC", "--tz", help="Show times in this zone (e.g. Europe/Oslo).")


def _variants(items: list[str] | None, start: dict[str, str] | None = None) -> dict[str, str]:
    found = dict(start or {})
    for item in items or []:
        language, sep, expression = item.partition("=")
        if not sep or not language.strip():
            fail(f"--variant: expected LANG=EXPR like fa=هکلا, got {item!r}", 2)
        if expression.strip():
            found[language.strip()] = expression
        else:
            found.pop(language.strip(), None)
    return found


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"--tz: {name!r} is not a time zone (try Europe/Oslo or UTC)", 2)


def _show(query: QueryOut, zone: tzinfo) -> None:
    console.print(f"[bold]{safe(query.name)}[/bold]  ({query.kind}, id {query.id})")
    console.print(f"expression: {safe(query.expression)}", highlight=False)
    for language, expression in sorted(query.variants.items()):
        console.print(f"  {safe(language)}: {safe(expression)}", highlight=False)
    console.print(
        f"created {query.created_at.astimezone(zone):%Y-%m-%d %H:%M %Z}, "
        f"updated {query.updated_at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
    )


@listen_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="A name unique in the workspace, e.g. 'Fjord & Pine'."),
    query: str = typer.Option(..., "--query", "-q", help="The expression."),
    kind: QueryKind = typer.Option(QueryKind.BRAND, help=f"One of {_KINDS}."),
    variant: list[str] | None = VariantOption,
    workspace: str | None = WorkspaceOption,
) -> None:
    """Save a named query. A bad expression is refused with the character it went wrong at."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            saved = add_query(
                session, ws, name, query, kind=kind.value, variants=_variants(variant)
            )
    typer.echo(f"added {saved.kind} query {saved.name!r} (id {saved.id})")


@listen_app.command("list")
def list_command(
    kind: QueryKind | None = typer.Option(None, help=f"Only this kind ({_KINDS})."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """List the workspace's queries by name."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            items = [
                QueryOut.model_validate(q)
                for q in list_queries(session, ws, kind.value if kind else None)
            ]
    if as_json:
        print_json([q.model_dump(mode="json") for q in items])
        return
    table = Table(title=f"{len(items)} listening queries", title_justify="left")
    for column in ("id", "name", "kind", "expression", "variants"):
        table.add_column(column, overflow="fold")
    for q in items:
        table.add_row(
            str(q.id),
            safe(q.name),
            q.kind,
            safe(q.expression),
            safe(", ".join(sorted(q.variants)) or "—"),
        )
    console.print(table)


@listen_app.command("show")
def show_command(
    name: str = typer.Argument(..., help="The query's name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    tz: str = TzOption,
    workspace: str | None = WorkspaceOption,
) -> None:
    """Show a query: its expression, variants and when it was made and changed."""
    zone = _zone(tz)
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            found = QueryOut.model_validate(view(get_query(session, ws, name)))
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    _show(found, zone)


@listen_app.command("edit")
def edit_command(
    name: str = typer.Argument(..., help="The query's name."),
    query: str | None = typer.Option(None, "--query", "-q", help="A new expression."),
    kind: QueryKind | None = typer.Option(None, help=f"A new kind ({_KINDS})."),
    rename: str | None = typer.Option(None, help="A new name."),
    variant: list[str] | None = VariantOption,
    workspace: str | None = WorkspaceOption,
) -> None:
    """Change a query's expression, kind, name or variants; the change goes in its history."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            current = get_query(session, ws, name)
            variants = _variants(variant, current.variants) if variant else None
            saved = edit_query(
                session,
                ws,
                name,
                name=rename,
                expression=query,
                kind=kind.value if kind else None,
                variants=variants,
            )
    typer.echo(f"saved {saved.kind} query {saved.name!r} (id {saved.id})")


@listen_app.command("remove")
def remove_command(
    name: str = typer.Argument(..., help="The query's name."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Delete a query (its history stays: `rapport listen history NAME`)."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            gone = remove_query(session, ws, name)
    typer.echo(f"removed query {gone.name!r}")


@listen_app.command("history")
def history_command(
    name: str = typer.Argument(..., help="The query's name (also of a removed one)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    tz: str = TzOption,
    workspace: str | None = WorkspaceOption,
) -> None:
    """Every change of a query: when, by whom, and the expression before and after."""
    zone = _zone(tz)
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            changes = [ChangeOut.model_validate(c) for c in query_history(session, ws, name)]
    if as_json:
        print_json([c.model_dump(mode="json") for c in changes])
        return
    table = Table(title=f"history of {safe(name)}", title_justify="left")
    for column in ("when", "action", "by", "before", "after"):
        table.add_column(column, overflow="fold")
    for c in changes:
        table.add_row(
            f"{c.changed_at.astimezone(zone):%Y-%m-%d %H:%M %Z}",
            c.action,
            f"user {c.changed_by}" if c.changed_by is not None else "command line",
            safe(c.old_expression or "—"),
            safe(c.new_expression or "—"),
        )
    console.print(table)


@listen_app.command("test")
def try_command(
    expression: str = typer.Argument(..., metavar="EXPR", help="The expression to try."),
) -> None:
    """Try an expression: reads lines on standard input and prints `match` or `no` for each.

    Example: printf 'Love my Vetur tent\\nvetur?\\n' | rapport listen test 'vetur AND tent'
    """
    with user_errors():
        matcher = Matcher.of(expression)
    for line in sys.stdin:
        typer.echo("match" if matcher.matches(line.rstrip("\n")) else "no")


@listen_app.command("matches")
def matches_command(
    name: str = typer.Argument(..., help="The query's name."),
    since: str | None = typer.Option(None, help="Sent at or after (ISO 8601; UTC if no zone)."),
    until: str | None = typer.Option(None, help="Sent before."),
    channel: str | None = typer.Option(None, help="Only this channel (by name)."),
    limit: int = typer.Option(50, min=1, max=500, help="At most N."),
    offset: int = typer.Option(0, min=0, help="Skip the first N."),
    oldest: bool = typer.Option(False, "--oldest", help="Oldest first."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    tz: str = TzOption,
    workspace: str | None = WorkspaceOption,
) -> None:
    """Customers' messages a query matches, newest first."""
    zone = _zone(tz)
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            query = get_query(session, ws, name)
            page = list_matches(
                session,
                ws,
                query,
                since=start,
                until=end,
                channel=channel,
                limit=limit,
                offset=offset,
                oldest_first=oldest,
            )
    items = [MatchOut.of(shown) for shown in page.items]
    if as_json:
        print_json([m.model_dump(mode="json") for m in items])
        return
    noun = "match" if page.total == 1 else "matches"
    table = Table(title=f"{page.total} {noun} of {safe(name)}", title_justify="left")
    for column in (f"received ({tz})", "channel", "lang", "sentiment", "intent", "conv"):
        table.add_column(column, no_wrap=True, max_width=20)
    table.add_column("text", overflow="fold", ratio=1, min_width=30)
    for m in items:
        table.add_row(
            f"{m.received_at.astimezone(zone):%Y-%m-%d %H:%M}",
            safe(m.channel),
            safe(m.language or "—"),
            safe(m.sentiment or "—"),
            safe(m.intent or "—"),
            str(m.conversation_id),
            safe(m.text[:200]),
        )
    console.print(table)
    shown_to = page.offset + len(page.items)
    if shown_to < page.total:
        console.print(f"showing {page.offset + 1}-{shown_to}; use --offset {shown_to} for more")


@listen_app.command("share-of-voice")
def share_command(
    names: list[str] | None = typer.Argument(None, help="Queries to compare (default: by kind)."),
    kind: QueryKind = typer.Option(QueryKind.BRAND, help="Compare every query of this kind."),
    since: str | None = typer.Option(None, help="Sent at or after (ISO 8601; UTC if no zone)."),
    until: str | None = typer.Option(None, help="Sent before."),
    channel: str | None = typer.Option(None, help="Only this channel (by name)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Share of voice: each query's mentions, share, sentiment and channels.

    Compares every query of --kind (brand by default), or the queries named. Mentions are
    customers' messages; a message that matches two queries counts for both, so the shares
    add up to 100% of the mentions, which may be more than the messages.
    """
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            result = voice_of_queries(
                session,
                ws,
                names=names or (),
                kind=kind.value,
                since=start,
                until=end,
                channel=channel,
            )
    out = ShareOfVoiceOut.model_validate(result)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    title = f"share of voice: {out.total_mentions} mentions in {out.messages} messages"
    table = Table(title=title, title_justify="left")
    for column in ("query", "mentions", "share", "neg", "neu", "pos", "net", "channels"):
        table.add_column(column, justify="left" if column in ("query", "channels") else "right")
    for v in out.voices:
        table.add_row(
            safe(v.name),
            str(v.mentions),
            f"{v.share:.1%}",
            str(v.negative),
            str(v.neutral),
            str(v.positive),
            "—" if v.net_sentiment is None else f"{v.net_sentiment:+.2f}",
            safe(", ".join(f"{name} {n}" for name, n in list(v.channels.items())[:4])),
        )
    console.print(table)
