"""The Hot spots tab of ``/discovery``: the activities, people or departments where rework,
delays and rare paths concentrate (``discovery/hotspots.py``), and the exceptions of the log
(``discovery/exceptions.py``): rework, rare variants, loops and cancellations. A click on a
row lists the cases behind it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
from nicegui import run, ui

from rapport.discovery.drilldown import activity_cases, edge_cases, value_cases, variant_cases
from rapport.discovery.log import EventLog
from rapport.errors import RapportError
from rapport.web.discovery_tabs import people_attributes
from rapport.web.feedback import problem_text
from rapport.web.latest import Latest
from rapport.web.presentation import human_duration, percent

Pick = Callable[[str, pl.Series], None]  # a title and the cases to list
TOP = 50
TIMES = "\u00d7"  # the multiplication sign
_SIGNALS = ("rework", "delay", "rare", "overlap")
_FORMAT = "v => (typeof v === 'number' ? v.toLocaleString() : v)"  # 22,527; still sorts
_NUMBER: dict[str, Any] = {
    "align": "right",
    "headerClasses": "text-right",
    "sortable": True,
    ":format": _FORMAT,
}
_COLUMNS: list[dict[str, Any]] = [
    {"name": "rank", "label": "#", "field": "rank", **_NUMBER},
    {"name": "value", "label": "Value", "field": "value", "align": "left", "sortable": True},
    {"name": "cases", "label": "Cases", "field": "cases", **_NUMBER},
    {"name": "score", "label": "Score", "field": "score", **_NUMBER},
    {"name": "rework", "label": "Rework", "field": "rework", "align": "right"},
    {"name": "delay", "label": "Delayed", "field": "delay", "align": "right"},
    {"name": "rare", "label": "Rare variant", "field": "rare", "align": "right"},
    {"name": "overlap", "label": "Overlap", "field": "overlap", "align": "right"},
    {"name": "reasons", "label": "Why", "field": "reasons", "align": "left"},
]


def hotspot_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``hotspots_json`` items as table rows: each signal's share and its ratio to the log's."""
    rows = []
    for rank, item in enumerate(data["items"], 1):
        row: dict[str, Any] = {
            "rank": rank,
            "value": item["value"],
            "cases": item["cases"],
            "score": round(float(item["score"]), 2),
            "reasons": "; ".join(item["reasons"]) or "—",
        }
        for signal in _SIGNALS:
            lift = item["lifts"][signal]
            row[signal] = percent(item["shares"][signal]) + (
                f" ({lift:.1f}{TIMES})" if lift is not None else ""
            )
        rows.append(row)
    return rows


class HotSpotsTab:
    """Attribute choice, the ranked hot spots and the exception lists."""

    def __init__(self, on_pick: Pick) -> None:
        self.on_pick = on_pick
        self.log: EventLog | None = None
        self.latest_spots, self.latest_exceptions = Latest(), Latest()

    def build(self) -> None:
        with ui.row().classes("items-center gap-3"):
            ui.label("Where exceptions concentrate, by").classes("rp-muted")
            self.by = ui.select(["activity"], value="activity", on_change=self._changed).props(
                'dense options-dense data-testid="hotspots-by"'
            )
        self.box = ui.column().classes("w-full gap-2")
        self.exceptions_box = ui.column().classes("w-full gap-2")

    def set_log(self, log: EventLog) -> None:
        """A new source: offer its attributes."""
        self.by.set_options(["activity", *people_attributes(log)], value="activity")

    async def refresh(self, log: EventLog) -> None:
        """Recompute both parts on ``log`` (the filtered log)."""
        self.log = log
        await self._hotspots()
        self.exceptions_box.clear()
        with self.exceptions_box:
            ui.spinner(size="lg")
        try:
            ticket = self.latest_exceptions.start()
            data = await run.io_bound(_exceptions, log)
            if data is None or not self.latest_exceptions.current(ticket):
                return  # the server is shutting down, or a newer computation runs
        except RapportError as error:
            self.exceptions_box.clear()
            with self.exceptions_box:
                ui.label(problem_text(error)).classes("text-negative")
            return
        self._show_exceptions(data)

    async def _changed(self) -> None:
        if self.log is not None:
            await self._hotspots()

    async def _hotspots(self) -> None:
        log = self.log
        if log is None:
            return
        by = str(self.by.value or "activity")
        self.box.clear()
        with self.box:
            ui.spinner(size="lg")
        try:
            ticket = self.latest_spots.start()
            data = await run.io_bound(_hotspots, log, by)
            if data is None or not self.latest_spots.current(ticket):
                return
        except RapportError as error:
            self.box.clear()
            with self.box:
                ui.label(problem_text(error)).classes("text-negative")
            return
        self.box.clear()
        with self.box:
            base = data["baseline"]
            ui.label(
                f"{len(data['items']):,} values of {by} in 5 or more cases (at most the {TOP} "
                "highest scores are listed). Score: the mean ratio of the four signals to the "
                "log's "
                f"(rework {percent(base['rework'])}, waits above "
                f"{human_duration(data['delay_seconds'])} {percent(base['delay'])}, rare "
                f"variant {percent(base['rare'])}, overlap {percent(base['overlap'])}); 1.0 "
                "is as usual. Click a row for its cases."
            ).classes("rp-muted").props('data-testid="hotspots-note"')
            table = ui.table(
                columns=_COLUMNS,
                rows=hotspot_rows(data),
                row_key="rank",
                pagination={"rowsPerPage": 15},
            ).props('flat dense wrap-cells data-testid="hotspots-table"')
            table.classes("w-full cursor-pointer")
            table.on("rowClick", lambda e: self._pick_value(by, str(e.args[1]["value"])),
                     [[], ["value"], None])  # fmt: skip

    def _pick_value(self, by: str, value: str) -> None:
        if self.log is None:
            return
        if by == "activity":
            self.on_pick(f"with {value}", activity_cases(self.log, value))
        else:
            self.on_pick(f"{by} = {value}", value_cases(self.log, by, value))

    def _show_exceptions(self, data: dict[str, Any]) -> None:
        self.exceptions_box.clear()
        log = self.log
        if log is None:
            return
        with self.exceptions_box:
            ui.label("Exceptions").classes("rp-section")
            ui.label(
                f"Of {data['cases']:,} cases: {percent(data['rework_share'])} repeat an activity, "
                f"{percent(data['rare_share'])} follow a rare variant (under "
                f"{percent(data['rare_below'])} of the cases), {percent(data['loop_share'])} "
                f"loop back, {percent(data['cancelled_share'])} have a cancellation."
            ).props('data-testid="exceptions-summary"')
            with ui.row().classes("w-full gap-4 items-start"):
                _small_table(
                    "Rework: activities repeated in a case",
                    ["activity", "cases", "repeats", "share"],
                    [{**r, "share": percent(r["share"])} for r in data["rework"]],
                    "exceptions-rework",
                    lambda r: self.on_pick(f"with {r['activity']}",
                                           activity_cases(log, r["activity"])),
                )  # fmt: skip
                _small_table(
                    "Loops: back to an activity already done",
                    ["loop", "count", "cases", "share"],
                    [
                        {**r, "loop": f"{r['source']} → {r['target']}",
                         "share": percent(r["share"])}
                        for r in data["loops"]
                    ],
                    "exceptions-loops",
                    lambda r: self.on_pick(f"{r['source']} → {r['target']}",
                                           edge_cases(log, r["source"], r["target"])),
                )  # fmt: skip
            with ui.row().classes("w-full gap-4 items-start"):
                _small_table(
                    "Rare variants",
                    ["path", "count", "coverage"],
                    [
                        {"path": " → ".join(v["variant"]), "variant": v["variant"],
                         "count": v["count"], "coverage": percent(v["coverage"])}
                        for v in data["rare_variants"]
                    ],
                    "exceptions-rare",
                    lambda r: self.on_pick("rare variant: " + r["path"],
                                           variant_cases(log, tuple(r["variant"]))),
                )  # fmt: skip
                _small_table(
                    "Cancellations (activity names like cancel, reject, abort…)",
                    ["activity", "events", "cases", "share"],
                    [{**r, "share": percent(r["share"])} for r in data["cancellations"]],
                    "exceptions-cancellations",
                    lambda r: self.on_pick(f"with {r['activity']}",
                                           activity_cases(log, r["activity"])),
                )  # fmt: skip


def _small_table(
    title: str,
    fields: list[str],
    rows: list[dict[str, Any]],
    testid: str,
    on_click: Callable[[dict[str, Any]], None],
) -> None:
    with ui.column().classes("flex-1 min-w-[320px] gap-1"):
        ui.label(title).classes("rp-section")
        if not rows:
            ui.label("None.").classes("rp-muted").props(f'data-testid="{testid}-none"')
            return
        columns = [
            {"name": f, "label": f.capitalize(), "field": f,
             **({"align": "left"} if f in ("activity", "loop", "path")
                else {"align": "right", ":format": _FORMAT})}
            for f in fields
        ]  # fmt: skip
        keyed = [{**r, "key": i} for i, r in enumerate(rows)]
        table = ui.table(columns=columns, rows=keyed, row_key="key").props(
            f'flat dense wrap-cells data-testid="{testid}"'
        )
        table.classes("w-full cursor-pointer")
        table.on("rowClick", lambda e: on_click(keyed[int(e.args[1]["key"])]), [[], ["key"], None])


def _hotspots(log: EventLog, by: str) -> dict[str, Any]:
    from rapport.discovery.hotspots import find_hotspots
    from rapport.discovery.views import hotspots_json

    return hotspots_json(find_hotspots(log, by, top=TOP))


def _exceptions(log: EventLog) -> dict[str, Any]:
    from rapport.discovery.exceptions import find_exceptions
    from rapport.discovery.views import exceptions_json

    return exceptions_json(find_exceptions(log, top=10))
