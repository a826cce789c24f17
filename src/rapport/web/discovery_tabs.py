"""The Variants, Performance and People tabs of ``/discovery``; each fills a container
from an (already filtered) log and reports clicks through a callback."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl
from nicegui import ui

from rapport.discovery.analysis import case_table, discover_handover, discover_variants
from rapport.discovery.log import ACTIVITY, CASE, TIMESTAMP, EventLog
from rapport.discovery.performance import measure_performance
from rapport.discovery.views import handover_json, performance_json, variants_json
from rapport.web.presentation import human_duration, percent

MAX_VARIANT_ROWS = 1000
MAX_PEOPLE_EDGES = 120
BINS = 24
_NUMBER: dict[str, Any] = {
    "align": "right",
    "headerClasses": "text-right",
    "sortable": True,
    ":format": "v => (typeof v === 'number' ? v.toLocaleString() : v)",  # 22,527; still sorts
}
_BOTTLENECK_COLUMNS: list[dict[str, Any]] = [
    {"name": "source", "label": "From", "field": "source", "align": "left"},
    {"name": "target", "label": "To", "field": "target", "align": "left"},
    {"name": "count", "label": "Times", "field": "count", **_NUMBER},
    {"name": "median", "label": "Median wait", "field": "median", "align": "right"},
    {"name": "total", "label": "Total", "field": "total", "align": "right"},
]
_REWORK_COLUMNS: list[dict[str, Any]] = [
    {"name": "activity", "label": "Activity", "field": "activity", "align": "left"},
    {"name": "cases", "label": "Cases", "field": "cases", **_NUMBER},
    {"name": "share", "label": "Share", "field": "share", "align": "right"},
    {"name": "repeats", "label": "Repeats", "field": "repeats", **_NUMBER},
]


def _by_raw(field: str) -> str:
    # Sort a human-readable column by the number behind it (code written here, not data).
    return f"(a, b, rowA, rowB) => (rowA.{field} ?? -1) - (rowB.{field} ?? -1)"


def show_variants(box: Any, log: EventLog, on_pick: Callable[[int], None]) -> None:
    """The variants with count, coverage and durations; a click lists the variant's cases."""
    variants = variants_json(discover_variants(log))
    rows = [
        {
            "rank": rank,
            "path": " → ".join(v["variant"]),
            "steps": len(v["variant"]),
            "count": v["count"],
            "coverage": percent(v["coverage"]),
            "coverage_raw": v["coverage"],
            "mean": human_duration(v["mean_seconds"]),
            "mean_raw": v["mean_seconds"],
            "median": human_duration(v["median_seconds"]),
            "median_raw": v["median_seconds"],
        }
        for rank, v in enumerate(variants[:MAX_VARIANT_ROWS], 1)
    ]
    columns: list[dict[str, Any]] = [
        {"name": "rank", "label": "#", "field": "rank", **_NUMBER},
        {"name": "count", "label": "Cases", "field": "count", **_NUMBER},
        {"name": "coverage", "label": "Coverage", "field": "coverage", **_NUMBER,
         ":sort": _by_raw("coverage_raw")},
        {"name": "mean", "label": "Mean duration", "field": "mean", **_NUMBER,
         ":sort": _by_raw("mean_raw")},
        {"name": "median", "label": "Median duration", "field": "median", **_NUMBER,
         ":sort": _by_raw("median_raw")},
        {"name": "steps", "label": "Steps", "field": "steps", **_NUMBER},
        {"name": "path", "label": "Path", "field": "path", "align": "left"},
    ]  # fmt: skip
    box.clear()
    with box:
        shown = f"{len(variants):,} variants"
        if len(variants) > MAX_VARIANT_ROWS:
            shown += f"; the {MAX_VARIANT_ROWS:,} most frequent are listed"
        ui.label(f"{shown}. Click a variant to list its cases.").classes("rp-muted")
        table = ui.table(
            columns=columns, rows=rows, row_key="rank", pagination={"rowsPerPage": 25}
        ).props('flat dense wrap-cells data-testid="variants-table"')
        table.classes("w-full cursor-pointer")
        table.on("rowClick", lambda e: on_pick(int(e.args[1]["rank"])), [[], ["rank"], None])


def duration_histogram(log: EventLog) -> dict[str, Any]:
    """ECharts options: how many cases took how long (bins up to the 99th percentile, the
    rest in a last bin)."""
    seconds = case_table(log)["seconds"].drop_nulls()
    if seconds.is_empty():
        return {"series": []}
    top = float(seconds.quantile(0.99, interpolation="linear") or 0.0) or float(seconds.max())  # type: ignore[arg-type]
    width = max(top / BINS, 1.0)
    counts = [0] * (BINS + 1)
    for value in seconds.to_list():
        counts[min(BINS, int(value // width))] += 1
    labels = [f"< {human_duration((i + 1) * width)}" for i in range(BINS)]
    labels.append(f"≥ {human_duration(BINS * width)}")
    while len(counts) > 1 and counts[-1] == 0:
        counts.pop()
        labels.pop()
    return {
        "animation": False,
        "tooltip": {"renderMode": "richText", "trigger": "axis"},
        "grid": {"left": 50, "right": 20, "top": 20, "bottom": 70},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 40}},
        "yAxis": {"type": "value", "name": "cases"},
        "series": [{"type": "bar", "data": counts, "itemStyle": {"color": "#2563eb"}}],
    }


def show_performance(
    box: Any,
    log: EventLog,
    on_edge: Callable[[str, str], None],
    on_activity: Callable[[str], None],
) -> None:
    """Case durations (figures and histogram), bottleneck edges and rework."""
    figures = performance_json(measure_performance(log, top=15))
    d = figures["case_seconds"]
    box.clear()
    with box:
        ui.label(
            f"{figures['cases']:,} cases, {figures['events']:,} events · case duration mean "
            f"{human_duration(d['mean'])}, median {human_duration(d['median'])}, 90th "
            f"percentile {human_duration(d['p90'])}, longest {human_duration(d['max'])}"
        ).props('data-testid="performance-summary"')
        ui.label("Case durations").classes("rp-section")
        ui.echart(duration_histogram(log)).classes("w-full h-72").props(
            'data-testid="duration-histogram"'
        )
        with ui.row().classes("w-full gap-4 no-wrap items-start"):
            with ui.column().classes("flex-1 gap-1"):
                ui.label("Bottleneck edges (most time spent in all)").classes("rp-section")
                rows = [
                    {
                        "key": f"{i}",
                        "source": b["source"],
                        "target": b["target"],
                        "count": b["count"],
                        "median": human_duration(b["median_seconds"]),
                        "total": human_duration(b["total_seconds"]),
                    }
                    for i, b in enumerate(figures["bottlenecks"])
                ]
                table = ui.table(
                    columns=_BOTTLENECK_COLUMNS,
                    rows=rows,
                    row_key="key",
                ).props('flat dense wrap-cells data-testid="bottlenecks"')
                table.classes("w-full cursor-pointer")
                table.on(
                    "rowClick",
                    lambda e: on_edge(str(e.args[1]["source"]), str(e.args[1]["target"])),
                    [[], ["source", "target"], None],
                )
            with ui.column().classes("flex-1 gap-1"):
                ui.label("Rework: activities repeated in a case").classes("rp-section")
                rework = [
                    {
                        "activity": r["activity"],
                        "cases": r["cases"],
                        "share": percent(r["share"]),
                        "repeats": r["repeats"],
                    }
                    for r in figures["rework"]
                ]
                table = ui.table(
                    columns=_REWORK_COLUMNS,
                    rows=rework,
                    row_key="activity",
                ).props('flat dense wrap-cells data-testid="rework"')
                table.classes("w-full cursor-pointer")
                table.on(
                    "rowClick",
                    lambda e: on_activity(str(e.args[1]["activity"])),
                    [[], ["activity"], None],
                )
        rare = figures["rare_variants"]
        ui.label(
            f"{rare['seen_once']:,} of {rare['variants']:,} variants were seen once "
            f"({percent(rare['share_of_cases'])} of the cases)."
        ).classes("rp-muted")


def people_attributes(log: EventLog) -> list[str]:
    """The attributes a handover network can be drawn over: the resource, then the others."""
    skip = {CASE, ACTIVITY, TIMESTAMP}
    others = [
        c
        for c, dtype in log.frame.schema.items()
        if c not in skip and not c.startswith("_") and dtype in (pl.String, pl.Categorical)
    ]
    return sorted(others, key=lambda c: (c != "resource", c))


def handover_options(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """ECharts options of a handover network (force layout), the heaviest pairs only."""
    drawn = pairs[:MAX_PEOPLE_EDGES]
    names = sorted({p["source"] for p in drawn} | {p["target"] for p in drawn})
    ids = {name: f"p{i}" for i, name in enumerate(names)}
    flow: dict[str, int] = dict.fromkeys(names, 0)
    for p in drawn:
        flow[p["source"]] += p["count"]
        flow[p["target"]] += p["count"]
    biggest = max(flow.values(), default=1)
    heaviest = max((p["count"] for p in drawn), default=1)
    return {
        "animation": False,
        "tooltip": {"renderMode": "richText", "confine": True},
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "force": {"repulsion": 180, "edgeLength": [50, 150], "gravity": 0.2},
                "roam": True,
                "draggable": True,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": [0, 8],
                "label": {"show": True, "position": "right", "formatter": "{b}"},
                "emphasis": {"focus": "adjacency"},
                "data": [
                    {
                        "id": ids[n],
                        "name": n,
                        "value": flow[n],
                        "symbolSize": round(10 + 26 * math.sqrt(flow[n] / biggest), 1),
                        "tooltip": {"formatter": "{b}\n" + f"{flow[n]:,} handovers in and out"},
                    }
                    for n in names
                ],
                "links": [
                    {
                        "source": ids[p["source"]],
                        "target": ids[p["target"]],
                        "value": p["count"],
                        "lineStyle": {
                            "width": round(0.8 + 7 * math.sqrt(p["count"] / heaviest), 1),
                            "color": "#64748b",
                            "opacity": 0.7,
                            "curveness": 0.15,
                        },
                        "tooltip": {"formatter": f"{p['count']:,} handovers"},
                    }
                    for p in drawn
                ],
            }
        ],
    }


def show_people(box: Any, log: EventLog, attribute: str) -> None:
    """The handover-of-work network over ``attribute`` and the list of its pairs."""
    pairs = handover_json(discover_handover(log, attribute))
    box.clear()
    with box:
        if not pairs:
            ui.label(f"No handovers of work between different values of {attribute}.").classes(
                "rp-muted"
            )
            return
        hidden = max(0, len(pairs) - MAX_PEOPLE_EDGES)
        note = f"{len(pairs):,} pairs hand work to each other"
        if hidden:
            note += f"; the {MAX_PEOPLE_EDGES} busiest are drawn ({hidden:,} hidden)"
        ui.label(note + ". Thicker: more handovers.").classes("rp-muted").props(
            'data-testid="people-note"'
        )
        ui.echart(handover_options(pairs)).classes("w-full h-[560px]").props(
            'data-testid="people-graph"'
        )
        ui.table(
            columns=[
                {"name": "source", "label": "From", "field": "source", "align": "left"},
                {"name": "target", "label": "To", "field": "target", "align": "left"},
                {"name": "count", "label": "Handovers", "field": "count", **_NUMBER},
            ],
            rows=[{"key": i, **p} for i, p in enumerate(pairs)],
            row_key="key",
            pagination={"rowsPerPage": 10},
        ).props('flat dense data-testid="people-table"').classes("w-full")
