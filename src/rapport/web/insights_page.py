"""The insights dashboard (``/insights``): what customers wrote in a period — volume and
sentiment per day, intents, languages, top topics — and how fast the team answered. Every
chart element opens the posts behind it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import run, ui
from nicegui.events import EChartPointClickEventArguments

from rapport.intelligence.insights_store import PostFilter
from rapport.intelligence.scope_store import MessageScope
from rapport.intelligence.topics import Topic
from rapport.store.db import Database
from rapport.web.auth import require_user
from rapport.web.insights_charts import (
    ranked_bars,
    response_chart,
    sentiment_chart,
    topics_chart,
    voices_chart,
    volume_chart,
)
from rapport.web.insights_data import PERIODS, Dashboard, load_dashboard, period_of, period_scope
from rapport.web.insights_posts import PostsPanel
from rapport.web.layout import page_frame
from rapport.web.presentation import human_duration, percent, zone
from rapport.web.session import WebUser
from rapport.web.sparkline import day_sparkline
from rapport.web.text import user_text

Click = Callable[[EChartPointClickEventArguments], None]
_CHART = "w-full h-72"


class InsightsView:
    """One browser tab's dashboard."""

    def __init__(self, db: Database, user: WebUser, period: str) -> None:
        self.db = db
        self.user = user
        self.period = period_of(period)
        # the user's zone cuts the days of every chart and of the period itself
        self.zone = zone(user.time_zone)
        self.scope = period_scope(self.period, self.zone)
        self.posts = PostsPanel(db, user)
        self._topic_list: list[Topic] = []

    async def build(self) -> None:
        with ui.column().classes("w-full max-w-7xl mx-auto px-6 py-6 gap-4"):
            with ui.row().classes("w-full items-center gap-3"):
                ui.label("Insights").classes("text-2xl font-semibold")
                ui.label(
                    f"customer messages · days in {self.zone.key} · click a chart for its posts"
                ).classes("rp-muted").props('data-testid="insights-zone"')
                ui.space()
                ui.toggle(PERIODS, value=self.period, on_change=self.choose).props(
                    "no-caps unelevated toggle-color=primary color=white text-color=secondary "
                    'data-testid="insights-period"'
                ).classes("rp-card")
            self.body = ui.column().classes("w-full gap-4")
        await self.show()

    async def choose(self, event: Any) -> None:
        self.period = period_of(str(event.value))
        self.scope = period_scope(self.period, self.zone)
        ui.navigate.history.replace(f"/insights?period={self.period}")
        await self.show()

    async def show(self) -> None:
        self.body.clear()
        with self.body:
            ui.spinner(size="lg").classes("self-center")
        data = await run.io_bound(
            load_dashboard,
            self.db,
            self.user.workspace_id,
            self.scope,
            self.zone.key,
        )
        if data is None:  # the server is shutting down
            return
        self.body.clear()
        with self.body:
            self._tiles(data)
            with ui.element("div").classes("w-full grid gap-4 grid-cols-1 lg:grid-cols-2"):
                self._panels(data)

    def _tiles(self, data: Dashboard) -> None:
        figures, sla = data.figures, data.sla
        negative = sum(day.negative for day in figures.sentiment)
        with ui.row().classes("w-full gap-4 no-wrap"):
            self._tile("Customer messages", f"{figures.messages:,}", "insights-messages",
                       f"{len(data.topics.topics)} topics")  # fmt: skip
            self._tile(
                "Negative", percent(negative / figures.messages if figures.messages else None),
                "insights-negative", f"{negative:,} messages",
            )  # fmt: skip
            self._tile(
                "First response", human_duration(sla["first_response_seconds_median"]),
                "insights-first-response",
                f"median · p90 {human_duration(sla['first_response_seconds_p90'])}",
            )  # fmt: skip
            self._tile(
                "Resolution", human_duration(sla["resolution_seconds_median"]),
                "insights-resolution",
                f"median · p90 {human_duration(sla['resolution_seconds_p90'])}",
            )  # fmt: skip

    def _tile(self, title: str, value: str, testid: str, detail: str) -> None:
        with ui.card().classes("rp-card flex-1 p-4 gap-1").props(f'flat data-testid="{testid}"'):
            ui.label(title).classes("rp-section")
            ui.label(value).classes("text-3xl font-semibold").props('data-testid="value"')
            ui.label(detail).classes("rp-muted")

    def _panels(self, data: Dashboard) -> None:
        figures = data.figures
        empty = "No customer messages in this period."
        with self._panel("Messages per day", "volume", empty if not figures.messages else None):
            ui.echart(volume_chart(figures), on_point_click=self._on_day).classes(_CHART)
        with self._panel("Sentiment per day", "sentiment", empty if not figures.messages else None):
            ui.echart(sentiment_chart(figures), on_point_click=self._on_sentiment).classes(_CHART)
        with self._panel("Intents", "intents", empty if not figures.intents else None):
            ui.echart(
                ranked_bars(figures.intents, "messages"), on_point_click=self._on_reading("intent")
            ).classes(_CHART)
        with self._panel("Languages", "languages", empty if not figures.languages else None):
            ui.echart(
                ranked_bars(figures.languages, "messages"),
                on_point_click=self._on_reading("language"),
            ).classes(_CHART)
        self._topics(data)
        self._response_times(data)
        self._share_of_voice(data)

    def _panel(self, title: str, key: str, empty: str | None) -> Any:
        card = ui.card().classes("rp-card w-full p-4 gap-2").props(f'flat data-testid="{key}"')
        with card:
            ui.label(title).classes("rp-section")
            if empty:
                ui.label(empty).classes("rp-muted").props('data-testid="panel-empty"')
        # an empty panel still gets its (empty) chart, so the layout does not jump
        return card

    def _topics(self, data: Dashboard) -> None:
        topics = data.topics.topics[:10]
        with self._panel(
            "Top topics", "topics", None if topics else "Too few messages for topics."
        ):
            chart = ui.echart(topics_chart(topics), on_point_click=self._on_topic).classes(_CHART)
            chart.props('data-testid="topics-chart"')
            report = data.topics
            if report.messages:
                ui.label(
                    f"{report.unassigned:,} of {report.messages:,} messages fit no topic clearly"
                ).classes("rp-muted").props('data-testid="topics-unassigned"')
            with ui.column().classes("w-full gap-0"):
                for number, topic in enumerate(topics, 1):
                    with (
                        ui.row()
                        .classes(
                            "rp-grid-row w-full items-center gap-2 py-1 cursor-pointer no-wrap"
                        )
                        .props('data-testid="topic"')
                        .on("click", lambda _, n=number - 1: self._open_topic(n))
                    ):
                        ui.label(f"{number}.").classes("rp-muted w-6")
                        user_text(topic.label, classes="font-medium grow", testid="topic-label")
                        self._topic_days(topic, report.tz)
                        ui.label(f"{topic.size:,} · {percent(topic.share)}").classes(
                            "rp-muted"
                        ).props('data-testid="topic-size"')
        self._topic_list = topics

    def _topic_days(self, topic: Topic, tz: str) -> None:
        if not topic.days:
            return
        busiest = max(topic.days, key=lambda d: d.messages)
        spark = day_sparkline(
            [d.messages for d in topic.days], [d.negative for d in topic.days], testid="topic-days"
        )
        with spark:
            ui.tooltip(
                f"Messages per day ({tz}), negative in red: {topic.days[0].day} to "
                f"{topic.days[-1].day}; busiest {busiest.day} with {busiest.messages:,}"
            )

    def _response_times(self, data: Dashboard) -> None:
        sla = data.sla
        with self._panel("Response times", "response-times", None if sla["cases"] else
                         "No cases were opened in this period."):  # fmt: skip
            ui.label(
                f"{sla['cases']:,} cases · first response median "
                f"{human_duration(sla['first_response_seconds_median'])}, p90 "
                f"{human_duration(sla['first_response_seconds_p90'])} · resolution median "
                f"{human_duration(sla['resolution_seconds_median'])}, p90 "
                f"{human_duration(sla['resolution_seconds_p90'])}"
            ).classes("rp-muted").props('data-testid="response-summary"')
            ui.echart(response_chart(sla), on_point_click=self._on_channel).classes(_CHART)

    def _share_of_voice(self, data: Dashboard) -> None:
        voices = data.voices
        if voices is None:
            empty = "No brand queries yet: add some with `rapport listen add NAME --kind brand`."
        elif not voices.total_mentions:
            empty = "No brand was mentioned in this period."
        else:
            empty = None
        with self._panel("Share of voice", "share-of-voice", empty):
            if voices is None or not voices.total_mentions:
                return
            ui.echart(voices_chart(voices), on_point_click=self._on_voice).classes(_CHART)
            with ui.column().classes("w-full gap-0"):
                for voice in sorted(voices.voices, key=lambda v: (-v.mentions, v.name)):
                    net = "—" if voice.net_sentiment is None else f"{voice.net_sentiment:+.2f}"
                    with (
                        ui.row()
                        .classes("rp-grid-row w-full items-center gap-2 py-1 no-wrap")
                        .props('data-testid="voice"')
                    ):
                        user_text(voice.name, classes="font-medium grow", testid="voice-name")
                        ui.label(
                            f"{voice.mentions:,} mentions · {percent(voice.share)} · net {net}"
                        ).classes("rp-muted").props('data-testid="voice-figures"')
        self._mentions = data.mentions

    # -- clicks: each opens the posts behind the element ---------------------------------

    def _open(self, title: str, which: PostFilter, scope: MessageScope | None = None) -> None:
        self.posts.open(title, scope or self.scope, which)

    def _on_day(self, event: EChartPointClickEventArguments) -> None:
        day = date.fromisoformat(event.name)
        self._open(f"Customer messages of {day}", PostFilter(day=day, tz=self.zone))

    def _on_sentiment(self, event: EChartPointClickEventArguments) -> None:
        day = date.fromisoformat(event.name)
        sentiment = event.series_name
        self._open(f"{sentiment.capitalize()} messages of {day}",
                   PostFilter(day=day, tz=self.zone, sentiment=sentiment))  # fmt: skip

    def _on_reading(self, reading: str) -> Click:
        def open_reading(event: EChartPointClickEventArguments) -> None:
            name = event.name
            which = PostFilter(intent=name) if reading == "intent" else PostFilter(language=name)
            self._open(f"Messages with {reading} {event.name}", which)

        return open_reading

    def _on_topic(self, event: EChartPointClickEventArguments) -> None:
        # the chart lists the largest topic on top, i.e. last
        self._open_topic(len(self._topic_list) - 1 - event.data_index)

    def _open_topic(self, index: int) -> None:
        topic = self._topic_list[index]
        self._open(f"Topic: {topic.label}", PostFilter(message_ids=topic.members))

    def _on_voice(self, event: EChartPointClickEventArguments) -> None:
        name, sentiment = event.name, event.series_name
        ids = [
            m.message_id
            for m in self._mentions.get(name, [])
            if m.sentiment == sentiment or (sentiment == "unread" and m.sentiment is None)
        ]
        self._open(f"{sentiment.capitalize()} mentions of {name}", PostFilter(message_ids=ids))

    def _on_channel(self, event: EChartPointClickEventArguments) -> None:
        scope = MessageScope(self.scope.since, self.scope.until, channel=event.name)
        self._open(f"Customer messages on {event.name}", PostFilter(), scope)


def register(db: Database) -> None:
    """Register ``/insights``."""

    @ui.page("/insights", title="Insights · Rapport")
    async def insights_page(period: str | None = None) -> RedirectResponse | None:
        period = period_of(period)
        user = require_user(db, f"/insights?period={period}")
        if isinstance(user, RedirectResponse):
            return user
        page_frame(user, db, "/insights")
        await InsightsView(db, user, period).build()
        return None
