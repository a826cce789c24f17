"""The fired alerts on the alerts page: newest first, a page at a time; each row opens to
the subject's series around its window and the posts that caused it (each a link to its
conversation, its text shown as text in its own direction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nicegui import ui

from rapport.intelligence.alerts.check import describe
from rapport.intelligence.trends.store import Post
from rapport.web.alerts_data import FiredAlert
from rapport.web.presentation import exact_time, short_time, zone
from rapport.web.text import plain, user_text

_WINDOW = "#dc2626"
_BAR = "#93b4f5"
# ECharts tooltips drawn on the canvas: no label is ever read as HTML
_TOOLTIP = {"trigger": "axis", "renderMode": "richText", "axisPointer": {"type": "shadow"}}


def subject_label(rule: dict[str, Any]) -> str:
    """What a rule watches, in words: ``all messages``, ``channel X @acme``..."""
    kind, value = rule["subject_kind"], rule["subject_value"]
    if kind == "all":
        return "all messages"
    if kind == "query":
        return f"listening query {value}"
    return f"{kind} {value}"


def window_text(start: datetime, end: datetime, tz: str) -> str:
    """``2026-11-30 09:00 to 10:00 CET`` (or two dates for a day window), in ``tz``."""
    place = zone(tz)
    first, last = start.astimezone(place), end.astimezone(place)
    if first.date() == last.date():
        return f"{first:%Y-%m-%d %H:%M} to {last:%H:%M} {first:%Z}"
    return f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} {last:%Z}"


def window_chart(alert: FiredAlert, tz: str) -> dict[str, Any]:
    """The subject's messages per bucket around the window (the window in red) and, for a
    share alert, the negative share as a line."""
    assert alert.series is not None
    place = zone(tz)
    buckets = alert.series.buckets
    hourly = alert.rule["interval"] == "hour"
    labels = [
        f"{b.start.astimezone(place):%m-%d %H:%M}"
        if hourly
        else f"{b.start.astimezone(place):%m-%d}"
        for b in buckets
    ]
    bars = [
        {
            "value": b.total,
            "itemStyle": {"color": _WINDOW if b.start == alert.window_start else _BAR},
        }
        for b in buckets
    ]
    series: list[dict[str, Any]] = [{"name": "messages", "type": "bar", "data": bars}]
    axes: list[dict[str, Any]] = [{"type": "value", "minInterval": 1, "name": "messages"}]
    if alert.rule["metric"] == "negative_share":
        share = [None if b.negative_share is None else round(b.negative_share * 100, 1)
                 for b in buckets]  # fmt: skip
        series.append({"name": "negative %", "type": "line", "yAxisIndex": 1, "data": share,
                       "itemStyle": {"color": "#7f1d1d"}, "connectNulls": False})  # fmt: skip
        axes.append({"type": "value", "min": 0, "max": 100, "name": "negative %"})
    return {
        "animation": False,
        "tooltip": _TOOLTIP,
        "grid": {"left": 8, "right": 16, "top": 30, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"hideOverlap": True}},
        "yAxis": axes,
        "series": series,
    }


class AlertEvents:
    """Fills a box with a page of fired alerts."""

    def __init__(self, tz: str) -> None:
        self.tz = tz

    def render(self, box: Any, alerts: list[FiredAlert], open_id: int | None) -> None:
        box.clear()
        with box:
            if not alerts:
                with (
                    ui.column()
                    .classes("w-full items-center py-10 gap-2")
                    .props('data-testid="alerts-empty"')
                ):
                    ui.icon("notifications_off", color="grey-5").classes("text-5xl")
                    ui.label("No alert has fired yet.")
            for alert in alerts:
                self._row(alert, opened=alert.id == open_id)

    def _row(self, alert: FiredAlert, *, opened: bool) -> None:
        rule = alert.rule
        with (
            ui.expansion(value=opened)
            .classes("w-full rp-grid-row")
            .props(f'dense data-testid="alert-event" data-id="{alert.id}" id="alert-{alert.id}"')
        ) as row:
            with row.add_slot("header"), ui.row().classes("w-full items-center gap-3 no-wrap"):
                ui.icon("campaign", color="negative").classes("text-xl flex-none")
                with ui.column().classes("gap-0 min-w-0 grow"):
                    with ui.row().classes("items-baseline gap-2 no-wrap min-w-0"):
                        plain(rule["name"], classes="font-semibold truncate",
                              props='dir=auto data-testid="alert-event-rule"')  # fmt: skip
                        plain(subject_label(rule), classes="rp-muted truncate", props="dir=auto")
                    ui.label(window_text(alert.window_start, alert.window_end, self.tz)).classes(
                        "text-sm"
                    ).props('data-testid="alert-event-window"')
                ui.label(describe(rule["metric"], alert.observed, alert.expected)).classes(
                    "text-sm flex-none"
                ).props('data-testid="alert-event-figures"')
                ui.badge(f"score {alert.score:.1f}", color="red-1", text_color="red-10").props(
                    'data-testid="alert-event-score"'
                ).classes("flex-none")
                with ui.label(f"{len(alert.posts)} posts").classes("rp-muted flex-none w-16"):
                    ui.tooltip(f"fired {exact_time(alert.fired_at, self.tz)}")
            self._detail(alert)

    def _detail(self, alert: FiredAlert) -> None:
        rule = alert.rule
        with ui.column().classes("w-full gap-2 px-2 pb-3"):
            if alert.series is None or not alert.series.buckets:
                ui.label("Its subject can no longer be counted (was its query removed?).").classes(
                    "rp-muted"
                )
            else:
                per = "hour" if rule["interval"] == "hour" else "day"
                ui.label(
                    f"Messages per {per} around the window (red), times in {zone(self.tz).key}; "
                    f"expected from {alert.basis}"
                ).classes("rp-muted")
                ui.echart(window_chart(alert, self.tz)).classes("w-full h-48").props(
                    'data-testid="alert-event-chart"'
                )
            ui.label("The posts behind it").classes("rp-section")
            if not alert.posts:
                ui.label("No posts were kept for this alert.").classes("rp-muted")
            with ui.column().classes("w-full gap-0"):
                for post in alert.posts:
                    self._post(post)

    def _post(self, post: Post) -> None:
        with (
            ui.link(target=f"/conversations/{post.conversation_id}")
            .classes("w-full no-underline text-inherit rp-row px-2 py-2 block")
            .props(f'data-testid="alert-post" data-id="{post.id}"')
        ):
            with ui.row().classes("w-full items-baseline gap-2 no-wrap"):
                plain(post.author, classes="rp-author truncate", props="dir=auto")
                plain(post.channel, classes="rp-muted truncate", props="dir=auto")
                ui.space()
                if post.sentiment:
                    ui.label(post.sentiment).classes("rp-muted flex-none")
                with ui.label(short_time(post.sent_at, self.tz)).classes("rp-muted flex-none"):
                    ui.tooltip(exact_time(post.sent_at, self.tz))
            user_text(post.text, classes="rp-text text-sm", testid="alert-post-text").props(
                "dir=auto"
            )
