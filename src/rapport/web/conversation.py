"""The conversation page: the thread in order, the customer beside it, kept live."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from rapport.errors import NotFound
from rapport.inbox.queries import (
    ContactView,
    ConversationDetail,
    MessageView,
    get_conversation,
    list_messages,
    mark_read,
    set_status,
)
from rapport.store.db import Database
from rapport.store.models import Role
from rapport.web.auth import require_user
from rapport.web.case_panel import CasePanel
from rapport.web.conversation_data import reply_authors
from rapport.web.deliveries import DeliveryList
from rapport.web.layout import not_found, page_frame
from rapport.web.presentation import (
    channel_look,
    dir_prop,
    exact_time,
    relative_time,
    short_time,
)
from rapport.web.reply_box import ReplyBox
from rapport.web.session import WebUser
from rapport.web.text import user_text

REFRESH_SECONDS = 3.0


class ConversationView:
    """One browser tab showing one conversation."""

    def __init__(self, db: Database, user: WebUser, detail: ConversationDetail) -> None:
        self.db = db
        self.user = user
        self.detail = detail
        self.conversation_id = detail.conversation.id
        # Once the user marks the conversation unread, new arrivals must not mark it read again.
        self.keep_unread = False
        self.can_write = user.role != Role.ANALYST.value
        self.sent_by: dict[int, str] = {}  # message id -> the agent who wrote that reply

    def load(self) -> ConversationDetail:
        with self.db.session() as session:
            if not self.keep_unread:
                mark_read(session, self.user.workspace_id, self.conversation_id)
            self.sent_by = reply_authors(session, self.conversation_id)
            return get_conversation(session, self.user.workspace_id, self.conversation_id)

    def message_total(self) -> int:
        with self.db.session() as session:
            return list_messages(
                session, self.user.workspace_id, conversation_id=self.conversation_id, limit=1
            ).total

    def build(self) -> None:
        conv = self.detail.conversation
        look = channel_look(conv.channel_kind)
        with self.db.session() as session:
            self.sent_by = reply_authors(session, self.conversation_id)
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-center gap-3"):
                ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to("/")).props(
                    'flat round dense color=secondary aria-label="Back to the inbox"'
                )
                ui.avatar(look.icon, color="white", text_color="white", size="36px").style(
                    f"background:{look.color} !important"
                )
                with ui.column().classes("gap-0 min-w-0"):
                    title = conv.subject or conv.customer or "Conversation"
                    ui.label(title).classes("text-xl font-semibold truncate").props(
                        f'{dir_prop(title)} data-testid="title"'
                    )
                    ui.label(
                        f"{conv.channel} · {look.label} · #{conv.id}"
                        f" · times in {self.user.time_zone}"
                    ).classes("rp-muted")
                ui.space()
                ui.select(
                    {"open": "Open", "pending": "Pending", "closed": "Closed"},
                    label="Conversation",
                    value=conv.status,
                    on_change=lambda e: self.change_status(str(e.value)),
                ).props('outlined dense options-dense data-testid="status"').classes(
                    "w-40 bg-white"
                ).set_enabled(self.can_write)
                ui.button("Mark unread", icon="mark_email_unread", on_click=self.mark_unread).props(
                    'outline no-caps data-testid="mark-unread"'
                )
            with ui.row().classes("w-full gap-4 no-wrap items-start"):
                with ui.column().classes("grow min-w-0 gap-4"):
                    self.thread_box = (
                        ui.column().classes("w-full gap-3").props('data-testid="thread"')
                    )
                    self.deliveries = DeliveryList(
                        self.db, self.user, self.conversation_id, can_write=self.can_write
                    )
                    self.deliveries.build()
                    if self.can_write:
                        ReplyBox(self.db, self.user, self.conversation_id, self.replied).build()
                with ui.column().classes("w-96 flex-none gap-4"):
                    self.case_panel = CasePanel(self.db, self.user, self.conversation_id)
                    self.case_panel.build()
                    self.contact_box = ui.column().classes("w-full gap-0")
        self.show(self.detail)
        ui.timer(REFRESH_SECONDS, self.poll)

    async def poll(self) -> None:
        """Redraw the thread when a message arrived in this conversation."""
        total = await run.io_bound(self.message_total)
        if total is not None and total != self.detail.conversation.message_count:
            detail = await run.io_bound(self.load)
            if detail is not None:
                self.show(detail)

    def replied(self) -> None:
        """A reply was queued: show it among the outgoing ones and in the case history."""
        self.deliveries.refresh()
        self.case_panel.refresh()

    def change_status(self, status: str) -> None:
        with self.db.session() as session:
            set_status(session, self.user.workspace_id, self.conversation_id, status)
        ui.notify(f"Conversation is now {status}.", type="positive", position="bottom-right")

    def mark_unread(self) -> None:
        with self.db.session() as session:
            mark_read(session, self.user.workspace_id, self.conversation_id, read=False)
        self.keep_unread = True
        ui.notify("Marked as unread.", position="bottom-right")

    def show(self, detail: ConversationDetail) -> None:
        self.detail = detail
        self.thread_box.clear()
        with self.thread_box:
            for message in detail.messages:
                self._message(message)
            shown, total = len(detail.messages), detail.conversation.message_count
            if shown < total:
                ui.label(f"Showing the first {shown} of {total} messages.").classes("rp-muted")
        self.contact_box.clear()
        with self.contact_box:
            self._contact(detail.contact)

    def _message(self, message: MessageView) -> None:
        company = message.direction == "outbound"
        side = "justify-end" if company else "justify-start"
        with (
            ui.row().classes(f"w-full {side}"),
            ui.column()
            .classes(f"rp-bubble gap-1 {'rp-out' if company else 'rp-in'}")
            .props(
                f'data-testid="message" data-direction="{message.direction}" data-id="{message.id}"'
            ),
        ):
            with ui.row().classes("items-baseline gap-2 no-wrap"):
                agent = self.sent_by.get(message.id) if company else None
                ui.label(agent or message.author).classes("rp-author").props(
                    'dir=auto data-testid="author"'
                )
                if agent:
                    ui.label(f"for {message.author}").classes("rp-muted").props("dir=auto")
                if message.author_handle and message.author_handle != message.author:
                    ui.label(f"@{message.author_handle.lstrip('@')}").classes("rp-muted").props(
                        "dir=auto"
                    )
                with (
                    ui.label(short_time(message.sent_at, self.user.time_zone))
                    .classes("rp-muted")
                    .props('data-testid="sent-at"')
                ):
                    ui.tooltip(
                        f"{exact_time(message.sent_at, self.user.time_zone)}"
                        f" · {relative_time(message.sent_at)}"
                    )
            if message.subject:
                ui.label(message.subject).classes("font-medium").props(dir_prop(message.subject))
            user_text(message.text, classes="rp-text", testid="message-text")
            if message.sentiment is not None and not company:
                self._reading(message)

    @staticmethod
    def _reading(message: MessageView) -> None:
        """What Rapport read in a customer's message: language, sentiment, intent, keywords."""
        parts = [message.language or "und", message.sentiment or ""]
        if message.sentiment_score is not None:
            parts[1] += f" {round(message.sentiment_score * 100)}%"
        if message.intent and message.intent != "other":
            parts.append(message.intent.replace("_", " "))
        with ui.row().classes("items-baseline gap-2").props('data-testid="reading"'):
            ui.label(" · ".join(parts)).classes("rp-muted").props(
                f'data-sentiment="{message.sentiment}"'
            )
            if message.keywords:
                ui.label(", ".join(message.keywords)).classes("rp-muted").props("dir=auto")

    def _contact(self, contact: ContactView | None) -> None:
        with ui.card().classes("rp-card w-full p-4 gap-3").props('flat data-testid="contact"'):
            if contact is None:
                ui.label("No customer is linked to this conversation.").classes("rp-muted")
                return
            with ui.row().classes("items-center gap-3 no-wrap"):
                ui.avatar("person", color="blue-1", text_color="primary", size="40px")
                with ui.column().classes("gap-0 min-w-0"):
                    ui.label(contact.display_name).classes("font-semibold truncate").props(
                        'dir=auto data-testid="contact-name"'
                    )
                    ui.label(contact.email or "no e-mail address").classes(
                        "rp-muted truncate"
                    ).props("dir=auto")
            ui.separator()
            ui.label("Identities").classes("rp-muted uppercase tracking-wide text-xs")
            for identity in contact.identities:
                with (
                    ui.row()
                    .classes("items-center gap-2 no-wrap w-full")
                    .props('data-testid="identity"')
                ):
                    ui.icon("alternate_email", color="secondary")
                    with ui.column().classes("gap-0 min-w-0"):
                        handle = identity.handle or identity.external_id
                        ui.label(handle).classes("truncate").props("dir=auto")
                        followers = (
                            f" · {identity.followers_count:,} followers"
                            if identity.followers_count is not None
                            else ""
                        )
                        ui.label(f"{identity.channel}{followers}").classes("rp-muted")
            ui.separator()
            count = contact.conversation_count
            ui.label(f"{count} conversation{'s' if count != 1 else ''}").props(
                'data-testid="contact-conversations"'
            )
            ui.link("See all their conversations", f"/?contact={contact.id}").classes(
                "text-primary"
            )


def register(db: Database) -> None:
    """Register ``/conversations/{conversation_id}``."""

    @ui.page("/conversations/{conversation_id}", title="Conversation · Rapport")
    def conversation_page(conversation_id: str) -> RedirectResponse | None:
        user = require_user(db, f"/conversations/{conversation_id}")
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db)
        if not conversation_id.isdigit():
            ui.status_code(404)
            not_found("There is no conversation at this address.")
            return None
        try:
            with db.session() as session:
                mark_read(session, user.workspace_id, int(conversation_id))
                detail = get_conversation(session, user.workspace_id, int(conversation_id))
        except NotFound:
            # Another workspace's conversation looks exactly like a missing one.
            ui.status_code(404)
            not_found(f"Conversation {conversation_id} does not exist in this workspace.")
            return None
        ui.page_title(f"{detail.conversation.customer or 'Conversation'} · Rapport")
        ConversationView(db, user, detail).build()
        return None
