"""The inbox page: the workspace's conversations, filtered, searched, paged and kept live."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from nicegui import run, ui
from sqlalchemy.orm import Session

from rapport.errors import NotFound
from rapport.inbox.queries import (
    ConversationFilter,
    ConversationSummary,
    Page,
    get_contact,
    list_channels,
    list_conversations,
)
from rapport.intelligence.intent import DEFAULT_LABELS as INTENTS
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.layout import page_frame
from rapport.web.pager import PAGE_SIZES, render_pager
from rapport.web.presentation import (
    STATUS_COLORS,
    channel_look,
    dir_prop,
    exact_time,
    relative_time,
)
from rapport.web.session import WebUser
from rapport.web.text import user_text

REFRESH_SECONDS = 3.0
STATUSES = ("open", "pending", "closed")
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class InboxState:
    """What the user asked to see; mirrored in the address bar so a view can be shared."""

    channel: str | None = None
    status: str | None = None
    unread_only: bool = False
    search: str = ""
    contact_id: int | None = None
    sentiment: str | None = None
    intent: str | None = None
    page: int = 1
    size: int = PAGE_SIZES[0]

    def conversation_filter(self) -> ConversationFilter:
        return ConversationFilter(
            channel=self.channel,
            status=self.status,
            search=self.search.strip() or None,
            contact_id=self.contact_id,
            unread=True if self.unread_only else None,
            sentiment=self.sentiment,
            intent=self.intent,
        )

    def query_string(self) -> str:
        params: dict[str, str | int] = {}
        if self.channel:
            params["channel"] = self.channel
        if self.status:
            params["status"] = self.status
        if self.unread_only:
            params["unread"] = 1
        if self.search.strip():
            params["q"] = self.search.strip()
        if self.contact_id is not None:
            params["contact"] = self.contact_id
        if self.sentiment:
            params["sentiment"] = self.sentiment
        if self.intent:
            params["intent"] = self.intent
        if self.page > 1:
            params["page"] = self.page
        if self.size != PAGE_SIZES[0]:
            params["size"] = self.size
        return "?" + urlencode(params) if params else ""


def _workspace_channels(session: Session, workspace_id: int) -> list[tuple[str, str]]:
    return [(c.name, c.kind) for c in list_channels(session, workspace_id)]


def _fingerprint(page: Page[ConversationSummary]) -> tuple[object, ...]:
    """What the list shows; when it changes, the list is redrawn."""
    rows = tuple(
        (c.id, c.last_message_at, c.message_count, c.unread, c.status, c.last_message_preview)
        for c in page.items
    )
    return (page.total, rows)


class InboxView:
    """One browser tab's inbox."""

    def __init__(self, db: Database, user: WebUser, state: InboxState) -> None:
        self.db = db
        self.user = user
        self.state = state
        self.shown: tuple[object, ...] | None = None
        self.contact_name: str | None = None
        with db.session() as session:
            self.channels = _workspace_channels(session, user.workspace_id)
            if state.contact_id is not None:
                try:
                    self.contact_name = get_contact(
                        session, user.workspace_id, state.contact_id
                    ).display_name
                except NotFound:
                    self.state = replace(state, contact_id=None)

    def fetch(self) -> Page[ConversationSummary]:
        state = self.state
        with self.db.session() as session:
            return list_conversations(
                session,
                self.user.workspace_id,
                state.conversation_filter(),
                limit=state.size,
                offset=(state.page - 1) * state.size,
            )

    def build(self) -> None:
        with ui.column().classes("w-full max-w-6xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Inbox").classes("text-2xl font-semibold")
                self.total_label = ui.label("").classes("rp-muted").props('data-testid="total"')
                ui.space()
                ui.label(f"Times in {self.user.time_zone}").classes("rp-muted")
            self._filters()
            self.list_box = ui.column().classes("rp-card w-full gap-0 overflow-hidden")
            self.pager_box = ui.row().classes("w-full items-center gap-3")
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    def _filters(self) -> None:
        state = self.state
        channel_options = {"": "All channels"} | {
            name: f"{name} · {channel_look(kind).label}" for name, kind in self.channels
        }
        with ui.row().classes("w-full items-center gap-3"):
            search = (
                ui.input(placeholder="Search messages…", value=state.search)
                .props('outlined dense clearable debounce=400 dir=auto data-testid="search"')
                .classes("w-80 bg-white")
                .on_value_change(lambda e: self.apply(search=e.value or ""))
            )
            with search.add_slot("prepend"):
                ui.icon("search", color="grey-6")
            ui.select(
                channel_options,
                value=state.channel or "",
                on_change=lambda e: self.apply(channel=e.value or None),
            ).props('outlined dense options-dense data-testid="channel-filter"').classes(
                "w-56 bg-white"
            )
            ui.select(
                {"": "Any status"} | {s: s.capitalize() for s in STATUSES},
                value=state.status or "",
                on_change=lambda e: self.apply(status=e.value or None),
            ).props('outlined dense options-dense data-testid="status-filter"').classes(
                "w-40 bg-white"
            )
            ui.select(
                {"": "Any sentiment"} | {s: s.capitalize() for s in SENTIMENTS},
                value=state.sentiment or "",
                on_change=lambda e: self.apply(sentiment=e.value or None),
            ).props('outlined dense options-dense data-testid="sentiment-filter"').classes(
                "w-40 bg-white"
            )
            ui.select(
                {"": "Any intent"} | {i: i.replace("_", " ").capitalize() for i in INTENTS},
                value=state.intent or "",
                on_change=lambda e: self.apply(intent=e.value or None),
            ).props('outlined dense options-dense data-testid="intent-filter"').classes(
                "w-48 bg-white"
            )
            ui.switch(
                "Unread only",
                value=state.unread_only,
                on_change=lambda e: self.apply(unread_only=bool(e.value)),
            ).props('data-testid="unread-filter"')
            if self.contact_name is not None:
                ui.chip(
                    f"Customer: {self.contact_name}",
                    icon="person",
                    removable=True,
                    on_value_change=lambda _: self.apply(contact_id=None),
                ).props('outline color=primary dir=auto data-testid="contact-filter"')

    def apply(self, **changes: object) -> None:
        """Change the view; any filter change goes back to the first page."""
        if "page" not in changes:
            changes["page"] = 1
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]
        ui.navigate.history.replace("/" + self.state.query_string())
        self.show(self.fetch())

    async def poll(self) -> None:
        """Redraw when the conversations on screen changed (new messages, status, unread)."""
        page = await run.io_bound(self.fetch)
        if page is not None and _fingerprint(page) != self.shown:
            self.show(page)

    def show(self, page: Page[ConversationSummary]) -> None:
        self.shown = _fingerprint(page)
        more = "" if page.total_exact else "+"  # counting stopped at a bound: "10000+"
        noun = "conversation" if page.total == 1 and page.total_exact else "conversations"
        self.total_label.set_text(f"{page.total}{more} {noun}")
        self.list_box.clear()
        with self.list_box:
            if not page.items:
                with (
                    ui.column()
                    .classes("w-full items-center py-16 gap-2")
                    .props('data-testid="empty"')
                ):
                    ui.icon("inbox", color="grey-5").classes("text-5xl")
                    ui.label("No conversations match.").classes("rp-muted text-base")
            for conv in page.items:
                self._row(conv)
        render_pager(self.pager_box, page, self.state.page, self.state.size, self.apply)

    def _row(self, conv: ConversationSummary) -> None:
        look = channel_look(conv.channel_kind)
        classes = "rp-row w-full no-underline text-inherit px-4 py-3"
        if conv.unread:
            classes += " rp-unread"
        with (
            ui.link(target=f"/conversations/{conv.id}")
            .classes(classes)
            .props(
                f'data-testid="conversation-row" data-id="{conv.id}" '
                f'data-unread="{str(conv.unread).lower()}"'
            ),
            ui.row().classes("w-full items-center gap-3 no-wrap"),
        ):
            ui.element("div").classes("rp-dot" if conv.unread else "rp-dot-empty").props(
                f'aria-label="{"unread" if conv.unread else "read"}"'
            )
            with ui.avatar(look.icon, color="white", text_color="white", size="34px").style(
                f"background:{look.color} !important"
            ):
                ui.tooltip(f"{conv.channel} · {look.label}")
            with ui.column().classes("gap-0 min-w-0 grow"):
                with ui.row().classes("items-center gap-2 no-wrap min-w-0"):
                    ui.label(conv.customer or "Unknown customer").classes(
                        "rp-customer truncate"
                    ).props('dir=auto data-testid="customer"')
                    ui.label(conv.channel).classes("rp-muted truncate").props(
                        'data-testid="channel"'
                    )
                with ui.row().classes("w-full gap-1 no-wrap min-w-0 items-baseline"):
                    if conv.subject:
                        ui.label(conv.subject).classes(
                            "rp-subject flex-none max-w-[40%] truncate"
                        ).props(f'{dir_prop(conv.subject)} data-testid="subject"')
                        ui.label("\u2014").classes("rp-muted flex-none")
                    if conv.last_direction == "outbound":
                        ui.label("You:").classes("rp-muted flex-none")
                    user_text(
                        conv.last_message_preview,
                        classes="rp-preview min-w-0 grow",
                        testid="preview",
                    )
            with ui.column().classes("items-end gap-1 flex-none"):
                with (
                    ui.label(relative_time(conv.last_message_at))
                    .classes("rp-muted")
                    .props(f'data-testid="time" data-time="{conv.last_message_at.isoformat()}"')
                ):
                    ui.tooltip(exact_time(conv.last_message_at, self.user.time_zone))
                with ui.row().classes("items-center gap-1 no-wrap"):
                    ui.badge(
                        str(conv.message_count), color="blue-grey-2", text_color="black"
                    ).props('rounded data-testid="message-count"').tooltip(
                        f"{conv.message_count} messages"
                    )
                    ui.badge(conv.status, color=STATUS_COLORS.get(conv.status, "grey")).props(
                        "outline"
                    )


def _state_from_query(
    channel: str | None,
    status: str | None,
    unread: str | None,
    q: str | None,
    contact: str | None,
    page: str | None,
    size: str | None,
    sentiment: str | None = None,
    intent: str | None = None,
) -> InboxState:
    """Read the address bar leniently: anything malformed falls back to the default."""

    def number(text: str | None) -> int | None:
        return int(text) if text and text.isdigit() else None

    page_size = number(size)
    return InboxState(
        channel=channel or None,
        status=status if status in STATUSES else None,
        unread_only=unread in ("1", "true", "yes"),
        search=q or "",
        contact_id=number(contact),
        sentiment=sentiment if sentiment in SENTIMENTS else None,
        intent=intent if intent in INTENTS else None,
        page=max(1, number(page) or 1),
        size=page_size if page_size in PAGE_SIZES else PAGE_SIZES[0],
    )


def register(db: Database) -> None:
    """Register the inbox at ``/``."""

    @ui.page("/", title="Inbox · Rapport")
    def inbox_page(
        channel: str | None = None,
        status: str | None = None,
        unread: str | None = None,
        q: str | None = None,
        contact: str | None = None,
        page: str | None = None,
        size: str | None = None,
        sentiment: str | None = None,
        intent: str | None = None,
    ) -> RedirectResponse | None:
        state = _state_from_query(
            channel, status, unread, q, contact, page, size, sentiment, intent
        )
        user = require_user(db, "/" + state.query_string())
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/")
        InboxView(db, user, state).build()
        return None
