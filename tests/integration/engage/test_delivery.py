"""Sending is reliable: a failed delivery is retried with back-off, shown to the agent, and
never sent twice, whatever the SMTP server does and however many workers run."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from tests.integration.engage.support import (
    Agent,
    case_of,
    customer_email,
    delivery,
    events,
    make_agent,
    make_channel,
    smtp_server,
    store,
)

from rapport.channels.outbound import OutboundReply, ReplySender
from rapport.engage.delivery import (
    LONGEST_DELAY,
    MAX_ATTEMPTS,
    backoff,
    deliver,
    deliver_due,
    recover_stuck,
)
from rapport.engage.replies import cancel_delivery, list_deliveries, queue_reply, retry_delivery
from rapport.errors import Conflict
from rapport.store.db import Database
from rapport.store.engagement import Notification
from rapport.store.models import ChannelKind


def _queue(db: Database, workspace_id: int, settings: dict[str, Any]) -> tuple[int, int, Agent]:
    """Bob's e-mail on a mailbox sending through ``settings``, and Sara's queued reply;
    the delivery, the conversation and Sara."""
    make_channel(db, workspace_id, "support-mail", ChannelKind.EMAIL, settings)
    conversation_id = store(
        db,
        workspace_id,
        "support-mail",
        ChannelKind.EMAIL,
        customer_email("<late.1@customer.example>", text="Where is my order 1234?"),
    )
    sara = make_agent(db, workspace_id, "Sara Jónsdóttir")
    with db.session() as session:
        queued = queue_reply(
            session,
            workspace_id,
            conversation_id=conversation_id,
            author=sara.actor,
            text="Hi Bob, it left today.",
        )
        return queued.id, conversation_id, sara


def test_a_refused_attempt_is_retried_after_a_back_off_and_the_customer_gets_one_email(
    db: Database, workspace_id: int
) -> None:
    with smtp_server(data_answers=deque(["451 4.3.0 Mail server temporarily rejected"])) as (
        recorder,
        settings,
    ):
        delivery_id, _, _ = _queue(db, workspace_id, settings)
        first = datetime.now(UTC)
        assert deliver(db, delivery_id, now=first) == "retrying"
        waiting = delivery(db, delivery_id)
        assert waiting.attempts == 1
        assert waiting.next_attempt_at >= first + timedelta(seconds=22)
        assert "451" in str(waiting.last_error)
        assert recorder.envelopes == []

        # Not due yet: nobody sends it, however often the job runs.
        assert deliver_due(db, first, workspace_id=workspace_id) == {}
        assert deliver(db, delivery_id, now=first) == "retrying"
        with db.session() as session:
            pending = list_deliveries(session, workspace_id, status=["queued", "retrying"])
            assert [d.id for d in pending] == [delivery_id]

        due = waiting.next_attempt_at
        assert deliver_due(db, due, workspace_id=workspace_id) == {"sent": 1}
        assert deliver_due(db, due + timedelta(hours=2), workspace_id=workspace_id) == {}
        assert len(recorder.received()) == 1
        sent = delivery(db, delivery_id)
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_after_the_last_attempt_the_delivery_fails_and_its_agent_is_told(
    db: Database, workspace_id: int
) -> None:
    refusals = deque(["421 4.7.0 Try again later"] * MAX_ATTEMPTS)
    with smtp_server(data_answers=refusals) as (recorder, settings):
        delivery_id, conversation_id, sara = _queue(db, workspace_id, settings)
        at = datetime.now(UTC)
        statuses = []
        for _ in range(MAX_ATTEMPTS):
            statuses.append(deliver(db, delivery_id, now=at))
            at = delivery(db, delivery_id).next_attempt_at
        assert statuses == ["retrying"] * (MAX_ATTEMPTS - 1) + ["failed"]
        assert recorder.envelopes == []
    failed = delivery(db, delivery_id)
    assert failed.last_error is not None
    assert failed.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts")
    case = case_of(db, conversation_id)
    assert "reply_failed" in [e.activity for e in events(db, case.id)]
    with db.session() as session:
        told = session.scalars(
            select(Notification.text).where(Notification.user_id == sara.user_id)
        ).all()
    assert any("was not sent" in text and "421" in text for text in told)


def test_back_off_doubles_from_30_seconds_to_an_hour_and_honours_the_platform() -> None:
    for attempt in range(1, 12):
        wait = backoff(attempt).total_seconds()
        expected = min(30 * 2 ** (attempt - 1), LONGEST_DELAY)
        assert 0.75 * expected <= wait <= min(1.25 * expected, LONGEST_DELAY)
    assert backoff(1, retry_after=900).total_seconds() == 900
    assert backoff(12, retry_after=86_400).total_seconds() == 86_400


def test_a_reply_that_may_have_gone_out_is_never_resent_until_an_agent_says_so(
    db: Database, workspace_id: int
) -> None:
    with smtp_server(data_delay=2.5) as (recorder, settings):
        settings["timeout"] = 1  # the server takes the message, then says nothing in time
        delivery_id, conversation_id, sara = _queue(db, workspace_id, settings)
        assert deliver(db, delivery_id) == "uncertain"
        uncertain = delivery(db, delivery_id)
        assert "may have been" in str(uncertain.last_error)

        later = datetime.now(UTC) + timedelta(days=1)
        assert deliver_due(db, later, workspace_id=workspace_id) == {}
        assert deliver(db, delivery_id, now=later) == "uncertain"
        case = case_of(db, conversation_id)
        assert "reply_uncertain" in [e.activity for e in events(db, case.id)]
        assert len(recorder.received()) == 1  # it had reached the server: hence uncertain

        recorder.data_delay = 0
        with db.session() as session:
            again = retry_delivery(session, workspace_id, delivery_id, sara.actor)
            assert (again.status, again.attempts, again.last_error) == ("queued", 0, None)
        assert deliver(db, delivery_id) == "sent"
        arrived = recorder.wait_for(2)
        # The agent chose to send it again; the same Message-ID lets mail clients merge them.
        assert len(arrived) == 2
        assert arrived[0]["Message-ID"] == arrived[1]["Message-ID"]
    history = [(e.activity, e.resource) for e in events(db, case.id)]
    assert ("reply_retried", "Sara Jónsdóttir") in history


def test_only_a_failed_or_uncertain_delivery_can_be_retried_and_a_cancelled_one_never_goes(
    db: Database, workspace_id: int
) -> None:
    with smtp_server() as (recorder, settings):
        delivery_id, _, sara = _queue(db, workspace_id, settings)
        with db.session() as session, pytest.raises(Conflict, match="is queued"):
            retry_delivery(session, workspace_id, delivery_id, sara.actor)
        with db.session() as session:
            cancelled = cancel_delivery(session, workspace_id, delivery_id, sara.actor)
            assert (cancelled.status, cancelled.last_error) == (
                "failed",
                "cancelled by Sara Jónsdóttir",
            )
        assert deliver(db, delivery_id) == "failed"
        assert (
            deliver_due(db, datetime.now(UTC) + timedelta(hours=1), workspace_id=workspace_id) == {}
        )
        assert recorder.envelopes == []


class _Counting:
    """Wraps the real SMTP sender, counting the sends that reach it, slowly."""

    def __init__(self, real: ReplySender) -> None:
        self.real = real
        self.calls = 0
        self.lock = threading.Lock()

    def send(self, reply: OutboundReply) -> Any:
        with self.lock:
            self.calls += 1
        return self.real.send(reply)


def test_two_workers_delivering_the_same_reply_at_once_send_it_once(
    db: Database, workspace_id: int
) -> None:
    with smtp_server(data_delay=0.3) as (recorder, settings):
        delivery_id, _, _ = _queue(db, workspace_id, settings)
        from rapport.channels.outbound import get_sender

        counting: list[_Counting] = []

        def senders(kind: ChannelKind, channel_settings: Mapping[str, Any]) -> ReplySender:
            sender = _Counting(get_sender(kind, channel_settings))
            counting.append(sender)
            return sender

        start = threading.Barrier(4)
        results: list[str] = []

        def worker() -> None:
            start.wait()
            results.append(deliver(db, delivery_id, senders=senders))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert results.count("sent") >= 1
        assert set(results) <= {"sent", "sending"}
        assert sum(sender.calls for sender in counting) == 1
        assert len(recorder.wait_for(1, timeout=2)) == 1
        assert delivery(db, delivery_id).attempts == 1


class _WorkerDied(BaseException):
    """The process is killed in the middle of sending (nothing after it runs)."""


class _Dying:
    def send(self, reply: OutboundReply) -> Any:
        raise _WorkerDied


def test_a_delivery_whose_worker_died_mid_send_becomes_uncertain_and_is_not_resent(
    db: Database, workspace_id: int
) -> None:
    with smtp_server() as (recorder, settings):
        delivery_id, conversation_id, _ = _queue(db, workspace_id, settings)
        started = datetime.now(UTC)
        with pytest.raises(_WorkerDied):
            deliver(db, delivery_id, now=started, senders=lambda kind, s: _Dying())
        assert delivery(db, delivery_id).status == "sending"
        # Another worker finds it: it is someone else's until it is given up.
        assert deliver(db, delivery_id, now=started) == "sending"

        assert delivery_id not in recover_stuck(db, started + timedelta(minutes=5))
        assert delivery_id in recover_stuck(db, started + timedelta(minutes=11))
        stuck = delivery(db, delivery_id)
        assert stuck.status == "uncertain"
        assert "stopped" in str(stuck.last_error)
        later = started + timedelta(hours=1)
        assert deliver_due(db, later, workspace_id=workspace_id) == {}
        assert recorder.envelopes == []
        case = case_of(db, conversation_id)
        assert "reply_uncertain" in [e.activity for e in events(db, case.id)]
