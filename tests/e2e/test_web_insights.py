"""The insights dashboard on the demo: its charts show the demo's numbers, clicking a chart
element lists the posts behind it, and hostile or right-to-left posts show as they should."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from tests.e2e.conftest import HOSTILE, new_tab, rapport_command, screenshot, serve, sign_in_form

from rapport.demo.service import DEMO_PASSWORD, DEMO_USERS
from rapport.ingest.records import InboundMessage
from rapport.ingest.service import ingest_messages
from rapport.intelligence.analyzer import analyzer_from_settings
from rapport.intelligence.listening.service import voice_of_queries
from rapport.store.db import Database
from rapport.store.models import ChannelKind, Direction, Message, MessageEnrichment, User

pytestmark = pytest.mark.browser
ROME = ZoneInfo("Europe/Rome")  # the browser's zone (new_tab): the page cuts its days in it


def _since(days: int = 30) -> datetime:
    """Where the page's "last ``days`` days" start: a Rome midnight, today included."""
    today = datetime.now(ROME).date()
    return datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), ROME)


def _day(moment: datetime) -> str:
    return f"{moment.astimezone(ROME):%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class Demo:
    url: str
    db: Database
    workspace_id: int


@pytest.fixture(scope="module")
def demo(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``rapport demo load`` (without twcs) plus one hostile post, then ``rapport serve``."""
    work = tmp_path_factory.mktemp("insights")
    url = f"sqlite:///{work / 'demo.db'}"
    loaded = subprocess.run(
        [*rapport_command(), "demo", "load", "--no-twcs", "--quiet"],
        env={"RAPPORT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        cwd=work, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    db = Database(url)
    with db.session() as session:
        workspace_id = session.scalars(
            select(User.workspace_id).where(User.email == DEMO_USERS[0].email)
        ).one()
    hostile = InboundMessage(
        external_id="hostile-1", author_id="mallory", author_name="Mallory", text=HOSTILE,
        sent_at=datetime.now(UTC) - timedelta(minutes=1), direction=Direction.INBOUND,
    )  # fmt: skip
    ingest_messages(
        db, workspace_id=workspace_id, channel_name="webchat", kind=ChannelKind.API,
        messages=[hostile], analyzer=analyzer_from_settings(),
    )  # fmt: skip
    with serve(url, work) as base:
        yield Demo(base, db, workspace_id)
    db.dispose()


@pytest.fixture
def tab(browser: Any, demo: Demo) -> Iterator[Any]:
    page = new_tab(browser, demo.url)
    sign_in_form(page, DEMO_USERS[2].email, DEMO_PASSWORD)  # the analyst
    expect(page.get_by_test_id("nav-insights")).to_be_visible()
    page.goto("/insights")
    expect(page.get_by_test_id("insights-messages").get_by_test_id("value")).to_be_visible()
    yield page
    page.context.close()


def _last_30_days(demo: Demo) -> list[Any]:
    """The demo's customer messages of the last 30 Rome days with their readings, straight
    from the database (not through the code under test)."""
    since = _since()
    with demo.db.session() as session:
        return list(
            session.execute(
                select(Message.id, Message.sent_at, MessageEnrichment.sentiment,
                       MessageEnrichment.intent, MessageEnrichment.language)
                .join(MessageEnrichment, MessageEnrichment.message_id == Message.id)
                .where(Message.workspace_id == demo.workspace_id,
                       Message.direction == "inbound", Message.sent_at >= since)
            )
        )  # fmt: skip


def _chart(tab: Any, testid: str) -> Any:
    """The ECharts element inside the panel ``testid``."""
    return tab.get_by_test_id(testid).locator(".nicegui-echart")


def _options(tab: Any, testid: str) -> dict[str, Any]:
    chart = _chart(tab, testid)
    chart.locator("canvas").first.wait_for()
    element_id = int(chart.get_attribute("id").removeprefix("c"))
    return dict(tab.evaluate("id => getElement(id).chart.getOption()", element_id))


def _click_value(tab: Any, testid: str, series: int, point: list[float]) -> None:
    """Click the chart of panel ``testid`` where ``point`` (data coordinates) is drawn."""
    chart = _chart(tab, testid)
    chart.scroll_into_view_if_needed()
    element_id = int(chart.get_attribute("id").removeprefix("c"))
    to_pixel = "([id, n, point]) => getElement(id).chart.convertToPixel({seriesIndex: n}, point)"
    x, y = tab.evaluate(to_pixel, [element_id, series, point])
    box = chart.bounding_box()
    tab.mouse.click(box["x"] + x, box["y"] + y)


def test_insights_show_the_demo_numbers(tab: Any, demo: Demo) -> None:
    rows = _last_30_days(demo)
    with demo.db.session() as session:
        total = session.scalar(
            select(func.count()).where(
                Message.workspace_id == demo.workspace_id, Message.direction == "inbound",
                Message.sent_at >= _since(),
            )
        )  # fmt: skip
    messages = tab.get_by_test_id("insights-messages").get_by_test_id("value")
    expect(messages).to_have_text(f"{total:,}")
    intents = _options(tab, "intents")
    shown = dict(zip(intents["yAxis"][0]["data"], intents["series"][0]["data"], strict=True))
    expected: dict[str, int] = {}
    for row in rows:
        expected[row.intent] = expected.get(row.intent, 0) + 1
    assert shown == expected
    expect(tab.get_by_test_id("insights-zone")).to_contain_text("days in Europe/Rome")
    volume = _options(tab, "volume")
    assert sum(volume["series"][0]["data"]) == total
    per_day = dict(zip(volume["xAxis"][0]["data"], volume["series"][0]["data"], strict=True))
    assert len(per_day) == 30
    assert {day: n for day, n in per_day.items() if n} == Counter(_day(r.sent_at) for r in rows)
    expect(tab.get_by_test_id("topic").first).to_be_visible()
    # each topic's sparkline holds its messages per day of the 30 days (in the user's zone)
    for topic in tab.get_by_test_id("topic").all()[:3]:
        days = topic.get_by_test_id("topic-days").get_attribute("data-days") or ""
        counts = [int(n) for n in days.split(",")]
        size = topic.get_by_test_id("topic-size").inner_text().split(" · ")[0]
        assert sum(counts) == int(size.replace(",", ""))
        assert len(counts) == 30  # the period is 30 whole local days
    expect(tab.get_by_test_id("share-of-voice")).to_be_visible()
    screenshot(tab, "insights")

    tab.get_by_test_id("insights-period").get_by_text("Last 7 days").click()
    expect(tab).to_have_url(re.compile(r"/insights\?period=7$"))


def test_clicking_a_sentiment_bar_lists_its_posts(tab: Any, demo: Demo) -> None:
    rows = [row for row in _last_30_days(demo) if row.sentiment == "negative"]
    per_day: dict[str, list[Any]] = {}
    for row in rows:
        per_day.setdefault(_day(row.sent_at), []).append(row)
    day, expected = max(per_day.items(), key=lambda item: (len(item[1]), item[0]))
    options = _options(tab, "sentiment")
    days = options["xAxis"][0]["data"]
    names = [series["name"] for series in options["series"]]
    negative = names.index("negative")
    _click_value(tab, "sentiment", negative, [days.index(day), len(expected) / 2])

    panel = tab.get_by_test_id("posts-panel")
    expect(panel.get_by_test_id("posts-title")).to_have_text(f"Negative messages of {day}")
    posts = panel.get_by_test_id("post")
    expect(posts).to_have_count(min(len(expected), 25))
    shown = [int(p) for p in posts.evaluate_all("els => els.map(e => e.dataset.message)")]
    newest_first = sorted(expected, key=lambda row: (row.sent_at, row.id), reverse=True)
    assert shown == [row.id for row in newest_first][:25]
    assert posts.first.get_attribute("href").startswith("/conversations/")


def test_hostile_post_is_text_and_persian_reads_right_to_left(tab: Any, demo: Demo) -> None:
    volume = _options(tab, "volume")
    today = _day(datetime.now(UTC))
    days = volume["xAxis"][0]["data"]
    index = days.index(today)
    _click_value(tab, "volume", 0, [index, volume["series"][0]["data"][index]])
    panel = tab.get_by_test_id("posts-panel")
    expect(panel.get_by_test_id("posts-title")).to_have_text(f"Customer messages of {today}")
    first = panel.get_by_test_id("post").first.get_by_test_id("post-text")
    expect(first).to_have_text(HOSTILE)  # shown as text: the tags are visible characters
    assert first.locator("script, b").count() == 0
    panel.get_by_test_id("posts-close").click()
    expect(panel).to_be_hidden()

    languages = _options(tab, "languages")
    names = languages["yAxis"][0]["data"]
    row = names.index("fa")
    _click_value(tab, "languages", 0, [languages["series"][0]["data"][row] / 2, row])
    expect(panel.get_by_test_id("posts-title")).to_have_text("Messages with language fa")
    texts = panel.get_by_test_id("post-text")
    expect(texts.first).to_be_visible()
    assert set(texts.evaluate_all("els => els.map(e => e.dir)")) == {"rtl"}
    expect(panel).to_be_in_viewport(ratio=1)  # slid in completely, nothing cut off
    screenshot(tab, "insights-posts-fa")


def test_share_of_voice_shows_the_brands_and_the_posts_behind_a_bar(tab: Any, demo: Demo) -> None:
    with demo.db.session() as session:
        voices = voice_of_queries(session, demo.workspace_id, kind="brand", since=_since())
    loud = [v for v in voices.voices if v.mentions]
    assert loud, "the demo's brand queries should match some of its posts"
    panel = tab.get_by_test_id("share-of-voice")
    expect(panel.get_by_test_id("voice")).to_have_count(len(voices.voices))
    loudest = max(loud, key=lambda v: (v.mentions, v.name))
    expect(panel.get_by_test_id("voice-name").first).to_have_text(loudest.name)
    expect(panel.get_by_test_id("voice-figures").first).to_contain_text(
        f"{loudest.mentions:,} mentions"
    )
    options = _options(tab, "share-of-voice")
    brands = options["yAxis"][0]["data"]
    names = [series["name"] for series in options["series"]]
    sentiment = max(("negative", "neutral", "positive"), key=lambda s: getattr(loudest, s))
    count = getattr(loudest, sentiment)
    before = sum(getattr(loudest, s) for s in names[: names.index(sentiment)])
    _click_value(
        tab, "share-of-voice", names.index(sentiment),
        [before + count / 2, brands.index(loudest.name)],
    )  # fmt: skip
    posts_panel = tab.get_by_test_id("posts-panel")
    expect(posts_panel.get_by_test_id("posts-title")).to_have_text(
        f"{sentiment.capitalize()} mentions of {loudest.name}"
    )
    expect(posts_panel.get_by_test_id("post")).to_have_count(min(count, 25))
    screenshot(tab, "insights-share-of-voice")
