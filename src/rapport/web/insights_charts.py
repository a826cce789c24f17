"""ECharts options of the insights panels. Tooltips render as rich text on the canvas, so a
label taken from a post (a topic's words, a channel's name) is never read as HTML."""

from __future__ import annotations

from typing import Any

from rapport.intelligence.insights import InsightFigures
from rapport.intelligence.topics import Topic

SENTIMENT_COLOURS = {
    "negative": "#dc2626",
    "neutral": "#94a3b8",
    "positive": "#16a34a",
    "unread": "#e2e8f0",
}
_PRIMARY = "#2563eb"
_TOOLTIP = {"trigger": "axis", "renderMode": "richText", "axisPointer": {"type": "shadow"}}
_GRID = {"left": 8, "right": 32, "top": 36, "bottom": 8, "containLabel": True}
_DAYS = {"hideOverlap": True}


# Beyond this many days a day chart gets a zoom slider, opened on its last days.
ZOOM_AFTER_DAYS = 92


def _zoom(days: int) -> dict[str, Any]:
    if days <= ZOOM_AFTER_DAYS:
        return {}
    start = 100 * (1 - ZOOM_AFTER_DAYS / days)
    return {
        "dataZoom": [
            {"type": "inside", "start": start, "end": 100},
            {"type": "slider", "start": start, "end": 100, "height": 18, "bottom": 4},
        ],
        "grid": {**_GRID, "bottom": 36},
    }


def volume_chart(figures: InsightFigures) -> dict[str, Any]:
    """Customer messages per day, as a line."""
    options: dict[str, Any] = {
        "animation": False,
        "tooltip": {**_TOOLTIP, "axisPointer": {"type": "line"}},
        "grid": _GRID,
        "xAxis": {
            "type": "category",
            "data": [day for day, _ in figures.volume],
            "axisLabel": _DAYS,
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": "messages",
                "type": "line",
                "data": [count for _, count in figures.volume],
                "symbolSize": 7,
                "itemStyle": {"color": _PRIMARY},
                "areaStyle": {"opacity": 0.08},
            }
        ],
    }
    return options | _zoom(len(figures.volume))


def sentiment_chart(figures: InsightFigures) -> dict[str, Any]:
    """Customer messages per day and sentiment, stacked (unread only when there are any)."""
    names = [name for name in SENTIMENT_COLOURS if name != "unread"]
    if any(day.unread for day in figures.sentiment):
        names.append("unread")
    options: dict[str, Any] = {
        "animation": False,
        "tooltip": _TOOLTIP,
        "legend": {"top": 0, "data": names},
        "grid": _GRID,
        "xAxis": {
            "type": "category",
            "data": [day.day for day in figures.sentiment],
            "axisLabel": _DAYS,
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "name": name,
                "type": "bar",
                "stack": "sentiment",
                "data": [getattr(day, name) for day in figures.sentiment],
                "itemStyle": {"color": SENTIMENT_COLOURS[name]},
            }
            for name in names
        ],
    }
    return options | _zoom(len(figures.sentiment))


def ranked_bars(pairs: list[tuple[str, int]], series: str) -> dict[str, Any]:
    """Horizontal bars, the largest on top."""
    shown = list(reversed(pairs))
    return {
        "animation": False,
        "tooltip": _TOOLTIP,
        "grid": {**_GRID, "top": 8},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [name for name, _ in shown]},
        "series": [
            {
                "name": series,
                "type": "bar",
                "data": [count for _, count in shown],
                "itemStyle": {"color": _PRIMARY},
                "barMaxWidth": 22,
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def topics_chart(topics: list[Topic]) -> dict[str, Any]:
    """Topic sizes as horizontal bars, labelled with their words, the largest on top."""
    return ranked_bars([(topic.label, topic.size) for topic in topics], "messages")


def response_chart(sla: dict[str, Any]) -> dict[str, Any]:
    """First response and resolution, median and 90th percentile, in hours per channel."""

    def hours(value: float | None) -> float | None:
        return None if value is None else round(value / 3600, 1)

    channels = sla["by_channel"]
    measures = (
        ("first response median", "first_response_seconds_median", "#2563eb"),
        ("first response p90", "first_response_seconds_p90", "#93c5fd"),
        ("resolution median", "resolution_seconds_median", "#7c3aed"),
        ("resolution p90", "resolution_seconds_p90", "#c4b5fd"),
    )
    return {
        "animation": False,
        "tooltip": _TOOLTIP,
        "legend": {"top": 0},
        "grid": {**_GRID, "top": 56},
        "xAxis": {"type": "category", "data": [item["channel"] for item in channels]},
        "yAxis": {"type": "value", "name": "hours", "nameGap": 12},
        "series": [
            {
                "name": name,
                "type": "bar",
                "data": [hours(item[key]) for item in channels],
                "itemStyle": {"color": colour},
            }
            for name, key, colour in measures
        ],
    }
