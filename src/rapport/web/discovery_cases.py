"""The drill-down under the process map: the cases behind a clicked edge, activity or
variant, a page at a time, sortable; with the edge's mean, median and p90 wait."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from nicegui import ui

from rapport.discovery.analysis import Edge
from rapport.discovery.drilldown import SORTS, CasePage, case_page
from rapport.discovery.log import EventLog
from rapport.inbox.queries import Page
from rapport.web.pager import PAGE_SIZES, render_pager
from rapport.web.presentation import human_duration, short_time
from rapport.web.text import plain

_SORT_LABELS = {"start": "Start", "duration": "Duration", "events": "Events", "case": "Case id"}
_GRID = "grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,0.8fr)_80px]"


@dataclass
class Selection:
    """What was clicked: a title (shown as text), the cases, and an edge's figures."""

    title: str
    cases: pl.Series
    edge: Edge | None = None


class CasesPanel:
    """One tab's drill-down panel; ``link_cases`` makes case ids links to ``/cases/{id}``."""

    def __init__(self, time_zone: str) -> None:
        self.time_zone = time_zone
        self.log: EventLog | None = None
        self.selection: Selection | None = None
        self.link_cases = False
        self.sort = "start"
        self.descending = False
        self.number = 1
        self.size = PAGE_SIZES[0]

    def build(self) -> None:
        self.card = (
            ui.card().classes("rp-card w-full p-4 gap-2").props('flat data-testid="drilldown"')
        )
        self.card.set_visibility(False)
        with self.card:
            with ui.row().classes("w-full items-center gap-3"):
                ui.label("Cases").classes("rp-section")
                self.title = plain("", classes="font-medium", props='data-testid="drill-title"')
                ui.space()
                ui.select(
                    _SORT_LABELS,
                    value=self.sort,
                    label="Sort by",
                    on_change=lambda e: self._resort(str(e.value), self.descending),
                ).props('dense options-dense data-testid="drill-sort"').classes("w-36")
                ui.switch(
                    "Largest first",
                    value=self.descending,
                    on_change=lambda e: self._resort(self.sort, bool(e.value)),
                ).props("dense")
                ui.button(icon="close", on_click=self.hide).props(
                    'flat round dense aria-label="Close the case list"'
                )
            self.figures = ui.label("").classes("rp-muted").props('data-testid="drill-figures"')
            with ui.column().classes("w-full gap-0 rp-card overflow-hidden"):
                with ui.element("div").classes(f"grid {_GRID} w-full px-3 py-2 rp-muted"):
                    for name in ("Case", f"Start ({self.time_zone})", "Duration", "Events"):
                        ui.label(name)
                self.rows = ui.column().classes("w-full gap-0")
            self.pager = ui.row().classes("w-full items-center gap-3")

    def open(self, log: EventLog, selection: Selection, *, link_cases: bool) -> None:
        """Show the first page of ``selection``'s cases in ``log``."""
        self.log, self.selection, self.link_cases = log, selection, link_cases
        self.number = 1
        self.card.set_visibility(True)
        self.title.text = selection.title
        edge = selection.edge
        if edge is None:
            self.figures.text = ""
        else:
            self.figures.text = (
                f"{edge.count:,} times in {selection.cases.len():,} cases · wait mean "
                f"{human_duration(edge.mean_seconds)}, median "
                f"{human_duration(edge.median_seconds)}, 90th percentile "
                f"{human_duration(edge.p90_seconds)}"
            )
        self.show()

    def hide(self) -> None:
        self.card.set_visibility(False)
        self.selection = None

    def _resort(self, sort: str, descending: bool) -> None:
        self.sort = sort if sort in SORTS else "start"
        self.descending = descending
        self.number = 1
        self.show()

    def _move(self, page: int | None = None, size: int | None = None) -> None:
        if size is not None:
            self.size, self.number = size, 1
        elif page is not None:
            self.number = max(1, page)
        self.show()

    def show(self) -> None:
        if self.log is None or self.selection is None:
            return
        result: CasePage = case_page(
            self.log,
            self.selection.cases,
            sort=self.sort,
            descending=self.descending,
            offset=(self.number - 1) * self.size,
            limit=self.size,
        )
        self.rows.clear()
        with self.rows:
            if not result.rows:
                ui.label("No cases.").classes("rp-muted px-3 py-2")
            for row in result.rows:
                with (
                    ui.element("div")
                    .classes(f"grid {_GRID} w-full px-3 py-1 rp-grid-row items-center")
                    .props('data-testid="drill-case"')
                ):
                    if self.link_cases and row.case.isdigit():
                        ui.link(row.case, f"/cases/{row.case}").props('data-testid="case-link"')
                    else:
                        plain(row.case, classes="truncate", props="dir=auto")
                    ui.label(short_time(row.start, self.time_zone) if row.start else "—")
                    ui.label(human_duration(row.seconds))
                    ui.label(f"{row.events:,}")
        page = Page(items=result.rows, total=result.total, limit=self.size, offset=result.offset)
        render_pager(self.pager, page, self.number, self.size, self._move)
