"""The bell in the header: how many notifications the user has not read, kept live."""

from __future__ import annotations

from nicegui import run, ui

from rapport.engage.notifications import unread_count
from rapport.store.db import Database
from rapport.web.session import WebUser

REFRESH_SECONDS = 5.0


class Bell:
    """A button to the notifications page with the unread count on it."""

    def __init__(self, db: Database, user: WebUser) -> None:
        self.db = db
        self.user = user
        self.count = 0

    def build(self) -> None:
        with (
            ui.button(icon="notifications", on_click=lambda: ui.navigate.to("/notifications"))
            .props('flat round color=secondary aria-label="Notifications" data-testid="bell"')
            .classes("relative")
        ):
            self.badge = (
                ui.badge("0", color="red")
                .props('floating rounded data-testid="bell-count"')
                .classes("text-xs")
            )
            self.tooltip = ui.tooltip("Notifications")
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    def fetch(self) -> int:
        with self.db.session() as session:
            return unread_count(session, self.user.user_id)

    def show(self, count: int) -> None:
        self.count = count
        self.badge.set_text(str(count) if count < 100 else "99+")
        self.badge.set_visibility(count > 0)
        self.tooltip.set_text(f"{count} unread notification{'s' if count != 1 else ''}")

    def refresh(self) -> None:
        """Count again now (after the user read some)."""
        self.show(self.fetch())

    async def poll(self) -> None:
        count = await run.io_bound(self.fetch)
        if count is not None and count != self.count:
            self.show(count)
