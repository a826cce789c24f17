"""The notifications page (``/notifications``): the user's own notifications, newest first,
unread ones highlighted; opening one marks it read and goes to its case (an alert: to
the fired alert on the alerts page)."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from rapport.engage.notifications import NotificationItem, list_notifications, mark_read
from rapport.inbox.queries import Page
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.bell import Bell
from rapport.web.feedback import attempt, done
from rapport.web.layout import page_frame
from rapport.web.presentation import exact_time, relative_time
from rapport.web.session import WebUser
from rapport.web.text import user_text

PAGE = 50
REFRESH_SECONDS = 5.0
_ICONS = {
    "mention": "alternate_email",
    "assigned": "person_add",
    "escalated": "priority_high",
    "sla_warning": "alarm",
    "sla_breached": "alarm_off",
    "delivery": "error",
    "alert": "campaign",
}


def _fingerprint(page: Page[NotificationItem]) -> tuple[object, ...]:
    return (page.total, tuple((n.id, n.unread) for n in page.items))


class NotificationsView:
    """One browser tab's list of the user's notifications."""

    def __init__(self, db: Database, user: WebUser, bell: Bell) -> None:
        self.db = db
        self.user = user
        self.bell = bell
        self.limit = PAGE
        self.shown: tuple[object, ...] | None = None

    def fetch(self) -> Page[NotificationItem]:
        with self.db.session() as session:
            return list_notifications(session, self.user.user_id, limit=self.limit)

    def build(self) -> None:
        with ui.column().classes("w-full max-w-4xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Notifications").classes("text-2xl font-semibold")
                self.summary = ui.label("").classes("rp-muted").props('data-testid="unread"')
                ui.space()
                ui.button("Mark all read", icon="done_all", on_click=self.mark_all).props(
                    'outline no-caps data-testid="mark-all-read"'
                )
            self.list_box = ui.column().classes("rp-card w-full gap-0 overflow-hidden")
            self.more_box = ui.row().classes("w-full justify-center")
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    async def poll(self) -> None:
        page = await run.io_bound(self.fetch)
        if page is not None and _fingerprint(page) != self.shown:
            self.show(page)

    def show(self, page: Page[NotificationItem]) -> None:
        self.shown = _fingerprint(page)
        unread = sum(1 for n in page.items if n.unread)
        self.summary.set_text(f"{unread} unread of {page.total}")
        self.list_box.clear()
        with self.list_box:
            if not page.items:
                with (
                    ui.column()
                    .classes("w-full items-center py-16 gap-2")
                    .props('data-testid="empty"')
                ):
                    ui.icon("notifications_none", color="grey-5").classes("text-5xl")
                    ui.label("Nothing yet. Mentions, assignments and SLA warnings show here.")
            for item in page.items:
                self._row(item)
        self.more_box.clear()
        if len(page.items) < page.total:
            with self.more_box:
                ui.button("Show older", icon="expand_more", on_click=self.more).props(
                    'flat no-caps data-testid="more"'
                )

    def _row(self, item: NotificationItem) -> None:
        classes = "rp-row w-full items-start gap-3 no-wrap px-4 py-3"
        if item.unread:
            classes += " rp-unread"
        with (
            ui.row()
            .classes(classes)
            .props(
                f'data-testid="notification" data-id="{item.id}" '
                f'data-unread="{str(item.unread).lower()}" role=link tabindex=0'
            )
            .on("click", lambda item=item: self.open(item))
        ):
            ui.element("div").classes("rp-dot mt-2" if item.unread else "rp-dot-empty mt-2")
            ui.icon(_ICONS.get(item.kind, "notifications"), color="primary").classes("text-xl")
            with ui.column().classes("gap-0 min-w-0 grow"):
                user_text(
                    item.text,
                    classes="rp-text " + ("font-semibold" if item.unread else ""),
                    testid="notification-text",
                )
                where = f"case #{item.case_id} · " if item.case_id is not None else ""
                with ui.label(f"{where}{relative_time(item.created_at)}").classes("rp-muted"):
                    ui.tooltip(exact_time(item.created_at, self.user.time_zone))

    def open(self, item: NotificationItem) -> None:
        def read() -> bool:
            with self.db.session() as session:
                mark_read(session, self.user.user_id, [item.id])
            return True

        attempt(read)
        if item.case_id is not None:
            ui.navigate.to(f"/cases/{item.case_id}")
        elif item.kind == "alert":  # to the fired alert, opened, on the alerts page
            ui.navigate.to(f"/alerts?notification={item.id}")
        else:
            self.show(self.fetch())
            self.bell.refresh()

    def mark_all(self) -> None:
        def read() -> int:
            with self.db.session() as session:
                return mark_read(session, self.user.user_id)

        marked = attempt(read)
        if marked is not None:
            done(f"{marked} notification{'s' if marked != 1 else ''} marked read.")
        self.show(self.fetch())
        self.bell.refresh()

    def more(self) -> None:
        self.limit += PAGE
        self.show(self.fetch())


def register(db: Database) -> None:
    """Register ``/notifications``."""

    @ui.page("/notifications", title="Notifications · Rapport")
    def notifications_page() -> RedirectResponse | None:
        user = require_user(db, "/notifications")
        if isinstance(user, RedirectResponse):
            return user
        bell = page_frame(user, db, "/notifications")
        NotificationsView(db, user, bell).build()
        return None
