"""``/discovery``: the process as it really runs, on the workspace's own cases or on a log
the user uploads: the process map (click an edge or an activity for its cases), the
variants, performance, who hands work to whom, hot spots and exceptions, water coolers,
the BPMN model with conformance, and KPIs before and after.

An uploaded log lives in this browser tab's memory only (one at a time, at most 200 MB of
file); it is gone when the tab closes. Every figure is computed once per filter change, in a
worker thread, so the page stays responsive on a large log.
"""

from __future__ import annotations

from typing import Any, Protocol

import polars as pl
from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import EChartPointClickEventArguments, GenericEventArguments

from rapport.discovery.analysis import ProcessMap, discover_map
from rapport.discovery.caselog import read_case_log
from rapport.discovery.drilldown import (
    activity_cases,
    edge_cases,
    edge_times,
    variant_at,
    variant_cases,
)
from rapport.discovery.filters import MapFilters, apply_filters
from rapport.discovery.layout import END, START
from rapport.discovery.log import EventLog
from rapport.errors import RapportError
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.discovery_cases import CasesPanel, Selection
from rapport.web.discovery_chart import METRICS, draw_map, first_threshold
from rapport.web.discovery_coolers_tab import CoolersTab
from rapport.web.discovery_filters import FilterBar
from rapport.web.discovery_hotspots_tab import HotSpotsTab
from rapport.web.discovery_kpi_tab import KpiTab
from rapport.web.discovery_model_tab import ModelTab
from rapport.web.discovery_source import held_logs
from rapport.web.discovery_tabs import (
    people_attributes,
    show_people,
    show_performance,
    show_variants,
)
from rapport.web.discovery_upload import UploadBox
from rapport.web.feedback import problem_text
from rapport.web.layout import page_frame
from rapport.web.presentation import zone
from rapport.web.session import WebUser

PATH = "/discovery"


class Analysis(Protocol):
    """A tab that computes its own figures from the filtered log."""

    async def refresh(self, log: EventLog) -> None: ...


class DiscoveryView:
    """One browser tab's process discovery."""

    def __init__(self, db: Database, user: WebUser) -> None:
        self.db = db
        self.user = user
        self.log: EventLog | None = None  # the whole log of the source
        self.filtered: EventLog | None = None
        self.map: ProcessMap | None = None
        self.from_cases = True
        self.counts: list[int] = [1]
        self.metric = "mean"
        self.tab = "map"
        self.stale: set[str] = set()
        self.drawn_nodes: dict[str, str] = {}
        self.drawn_edges: dict[str, tuple[str, str]] = {}
        self.panel = CasesPanel(user.time_zone)
        self.key = ""
        self.hotspots = HotSpotsTab(self.pick_cases)
        self.coolers = CoolersTab()
        self.model_tab = ModelTab()
        self.kpis = KpiTab(zone(user.time_zone))
        # the tabs computed by an object of their own, by tab name
        self.analyses: dict[str, Analysis] = {
            "hotspots": self.hotspots,
            "coolers": self.coolers,
            "model": self.model_tab,
            "kpis": self.kpis,
        }

    # ----- building
    def build(self) -> None:
        client = ui.context.client
        self.key = client.id
        client.on_delete(lambda: held_logs().drop(self.key))
        with ui.column().classes("w-full max-w-[1500px] mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-baseline gap-3"):
                ui.label("Processes").classes("text-2xl font-semibold")
                self.summary = (
                    ui.label("").classes("rp-muted").props('data-testid="log-summary" dir=auto')
                )
            self.upload = UploadBox(self.use_upload, self.use_cases)
            self.upload.build()
            self.filters = FilterBar(zone(self.user.time_zone), self.refilter)
            self.filters.build()
            with ui.tabs(on_change=lambda e: self.show_tab(str(e.value))) as tabs:
                first = ui.tab("map", "Process map").props('data-testid="tab-map"')
                ui.tab("variants", "Variants").props('data-testid="tab-variants"')
                ui.tab("performance", "Performance").props('data-testid="tab-performance"')
                ui.tab("people", "People").props('data-testid="tab-people"')
                ui.tab("hotspots", "Hot spots").props('data-testid="tab-hotspots"')
                ui.tab("coolers", "Water coolers").props('data-testid="tab-coolers"')
                ui.tab("model", "Model").props('data-testid="tab-model"')
                ui.tab("kpis", "KPIs").props('data-testid="tab-kpis"')
            tabs.props("align=left no-caps inline-label").classes("rp-card")
            tabs.set_value(first)
            with ui.tab_panels(tabs, value=first).classes("w-full rp-card").props("keep-alive"):
                with ui.tab_panel("map").classes("gap-2"):
                    self._map_controls()
                    self.chart_box = ui.element("div").classes("w-full overflow-auto")
                with ui.tab_panel("variants"):
                    self.variants_box = ui.column().classes("w-full gap-2")
                with ui.tab_panel("performance"):
                    self.performance_box = ui.column().classes("w-full gap-3")
                with ui.tab_panel("people"):
                    with ui.row().classes("items-center gap-3"):
                        ui.label("Handover of work between").classes("rp-muted")
                        self.people_by = ui.select(
                            ["resource"],
                            value="resource",
                            on_change=lambda: self._people(),
                        ).props('dense options-dense data-testid="people-by"')
                    self.people_box = ui.column().classes("w-full gap-2")
                with ui.tab_panel("hotspots").classes("gap-3"):
                    self.hotspots.build()
                with ui.tab_panel("coolers").classes("gap-3"):
                    self.coolers.build()
                with ui.tab_panel("model").classes("gap-2"):
                    self.model_tab.build()
                with ui.tab_panel("kpis").classes("gap-3"):
                    self.kpis.build()
            self.panel.build()
        ui.timer(0.05, self.use_cases, once=True)

    def _map_controls(self) -> None:
        with ui.row().classes("w-full items-center gap-4 no-wrap"):
            ui.label("Edges seen at least").classes("rp-muted whitespace-nowrap")
            self.slider = ui.slider(min=0, max=0, value=0).props(
                'label-always=false data-testid="min-count"'
            )
            # Quasar's "change" comes once the thumb is released (or a key let go), so a
            # drag redraws the map once, not at every pixel.
            self.slider.classes("w-64").on("change", self._slid)
            self.threshold = (
                ui.label("1 time")
                .classes("whitespace-nowrap")
                .props('data-testid="min-count-value"')
            )
            ui.label("· redder: longer").classes("rp-muted whitespace-nowrap")
            ui.toggle(
                METRICS, value=self.metric, on_change=lambda e: self._metric(str(e.value))
            ).props('no-caps dense unelevated toggle-color=primary data-testid="metric"')
            ui.label("wait").classes("rp-muted")
            ui.space()
            self.shown = (
                ui.label("")
                .classes("rp-muted whitespace-nowrap")
                .props('data-testid="edges-shown"')
            )

    # ----- sources
    async def use_cases(self) -> None:
        """The workspace's own case history (the default source)."""
        self.upload.set_busy("Reading the workspace's cases…")
        log = await run.io_bound(self._read_cases)
        self.upload.set_busy(None)
        if log is not None:
            self.from_cases = True
            held_logs().drop(self.key)
            await self._use(log, "Rapport's cases")

    def _read_cases(self) -> EventLog:
        with self.db.session() as session:
            return read_case_log(session.connection(), self.user.workspace_id)

    async def use_upload(self, log: EventLog) -> None:
        self.from_cases = False
        held_logs().hold(self.key, self.release)
        await self._use(log, log.source)

    def release(self) -> None:
        """Drop the uploaded log to make room for another tab's (the server holds a few)."""
        if self.from_cases:
            return
        self.log = self.filtered = self.map = None
        self.filters.log = self.panel.log = None  # no reference may keep it alive
        self.panel.hide()
        self.chart_box.clear()
        self.summary.text = (
            "The uploaded log was released to make room for others: upload it again, or "
            "choose Our cases."
        )

    async def _use(self, log: EventLog, label: str) -> None:
        self.log = log
        self.label = label
        self.panel.hide()
        self.filters.reset(log)
        self.people_by.set_options(people_attributes(log) or ["resource"], value="resource")
        for tab in (self.hotspots, self.coolers, self.kpis):
            tab.set_log(log)
        await self.refilter()

    # ----- computing
    async def refilter(self) -> None:
        """Apply the filters, then recompute the map and mark the other tabs stale."""
        if self.log is None:
            return
        filters: MapFilters = self.filters.current()
        try:
            result = await run.io_bound(self._compute, self.log, filters)
        except RapportError as error:
            self.filters.show_error(problem_text(error))
            return
        if result is None:
            return
        self.filters.show_error("")
        self.filtered, self.map = result
        self.panel.hide()  # its cases were those of the previous filters
        counts = sorted({e.count for e in self.map.edges}) or [1]
        self.counts = counts
        self.slider.props["max"] = len(counts) - 1
        self.slider.value = first_threshold(counts, [e.count for e in self.map.edges])
        self.slider.update()
        log = self.filtered
        missing = "; ".join(self.log.missing.lines())
        self.summary.text = (
            f"{self.label} · {log.cases:,} cases, {log.events:,} events, "
            f"{len(self.map.activities):,} activities" + (f" · {missing}" if missing else "")
        )
        self.stale = {"variants", "performance", "people", *self.analyses}
        self.redraw()
        await self.show_tab(self.tab)

    @staticmethod
    def _compute(log: EventLog, filters: MapFilters) -> tuple[EventLog, ProcessMap]:
        filtered = apply_filters(log, filters)
        return filtered, discover_map(filtered)

    def _metric(self, metric: str) -> None:
        self.metric = metric if metric in METRICS else "mean"
        self.redraw()

    def _slid(self, event: GenericEventArguments) -> None:
        if isinstance(event.args, int | float):
            self.slider.value = event.args
        self.redraw()

    def redraw(self) -> None:
        """Draw the map at the slider's frequency (the layout is cheap next to the log)."""
        if self.map is None:
            return
        index = min(int(self.slider.value or 0), len(self.counts) - 1)
        min_count = self.counts[index]
        drawing = draw_map(self.map, min_count=min_count, metric=self.metric)
        self.drawn_nodes, self.drawn_edges = drawing.nodes, drawing.edges
        self.threshold.text = f"{min_count:,} time" + ("s" if min_count != 1 else "")
        total = len(self.map.edges)
        text = f"{drawing.drawn:,} of {total:,} edges shown"
        if drawing.hidden_by_count:
            text += f" · {drawing.hidden_by_count:,} rarer hidden"
        if drawing.hidden_activities:
            text += f" · {drawing.hidden_activities:,} activities without a drawn edge hidden"
        if drawing.visible > drawing.drawn:
            text += (
                f" · {drawing.visible - drawing.drawn:,} more hidden (only the busiest are drawn)"
            )
        self.shown.text = text
        # A new chart each time: ECharts sizes its canvas when it is mounted.
        self.chart_box.clear()
        with self.chart_box:
            if not self.map.activities:
                ui.label("No cases match the filters.").classes("rp-muted p-6").props(
                    'data-testid="map-empty"'
                )
                return
            chart = ui.echart(drawing.options, on_point_click=self.clicked)
            chart.classes("w-full").props('data-testid="process-map"')
            chart.style(f"height: {drawing.height}px; min-width: {drawing.width}px")

    async def show_tab(self, tab: str) -> None:
        self.tab = tab
        if tab not in self.stale or self.filtered is None:
            return
        self.stale.discard(tab)
        log = self.filtered
        if tab == "variants":
            show_variants(self.variants_box, log, self.pick_variant)
        elif tab == "performance":
            show_performance(self.performance_box, log, self.pick_edge, self.pick_activity)
        elif tab == "people":
            self._people()
        elif tab in self.analyses:
            await self.analyses[tab].refresh(log)

    def _people(self) -> None:
        if self.filtered is not None:
            show_people(self.people_box, self.filtered, str(self.people_by.value or "resource"))

    # ----- drilling down
    def clicked(self, event: EChartPointClickEventArguments) -> None:
        data: Any = event.data
        if not isinstance(data, dict):
            return
        if event.data_type == "edge":
            pair = self.drawn_edges.get(str(data.get("key")))
            if pair is not None:
                self.pick_edge(*pair)
        elif event.data_type == "node":
            name = self.drawn_nodes.get(str(data.get("id")))
            if name is not None and name not in (START, END):
                self.pick_activity(name)

    def pick_edge(self, source: str, target: str) -> None:
        if self.filtered is None:
            return
        log = self.filtered
        title = f"{source} → {target}"
        self._open(
            Selection(title, edge_cases(log, source, target), edge_times(log, source, target))
        )

    def pick_activity(self, activity: str) -> None:
        if self.filtered is not None:
            self._open(Selection(f"with {activity}", activity_cases(self.filtered, activity)))

    def pick_cases(self, title: str, cases: pl.Series) -> None:
        self._open(Selection(title, cases))

    def pick_variant(self, rank: int) -> None:
        if self.filtered is None:
            return
        path = variant_at(self.filtered, rank)
        self._open(
            Selection(f"variant {rank}: {' → '.join(path)}", variant_cases(self.filtered, path))
        )

    def _open(self, selection: Selection) -> None:
        if self.filtered is not None:
            self.panel.open(self.filtered, selection, link_cases=self.from_cases)
            ui.run_javascript(
                f"getHtmlElement({self.panel.card.id})"
                '.scrollIntoView({behavior: "smooth", block: "start"})'
            )


def register(db: Database) -> None:
    """Register ``/discovery``."""

    @ui.page(PATH, title="Processes · Rapport")
    def discovery_page() -> RedirectResponse | None:
        user = require_user(db, PATH)
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, PATH)
        DiscoveryView(db, user).build()
        return None
