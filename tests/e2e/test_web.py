"""The web app in a real browser: login, the inbox, a conversation, live updates, safety."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import (
    AGENT_EMAIL,
    EMAIL,
    HOSTILE,
    OTHER_EMAIL,
    PASSWORD,
    PERSIAN,
    Seeded,
    add_messages,
    screenshot,
    sign_in_form,
)

from rapport.accounts.service import create_user
from rapport.inbox.queries import mark_read
from rapport.ingest.records import InboundMessage
from rapport.store.models import Direction, Role, User, Workspace

pytestmark = pytest.mark.browser

ROWS = '[data-testid="conversation-row"]'


def log_in(
    tab: Any, email: str = AGENT_EMAIL, password: str = PASSWORD, *, ok: bool = True
) -> None:
    """Sign in through the form; when ``ok``, wait until the inbox is there."""
    sign_in_form(tab, email, password)
    if ok:
        expect(tab.get_by_test_id("total")).to_be_visible()


def open_inbox(tab: Any) -> None:
    tab.goto("/")
    expect(tab.get_by_test_id("total")).to_be_visible()


def row_customers(tab: Any) -> list[str]:
    return [t.strip() for t in tab.locator(f'{ROWS} [data-testid="customer"]').all_inner_texts()]


def test_wrong_password_is_refused_and_right_one_signs_in(page: Any) -> None:
    log_in(page, password="not-the-password", ok=False)
    expect(page.get_by_test_id("login-error")).to_have_text(re.compile("Wrong e-mail or password"))
    assert page.url.endswith("/login")
    screenshot(page, "login-error")

    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("workspace")).to_have_text("Acme Support")
    expect(page.get_by_test_id("user-name")).to_have_text("Ada Agent")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/"))


def test_pages_need_a_login_and_come_back_after_it(page: Any, seeded: Seeded) -> None:
    conv = seeded.conversations["Jon Snow"]
    page.goto(f"/conversations/{conv}")
    expect(page).to_have_url(re.compile(rf"/login\?next=/conversations/{conv}$"))
    screenshot(page, "login")
    page.get_by_test_id("email").fill(AGENT_EMAIL)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("password").press("Enter")
    expect(page).to_have_url(re.compile(rf"/conversations/{conv}$"))
    expect(page.get_by_test_id("message")).to_have_count(4)


def test_inbox_lists_newest_first_with_unread_markers(agent_page: Any, seeded: Seeded) -> None:
    with seeded.db.session() as session:  # other tests open conversations: set the state here
        mark_read(session, seeded.workspace_id, seeded.conversations["Jon Snow"], read=False)
        mark_read(session, seeded.workspace_id, seeded.conversations["Dora Doe"])
    open_inbox(agent_page)
    expect(agent_page.locator(ROWS).first).to_be_visible()
    customers = row_customers(agent_page)
    expected = ["Jon Snow", "Sara Ahmadi", "Mallory", "Dora Doe", "Customer 01", "Customer 02"]
    assert [c for c in customers if c in expected] == expected
    times = agent_page.locator(f'{ROWS} [data-testid="time"]').evaluate_all(
        "els => els.map(e => e.dataset.time)"
    )
    assert times == sorted(times, reverse=True)

    dora = agent_page.locator(f'{ROWS}[data-id="{seeded.conversations["Dora Doe"]}"]')
    jon = agent_page.locator(f'{ROWS}[data-id="{seeded.conversations["Jon Snow"]}"]')
    expect(dora).to_have_attribute("data-unread", "false")
    expect(jon).to_have_attribute("data-unread", "true")
    expect(jon.locator(".rp-dot")).to_be_visible()
    expect(dora.locator(".rp-dot")).to_have_count(0)
    jon_weight = jon.get_by_test_id("customer").evaluate("e => getComputedStyle(e).fontWeight")
    dora_weight = dora.get_by_test_id("customer").evaluate("e => getComputedStyle(e).fontWeight")
    assert int(jon_weight) > int(dora_weight)

    expect(jon.get_by_test_id("message-count")).to_have_text("4")
    expect(agent_page.get_by_text("Times in Europe/Rome")).to_be_visible()
    expect(agent_page.get_by_test_id("total")).to_have_text(re.compile(r"^\d+ conversations$"))
    screenshot(agent_page, "inbox")


def test_search_and_channel_filter_narrow_the_list(agent_page: Any) -> None:
    open_inbox(agent_page)
    expect(agent_page.locator(ROWS).first).to_be_visible()
    agent_page.get_by_test_id("search").fill("refund")
    expect(agent_page.locator(ROWS)).to_have_count(1)
    assert row_customers(agent_page) == ["Dora Doe"]
    assert "q=refund" in agent_page.url

    agent_page.get_by_test_id("search").fill("")
    expect(agent_page.locator(ROWS)).not_to_have_count(1)
    agent_page.get_by_test_id("channel-filter").click()
    agent_page.locator(".q-menu .q-item", has_text=EMAIL).click()
    expect(agent_page.locator(ROWS)).to_have_count(2)
    assert sorted(row_customers(agent_page)) == ["Dora Doe", "Mallory"]
    assert set(agent_page.locator(f'{ROWS} [data-testid="channel"]').all_inner_texts()) == {EMAIL}

    agent_page.get_by_test_id("search").fill("nothing-matches-this")
    expect(agent_page.get_by_test_id("empty")).to_be_visible()


def test_inbox_pages_through_conversations(agent_page: Any) -> None:
    open_inbox(agent_page)
    total = int(agent_page.get_by_test_id("total").inner_text().split()[0])
    assert total > 25
    expect(agent_page.locator(ROWS)).to_have_count(25)
    expect(agent_page.get_by_test_id("range")).to_have_text(f"1\u201325 of {total}")
    expect(agent_page.get_by_test_id("prev")).to_be_disabled()
    first_page = set(row_customers(agent_page))

    agent_page.get_by_test_id("next").click()
    expect(agent_page.get_by_test_id("range")).to_have_text(f"26\u2013{min(total, 50)} of {total}")
    expect(agent_page.locator(ROWS)).to_have_count(min(total, 50) - 25)
    assert first_page.isdisjoint(row_customers(agent_page))
    assert "page=2" in agent_page.url

    agent_page.get_by_test_id("page-size").click()
    agent_page.locator(".q-menu .q-item", has_text="100").click()
    expect(agent_page.locator(ROWS)).to_have_count(min(total, 100))
    expect(agent_page.get_by_test_id("range")).to_have_text(f"1\u2013{min(total, 100)} of {total}")
    expect(agent_page.get_by_test_id("next")).to_be_disabled()


def test_status_change_and_mark_unread_show_in_the_inbox(agent_page: Any, seeded: Seeded) -> None:
    agent_page.goto(f"/conversations/{seeded.conversations['Dora Doe']}")
    expect(agent_page.get_by_test_id("message")).to_have_count(1)
    agent_page.get_by_test_id("status").click()
    agent_page.locator(".q-menu .q-item", has_text="Pending").click()
    expect(agent_page.get_by_text("Conversation is now pending.")).to_be_visible()
    agent_page.get_by_test_id("mark-unread").click()
    expect(agent_page.get_by_text("Marked as unread.")).to_be_visible()

    agent_page.goto("/?status=pending&unread=1")
    expect(agent_page.locator(ROWS)).to_have_count(1)
    row = agent_page.locator(ROWS).first
    expect(row.get_by_test_id("customer")).to_have_text("Dora Doe")
    expect(row).to_have_attribute("data-unread", "true")


def test_conversation_shows_thread_in_order_with_authors(agent_page: Any, seeded: Seeded) -> None:
    open_inbox(agent_page)
    agent_page.locator(f'{ROWS}[data-id="{seeded.conversations["Jon Snow"]}"]').click()
    expect(agent_page).to_have_url(
        re.compile(rf"/conversations/{seeded.conversations['Jon Snow']}$")
    )
    messages = agent_page.get_by_test_id("message")
    expect(messages).to_have_count(4)
    assert messages.get_by_test_id("author").all_inner_texts() == [
        "Jon Snow",
        "Acme Support",
        "Jon Snow",
        "Acme Support",
    ]
    assert messages.evaluate_all("els => els.map(e => e.dataset.direction)") == [
        "inbound",
        "outbound",
        "inbound",
        "outbound",
    ]
    texts = messages.get_by_test_id("message-text").all_inner_texts()
    assert texts[0].startswith("My router keeps dropping")
    assert texts[3] == "Thanks, we opened ticket 4521 for you."
    # customer on the left, company on the right, in different colours
    first, second = messages.nth(0).bounding_box(), messages.nth(1).bounding_box()
    assert first["x"] < second["x"]
    colours = messages.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert colours[0] != colours[1]

    contact = agent_page.get_by_test_id("contact")
    expect(contact.get_by_test_id("contact-name")).to_have_text("Jon Snow")
    expect(contact.get_by_test_id("identity")).to_contain_text("1,200 followers")
    expect(contact.get_by_test_id("contact-conversations")).to_have_text("1 conversation")
    screenshot(agent_page, "conversation")

    # opening it marked it read; the contact link filters the inbox to this customer
    contact.get_by_role("link").click()
    expect(agent_page.get_by_test_id("contact-filter")).to_contain_text("Jon Snow")
    expect(agent_page.locator(ROWS)).to_have_count(1)
    expect(agent_page.locator(ROWS).first).to_have_attribute("data-unread", "false")


def test_persian_text_is_right_to_left(agent_page: Any, seeded: Seeded) -> None:
    open_inbox(agent_page)
    preview = agent_page.locator(
        f'{ROWS}[data-id="{seeded.conversations["Sara Ahmadi"]}"] [data-testid="preview"]'
    )
    expect(preview).to_be_visible()
    agent_page.goto(f"/conversations/{seeded.conversations['Sara Ahmadi']}")
    persian = agent_page.get_by_test_id("message-text").filter(has_text=PERSIAN)
    expect(persian).to_have_text(PERSIAN)
    assert persian.evaluate("e => getComputedStyle(e).direction") == "rtl"
    english = agent_page.get_by_test_id("message-text").filter(has_text="checking your order")
    assert english.evaluate("e => getComputedStyle(e).direction") == "ltr"
    screenshot(agent_page, "conversation-persian")


def test_markup_in_a_post_is_shown_as_text(agent_page: Any, seeded: Seeded) -> None:
    dialogs: list[str] = []
    agent_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_inbox(agent_page)
    row = agent_page.locator(f'{ROWS}[data-id="{seeded.conversations["Mallory"]}"]')
    expect(row.get_by_test_id("preview")).to_have_text(HOSTILE)
    row.click()
    text = agent_page.get_by_test_id("message-text")
    expect(text).to_have_text(HOSTILE)
    assert agent_page.get_by_test_id("thread").locator("b, script").count() == 0
    agent_page.wait_for_timeout(300)
    assert dialogs == []


def test_new_message_appears_in_the_open_inbox(agent_page: Any, seeded: Seeded) -> None:
    open_inbox(agent_page)
    expect(agent_page.locator(ROWS).first).to_be_visible()
    add_messages(
        seeded.db,
        seeded.workspace_id,
        [
            InboundMessage(
                external_id="live-inbox-1",
                author_id="lena",
                author_name="Lena Live",
                text="Hello, is anyone there? 👋",
                sent_at=datetime.now(UTC),
                direction=Direction.INBOUND,
            )
        ],
    )
    first = agent_page.locator(ROWS).first
    expect(first.get_by_test_id("customer")).to_have_text("Lena Live", timeout=8_000)
    expect(first.get_by_test_id("preview")).to_have_text("Hello, is anyone there? 👋")
    expect(first).to_have_attribute("data-unread", "true")


def test_new_message_appears_in_the_open_conversation(agent_page: Any, seeded: Seeded) -> None:
    agent_page.goto(f"/conversations/{seeded.conversations['Sara Ahmadi']}")
    expect(agent_page.get_by_test_id("message")).to_have_count(2)
    add_messages(
        seeded.db,
        seeded.workspace_id,
        [
            InboundMessage(
                external_id="sara-3",
                author_id="sara_ahmadi",
                author_name="Sara Ahmadi",
                text="@AcmeSupport ممنون! منتظر می‌مانم.",
                sent_at=datetime.now(UTC),
                direction=Direction.INBOUND,
                in_reply_to="sara-2",
            )
        ],
    )
    expect(agent_page.get_by_test_id("message")).to_have_count(3, timeout=8_000)
    expect(agent_page.get_by_test_id("message-text").last).to_have_text(
        "@AcmeSupport ممنون! منتظر می‌مانم."
    )
    # a Persian reply that starts with a Latin @mention still reads right to left
    last = agent_page.get_by_test_id("message-text").last
    assert last.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # ...and the mention keeps its own order inside it (an isolated left-to-right run)
    expect(last.locator("bdi")).to_have_text("@AcmeSupport")


def test_another_workspace_cannot_open_this_workspace_conversation(
    page: Any, seeded: Seeded
) -> None:
    log_in(page, email=OTHER_EMAIL)
    expect(page.get_by_test_id("workspace")).to_have_text("Globex")
    assert row_customers(page) == ["Gina Globex"]
    page.goto(f"/conversations/{seeded.conversations['Sara Ahmadi']}")
    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_text(PERSIAN)).to_have_count(0)
    expect(page.get_by_test_id("message")).to_have_count(0)
    page.goto("/conversations/not-a-number")
    expect(page.get_by_test_id("not-found")).to_be_visible()


def test_a_deactivated_user_is_signed_out(page: Any, seeded: Seeded) -> None:
    with seeded.db.session() as session:
        workspace = session.get(Workspace, seeded.workspace_id)
        assert workspace is not None
        user_id = create_user(
            session,
            workspace,
            email="leaving@acme.example",
            name="Lee Leaving",
            role=Role.AGENT,
            password=PASSWORD,
        ).id
    log_in(page, email="leaving@acme.example")
    expect(page.get_by_test_id("user-name")).to_have_text("Lee Leaving")
    with seeded.db.session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_active = False
    page.reload()
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    log_in(page, email="leaving@acme.example", ok=False)
    expect(page.get_by_test_id("login-error")).to_be_visible()
