"""The default: jobs run in a thread of the Rapport process, with nothing else to install.
A submitted reply goes out at once; one nobody submitted goes out at the next tick."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.integration.engage.support import (
    SmtpRecorder,
    customer_email,
    delivery,
    make_agent,
    make_channel,
    smtp_server,
    store,
)
from typer.testing import CliRunner

from rapport.cli.jobs import jobs_app
from rapport.config import Settings, get_settings
from rapport.engage.replies import queue_reply
from rapport.jobs.dispatch import InProcessDispatcher, make_dispatcher
from rapport.store.db import Database
from rapport.store.models import ChannelKind


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpRecorder, dict[str, Any]]]:
    with smtp_server() as running:
        yield running


def _queue_reply(db: Database, workspace_id: int, settings: dict[str, Any], text: str) -> int:
    make_channel(db, workspace_id, "support-mail", ChannelKind.EMAIL, settings)
    conversation_id = store(
        db,
        workspace_id,
        "support-mail",
        ChannelKind.EMAIL,
        customer_email("<order.1@customer.example>", text="Where is my order?"),
    )
    sara = make_agent(db, workspace_id, "Sara")
    with db.session() as session:
        return queue_reply(
            session, workspace_id, conversation_id=conversation_id, author=sara.actor, text=text
        ).id


def test_a_submitted_reply_is_sent_by_the_in_process_worker(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    recorder, settings = smtp
    dispatcher = make_dispatcher(db, Settings(jobs="inprocess", jobs_tick_seconds=3600))
    assert isinstance(dispatcher, InProcessDispatcher)
    delivery_id = _queue_reply(db, workspace_id, settings, "Hello Bob, it ships today.")
    dispatcher.start()
    try:
        dispatcher.submit_delivery(delivery_id)
        dispatcher.submit_delivery(delivery_id)  # submitted twice: sent once
        assert dispatcher.wait_idle(30)
    finally:
        dispatcher.stop()
    assert delivery(db, delivery_id).status == "sent"
    assert len(recorder.received()) == 1


def test_a_reply_nobody_submitted_goes_out_at_the_next_tick(
    db: Database, workspace_id: int, smtp: tuple[SmtpRecorder, dict[str, Any]]
) -> None:
    recorder, settings = smtp
    delivery_id = _queue_reply(db, workspace_id, settings, "Hi Bob, sorry for the wait.")
    dispatcher = InProcessDispatcher(db, tick_seconds=0.2)
    dispatcher.start()
    try:
        deadline = time.monotonic() + 30
        while delivery(db, delivery_id).status != "sent" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        dispatcher.stop()
    assert delivery(db, delivery_id).status == "sent"
    assert len(recorder.received()) == 1


def test_the_deliver_due_command_sends_what_is_due_and_says_so(
    db: Database,
    workspace_id: int,
    smtp: tuple[SmtpRecorder, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, settings = smtp
    delivery_id = _queue_reply(db, workspace_id, settings, "Hi Bob, here is your refund.")
    monkeypatch.setenv("RAPPORT_DATABASE_URL", db.url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(jobs_app, ["deliver-due", "--no-sla"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sent"] >= 1
    assert delivery(db, delivery_id).status == "sent"
    assert len(recorder.received()) == 1
