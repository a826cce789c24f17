"""The demo a new user sees after ``make demo``: log in, open a conversation, see its replies."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import new_tab, rapport_command, screenshot, serve, sign_in_form

from rapport.demo.service import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.browser

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def demo_server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``rapport demo load`` (without the twcs sample) then ``rapport serve``, as make demo."""
    work = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{work / 'demo.db'}"
    loaded = subprocess.run(
        [*rapport_command(), "demo", "load", "--no-twcs", "--quiet"],
        env={"RAPPORT_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert DEMO_USERS[0].email in loaded.stdout
    with serve(url, work) as base:
        yield base


@pytest.fixture
def demo_tab(browser: Any, demo_server: str) -> Iterator[Any]:
    tab = new_tab(browser, demo_server)
    yield tab
    tab.context.close()


def test_demo_login_opens_a_conversation_with_its_replies(demo_tab: Any) -> None:
    sign_in_form(demo_tab, DEMO_USERS[0].email, DEMO_PASSWORD)
    rows = demo_tab.get_by_test_id("conversation-row")
    expect(rows.first).to_be_visible()
    expect(demo_tab.get_by_test_id("workspace")).not_to_be_empty()
    screenshot(demo_tab, "demo-inbox")

    # the first conversation the company answered in
    answered = rows.filter(has=demo_tab.get_by_text("You:", exact=True)).first
    customer = answered.get_by_test_id("customer").inner_text()
    answered.click()
    messages = demo_tab.get_by_test_id("message")
    expect(messages.first).to_be_visible()
    directions = messages.evaluate_all("els => els.map(e => e.dataset.direction)")
    assert directions[0] == "inbound"
    assert "outbound" in directions
    authors = messages.get_by_test_id("author").all_inner_texts()
    assert customer in authors
    company_authors = {a for a, d in zip(authors, directions, strict=True) if d == "outbound"}
    assert company_authors
    assert customer not in company_authors
    screenshot(demo_tab, "demo-conversation")


def test_demo_persian_conversation_reads_right_to_left(demo_tab: Any) -> None:
    sign_in_form(demo_tab, DEMO_USERS[1].email, DEMO_PASSWORD)
    previews = demo_tab.get_by_test_id("preview")
    expect(previews.first).to_be_visible()
    # find an Arabic-script conversation through the search box and the page sizes
    demo_tab.get_by_test_id("page-size").click()
    demo_tab.locator(".q-menu .q-item", has_text="100").click()
    expect(demo_tab.get_by_test_id("range")).to_have_text(re.compile(r"^1\u2013"))
    rows = demo_tab.get_by_test_id("conversation-row")
    texts = rows.get_by_test_id("preview").all_inner_texts()
    index = next(i for i, text in enumerate(texts) if ARABIC_SCRIPT.search(text))
    # the list may render once more after the page size changed: find the row by its text
    # and let the check retry, rather than hold on to an element that may be replaced
    row = rows.filter(has_text=texts[index].strip()[:40]).first
    expect(row.get_by_test_id("preview")).to_have_css("direction", "rtl")
    row.click()
    bodies = demo_tab.get_by_test_id("message-text")
    expect(bodies.first).to_be_visible()
    rtl = [
        body.evaluate("e => getComputedStyle(e).direction")
        for body in bodies.all()
        if ARABIC_SCRIPT.search(body.inner_text())
    ]
    assert rtl
    assert set(rtl) == {"rtl"}
    # each customer message shows what Rapport read in it: Persian, and its sentiment
    readings = demo_tab.get_by_test_id("reading").all_inner_texts()
    assert readings
    assert any(text.startswith("fa · ") for text in readings)
    assert all(re.search(r"\b(negative|neutral|positive) \d+%", text) for text in readings)
    screenshot(demo_tab, "demo-persian")


def test_demo_inbox_filters_on_sentiment_and_keeps_it_in_the_address(demo_tab: Any) -> None:
    sign_in_form(demo_tab, DEMO_USERS[0].email, DEMO_PASSWORD)
    count = demo_tab.get_by_test_id("total")
    expect(count).to_have_text(re.compile(r"^\d+ conversations"))
    everything = count.inner_text()
    demo_tab.get_by_test_id("sentiment-filter").click()
    demo_tab.locator(".q-menu .q-item", has_text="Negative").click()
    expect(demo_tab).to_have_url(re.compile(r"sentiment=negative"))
    expect(count).not_to_have_text(everything)
    assert int(count.inner_text().split()[0]) > 0
    demo_tab.get_by_test_id("conversation-row").first.click()
    readings = demo_tab.get_by_test_id("reading").locator("[data-sentiment]")
    expect(readings.first).to_be_visible()
    sentiments = readings.evaluate_all("els => els.map(e => e.dataset.sentiment)")
    assert "negative" in sentiments
