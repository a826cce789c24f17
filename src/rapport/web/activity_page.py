"""The activity feed (``/activity``): what happens across the workspace's cases, newest
first, for one team or all, a page at a time ("more" continues before the last shown)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from nicegui import ui

from rapport.engage.feed import ActivityItem, ActivityPage, list_activity
from rapport.errors import RapportError
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.case_events import describe_event, event_icon
from rapport.web.directory import team_names
from rapport.web.feedback import problem_text
from rapport.web.layout import page_frame
from rapport.web.presentation import exact_time, relative_time, short_time
from rapport.web.session import WebUser
from rapport.web.text import user_text

PAGE = 30
_WARN = {"sla_breached": "negative", "sla_warning": "warning", "escalated": "negative"}


def _address(team: str | None) -> str:
    return "/activity" + ("?" + urlencode({"team": team}) if team else "")


class ActivityView:
    """One browser tab's feed."""

    def __init__(self, db: Database, user: WebUser, team: str) -> None:
        self.db = db
        self.user = user
        self.team = team
        self.next_before: int | None = None
        with db.session() as session:
            self.teams = team_names(session, user.workspace_id)
        if self.team not in self.teams:
            self.team = ""

    def fetch(self, before_id: int | None) -> ActivityPage | str:
        try:
            with self.db.session() as session:
                return list_activity(
                    session,
                    self.user.workspace_id,
                    team=self.team or None,
                    before_id=before_id,
                    limit=PAGE,
                )
        except RapportError as error:
            return problem_text(error)

    def build(self) -> None:
        with ui.column().classes("w-full max-w-4xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-center gap-3"):
                ui.label("Activity").classes("text-2xl font-semibold")
                ui.label(f"Times in {self.user.time_zone}").classes("rp-muted")
                ui.space()
                ui.select(
                    {"": "All teams", **{t: t for t in self.teams}},
                    value=self.team,
                    on_change=lambda e: self.choose_team(str(e.value or "")),
                ).props('outlined dense options-dense data-testid="activity-team"').classes(
                    "w-52 bg-white"
                )
                ui.button(icon="refresh", on_click=lambda: self.choose_team(self.team)).props(
                    'flat round color=secondary aria-label="Show the newest" '
                    'data-testid="activity-refresh"'
                )
            self.list_box = (
                ui.column()
                .classes("rp-card w-full gap-0 overflow-hidden")
                .props('data-testid="activity"')
            )
            self.more_box = ui.row().classes("w-full justify-center")
        self.start()

    def choose_team(self, team: str) -> None:
        self.team = team
        ui.navigate.history.replace(_address(team))
        self.start()

    def start(self) -> None:
        self.list_box.clear()
        self.add(self.fetch(None))

    def more(self) -> None:
        if self.next_before is not None:
            self.add(self.fetch(self.next_before))

    def add(self, page: ActivityPage | str) -> None:
        self.more_box.clear()
        with self.list_box:
            if isinstance(page, str):
                ui.label(page).classes("text-negative p-4").props("role=alert")
                return
            if not page.items and self.next_before is None:
                with (
                    ui.column()
                    .classes("w-full items-center py-16 gap-2")
                    .props('data-testid="empty"')
                ):
                    ui.icon("timeline", color="grey-5").classes("text-5xl")
                    ui.label("Nothing has happened here yet.").classes("rp-muted")
            for item in page.items:
                self._row(item)
        self.next_before = page.next_before_id
        if page.next_before_id is not None:
            with self.more_box:
                ui.button("More", icon="expand_more", on_click=self.more).props(
                    'flat no-caps data-testid="activity-more"'
                )

    def _row(self, item: ActivityItem) -> None:
        tz = self.user.time_zone
        with (
            ui.link(target=f"/cases/{item.case_id}")
            .classes("rp-row w-full no-underline text-inherit px-4 py-3")
            .props(
                f'data-testid="activity-item" data-id="{item.id}" data-activity="{item.activity}" '
                f'data-at="{item.at.isoformat()}"'
            ),
            ui.row().classes("w-full items-start gap-3 no-wrap"),
        ):
            ui.icon(event_icon(item.activity), color=_WARN.get(item.activity, "primary")).classes(
                "text-xl mt-1"
            )
            with ui.column().classes("gap-0 min-w-0 grow"):
                with ui.row().classes("items-baseline gap-2 no-wrap min-w-0 w-full"):
                    ui.label(describe_event(item.activity, item.attributes)).classes(
                        "font-medium rp-text"
                    ).props('dir=auto data-testid="activity-text"')
                    ui.space()
                    if item.team:
                        ui.badge(item.team, color="blue-grey-1", text_color="blue-grey-9").props(
                            'dir=auto data-testid="activity-team-name"'
                        )
                with ui.row().classes("items-baseline gap-1 no-wrap min-w-0 w-full"):
                    ui.label(f"Case #{item.case_id}").classes("text-primary flex-none")
                    ui.label("·").classes("rp-muted flex-none")
                    user_text(item.case_subject or "(no subject)", classes="rp-muted truncate")
                ui.label(f"by {item.resource}").classes("rp-muted").props("dir=auto")
            with ui.label(short_time(item.at, tz)).classes("rp-muted flex-none"):
                ui.tooltip(f"{exact_time(item.at, tz)} · {relative_time(item.at)}")


def register(db: Database) -> None:
    """Register ``/activity``."""

    @ui.page("/activity", title="Activity · Rapport")
    def activity_page(team: str | None = None) -> RedirectResponse | None:
        user = require_user(db, _address(team))
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/activity")
        ActivityView(db, user, team or "").build()
        return None
