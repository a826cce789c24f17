"""The case beside a conversation: number, status, priority, team, assignee, tags, SLA
clocks, the controls to change them, internal notes and the history. Kept live.

Analysts see the same, read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from nicegui import run, ui

from rapport.engage.case_queries import CaseDetail, case_of_conversation, get_case
from rapport.engage.cases import Actor, CaseEditor
from rapport.store.db import Database
from rapport.store.engagement import CaseStatus, Priority
from rapport.store.models import Role
from rapport.web.case_events import describe_event, event_icon
from rapport.web.case_notes import CaseNotes
from rapport.web.directory import Colleague, colleagues, team_names
from rapport.web.feedback import attempt, done
from rapport.web.presentation import (
    CASE_STATUS_COLORS,
    PRIORITY_COLORS,
    exact_time,
    short_time,
)
from rapport.web.session import WebUser
from rapport.web.sla_state import Clock, first_response_clock, resolution_clock

REFRESH_SECONDS = 5.0
NO_ONE = ""


def _fingerprint(detail: CaseDetail | None) -> tuple[object, ...]:
    if detail is None:
        return ()
    return (detail.case.id, detail.case.updated_at, len(detail.events), len(detail.notes))


class CasePanel:
    """The case of one conversation, in the conversation page's side column."""

    def __init__(self, db: Database, user: WebUser, conversation_id: int) -> None:
        self.db = db
        self.user = user
        self.conversation_id = conversation_id
        self.can_write = user.role != Role.ANALYST.value
        self.detail: CaseDetail | None = None
        self.shown: tuple[object, ...] | None = None
        self.notes: CaseNotes | None = None
        self.summary_box: ui.card | None = None
        self.history_box: ui.column | None = None
        with db.session() as session:
            self.people: list[Colleague] = colleagues(session, user.workspace_id)
            self.teams = team_names(session, user.workspace_id)

    def fetch(self) -> CaseDetail | None:
        with self.db.session() as session:
            case_id = case_of_conversation(session, self.conversation_id)
            if case_id is None:
                return None
            return get_case(session, self.user.workspace_id, case_id)

    def build(self) -> None:
        self.box = ui.column().classes("w-full gap-3").props('data-testid="case-panel"')
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    async def poll(self) -> None:
        detail = await run.io_bound(self.fetch)
        if _fingerprint(detail) != self.shown:
            self.show(detail)

    def refresh(self) -> None:
        self.show(self.fetch())

    # -- drawing ------------------------------------------------------------------------------

    def show(self, detail: CaseDetail | None) -> None:
        same_case = (
            detail is not None and self.detail is not None and detail.case.id == self.detail.case.id
        )
        self.detail = detail
        self.shown = _fingerprint(detail)
        if (
            same_case
            and detail is not None
            and self.notes is not None
            and self.summary_box is not None
            and self.history_box is not None
        ):
            self.summary_box.clear()
            with self.summary_box:
                self._summary(detail)
            self.notes.show(detail.notes)
            self.history_box.clear()
            with self.history_box:
                self._history(detail)
            return
        self.box.clear()
        self.notes = self.summary_box = self.history_box = None
        with self.box:
            if detail is None:
                self._no_case()
                return
            summary = ui.card().classes("rp-card w-full p-4 gap-3").props("flat")
            with summary:
                self._summary(detail)
            self.summary_box = summary
            self.notes = CaseNotes(
                self.db,
                self.user,
                detail.case.id,
                self.people,
                self.teams,
                self.refresh,
                can_write=self.can_write,
            )
            self.notes.build(detail.notes)
            with (
                ui.expansion("History", icon="history", value=True)
                .classes("rp-card w-full")
                .props('dense data-testid="case-history"')
            ):
                history = ui.column().classes("w-full gap-0")
                with history:
                    self._history(detail)
                self.history_box = history

    def _no_case(self) -> None:
        with ui.card().classes("rp-card w-full p-4 gap-3").props('flat data-testid="no-case"'):
            ui.label("Case").classes("rp-section")
            ui.label("This conversation is not part of a case.").classes("rp-muted")
            if self.can_write:
                ui.button("Open a case", icon="add_circle", on_click=self.open_case).props(
                    'unelevated no-caps data-testid="open-case"'
                )

    def _summary(self, detail: CaseDetail) -> None:
        case = detail.case
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(f"Case #{case.id}").classes("text-lg font-semibold").props(
                'data-testid="case-number"'
            )
            ui.badge(case.status, color=CASE_STATUS_COLORS.get(case.status, "grey")).props(
                'data-testid="case-status-badge"'
            )
            ui.badge(case.priority, color=PRIORITY_COLORS.get(case.priority, "grey")).props(
                'outline data-testid="case-priority-badge"'
            )
            if case.escalated:
                ui.badge("escalated", color="red").props('data-testid="case-escalated"')
        if case.merged_into_id is not None:
            ui.label(f"Merged into case #{case.merged_into_id}.").classes("text-warning")
        if case.status == CaseStatus.CLOSED.value and self.can_write:
            with ui.row().classes("w-full items-center gap-2"):
                ui.label("This case is closed for good.").classes("rp-muted")
                ui.button("Open a new case", icon="add_circle", on_click=self.open_case).props(
                    'outline dense no-caps data-testid="open-case"'
                )
        now = datetime.now(UTC)
        with ui.column().classes("w-full gap-1"):
            self._clock(first_response_clock(case, now), "sla-first-response")
            self._clock(resolution_clock(case, now), "sla-resolution")
            if case.sla_policy:
                ui.label(f"SLA policy: {case.sla_policy}").classes("rp-muted").props("dir=auto")
        ui.separator()
        if self.can_write:
            self._controls(detail)
        else:
            self._read_only(detail)

    def _clock(self, clock: Clock, testid: str) -> None:
        with (
            ui.row()
            .classes("w-full items-center gap-2 no-wrap")
            .props(f'data-testid="{testid}" data-state="{clock.state}"')
        ):
            ui.icon(clock.icon, color=clock.color).classes("text-lg")
            ui.label(clock.target).classes("font-medium w-28 flex-none")
            ui.label(clock.text).classes(f"text-{clock.color} grow").props('data-testid="sla-text"')
            if clock.due is not None:
                with ui.label(short_time(clock.due, self.user.time_zone)[5:]).classes(
                    "rp-muted flex-none"
                ):
                    ui.tooltip(f"Due {exact_time(clock.due, self.user.time_zone)}")

    def _read_only(self, detail: CaseDetail) -> None:
        case = detail.case
        rows = (
            ("Status", case.status),
            ("Priority", case.priority),
            ("Assignee", case.assignee or "Unassigned"),
            ("Team", case.team or "No team"),
            ("Tags", ", ".join(case.tags) or "—"),
        )
        with ui.grid(columns="auto 1fr").classes("w-full gap-x-4 gap-y-1"):
            for label, value in rows:
                ui.label(label).classes("rp-muted")
                ui.label(value).props(f'dir=auto data-testid="case-{label.lower()}"')
        ui.label("You can read this case; analysts do not change cases.").classes("rp-muted")

    def _controls(self, detail: CaseDetail) -> None:
        case = detail.case
        takers = {str(p.id): p.name for p in self.people if p.takes_cases}
        assignee = next((str(p.id) for p in self.people if p.email == case.assignee_email), NO_ONE)
        with ui.grid(columns=2).classes("w-full gap-2"):
            ui.select(
                {s.value: s.value.capitalize() for s in CaseStatus},
                label="Status",
                value=case.status,
                on_change=lambda e: self.edit(
                    lambda ed, c: ed.set_status(c, str(e.value)), f"Status: {e.value}."
                ),
            ).props('outlined dense options-dense data-testid="case-status"')
            ui.select(
                {p.value: p.value.capitalize() for p in Priority},
                label="Priority",
                value=case.priority,
                on_change=lambda e: self.edit(
                    lambda ed, c: ed.set_priority(c, str(e.value)), f"Priority: {e.value}."
                ),
            ).props('outlined dense options-dense data-testid="case-priority"')
            ui.select(
                {NO_ONE: "Unassigned", **takers},
                label="Assignee",
                value=assignee,
                on_change=lambda e: self.edit(
                    lambda ed, c: ed.assign(c, int(e.value) if e.value else None),
                    f"Assigned to {takers.get(str(e.value), 'nobody')}.",
                ),
            ).props('outlined dense options-dense data-testid="case-assignee"')
            ui.select(
                {NO_ONE: "No team", **{t: t for t in self.teams}},
                label="Team",
                value=case.team or NO_ONE,
                on_change=lambda e: self.edit(
                    lambda ed, c: ed.set_team(c, str(e.value) or None),
                    f"Team: {e.value or 'none'}.",
                ),
            ).props('outlined dense options-dense data-testid="case-team"')
        self._tags(case.tags)
        with ui.row().classes("w-full gap-2"):
            if case.assignee_email != self.user.email:
                ui.button(
                    "Assign to me",
                    icon="person_add",
                    on_click=lambda: self.edit(
                        lambda ed, c: ed.assign(c, self.user.user_id), "Assigned to you."
                    ),
                ).props('outline no-caps dense data-testid="assign-me"')
            ui.button("Escalate", icon="priority_high", on_click=self._escalate_dialog).props(
                'outline no-caps dense color=negative data-testid="escalate"'
            )

    def _tags(self, tags: list[str]) -> None:
        with ui.row().classes("w-full items-center gap-1").props('data-testid="case-tags"'):
            ui.icon("sell", color="secondary")
            for tag in tags:
                ui.chip(
                    tag,
                    removable=True,
                    color="blue-grey-1",
                    on_value_change=lambda _, tag=tag: self.edit(
                        lambda ed, c: ed.tag(c, remove=[tag]), f"Tag {tag} removed."
                    ),
                ).props('dense dir=auto data-testid="case-tag"')
            entry = (
                ui.input(placeholder="Add a tag")
                .props('dense borderless maxlength=50 data-testid="tag-input"')
                .classes("w-28")
            )

            def add() -> None:
                tag = str(entry.value or "").strip()
                if tag:
                    self.edit(lambda ed, c: ed.tag(c, add=[tag]), f"Tagged {tag}.")

            entry.on("keydown.enter", add)

    def _escalate_dialog(self) -> None:
        with self.box:
            dialog = ui.dialog()
        dialog.on("hide", dialog.delete)  # a new one is made for each escalation
        with dialog, ui.card().classes("w-96 gap-3"):
            ui.label("Escalate this case").classes("text-lg font-semibold")
            ui.label("Its priority becomes at least high and the team is told.").classes("rp-muted")
            reason = (
                ui.textarea("Reason")
                .props('outlined autogrow maxlength=500 data-testid="escalate-reason"')
                .classes("w-full")
            )
            team = (
                ui.select(
                    {NO_ONE: "Keep the team", **{t: t for t in self.teams}},
                    label="To team",
                    value=NO_ONE,
                )
                .props("outlined dense options-dense")
                .classes("w-full")
            )
            error = ui.label("").classes("text-negative text-sm").props("role=alert")

            def confirm() -> None:
                why = str(reason.value or "").strip()
                if not why:
                    error.set_text("Say why the case is escalated.")
                    return
                dialog.close()
                self.edit(lambda ed, c: ed.escalate(c, why, str(team.value) or None), "Escalated.")

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=dialog.close).props("flat no-caps")
                ui.button("Escalate", on_click=confirm).props(
                    'unelevated no-caps color=negative data-testid="escalate-confirm"'
                )
        dialog.open()

    def _history(self, detail: CaseDetail) -> None:
        ui.label(f"Times in {self.user.time_zone}").classes("rp-muted px-4")
        for event in reversed(detail.events):
            with (
                ui.row()
                .classes("w-full items-start gap-2 no-wrap px-4 py-1")
                .props(f'data-testid="history-item" data-activity="{event.activity}"')
            ):
                ui.icon(event_icon(event.activity), color="secondary").classes("text-base mt-1")
                with ui.column().classes("gap-0 min-w-0 grow"):
                    ui.label(describe_event(event.activity, event.attributes)).classes(
                        "rp-text text-sm"
                    ).props('dir=auto data-testid="history-text"')
                    with (
                        ui.label(f"{event.resource} · {short_time(event.at, self.user.time_zone)}")
                        .classes("rp-muted")
                        .props('dir=auto data-testid="history-meta"')
                    ):
                        ui.tooltip(exact_time(event.at, self.user.time_zone))

    # -- changes ------------------------------------------------------------------------------

    def edit(self, change: Callable[[CaseEditor, int], object], message: str) -> None:
        """Make one change to the case as this user; the panel is redrawn either way."""
        if self.detail is None:
            return
        case_id = self.detail.case.id

        def save() -> bool:
            with self.db.session() as session:
                editor = CaseEditor(
                    session, self.user.workspace_id, Actor(self.user.user_id, self.user.name)
                )
                change(editor, case_id)
                editor.save()
            return True

        if attempt(save):
            done(message)
        self.refresh()

    def open_case(self) -> None:
        def save() -> bool:
            with self.db.session() as session:
                editor = CaseEditor(
                    session, self.user.workspace_id, Actor(self.user.user_id, self.user.name)
                )
                editor.open_case(self.conversation_id)
                editor.save()
            return True

        if attempt(save):
            done("Case opened.")
        self.refresh()
