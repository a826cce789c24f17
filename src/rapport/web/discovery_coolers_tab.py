"""The Water coolers tab of ``/discovery``: pairs of departments (or people) that hand work
to each other, or share cases, far more often than the process explains
(``discovery/coolers.py``), drawn in their network and listed with their figures."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from rapport.discovery.log import EventLog
from rapport.errors import RapportError
from rapport.web.discovery_insight_charts import (
    MAX_COOLERS_DRAWN,
    MAX_NETWORK_EDGES,
    cooler_network_options,
    lift_text,
)
from rapport.web.discovery_tabs import people_attributes
from rapport.web.feedback import problem_text
from rapport.web.latest import Latest

KINDS = {"handover": "hand work over", "together": "work on the same cases"}
_NUMBER: dict[str, Any] = {
    "align": "right",
    "headerClasses": "text-right",
    "sortable": True,
    ":format": "v => (typeof v === 'number' ? v.toLocaleString() : v)",
}
_COLUMNS: list[dict[str, Any]] = [
    {"name": "source", "label": "From", "field": "source", "align": "left", "sortable": True},
    {"name": "target", "label": "To", "field": "target", "align": "left", "sortable": True},
    {"name": "observed", "label": "Observed", "field": "observed", **_NUMBER},
    {"name": "expected", "label": "Expected", "field": "expected", **_NUMBER},
    {"name": "lift", "label": "Lift", "field": "lift", **_NUMBER,
     ":sort": "(a, b, rowA, rowB) => rowA.lift_raw - rowB.lift_raw"},
    {"name": "p", "label": "p-value", "field": "p", **_NUMBER,
     ":sort": "(a, b, rowA, rowB) => rowA.p_raw - rowB.p_raw"},
]  # fmt: skip


def cooler_rows(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``water_coolers_json`` pairs as table rows (an unbounded lift sorts first)."""
    return [
        {
            "key": i,
            "source": p["source"],
            "target": p["target"],
            "observed": p["observed"],
            "expected": round(float(p["expected"]), 2),
            "lift": lift_text(p["lift"]),
            "lift_raw": p["lift"] if p["lift"] is not None else 1e300,
            "p": f"{float(p['p_value']):.1e}",
            "p_raw": float(p["p_value"]),
        }
        for i, p in enumerate(pairs)
    ]


class CoolersTab:
    def __init__(self) -> None:
        self.log: EventLog | None = None
        self.latest = Latest()

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            self.by = ui.select(["resource"], value="resource", label="Between",
                                on_change=self._changed)  # fmt: skip
            self.by.props('dense options-dense data-testid="coolers-by"').classes("w-48")
            self.kind = ui.toggle(KINDS, value="handover", on_change=self._changed).props(
                'no-caps dense unelevated toggle-color=primary data-testid="coolers-kind"'
            )
            self.min_count = ui.number("At least (count)", value=10, min=1, step=1, precision=0)
            self.min_count.props('dense data-testid="coolers-min-count"').classes("w-36")
            self.min_lift = ui.number("Lift at least", value=2.0, min=0, step=0.5, precision=1)
            self.min_lift.props('dense data-testid="coolers-min-lift"').classes("w-32")
            for element in (self.min_count, self.min_lift):
                element.on("change", self._changed)
        self.box = ui.column().classes("w-full gap-2")

    def set_log(self, log: EventLog) -> None:
        names = people_attributes(log) or ["resource"]
        self.by.set_options(names, value="org:group" if "org:group" in names else names[0])

    async def refresh(self, log: EventLog) -> None:
        self.log = log
        await self._compute()

    async def _changed(self) -> None:
        if self.log is not None:
            await self._compute()

    async def _compute(self) -> None:
        log = self.log
        if log is None:
            return
        by = str(self.by.value or "resource")
        kind = str(self.kind.value or "handover")
        min_count = max(1, int(self.min_count.value or 1))
        min_lift = max(0.0, float(self.min_lift.value or 0.0))
        self.box.clear()
        with self.box:
            ui.spinner(size="lg")
        try:
            ticket = self.latest.start()
            result = await run.io_bound(_coolers, log, by, kind, min_count, min_lift)
        except RapportError as error:
            self.box.clear()
            with self.box:
                ui.label(problem_text(error)).classes("text-negative").props(
                    'data-testid="coolers-error"'
                )
            return
        if result is None or not self.latest.current(ticket):
            return  # the server is shutting down, or a newer computation runs
        data, network = result
        pairs: list[dict[str, Any]] = data["pairs"]
        self.box.clear()
        with self.box:
            what = "handovers" if kind == "handover" else "shared cases"
            note = (
                f"{len(pairs):,} water coolers: pairs of {by} with at least {min_count:,} {what}, "
                f"a lift of {min_lift:g} or more over what the process flow explains, p ≤ 0.01."
            )
            if len(pairs) > MAX_COOLERS_DRAWN:
                note += f" The {MAX_COOLERS_DRAWN} with the highest lift are drawn."
            ui.label(note).props('data-testid="coolers-note"')
            ui.label(
                f"The network: the {MAX_NETWORK_EDGES} heaviest pairs in grey, the water coolers "
                "in orange; larger circles worked on more cases. Hover an edge for its figures."
            ).classes("rp-muted")
            if network["edges"] or pairs:
                ui.echart(
                    cooler_network_options(network, pairs, directed=kind == "handover")
                ).classes("w-full h-[680px]").props('data-testid="coolers-graph"')
            else:
                ui.label(f"No two values of {by} {KINDS[kind]}.").classes("rp-muted")
            ui.label(
                "Water coolers, the highest lift first (expected: under independence, each "
                "event's value drawn from its activity's split)"
            ).classes("rp-section")
            ui.table(
                columns=_COLUMNS,
                rows=cooler_rows(pairs),
                row_key="key",
                pagination={"rowsPerPage": 15},
            ).props('flat dense wrap-cells data-testid="coolers-table"').classes("w-full")


def _coolers(
    log: EventLog, by: str, kind: str, min_count: int, min_lift: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    from rapport.discovery.coolers import find_water_coolers, water_coolers_json
    from rapport.discovery.social import handover_network, together_network

    found = find_water_coolers(log, by, kind=kind, min_count=min_count, min_lift=min_lift)
    build = handover_network if kind == "handover" else together_network
    return water_coolers_json(log, by, found, kind), build(log, by).as_dict()
