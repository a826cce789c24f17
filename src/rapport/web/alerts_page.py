"""The alerts page (``/alerts``): the workspace's alert rules (agents and admins switch them
on and off, remove and add them; analysts read), and the alerts that fired, newest first,
each with the subject's series around its window and the posts that caused it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from rapport.inbox.queries import Page
from rapport.store.db import Database
from rapport.store.models import Role
from rapport.web.alerts_data import (
    FiredAlert,
    load_choices,
    load_events,
    load_rules,
    locate_event,
    remove_rule,
    set_enabled,
)
from rapport.web.alerts_events import AlertEvents, subject_label
from rapport.web.alerts_form import AlertRuleForm
from rapport.web.auth import require_user
from rapport.web.feedback import attempt, done
from rapport.web.layout import page_frame
from rapport.web.pager import PAGE_SIZES, render_pager
from rapport.web.session import WebUser
from rapport.web.text import plain

METRIC_NAMES = {"volume": "volume", "negative_share": "negative share"}


def _people(rule: dict[str, Any], names: dict[int, str]) -> str:
    told = [names.get(i, f"user {i}") for i in rule["notify_user_ids"]] + list(rule["emails"])
    if rule["webhook_url"]:
        told.append("webhook")
    return ", ".join(told) or "nobody (the history only)"


class AlertsView:
    """One browser tab's alerts page."""

    def __init__(self, db: Database, user: WebUser, page: int, size: int) -> None:
        self.db = db
        self.user = user
        self.may_change = user.role in (Role.ADMIN.value, Role.AGENT.value)
        self.page = max(1, page)
        self.size = size if size in PAGE_SIZES else PAGE_SIZES[0]
        self.open_id: int | None = None
        self.events = AlertEvents(user.time_zone)

    async def build(self, event: int | None, notification: int | None) -> None:
        choices = load_choices(self.db, self.user.workspace_id)
        self.names = {p.id: p.name for p in choices.people}
        if event is not None or notification is not None:
            found = locate_event(self.db, self.user.workspace_id, self.user.user_id,
                                 event=event, notification=notification)  # fmt: skip
            if found is not None:
                self.open_id, before = found
                self.page = before // self.size + 1
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Alerts").classes("text-2xl font-semibold")
                ui.label(
                    "early warning when a volume or a negative share jumps · "
                    f"times in {self.user.time_zone}"
                ).classes("rp-muted")
            with ui.row().classes("w-full gap-4 no-wrap items-start"):
                with ui.column().classes("grow min-w-0 gap-3"):
                    ui.label("Rules").classes("rp-section")
                    self.rules_box = (
                        ui.column().classes("w-full gap-2").props('data-testid="alert-rules"')
                    )
                if self.may_change:
                    with ui.column().classes("w-[520px] flex-none"):
                        AlertRuleForm(self.db, self.user, choices, self.show_rules).build()
            with ui.card().classes("rp-card w-full p-4 gap-2").props('flat data-testid="alerts"'):
                ui.label("Fired alerts").classes("rp-section")
                self.events_box = ui.column().classes("w-full gap-0")
                self.pager_box = ui.row().classes("w-full items-center gap-2")
        self.show_rules()
        await self.show_events()
        if self.open_id is not None:
            ui.run_javascript(f'document.getElementById("alert-{self.open_id}")?.scrollIntoView()')

    # -- rules -----------------------------------------------------------------------------

    def show_rules(self) -> None:
        rules = load_rules(self.db, self.user.workspace_id)
        self.rules_box.clear()
        with self.rules_box:
            if not rules:
                ui.label("No alert rules yet.").classes("rp-muted")
            for rule in rules:
                self._rule(rule)

    def _rule(self, rule: dict[str, Any]) -> None:
        with (
            ui.card()
            .classes("rp-card w-full p-3 gap-1")
            .props(
                f'flat data-testid="alert-rule" data-id="{rule["id"]}" '
                f'data-enabled="{str(rule["enabled"]).lower()}"'
            )
        ):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                plain(rule["name"], classes="font-semibold truncate",
                      props='dir=auto data-testid="alert-rule-name"')  # fmt: skip
                if not rule["enabled"]:
                    ui.badge("disabled", color="grey-6")
                ui.space()
                if self.may_change:
                    ui.switch(
                        "enabled", value=rule["enabled"],
                        on_change=lambda e, r=rule["id"]: self.enable(r, bool(e.value)),
                    ).props('dense data-testid="alert-rule-enabled"')  # fmt: skip
                    ui.button(icon="delete", on_click=lambda r=rule: self.confirm_delete(r)).props(
                        'flat round dense color=negative aria-label="Delete rule" '
                        'data-testid="alert-rule-delete"'
                    ).tooltip("Delete this rule and its history")
            with ui.grid(columns="auto 1fr").classes("w-full gap-x-3 gap-y-0 text-sm"):
                ui.label("Watches").classes("rp-muted")
                plain(
                    f"{METRIC_NAMES.get(rule['metric'], rule['metric'])} of {subject_label(rule)}",
                    props='dir=auto data-testid="alert-rule-watch"',
                )
                ui.label("Judged").classes("rp-muted")
                ui.label(
                    f"per {rule['interval']} in {rule['time_zone']} · sensitivity "
                    f"{rule['sensitivity']:g} · at least {rule['min_count']} messages"
                ).props('data-testid="alert-rule-judged"')
                ui.label("Tells").classes("rp-muted")
                plain(_people(rule, self.names), props='dir=auto data-testid="alert-rule-tells"')

    def enable(self, rule_id: int, enabled: bool) -> None:
        def change() -> bool:
            set_enabled(self.db, self.user.workspace_id, rule_id, enabled)
            return True

        if attempt(change):
            done("Rule enabled." if enabled else "Rule disabled: it is not checked any more.")
        self.show_rules()

    def confirm_delete(self, rule: dict[str, Any]) -> None:
        with ui.dialog() as dialog, ui.card().classes("p-4 gap-3"):
            with ui.row().classes("items-baseline gap-1"):
                ui.label("Delete the alert rule")
                plain(rule["name"], tag="span", classes="font-semibold", props="dir=auto")
                ui.label("and its fired alerts?")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Keep it", on_click=dialog.close).props("flat no-caps")
                ui.button(
                    "Delete", color="negative", on_click=lambda: self.delete(rule["id"], dialog)
                ).props('unelevated no-caps data-testid="alert-rule-delete-confirm"')
        dialog.open()

    async def delete(self, rule_id: int, dialog: Any) -> None:
        dialog.close()

        def remove() -> bool:
            remove_rule(self.db, self.user.workspace_id, rule_id)
            return True

        if attempt(remove):
            done("Rule deleted.")
        self.show_rules()
        await self.show_events()

    # -- fired alerts ----------------------------------------------------------------------

    async def show_events(self) -> None:
        page: Page[FiredAlert] | None = await run.io_bound(
            load_events, self.db, self.user.workspace_id, page=self.page, size=self.size
        )
        if page is None:  # the server is shutting down
            return
        self.events.render(self.events_box, page.items, self.open_id)
        render_pager(self.pager_box, page, self.page, self.size, self.move)

    def move(self, page: int | None = None, size: int | None = None) -> None:
        if size is not None:
            self.size, self.page = size, 1
        elif page is not None:
            self.page = max(1, page)
        ui.navigate.history.replace(f"/alerts?page={self.page}&size={self.size}")
        ui.timer(0, self.show_events, once=True)


def register(db: Database) -> None:
    """Register ``/alerts``."""

    @ui.page("/alerts", title="Alerts · Rapport")
    async def alerts_page(
        page: int = 1,
        size: int = PAGE_SIZES[0],
        event: int | None = None,
        notification: int | None = None,
    ) -> RedirectResponse | None:
        user = require_user(db, "/alerts")
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/alerts")
        await AlertsView(db, user, page, size).build(event, notification)
        return None
