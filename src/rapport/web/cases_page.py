"""The case queue (``/cases``): filtered, sorted, paged, with each case's SLA state; and
``/cases/{id}``, which opens the conversation of a case."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse
from nicegui import run, ui

from rapport.engage.case_queries import CaseFilter, CaseSort, CaseSummary, get_case, list_cases
from rapport.errors import RapportError
from rapport.inbox.queries import Page
from rapport.store.db import Database
from rapport.store.engagement import CaseStatus, Priority
from rapport.web.auth import require_user
from rapport.web.directory import colleagues, team_names
from rapport.web.feedback import problem_text
from rapport.web.layout import not_found, page_frame
from rapport.web.pager import PAGE_SIZES, render_pager
from rapport.web.presentation import (
    CASE_STATUS_COLORS,
    PRIORITY_COLORS,
    exact_time,
    relative_time,
)
from rapport.web.session import WebUser
from rapport.web.sla_state import current_clock
from rapport.web.text import user_text

REFRESH_SECONDS = 5.0
ANY = "all"
_COLUMNS = "grid-cols-[70px_minmax(0,1fr)_92px_84px_130px_150px_190px_88px]"


@dataclass(frozen=True, slots=True)
class CasesState:
    """The queue the user asked for; mirrored in the address bar."""

    status: str = "active"
    team: str = ""
    assignee: str = ""  # "", "me", "none" or an e-mail
    priority: str = ""
    tag: str = ""
    sort: str = CaseSort.UPDATED.value
    page: int = 1
    size: int = PAGE_SIZES[0]

    def case_filter(self, user: WebUser) -> CaseFilter:
        return CaseFilter(
            status=None if self.status == ANY else self.status,
            team=self.team or None,
            assignee=user.email if self.assignee == "me" else (self.assignee or None),
            priority=self.priority or None,
            tag=self.tag.strip() or None,
        )

    def query_string(self) -> str:
        defaults = CasesState()
        params = {
            key: getattr(self, key)
            for key in ("status", "team", "assignee", "priority", "tag", "sort", "page", "size")
            if getattr(self, key) != getattr(defaults, key)
        }
        return "?" + urlencode(params) if params else ""


def _fingerprint(page: Page[CaseSummary]) -> tuple[object, ...]:
    return (page.total, tuple((c.id, c.updated_at, c.status) for c in page.items))


class CasesView:
    """One browser tab's case queue."""

    def __init__(self, db: Database, user: WebUser, state: CasesState) -> None:
        self.db = db
        self.user = user
        self.state = state
        self.shown: tuple[object, ...] | None = None
        with db.session() as session:
            self.people = [p for p in colleagues(session, user.workspace_id) if p.takes_cases]
            self.teams = team_names(session, user.workspace_id)

    def fetch(self) -> Page[CaseSummary] | str:
        """A page of cases, or what is wrong with the filters."""
        state = self.state
        try:
            with self.db.session() as session:
                return list_cases(
                    session,
                    self.user.workspace_id,
                    state.case_filter(self.user),
                    sort=CaseSort(state.sort),
                    limit=state.size,
                    offset=(state.page - 1) * state.size,
                )
        except (RapportError, ValueError) as error:
            return problem_text(error)

    def build(self) -> None:
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Cases").classes("text-2xl font-semibold")
                self.total_label = ui.label("").classes("rp-muted").props('data-testid="total"')
                ui.space()
                ui.label(f"Times in {self.user.time_zone}").classes("rp-muted")
            self._filters()
            self.error = ui.label("").classes("text-negative").props("role=alert")
            self.error.set_visibility(False)
            with ui.column().classes("rp-card w-full gap-0 overflow-hidden"):
                self._heading()
                self.list_box = ui.column().classes("w-full gap-0")
            self.pager_box = ui.row().classes("w-full items-center gap-3")
        self.show(self.fetch())
        ui.timer(REFRESH_SECONDS, self.poll)

    def _filters(self) -> None:
        state = self.state

        def select(options: dict[str, str], value: str, key: str, testid: str, width: str) -> None:
            ui.select(
                options, value=value, on_change=lambda e: self.apply(**{key: e.value or ""})
            ).props(f'outlined dense options-dense data-testid="{testid}"').classes(
                f"{width} bg-white"
            )

        statuses = {"active": "Active (new, open, pending)", ANY: "Any status"}
        statuses |= {s.value: s.value.capitalize() for s in CaseStatus}
        people = {"": "Anyone", "me": "Me", "none": "Unassigned"}
        people |= {p.email: p.name for p in self.people}
        with ui.row().classes("w-full items-center gap-3"):
            select(statuses, state.status, "status", "filter-status", "w-60")
            select({"": "Any team", **{t: t for t in self.teams}}, state.team, "team",
                   "filter-team", "w-44")  # fmt: skip
            select(people, state.assignee, "assignee", "filter-assignee", "w-48")
            select({"": "Any priority", **{p.value: p.value.capitalize() for p in Priority}},
                   state.priority, "priority", "filter-priority", "w-40")  # fmt: skip
            ui.input(placeholder="Tag", value=state.tag).props(
                'outlined dense clearable debounce=500 data-testid="filter-tag"'
            ).classes("w-36 bg-white").on_value_change(lambda e: self.apply(tag=e.value or ""))
            ui.space()
            ui.label("Sort by").classes("rp-muted")
            select({"updated": "Last change", "due": "Due first", "priority": "Priority",
                    "opened": "Newest"}, state.sort, "sort", "sort", "w-36")  # fmt: skip

    def apply(self, **changes: object) -> None:
        if "page" not in changes:
            changes["page"] = 1
        self.state = replace(self.state, **changes)  # type: ignore[arg-type]
        ui.navigate.history.replace("/cases" + self.state.query_string())
        self.show(self.fetch())

    async def poll(self) -> None:
        page = await run.io_bound(self.fetch)
        if isinstance(page, Page) and _fingerprint(page) != self.shown:
            self.show(page)

    def _heading(self) -> None:
        with ui.element("div").classes(
            f"grid {_COLUMNS} gap-3 w-full px-4 py-2 rp-grid-row rp-section"
        ):
            for title in ("Case", "Subject", "Status", "Priority", "Team", "Assignee", "SLA",
                          "Updated"):  # fmt: skip
                ui.label(title)

    def show(self, page: Page[CaseSummary] | str) -> None:
        self.list_box.clear()
        if isinstance(page, str):
            self.error.set_text(page)
            self.error.set_visibility(True)
            self.total_label.set_text("")
            return
        self.error.set_visibility(False)
        self.shown = _fingerprint(page)
        more = "" if page.total_exact else "+"
        self.total_label.set_text(f"{page.total}{more} case{'s' if page.total != 1 else ''}")
        with self.list_box:
            if not page.items:
                with (
                    ui.column()
                    .classes("w-full items-center py-16 gap-2")
                    .props('data-testid="empty"')
                ):
                    ui.icon("work_off", color="grey-5").classes("text-5xl")
                    ui.label("No cases match.").classes("rp-muted text-base")
            for case in page.items:
                self._row(case)
        render_pager(self.pager_box, page, self.state.page, self.state.size, self.apply)

    def _row(self, case: CaseSummary) -> None:
        clock = current_clock(case)
        with (
            ui.link(target=f"/cases/{case.id}")
            .classes(
                f"rp-row grid {_COLUMNS} gap-3 w-full items-center no-underline text-inherit "
                "px-4 py-2"
            )
            .props(f'data-testid="case-row" data-id="{case.id}" data-sla="{clock.state}"')
        ):
            ui.label(f"#{case.id}").classes("font-medium text-primary")
            with ui.column().classes("gap-0 min-w-0 w-full"):
                user_text(case.subject or "(no subject)", classes="rp-subject truncate w-full",
                          testid="case-subject")  # fmt: skip
                with ui.row().classes("gap-2 no-wrap min-w-0 w-full items-center"):
                    ui.label(case.customer or "Unknown customer").classes(
                        "rp-muted truncate"
                    ).props('dir=auto data-testid="case-customer"')
                    ui.label(f"· {case.channel}").classes("rp-muted flex-none")
                    for tag in case.tags[:3]:
                        ui.badge(tag, color="blue-grey-1", text_color="blue-grey-9").props(
                            "dir=auto"
                        )
            with ui.row().classes("gap-1 items-center"):
                ui.badge(case.status, color=CASE_STATUS_COLORS.get(case.status, "grey")).props(
                    'data-testid="case-status"'
                )
                if case.escalated:
                    ui.icon("priority_high", color="red").tooltip("Escalated")
            ui.badge(case.priority, color=PRIORITY_COLORS.get(case.priority, "grey")).props(
                'outline data-testid="case-priority"'
            ).classes("w-fit")
            ui.label(case.team or "—").classes("truncate").props("dir=auto")
            ui.label(case.assignee or "Unassigned").classes(
                "truncate" if case.assignee else "truncate rp-muted"
            ).props('dir=auto data-testid="case-assignee"')
            with (
                ui.row()
                .classes("gap-1 items-center no-wrap min-w-0")
                .props('data-testid="case-sla"')
            ):
                ui.icon(clock.icon, color=clock.color)
                ui.label(clock.text if clock.state != "none" else "no SLA").classes(
                    f"text-{clock.color} truncate text-sm"
                )
            with ui.label(relative_time(case.updated_at)).classes("rp-muted"):
                ui.tooltip(exact_time(case.updated_at, self.user.time_zone))


def _state_from_query(params: dict[str, str | None]) -> CasesState:
    """Read the address bar leniently: anything malformed falls back to the default."""

    def number(text: str | None) -> int | None:
        return int(text) if text and text.isdigit() else None

    known_status = {"active", ANY, *(s.value for s in CaseStatus)}
    size = number(params.get("size"))
    status = params.get("status") or ""
    priority = params.get("priority") or ""
    sort = params.get("sort") or ""
    return CasesState(
        status=status if status in known_status else "active",
        team=params.get("team") or "",
        assignee=params.get("assignee") or "",
        priority=priority if priority in {p.value for p in Priority} else "",
        tag=params.get("tag") or "",
        sort=sort if sort in {s.value for s in CaseSort} else CaseSort.UPDATED.value,
        page=max(1, number(params.get("page")) or 1),
        size=size if size in PAGE_SIZES else PAGE_SIZES[0],
    )


def register(db: Database) -> None:
    """Register ``/cases`` and ``/cases/{case_id}``."""

    @ui.page("/cases", title="Cases · Rapport")
    def cases_page(
        status: str | None = None,
        team: str | None = None,
        assignee: str | None = None,
        priority: str | None = None,
        tag: str | None = None,
        sort: str | None = None,
        page: str | None = None,
        size: str | None = None,
    ) -> RedirectResponse | None:
        state = _state_from_query(dict(status=status, team=team, assignee=assignee,
                                       priority=priority, tag=tag, sort=sort, page=page,
                                       size=size))  # fmt: skip
        user = require_user(db, "/cases" + state.query_string())
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/cases")
        CasesView(db, user, state).build()
        return None

    @ui.page("/cases/{case_id}", title="Case · Rapport")
    def case_page(case_id: str) -> RedirectResponse | None:
        user = require_user(db, f"/cases/{case_id}")
        if isinstance(user, RedirectResponse):
            return user
        conversations: list[int] = []
        if case_id.isdigit():
            try:
                with db.session() as session:
                    conversations = get_case(
                        session, user.workspace_id, int(case_id)
                    ).conversation_ids
            except RapportError:
                conversations = []
        if conversations:
            return RedirectResponse(f"/conversations/{conversations[0]}", status_code=303)
        page_frame(user, db, "/cases")
        ui.status_code(404)
        not_found(f"There is no case {case_id} with a conversation in this workspace.")
        return None
