"""The insights charts show what the figures say, in the order a reader expects."""

from __future__ import annotations

from rapport.intelligence.insights import DaySentiment, InsightFigures
from rapport.intelligence.scope_store import MessageScope
from rapport.web.insights_charts import ZOOM_AFTER_DAYS, ranked_bars, sentiment_chart, volume_chart


def _figures(days: int, unread: int = 0) -> InsightFigures:
    names = [f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}" for n in range(days)]
    return InsightFigures(
        scope=MessageScope(),
        messages=days * 3 + unread,
        volume=[(day, 3) for day in names],
        sentiment=[DaySentiment(day, negative=1, neutral=1, positive=1) for day in names[:-1]]
        + [DaySentiment(names[-1], negative=1, neutral=1, positive=1, unread=unread)],
        intents=[],
        languages=[],
    )


def test_sentiment_is_stacked_and_shows_unread_only_when_some_are() -> None:
    read = sentiment_chart(_figures(3))
    assert [s["name"] for s in read["series"]] == ["negative", "neutral", "positive"]
    assert {s["stack"] for s in read["series"]} == {"sentiment"}
    some = sentiment_chart(_figures(3, unread=2))
    assert some["series"][-1]["name"] == "unread"
    assert some["series"][-1]["data"] == [0, 0, 2]


def test_a_long_period_opens_zoomed_on_its_last_days() -> None:
    assert "dataZoom" not in volume_chart(_figures(30))
    long = volume_chart(_figures(ZOOM_AFTER_DAYS * 4))
    assert long["dataZoom"][0]["start"] == 75.0
    assert long["dataZoom"][0]["end"] == 100


def test_ranked_bars_put_the_largest_on_top() -> None:
    chart = ranked_bars([("delivery", 9), ("billing", 3)], "messages")
    # ECharts draws the first category at the bottom of a vertical category axis
    assert chart["yAxis"]["data"] == ["billing", "delivery"]
    assert chart["series"][0]["data"] == [3, 9]
    assert chart["tooltip"]["renderMode"] == "richText"  # labels from posts are never HTML
