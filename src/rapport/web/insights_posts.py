"""The panel that lists the posts behind a chart element: newest first, a page at a time,
each linking to its conversation. Post text is untrusted: it is shown as text, never HTML."""

from __future__ import annotations

from nicegui import ui

from rapport.inbox.queries import Page
from rapport.intelligence.insights_store import PostFilter, PostRow
from rapport.intelligence.scope_store import MessageScope
from rapport.store.db import Database
from rapport.web.insights_data import load_posts
from rapport.web.pager import PAGE_SIZES, render_pager
from rapport.web.presentation import dir_prop, short_time
from rapport.web.session import WebUser
from rapport.web.text import user_text


class PostsPanel:
    """A dialog listing the posts of one chart element."""

    def __init__(self, db: Database, user: WebUser) -> None:
        self.db = db
        self.user = user
        self.scope = MessageScope()
        self.which = PostFilter()
        self.page = 1
        self.size = PAGE_SIZES[0]
        with (
            ui.dialog().props("position=right full-height") as self.dialog,
            ui.card()
            .classes("h-full p-0 gap-0 no-wrap")
            # Quasar caps a dialog's content at 560px; the posts need more room
            .style("width: min(760px, 96vw); max-width: 96vw")
            .props('data-testid="posts-panel"'),
        ):
            with ui.row().classes("w-full items-center px-4 py-3 gap-2 no-wrap"):
                self.title = (
                    ui.label()
                    .classes("text-lg font-semibold")
                    .props('dir=auto data-testid="posts-title"')
                )
                ui.space()
                ui.button(icon="close", on_click=self.dialog.close).props(
                    'flat round dense aria-label="Close" data-testid="posts-close"'
                )
            ui.separator()
            self.list = ui.column().classes("w-full gap-0 overflow-auto grow")
            ui.separator()
            self.pager = ui.row().classes("w-full items-center px-4 py-1 gap-2")

    def open(self, title: str, scope: MessageScope, which: PostFilter) -> None:
        """Show the first page of the posts ``which`` stands for in ``scope``."""
        self.title.text = title
        self.scope, self.which, self.page = scope, which, 1
        self.show()
        self.dialog.open()

    def move(self, page: int | None = None, size: int | None = None) -> None:
        if size is not None:
            self.size, self.page = size, 1
        elif page is not None:
            self.page = max(1, page)
        self.show()

    def show(self) -> None:
        rows, total = load_posts(
            self.db, self.user.workspace_id, self.scope, self.which, self.page, self.size
        )
        self.list.clear()
        with self.list:
            if not rows:
                ui.label("No posts.").classes("rp-muted p-4").props('data-testid="posts-empty"')
            for row in rows:
                self._post(row)
        page = Page(items=rows, total=total, limit=self.size, offset=(self.page - 1) * self.size)
        render_pager(self.pager, page, self.page, self.size, self.move)

    def _post(self, row: PostRow) -> None:
        reading = (
            " · ".join(value for value in (row.sentiment, row.intent, row.language) if value)
            or "not read yet"
        )
        with (
            ui.link(target=f"/conversations/{row.conversation_id}")
            .classes("rp-row w-full no-underline text-inherit px-4 py-3")
            .props(f'data-testid="post" data-message="{row.message_id}"')
        ):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.label(row.author).classes("rp-author").props(dir_prop(row.author))
                ui.label(f"· {row.channel}").classes("rp-muted").props(dir_prop(row.channel))
                ui.space()
                ui.label(short_time(row.sent_at, self.user.time_zone)).classes("rp-muted")
            user_text(row.text, classes="rp-text text-[#1f2933]", testid="post-text")
            ui.label(reading).classes("rp-muted")
