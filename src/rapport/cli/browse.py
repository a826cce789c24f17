"""``rapport conversations`` and ``rapport deadletters``: read the inbox from a terminal."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from rapport.cli.context import (
    WorkspaceOption,
    open_database,
    print_json,
    user_errors,
    workspace_id,
)
from rapport.cli.terminal import safe
from rapport.inbox.queries import (
    ConversationFilter,
    ConversationSort,
    ConversationSummary,
    Page,
    get_conversation,
    iter_all_conversations,
    list_conversations,
)
from rapport.inbox.schemas import ConversationDetailOut, ConversationOut, DeadLetterOut
from rapport.ingest.deadletters import list_dead_letters

conversations_app = typer.Typer(help="Browse conversations.", no_args_is_help=True)
deadletters_app = typer.Typer(help="Records that could not be imported.", no_args_is_help=True)
console = Console()


@conversations_app.command("list")
def list_command(
    channel: str | None = typer.Option(None, help="Only this channel (by name)."),
    status: str | None = typer.Option(None, help="open, pending or closed."),
    search: str | None = typer.Option(None, help="Words the messages contain (prefix match)."),
    unread: bool | None = typer.Option(None, "--unread/--read", help="Only unread / read."),
    sentiment: str | None = typer.Option(
        None, help="A customer message read as negative, neutral or positive."
    ),
    intent: str | None = typer.Option(None, help="A customer message with this intent."),
    language: str | None = typer.Option(
        None, help="A customer message in this language (ISO 639-1, e.g. fa)."
    ),
    sort: ConversationSort = typer.Option(ConversationSort.NEWEST, help="Sort order."),
    limit: int | None = typer.Option(
        None, min=1, help="At most N (default: all with --json, 50 otherwise)."
    ),
    offset: int = typer.Option(0, min=0, help="Skip the first N."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """List conversations, newest activity first."""
    if sentiment is not None and sentiment not in ("negative", "neutral", "positive"):
        raise typer.BadParameter(
            f"{sentiment!r}: choose negative, neutral or positive", param_hint="--sentiment"
        )
    flt = ConversationFilter(
        channel=channel,
        status=status,
        search=search,
        unread=unread,
        sentiment=sentiment,
        intent=intent,
        language=language,
    )
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            if as_json:
                if limit is None:
                    items = list(iter_all_conversations(session, ws, flt))[offset:]
                else:
                    items = _page(session, ws, flt, limit, offset, sort).items
                print_json(
                    [ConversationOut.model_validate(c).model_dump(mode="json") for c in items]
                )
                return
            page = _page(session, ws, flt, limit or 50, offset, sort)
    # When counting stopped at its bound the total is a lower bound: "10000+ conversations".
    title = (
        _counted(page.total, "conversation") if page.total_exact else f"{page.total}+ conversations"
    )
    table = Table(title=title, title_justify="left")
    for column in (
        "id",
        "channel",
        "customer",
        "status",
        "msgs",
        "last message at",
        "last message",
    ):
        table.add_column(column, overflow="fold" if column == "last message" else "ellipsis")
    for c in page.items:
        table.add_row(
            str(c.id),
            safe(c.channel),
            safe(c.customer or "—"),
            c.status + (" •" if c.unread else ""),
            str(c.message_count),
            c.last_message_at.strftime("%Y-%m-%d %H:%M"),
            safe(c.last_message_preview[:80]),
        )
    console.print(table)
    shown_to = page.offset + len(page.items)
    if shown_to < page.total:
        console.print(f"showing {page.offset + 1}-{shown_to}; use --offset {shown_to} for more")


def _page(
    session: Session,
    ws: int,
    flt: ConversationFilter,
    limit: int,
    offset: int,
    sort: ConversationSort,
) -> Page[ConversationSummary]:
    return list_conversations(session, ws, flt, limit=min(limit, 500), offset=offset, sort=sort)


@conversations_app.command("show")
def show_command(
    conversation_id: int = typer.Argument(..., metavar="ID", help="Conversation id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """Show a conversation: its messages in order and its customer."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            detail = get_conversation(session, ws, conversation_id)
    if as_json:
        print_json(ConversationDetailOut.model_validate(detail).model_dump(mode="json"))
        return
    conv = detail.conversation
    console.print(
        f"[bold]#{conv.id}[/bold] {safe(conv.channel)} · {safe(conv.customer or '—')} · "
        f"{conv.status} · {conv.message_count} messages"
    )
    if conv.subject:
        console.print(f"subject: {safe(conv.subject)}")
    for m in detail.messages:
        who = "[cyan]company[/cyan]" if m.direction == "outbound" else "[green]customer[/green]"
        console.print(
            f"\n{who} [bold]{safe(m.author)}[/bold] {m.sent_at:%Y-%m-%d %H:%M} UTC",
            highlight=False,
        )
        console.print(safe(m.text), highlight=False)


@deadletters_app.command("list")
def deadletters_list(
    source: str | None = typer.Option(
        None, help="Only records from files whose path contains this."
    ),
    limit: int = typer.Option(50, min=1, max=500),
    offset: int = typer.Option(0, min=0),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    workspace: str | None = WorkspaceOption,
) -> None:
    """List rejected records with where they were and why."""
    with user_errors():
        db = open_database()
        ws = workspace_id(db, workspace)
        with db.session() as session:
            page = list_dead_letters(session, ws, source=source, limit=limit, offset=offset)
            items = [DeadLetterOut.model_validate(d) for d in page.items]
    if as_json:
        print_json([d.model_dump(mode="json") for d in items])
        return
    table = Table(title=_counted(page.total, "rejected record"), title_justify="left")
    for column in ("id", "where", "format", "reason"):
        table.add_column(column, overflow="fold")
    for d in items:
        table.add_row(str(d.id), safe(f"{d.source}:{d.location}"), d.format, safe(d.reason))
    console.print(table)


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
