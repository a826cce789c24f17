"""The replies on their way out of a conversation, and where each stands: queued, sending,
sent, retrying (with the next attempt), failed or uncertain (with the error, to retry or
cancel). Kept live while the delivery job works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from nicegui import run, ui

from rapport.engage.cases import Actor
from rapport.engage.replies import (
    CANCELLABLE,
    RETRYABLE,
    cancel_delivery,
    list_deliveries,
    retry_delivery,
)
from rapport.jobs.dispatch import submit_deliveries
from rapport.store.db import Database
from rapport.web.directory import colleagues
from rapport.web.feedback import attempt, done
from rapport.web.presentation import exact_time, human_duration, short_time
from rapport.web.session import WebUser
from rapport.web.text import user_text

REFRESH_SECONDS = 3.0
SHOWN = 10

_LOOKS = {
    "queued": ("schedule", "blue-grey-6", "Queued"),
    "sending": ("sync", "primary", "Sending…"),
    "sent": ("done_all", "positive", "Sent"),
    "retrying": ("update", "warning", "Retrying"),
    "failed": ("error", "negative", "Failed"),
    "uncertain": ("help", "deep-orange", "May not have been sent"),
}


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A delivery as the list shows it."""

    id: int
    status: str
    public: bool
    purpose: str
    text: str
    author: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str | None


class DeliveryList:
    """The deliveries of one conversation, oldest first (the latest few)."""

    def __init__(self, db: Database, user: WebUser, conversation_id: int, *, can_write: bool):
        self.db = db
        self.user = user
        self.conversation_id = conversation_id
        self.can_write = can_write
        self.shown: list[DeliveryRow] | None = None
        self.names: dict[int, str] = {}

    def fetch(self) -> list[DeliveryRow]:
        with self.db.session() as session:
            found = list_deliveries(
                session, self.user.workspace_id, conversation_id=self.conversation_id, limit=SHOWN
            )
            if any(d.author_id and d.author_id not in self.names for d in found):
                self.names = {p.id: p.name for p in colleagues(session, self.user.workspace_id)}
            names = self.names
            return [
                DeliveryRow(
                    id=d.id,
                    status=d.status,
                    public=d.public,
                    purpose=d.purpose,
                    text=d.text,
                    author=names.get(d.author_id or 0, "automatic"),
                    attempts=d.attempts,
                    created_at=d.created_at,
                    next_attempt_at=d.next_attempt_at,
                    sent_at=d.sent_at,
                    last_error=d.last_error,
                )
                for d in reversed(found)
            ]

    def build(self) -> None:
        self.box = ui.column().classes("w-full gap-2").props('data-testid="deliveries"')
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    async def poll(self) -> None:
        rows = await run.io_bound(self.fetch)
        if rows is not None and rows != self.shown:
            self.show(rows)

    def refresh(self) -> None:
        self.show(self.fetch())

    def show(self, rows: list[DeliveryRow]) -> None:
        self.shown = rows
        self.box.clear()
        if not rows:
            self.box.set_visibility(False)
            return
        self.box.set_visibility(True)
        with self.box:
            ui.label("Outgoing replies").classes("rp-section")
            for row in rows:
                self._row(row)

    def _row(self, row: DeliveryRow) -> None:
        icon, color, label = _LOOKS.get(row.status, ("help", "grey", row.status))
        tz = self.user.time_zone
        with (
            ui.card()
            .classes("rp-card w-full px-3 py-2 gap-1")
            .props(f'flat data-testid="delivery" data-id="{row.id}" data-status="{row.status}"')
        ):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.icon(icon, color=color).classes("text-lg")
                ui.label(label).classes(f"font-medium text-{color}").props(
                    'data-testid="delivery-status"'
                )
                ui.label(self._when(row)).classes("rp-muted").props('data-testid="delivery-when"')
                ui.space()
                what = "public" if row.public else "private"
                purpose = "" if row.purpose == "reply" else f" {row.purpose}"
                ui.label(f"{row.author} · {what}{purpose}").classes("rp-muted truncate").props(
                    "dir=auto"
                )
                with ui.label(short_time(row.created_at, tz)).classes("rp-muted flex-none"):
                    ui.tooltip(f"Written {exact_time(row.created_at, tz)}")
            # one line of the reply: the thread shows it whole once it is sent
            user_text(" ".join(row.text.split()), classes="text-sm truncate w-full",
                      testid="delivery-text")  # fmt: skip
            if row.last_error and row.status != "sent":
                user_text(
                    row.last_error, classes="rp-text text-sm text-negative", testid="delivery-error"
                )
            if self.can_write:
                self._actions(row)

    def _when(self, row: DeliveryRow) -> str:
        tz = self.user.time_zone
        now = datetime.now(UTC)
        if row.status == "sent" and row.sent_at is not None:
            return f"at {short_time(row.sent_at, tz)[11:]}"
        if row.status == "retrying":
            wait = (row.next_attempt_at - now).total_seconds()
            soon = f"in {human_duration(wait)}" if wait > 0 else "now"
            return (
                f"attempt {row.attempts} failed; next at "
                f"{short_time(row.next_attempt_at, tz)[11:]} ({soon})"
            )
        if row.status == "failed" and row.last_error and row.last_error.startswith("cancelled"):
            return "cancelled"
        if row.attempts:
            return f"after {row.attempts} attempt{'s' if row.attempts != 1 else ''}"
        return ""

    def _actions(self, row: DeliveryRow) -> None:
        cancelled = bool(row.last_error and row.last_error.startswith("cancelled"))
        retry = row.status in RETRYABLE
        cancel = row.status in CANCELLABLE and not cancelled
        if not (retry or cancel):
            return
        with ui.row().classes("w-full justify-end gap-2"):
            if retry:
                ui.button("Retry", icon="replay", on_click=lambda: self.retry(row.id)).props(
                    'outline dense no-caps data-testid="delivery-retry"'
                )
            if cancel:
                ui.button("Cancel", icon="cancel", on_click=lambda: self.cancel(row.id)).props(
                    'flat dense no-caps color=negative data-testid="delivery-cancel"'
                )

    def retry(self, delivery_id: int) -> None:
        def run_it() -> bool:
            with self.db.session() as session:
                retry_delivery(session, self.user.workspace_id, delivery_id, self._actor())
            return True

        if attempt(run_it):
            submit_deliveries([delivery_id])
            done("The reply is queued again.")
        self.refresh()

    def cancel(self, delivery_id: int) -> None:
        def run_it() -> bool:
            with self.db.session() as session:
                cancel_delivery(session, self.user.workspace_id, delivery_id, self._actor())
            return True

        if attempt(run_it):
            done("The reply was cancelled; it will not be sent.")
        self.refresh()

    def _actor(self) -> Actor:
        return Actor(self.user.user_id, self.user.name)
