"""Engagement in a real browser, on the demo workspace: the case queue and the case beside a
conversation, internal notes with mentions and the notification bell, replies sent by
e-mail to a real SMTP server, the rules editor, the activity feed and the SLA report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import new_tab, screenshot, serve
from tests.e2e.engage_support import HOSTILE, Demo, choose, demo_workspace, user_id

from rapport.demo.service import DEMO_PASSWORD
from rapport.engage.case_queries import (
    CaseFilter,
    CaseSort,
    case_of_conversation,
    get_case,
    list_cases,
)
from rapport.engage.notifications import mark_read
from rapport.engage.sla import sla_report
from rapport.inbox.queries import ConversationFilter, list_conversations
from rapport.web.presentation import percent

pytestmark = pytest.mark.browser

ADMIN = "demo@rapport.example"
AGENT = "agent@rapport.example"
AGENT_NAME = "Sigrún Jónsdóttir"
ANALYST = "analyst@rapport.example"
COLLEAGUE = "tom@rapport.example"
HOSTILE_NOTE = "<b>bold</b><img src=y onerror=alert(1)> please check"
NO_XSS = "() => window.__xss === undefined"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with demo_workspace(tmp_path_factory.mktemp("engage")) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def engage_server(
    demo: Demo, chromium_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with serve(demo.db.url, tmp_path_factory.mktemp("engage-server")) as base:
        yield base


@pytest.fixture
def open_tab(browser: Any, engage_server: str) -> Iterator[Any]:
    """``open_tab(email)``: a new tab signed in as that demo user (Europe/Rome)."""
    tabs: list[Any] = []

    def sign_in(address: str) -> Any:
        tab = new_tab(browser, engage_server)
        tabs.append(tab)
        tab.goto("/login")
        tab.get_by_test_id("email").fill(address)
        tab.get_by_test_id("password").fill(DEMO_PASSWORD)
        tab.get_by_test_id("sign-in").click()
        expect(tab.get_by_test_id("user-name")).to_be_visible()
        return tab

    yield sign_in
    for tab in tabs:
        tab.context.close()


def test_agent_takes_a_case_and_mentions_a_colleague(open_tab: Any, demo: Demo) -> None:
    tab = open_tab(AGENT)
    tab.get_by_test_id("nav-cases").click()
    expect(tab).to_have_url(re.compile(r"/cases$"))
    rows = tab.get_by_test_id("case-row")
    expect(rows.first).to_be_visible()
    screenshot(tab, "cases")
    choose(tab, "filter-assignee", "Unassigned")
    expect(tab).to_have_url(re.compile(r"assignee=none"))
    expect(rows.first).to_be_visible()
    assert set(rows.get_by_test_id("case-assignee").all_inner_texts()) == {"Unassigned"}
    case_id = int(rows.first.get_attribute("data-id"))
    rows.first.click()
    expect(tab).to_have_url(re.compile(r"/conversations/\d+$"))
    panel = tab.get_by_test_id("case-panel")
    expect(panel.get_by_test_id("case-number")).to_have_text(f"Case #{case_id}")
    expect(panel.get_by_test_id("sla-first-response")).to_have_attribute(
        "data-state", re.compile("running|met|breached|none")
    )

    before = panel.get_by_test_id("case-priority-badge").inner_text().strip()
    after = "urgent" if before == "high" else "high"
    choose(tab, "case-priority", after.capitalize())
    history = panel.get_by_test_id("history-text")
    expect(history.first).to_have_text(f"Priority {before} → {after}")
    expect(panel.get_by_test_id("history-meta").first).to_contain_text(AGENT_NAME)
    expect(panel.get_by_test_id("case-priority-badge")).to_have_text(after)

    panel.get_by_test_id("assign-me").click()
    expect(history.first).to_have_text(f"Assigned to {AGENT_NAME}")
    expect(panel.get_by_test_id("case-assignee")).to_contain_text(AGENT_NAME)
    expect(panel.get_by_test_id("assign-me")).to_have_count(0)

    tom = user_id(demo.db, COLLEAGUE)
    with demo.db.session() as session:  # from here on, the colleague has one thing to read
        mark_read(session, tom)
    note = panel.get_by_test_id("note-input")
    note.press_sequentially("Customs question, @to")
    suggestion = panel.get_by_test_id("mention-suggestion").filter(has_text="Tom Berger")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(note).to_have_value("Customs question, @tom ")
    note.press_sequentially("can you check the fee? Also @nobody-here")
    panel.get_by_test_id("note-save").click()
    expect(panel.get_by_test_id("note-text").last).to_have_text(
        "Customs question, @tom can you check the fee? Also @nobody-here"
    )
    expect(panel.get_by_test_id("note-author").last).to_have_text(AGENT_NAME)
    expect(panel.get_by_test_id("note-warning")).to_contain_text("@nobody-here")
    expect(note).to_have_value("")
    expect(history.first).to_contain_text("Internal note added, mentioning tom@rapport.example")
    # a note looks nothing like a reply: it is labelled internal, in its own colour
    notes = panel.get_by_test_id("notes")
    expect(notes).to_contain_text("INTERNAL NOTES")
    colour = notes.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    screenshot(tab, "case-panel")

    colleague = open_tab(COLLEAGUE)
    expect(colleague.get_by_test_id("bell-count")).to_have_text("1")
    colleague.get_by_test_id("bell").click()
    expect(colleague).to_have_url(re.compile(r"/notifications$"))
    first = colleague.get_by_test_id("notification").first
    expect(first).to_have_attribute("data-unread", "true")
    expect(first.get_by_test_id("notification-text")).to_contain_text(
        f"{AGENT_NAME} mentioned you on case #{case_id}"
    )
    screenshot(colleague, "notifications")
    first.click()
    expect(colleague).to_have_url(re.compile(r"/conversations/\d+$"))
    expect(colleague.get_by_test_id("case-number")).to_have_text(f"Case #{case_id}")
    expect(colleague.get_by_test_id("bell-count")).to_be_hidden()


def _active_conversation(demo: Demo, channel: str) -> tuple[int, int]:
    """The newest active case on ``channel``: its conversation and its number."""
    with demo.db.session() as session:
        page = list_cases(
            session,
            demo.workspace_id,
            CaseFilter(status="active", channel=channel),
            sort=CaseSort.OPENED,
            limit=1,
        )
        case_id = page.items[0].id
        return get_case(session, demo.workspace_id, case_id).conversation_ids[0], case_id


def test_agent_tags_escalates_closes_and_opens_a_new_case(open_tab: Any, demo: Demo) -> None:
    conversation, case_id = _active_conversation(demo, "facebook")
    tab = open_tab(AGENT)
    tab.goto(f"/conversations/{conversation}")
    panel = tab.get_by_test_id("case-panel")
    expect(panel.get_by_test_id("case-number")).to_have_text(f"Case #{case_id}")
    history = panel.get_by_test_id("history-text")

    panel.get_by_test_id("tag-input").fill("stove-parts")
    panel.get_by_test_id("tag-input").press("Enter")
    expect(panel.get_by_test_id("case-tag").filter(has_text="stove-parts")).to_be_visible()
    expect(history.first).to_have_text("Tagged stove-parts")
    panel.get_by_test_id("case-tag").filter(has_text="stove-parts").locator(
        ".q-chip__icon--remove"
    ).click()
    expect(panel.get_by_test_id("case-tag").filter(has_text="stove-parts")).to_have_count(0)
    expect(history.first).to_have_text("untagged stove-parts")

    panel.get_by_test_id("escalate").click()
    tab.get_by_test_id("escalate-reason").fill("The customer asked for a manager")
    tab.get_by_test_id("escalate-confirm").click()
    expect(panel.get_by_test_id("case-escalated")).to_be_visible()
    expect(history.filter(has_text="Escalated: The customer asked for a manager")).to_have_count(1)

    # a Facebook comment can be answered publicly or privately: the agent says which
    box = tab.get_by_test_id("reply-box")
    expect(box.get_by_test_id("reply-label")).to_contain_text("comment on Facebook")
    expect(box.get_by_test_id("reply-mode")).to_contain_text("Public comment reply")
    expect(box.get_by_test_id("reply-mode")).to_contain_text("Private message (Messenger)")
    box.get_by_test_id("reply-text").fill("Thanks, we are on it.")
    box.get_by_test_id("reply-send").click()
    expect(box.get_by_test_id("reply-error")).to_have_text(
        "Choose whether the reply is public or private."
    )

    choose(tab, "case-status", "Closed")
    expect(panel.get_by_test_id("case-status-badge")).to_have_text("closed")
    expect(history.first).to_have_text("Closed")
    screenshot(tab, "case-closed")
    panel.get_by_test_id("open-case").click()
    expect(panel.get_by_test_id("case-number")).not_to_have_text(f"Case #{case_id}")
    expect(panel.get_by_test_id("case-status-badge")).to_have_text("new")
    expect(history.last).to_have_text(f"Case opened from conversation #{conversation}")


def _email_conversation(demo: Demo) -> tuple[int, str]:
    """An e-mail conversation with a case, and its customer's address."""
    with demo.db.session() as session:
        for conv in list_conversations(
            session, demo.workspace_id, ConversationFilter(channel="email"), limit=50
        ).items:
            case_id = case_of_conversation(session, conv.id)
            if (
                case_id is not None
                and get_case(session, demo.workspace_id, case_id).case.status != "closed"
            ):
                return conv.id, conv.customer or ""
    raise AssertionError("the demo has no e-mail conversation with a case")


def test_reply_by_email_reaches_the_smtp_server_and_the_thread(open_tab: Any, demo: Demo) -> None:
    conversation, customer = _email_conversation(demo)
    tab = open_tab(AGENT)
    tab.goto(f"/conversations/{conversation}")
    box = tab.get_by_test_id("reply-box")
    expect(box.get_by_test_id("reply-label")).to_have_text(
        re.compile(rf"^E-mail to {re.escape(customer)} <.+@.+>$")
    )
    expect(box.get_by_test_id("reply-warning")).to_have_count(0)
    text = box.get_by_test_id("reply-text")
    choose(tab, "reply-canned", "acknowledge")
    expect(text).to_have_value(re.compile(r"Your case number is \d+"))
    text.fill("Yes, we ship to the Faroe Islands: about five working days.")
    box.get_by_test_id("reply-send").click()
    delivery = tab.get_by_test_id("delivery").last
    expect(text).to_have_value("")
    screenshot(tab, "reply-queued")

    # The server's own job runner sends it at once: no worker to start, nothing to wait for.
    expect(delivery).to_have_attribute("data-status", "sent", timeout=15_000)
    [mail] = demo.mailbox.messages()
    assert AGENT_NAME in str(mail["From"])
    assert "Faroe Islands" in mail.get_content()
    last = tab.get_by_test_id("message").last
    expect(last).to_have_attribute("data-direction", "outbound", timeout=8_000)
    expect(last.get_by_test_id("author")).to_have_text(AGENT_NAME)
    expect(last.get_by_test_id("message-text")).to_contain_text("Faroe Islands")

    # a reply the server refuses: failed, with the server's words, to retry or cancel
    demo.mailbox.answer = "554 5.7.1 Rejected: looks like spam"
    text.fill("A second answer.")
    box.get_by_test_id("reply-send").click()
    refused = tab.get_by_test_id("delivery").last
    expect(refused).to_have_attribute("data-status", "failed", timeout=15_000)
    expect(refused.get_by_test_id("delivery-error")).to_contain_text("554 5.7.1 Rejected")
    screenshot(tab, "reply-failed")
    # Sent again by the agent's decision; now the server only says "later": it waits.
    demo.mailbox.answer = "451 4.3.0 Try again later"
    refused.get_by_test_id("delivery-retry").click()
    expect(refused).to_have_attribute("data-status", "retrying", timeout=15_000)
    assert len(demo.mailbox.messages()) == 1  # the refused reply never arrived
    refused.get_by_test_id("delivery-cancel").click()
    expect(refused).to_have_attribute("data-status", "failed")
    expect(refused.get_by_test_id("delivery-when")).to_have_text("cancelled")
    demo.mailbox.answer = "250 2.0.0 Ok: queued"

    # the refusal was notified to its author; she reads it and marks everything read
    expect(tab.get_by_test_id("bell-count")).to_be_visible(timeout=8_000)
    tab.get_by_test_id("bell").click()
    told = tab.get_by_test_id("notification").filter(has_text="was not sent")
    expect(told.first).to_have_attribute("data-unread", "true")
    expect(told.first).to_contain_text("554 5.7.1 Rejected")
    tab.get_by_test_id("mark-all-read").click()
    expect(
        tab.get_by_test_id("notification").and_(tab.locator('[data-unread="true"]'))
    ).to_have_count(0)
    expect(tab.get_by_test_id("bell-count")).to_be_hidden()


def test_a_channel_that_cannot_send_says_so(open_tab: Any, demo: Demo) -> None:
    tab = open_tab(AGENT)
    tab.goto(f"/conversations/{demo.hostile_conversation}")
    box = tab.get_by_test_id("reply-box")
    expect(box.get_by_test_id("reply-label")).to_have_text("Public reply on X to @mallory")
    expect(box.get_by_test_id("reply-warning")).to_contain_text("cannot send replies yet")
    box.get_by_test_id("reply-text").fill("Hello Mallory")
    box.get_by_test_id("reply-send").click()
    error = box.get_by_test_id("reply-error")
    expect(error).to_contain_text("cannot send replies yet")
    expect(error).to_contain_text("the reply was not queued")
    assert "Traceback" not in tab.content()
    expect(box.get_by_test_id("reply-text")).to_have_value("Hello Mallory")


def test_analyst_reads_the_case_but_cannot_change_it(open_tab: Any, demo: Demo) -> None:
    conversation, _ = _email_conversation(demo)
    tab = open_tab(ANALYST)
    tab.goto(f"/conversations/{conversation}")
    panel = tab.get_by_test_id("case-panel")
    expect(panel.get_by_test_id("case-number")).to_be_visible()
    expect(panel.get_by_test_id("case-assignee")).to_be_visible()
    expect(panel.get_by_test_id("history-item").first).to_be_visible()
    expect(tab.get_by_test_id("reply-box")).to_have_count(0)
    expect(panel.get_by_test_id("note-input")).to_have_count(0)
    expect(panel.get_by_test_id("assign-me")).to_have_count(0)
    expect(panel.get_by_test_id("escalate")).to_have_count(0)
    expect(tab.get_by_test_id("delivery-retry")).to_have_count(0)
    screenshot(tab, "case-analyst")


def test_admin_edits_the_rules_sees_the_problem_line_then_saves(open_tab: Any) -> None:
    tab = open_tab(ADMIN)
    tab.get_by_test_id("nav-rules").click()
    rules = tab.get_by_test_id("rule")
    expect(rules).to_have_count(6)
    expect(rules.first.get_by_test_id("rule-name")).to_have_text(
        "Influential customer complaining in public"
    )
    version = tab.get_by_test_id("rules-version").inner_text()
    editor = tab.get_by_test_id("rules-editor")
    source = editor.input_value()
    line = source.splitlines().index("      priority: urgent") + 1
    editor.fill(source.replace("      priority: urgent", "      priority: sky-high", 1))
    tab.get_by_test_id("rules-save").click()
    problems = tab.get_by_test_id("rules-problems")
    expect(problems).to_contain_text("nothing was saved")
    problem = problems.get_by_test_id("rules-problem").first
    expect(problem).to_have_attribute("data-line", str(line))
    expect(problem).to_contain_text(f"line {line}")
    expect(problem).to_contain_text("priority")
    expect(tab.get_by_test_id("rules-version")).to_have_text(version)
    expect(rules).to_have_count(6)
    screenshot(tab, "rules-problem")

    problem.get_by_role("button").click()  # selects that line in the editor
    editor.evaluate("e => e.selectionEnd > e.selectionStart") or tab.wait_for_function(
        "() => { const a = document.querySelector('textarea[data-testid=rules-editor]');"
        " return a.selectionEnd > a.selectionStart; }"
    )
    selected = editor.evaluate("e => e.value.slice(e.selectionStart, e.selectionEnd)")
    assert selected == "      priority: sky-high"

    fixed = source + (
        "\n  - name: Trade accounts\n"
        "    when:\n"
        '      text: {contains_any: ["trade account"]}\n'
        "    then:\n"
        "      tag: trade\n"
    )
    editor.fill(fixed)
    tab.get_by_test_id("rules-save").click()
    expect(problems).to_be_hidden()
    expect(rules).to_have_count(7)
    expect(rules.last.get_by_test_id("rule-name")).to_have_text("Trade accounts")
    expect(rules.last).to_contain_text('tag "trade"')
    versions = tab.get_by_test_id("rule-version")
    expect(versions.first).to_contain_text("in force")
    expect(versions.first).to_contain_text("Aisha Bell · 7 rules")
    screenshot(tab, "rules")

    versions.nth(1).get_by_test_id("rule-restore").click()
    expect(rules).to_have_count(6)
    expect(editor).to_have_value(source)

    reader = open_tab(AGENT)
    reader.goto("/rules")
    expect(reader.get_by_test_id("rule")).to_have_count(6)
    expect(reader.get_by_test_id("rules-save")).to_have_count(0)
    expect(reader.get_by_test_id("rules-editor")).to_have_attribute("readonly", re.compile(".*"))


def test_sla_report_shows_the_share_within_sla_per_team(open_tab: Any, demo: Demo) -> None:
    with demo.db.session() as session:
        expected = sla_report(
            session.connection(), demo.workspace_id, since=datetime.now(UTC) - timedelta(days=30)
        )
    tab = open_tab(ANALYST)
    tab.get_by_test_id("nav-reports").click()
    expect(tab).to_have_url(re.compile(r"/reports/sla"))
    within = tab.get_by_test_id("sla-within").get_by_test_id("value")
    expect(within).to_have_text(percent(expected["within_sla_ratio"]))
    expect(within).to_have_text(re.compile(r"^\d+(\.\d)? %$"))
    expect(tab.get_by_test_id("sla-first-response").get_by_test_id("value")).to_have_text(
        re.compile(r"^\d+ (s|min|h|d)")
    )
    teams = tab.get_by_test_id("sla-by-team").locator("tbody tr")
    expect(teams).to_have_count(len(expected["by_team"]))
    expect(teams.filter(has_text="Customer Care")).to_have_count(1)
    expect(teams.filter(has_text="Billing")).to_have_count(1)
    expect(tab.get_by_test_id("sla-by-agent").locator("tbody tr").first).to_be_visible()
    expect(
        tab.get_by_test_id("sla-by-channel").locator("tbody tr", has_text="email")
    ).to_have_count(1)
    expect(tab.get_by_test_id("csat")).to_be_visible()
    screenshot(tab, "sla-report")
    tab.get_by_test_id("sla-period").get_by_text("All time").click()
    expect(tab).to_have_url(re.compile(r"period=all"))


def test_activity_feed_filters_by_team_and_pages(open_tab: Any) -> None:
    tab = open_tab(AGENT)
    tab.get_by_test_id("nav-activity").click()
    items = tab.get_by_test_id("activity-item")
    expect(items).to_have_count(30)
    times = items.evaluate_all("els => els.map(e => e.dataset.at)")
    assert times == sorted(times, reverse=True)
    tab.get_by_test_id("activity-more").click()
    expect(items).not_to_have_count(30)
    assert items.count() > 30
    screenshot(tab, "activity")
    choose(tab, "activity-team", "Billing")
    expect(tab).to_have_url(re.compile(r"team=Billing"))
    expect(items.first).to_be_visible()
    assert set(items.get_by_test_id("activity-team-name").all_inner_texts()) == {"Billing"}
    items.first.click()
    expect(tab).to_have_url(re.compile(r"/conversations/\d+$"))


def test_markup_in_posts_and_notes_is_shown_as_text(open_tab: Any, demo: Demo) -> None:
    dialogs: list[str] = []
    tab = open_tab(AGENT)
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.goto("/cases?status=all&sort=opened")
    subject = tab.get_by_test_id("case-subject").filter(has_text="window.__xss").first
    expect(subject).to_have_text(HOSTILE)
    assert tab.evaluate(NO_XSS)
    assert tab.locator("img[src=x]").count() == 0

    tab.goto(f"/conversations/{demo.hostile_conversation}")
    expect(tab.get_by_test_id("message-text").first).to_have_text(HOSTILE)
    panel = tab.get_by_test_id("case-panel")
    panel.get_by_test_id("note-input").fill(HOSTILE_NOTE)
    panel.get_by_test_id("note-save").click()
    expect(panel.get_by_test_id("note-text").last).to_have_text(HOSTILE_NOTE)
    assert panel.locator("b, img").count() == 0
    assert tab.evaluate(NO_XSS)

    tab.goto("/activity")
    expect(tab.get_by_test_id("activity-item").first).to_be_visible()
    assert tab.locator("img[src=x], img[src=y]").count() == 0
    tab.wait_for_timeout(300)
    assert tab.evaluate(NO_XSS)
    assert dialogs == []
