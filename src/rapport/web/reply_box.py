"""The reply box under a conversation: write (or pick a canned reply), say public or
private where the channel offers both, and queue it for sending. Not shown to analysts."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from rapport.engage.case_queries import case_of_conversation
from rapport.engage.cases import Actor
from rapport.engage.replies import queue_reply
from rapport.engage.reply_checks import render_canned
from rapport.errors import RapportError
from rapport.jobs.dispatch import submit_deliveries
from rapport.store.db import Database
from rapport.store.engagement import Case
from rapport.web.conversation_data import ReplyTarget, reply_target
from rapport.web.directory import canned_reply_names
from rapport.web.feedback import done, problem_text
from rapport.web.presentation import channel_look
from rapport.web.session import WebUser
from rapport.web.text import plain

PUBLIC = "public"
PRIVATE = "private"
MAX_REPLY_LENGTH = 20_000


class ReplyBox:
    """One conversation's reply box."""

    def __init__(
        self, db: Database, user: WebUser, conversation_id: int, on_sent: Callable[[], None]
    ) -> None:
        self.db = db
        self.user = user
        self.conversation_id = conversation_id
        self.on_sent = on_sent
        with db.session() as session:
            self.target: ReplyTarget | None = reply_target(
                session, user.workspace_id, conversation_id
            )
            self.canned = canned_reply_names(session, user.workspace_id)

    def build(self) -> None:
        target = self.target
        if target is None:
            return
        look = channel_look(target.kind)
        with ui.card().classes("rp-card w-full p-4 gap-3").props('flat data-testid="reply-box"'):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.icon("reply", color="primary").classes("text-xl")
                ui.icon(look.icon).style(f"color:{look.color}")
                plain(
                    target.label,
                    classes="font-medium truncate",
                    props='dir=auto data-testid="reply-label"',
                )
            if target.choose_public:
                with ui.row().classes("items-center gap-2"):
                    ui.label("Send as").classes("rp-muted")
                    self.mode = ui.radio(
                        {PUBLIC: "Public comment reply", PRIVATE: "Private message (Messenger)"},
                        value=None,
                    ).props('inline dense data-testid="reply-mode"')
            if target.problem:
                plain(
                    f"Sending will not work yet: {target.problem}",
                    classes="text-sm text-orange-10",
                    props='data-testid="reply-warning"',
                )
            self.text = (
                ui.textarea(placeholder=f"Write your reply to {target.customer or 'the customer'}…")
                .props(
                    f"outlined autogrow dir=auto maxlength={MAX_REPLY_LENGTH} "
                    'input-style="min-height: 5.5em" data-testid="reply-text"'
                )
                .classes("w-full")
            )
            self.error = (
                ui.label("")
                .classes("text-negative text-sm rp-text")
                .props('role=alert data-testid="reply-error"')
            )
            self.error.set_visibility(False)
            with ui.row().classes("w-full items-center gap-2"):
                if self.canned:
                    ui.select(
                        {name: name for name in self.canned},
                        label="Insert a canned reply",
                        value=None,
                        on_change=lambda e: self.insert_canned(e.sender, e.value),
                    ).props('outlined dense options-dense data-testid="reply-canned"').classes(
                        "w-64"
                    )
                ui.label("Your signature is added when it is sent.").classes("rp-muted")
                ui.space()
                self.send_button = ui.button("Send", icon="send", on_click=self.send).props(
                    'unelevated no-caps data-testid="reply-send"'
                )

    def _fail(self, message: str) -> None:
        self.error.set_text(message)
        self.error.set_visibility(True)

    def insert_canned(self, picker: object, name: object) -> None:
        if not name or self.target is None:
            return
        target = self.target
        try:
            with self.db.session() as session:
                case_id = case_of_conversation(session, self.conversation_id)
                case = session.get(Case, case_id) if case_id is not None else None
                values = {"customer_name": target.customer, "agent_name": self.user.name}
                if case is not None:
                    values["case_number"] = str(case.id)
                body = render_canned(
                    session,
                    self.user.workspace_id,
                    str(name),
                    language=case.language if case is not None else None,
                    values=values,
                )
        except RapportError as error:
            self._fail(problem_text(error))
            return
        current = str(self.text.value or "").rstrip()
        self.text.set_value(f"{current}\n\n{body}" if current else body)
        self.error.set_visibility(False)
        if isinstance(picker, ui.select):
            picker.set_value(None)

    def send(self) -> None:
        self.error.set_visibility(False)
        text = str(self.text.value or "")
        if not text.strip():
            self._fail("Write a reply first.")
            return
        public: bool | None = None
        if self.target is not None and self.target.choose_public:
            if self.mode.value not in (PUBLIC, PRIVATE):
                self._fail("Choose whether the reply is public or private.")
                return
            public = self.mode.value == PUBLIC
        try:
            with self.db.session() as session:
                delivery = queue_reply(
                    session,
                    self.user.workspace_id,
                    conversation_id=self.conversation_id,
                    author=Actor(self.user.user_id, self.user.name),
                    text=text,
                    public=public,
                )
                session.flush()
                delivery_id = delivery.id
        except RapportError as error:
            self._fail(f"{problem_text(error)} — the reply was not queued; your text is kept.")
            return
        submit_deliveries([delivery_id])  # committed: the server's job runner sends it now
        self.text.set_value("")
        done("Reply queued; it is sent in a moment.")
        self.on_sent()
