"""The alerts page in a real browser: an agent adds a rule through the form, a burst of
angry posts fires it, and the page shows that alert with exactly its posts (a hostile one as
text); the bell's notification leads to it; an analyst reads but cannot delete; a bad
webhook is refused with the problem shown at the field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from tests.e2e.conftest import HOSTILE, PASSWORD, new_tab, screenshot, serve, sign_in_form
from tests.integration.alerts.burst import BURST, BURST_START, NOW, message, store, store_burst

from rapport.accounts.service import create_user, get_or_create_workspace
from rapport.intelligence.alerts.check import check_alerts
from rapport.intelligence.alerts.rules import create_rule
from rapport.store.alerts import AlertEvent, AlertRule
from rapport.store.db import Database
from rapport.store.models import Role

pytestmark = pytest.mark.browser

AGENT = "alert-agent@acme.example"
ANALYST = "alert-analyst@acme.example"


@dataclass(frozen=True, slots=True)
class Site:
    url: str
    db: Database
    workspace_id: int


@pytest.fixture(scope="module")
def site(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two quiet days on channel ``x``, a burst of angry posts (the newest a hostile one),
    an agent and an analyst; then ``rapport serve``."""
    work = tmp_path_factory.mktemp("alerts")
    db = Database(f"sqlite:///{work / 'rapport.db'}")
    db.migrate()
    with db.session() as session:
        acme = get_or_create_workspace(session, "acme", "Acme Support")
        create_user(session, acme, email=AGENT, name="Ada Agent", role=Role.AGENT,
                    password=PASSWORD)  # fmt: skip
        create_user(session, acme, email=ANALYST, name="Ana Analyst", role=Role.ANALYST,
                    password=PASSWORD)  # fmt: skip
        workspace_id = acme.id
    store_burst(db, workspace_id)
    # the newest post of the burst, so it is among the posts an alert keeps
    store(db, workspace_id, [message("hostile", f"{HOSTILE} !", "mallory",
                                     BURST_START + timedelta(minutes=45))])  # fmt: skip
    with serve(db.url, work) as base:
        yield Site(base, db, workspace_id)
    db.dispose()


@pytest.fixture
def tab(browser: Any, site: Site) -> Iterator[Any]:
    page = new_tab(browser, site.url)
    yield page
    page.context.close()


def _sign_in(tab: Any, email: str) -> None:
    sign_in_form(tab, email, PASSWORD)
    expect(tab.get_by_test_id("nav-alerts")).to_be_visible()
    tab.get_by_test_id("nav-alerts").click()
    expect(tab).to_have_url(re.compile(r"/alerts"))


def _choose(tab: Any, testid: str, option: str) -> None:
    tab.get_by_test_id(testid).click()
    tab.get_by_role("option", name=option, exact=True).click()


def _under(tab: Any, testid: str) -> Any:
    """The message shown under a form field."""
    field = tab.locator(".q-field").filter(has=tab.get_by_test_id(testid))
    return field.locator(".q-field__bottom")


def _fire(site: Site) -> AlertEvent:
    """Check the rules just after the burst (forced: the server's own ticks have already
    judged the present hour) and return the one event."""
    with site.db.session() as session:
        fired = check_alerts(session, site.workspace_id, NOW, force=True)
    assert len(fired) == 1
    with site.db.session() as session:
        event = session.scalars(select(AlertEvent).where(AlertEvent.id == fired[0].event_id)).one()
        session.expunge(event)
    return event


def test_a_rule_added_in_the_form_fires_and_shows_its_posts(tab: Any, site: Site) -> None:
    _sign_in(tab, AGENT)
    expect(tab.get_by_test_id("alerts-empty")).to_be_visible()
    tab.get_by_test_id("alert-name").fill("Spike on X")
    _choose(tab, "alert-subject-kind", "One channel")
    _choose(tab, "alert-subject-value", "x")
    _choose(tab, "alert-metric", "Volume (messages)")
    _choose(tab, "alert-notify", "Ada Agent <alert-agent@acme.example>")
    tab.keyboard.press("Escape")
    tab.get_by_test_id("alert-add").click()
    rule = tab.get_by_test_id("alert-rule").filter(has_text="Spike on X")
    expect(rule).to_be_visible()
    expect(rule.get_by_test_id("alert-rule-watch")).to_have_text("volume of channel x")
    expect(rule.get_by_test_id("alert-rule-judged")).to_contain_text("per hour in Europe/Rome")
    expect(rule.get_by_test_id("alert-rule-tells")).to_have_text("Ada Agent")
    with site.db.session() as session:
        stored = session.scalars(select(AlertRule).where(AlertRule.name == "Spike on X")).one()
        assert (stored.subject_kind, stored.subject_value) == ("channel", "x")

    event = _fire(site)
    assert len(event.message_ids) == 20  # up to 20 posts are kept: the newest angry ones
    tab.reload()
    row = tab.get_by_test_id("alert-event")
    expect(row).to_have_count(1)
    # 08:00-09:00 UTC is 09:00-10:00 in Rome; all 31 messages of that hour against 1
    expect(row.get_by_test_id("alert-event-window")).to_have_text("2026-11-30 09:00 to 10:00 CET")
    expect(row.get_by_test_id("alert-event-figures")).to_have_text(
        f"{BURST + 1} messages (expected 1)"
    )
    row.get_by_test_id("alert-event-rule").click()
    posts = row.get_by_test_id("alert-post")
    expect(posts).to_have_count(len(event.message_ids))
    shown = [int(p.get_attribute("data-id")) for p in posts.all()]
    assert sorted(shown) == sorted(event.message_ids)
    # the hostile post is text, not markup; every post links to its conversation
    hostile = row.get_by_test_id("alert-post-text").filter(has_text="<script>")
    expect(hostile).to_have_text(f"{HOSTILE} !")
    expect(hostile).to_have_attribute("dir", "auto")
    assert tab.locator("b", has_text="bold").count() == 0
    assert tab.locator("script", has_text="alert(1)").count() == 0
    for link in posts.all()[:3]:
        assert re.fullmatch(r"/conversations/\d+", link.get_attribute("href") or "")
    expect(row.get_by_test_id("alert-event-chart")).to_be_visible()
    screenshot(tab, "alerts-agent")

    # switched off, it is no longer checked
    rule.get_by_test_id("alert-rule-enabled").click()
    expect(tab.get_by_test_id("alert-rule").filter(has_text="Spike on X")).to_have_attribute(
        "data-enabled", "false"
    )
    with site.db.session() as session:
        assert not session.scalars(
            select(AlertRule.enabled).where(AlertRule.name == "Spike on X")
        ).one()

    # the bell's notification opens this alert
    tab.get_by_test_id("bell").click()
    note = tab.get_by_test_id("notification").filter(has_text="Alert Spike on X")
    expect(note).to_be_visible()
    note.click()
    expect(tab).to_have_url(re.compile(r"/alerts\?notification=\d+"))
    expect(tab.get_by_test_id("alert-post")).to_have_count(len(event.message_ids))


def test_an_analyst_reads_the_rules_and_alerts_but_cannot_change_them(tab: Any, site: Site) -> None:
    with site.db.session() as session:
        if session.scalars(select(AlertRule).where(AlertRule.name == "Read only")).first() is None:
            create_rule(session, site.workspace_id, {"name": "Read only", "metric": "volume"})
    _sign_in(tab, ANALYST)
    rule = tab.get_by_test_id("alert-rule").filter(has_text="Read only")
    expect(rule).to_be_visible()
    expect(rule.get_by_test_id("alert-rule-watch")).to_have_text("volume of all messages")
    expect(tab.get_by_test_id("alert-rule-delete")).to_have_count(0)
    expect(tab.get_by_test_id("alert-rule-enabled")).to_have_count(0)
    expect(tab.get_by_test_id("alert-form")).to_have_count(0)
    listed = tab.get_by_test_id("alert-event").or_(tab.get_by_test_id("alerts-empty"))
    expect(listed.first).to_be_visible()
    screenshot(tab, "alerts-analyst")


def test_a_bad_webhook_is_refused_at_its_field(tab: Any, site: Site) -> None:
    _sign_in(tab, AGENT)
    tab.get_by_test_id("alert-name").fill("Hooked")
    tab.get_by_test_id("alert-webhook").fill("ftp://hooks.acme.example/x")
    tab.get_by_test_id("alert-add").click()
    message = tab.get_by_test_id("alert-form-message")
    expect(message).to_contain_text("Nothing was saved. Webhook_url: must be an http://")
    expect(_under(tab, "alert-webhook")).to_contain_text("Must be an http:// or https://")
    # a good address still needs the secret that signs every POST
    tab.get_by_test_id("alert-webhook").fill("https://hooks.acme.example/x")
    tab.get_by_test_id("alert-add").click()
    expect(message).to_contain_text("required with webhook_url")
    expect(_under(tab, "alert-secret")).to_contain_text("Required with webhook_url")
    expect(_under(tab, "alert-webhook")).to_have_count(0)  # that problem is gone
    screenshot(tab, "alerts-form-error")
    with site.db.session() as session:
        assert session.scalars(select(AlertRule).where(AlertRule.name == "Hooked")).first() is None
    # with its secret it is saved; then deleted, after a confirmation
    tab.get_by_test_id("alert-secret").fill("s3cret")
    tab.get_by_test_id("alert-add").click()
    hooked = tab.get_by_test_id("alert-rule").filter(has_text="Hooked")
    expect(hooked.get_by_test_id("alert-rule-tells")).to_have_text("webhook")
    hooked.get_by_test_id("alert-rule-delete").click()
    tab.get_by_test_id("alert-rule-delete-confirm").click()
    expect(hooked).to_have_count(0)
    with site.db.session() as session:
        assert session.scalars(select(AlertRule).where(AlertRule.name == "Hooked")).first() is None
