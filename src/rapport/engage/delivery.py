"""The delivery job: sends one queued reply through its channel, never twice.

Each attempt first claims the delivery with one conditional UPDATE (queued or retrying,
and due → ``sending``, one more attempt) in a transaction of its own, so any number of
workers may run :func:`deliver` on the same delivery at once and only one sends. While a
delivery is ``sending``, ``next_attempt_at`` holds the moment the attempt began. The
platform is called outside any transaction; what it answered is written in a new one:

* sent: the platform's id is kept, and the reply is stored in its conversation as the
  company's outbound message with the agent in its meta, which makes it the case's
  "replied" event and first response (see :mod:`rapport.engage.routing`);
* try again later (rate limit, server down): ``retrying`` after an exponential back-off
  (30 s doubling to 1 h, with jitter, or longer when the platform asked), ``failed`` after
  :data:`MAX_ATTEMPTS`;
* maybe sent (a timeout after the request went out): ``uncertain``, never retried by
  itself: an agent decides (:func:`rapport.engage.replies.retry_delivery`);
* refused: ``failed`` with the platform's words.

Failed and uncertain deliveries are recorded on the case and notified to their author.
A worker that dies mid-send leaves its delivery ``sending``; :func:`recover_stuck` makes it
``uncertain`` after :data:`STUCK_AFTER`.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, select
from sqlalchemy.exc import NoResultFound

from rapport.channels.outbound import (
    Delivered,
    DeliveryError,
    DeliveryUncertain,
    OutboundReply,
    ReplySender,
    RetryLater,
    get_sender,
)
from rapport.engage.outgoing import Outgoing, prepare_outgoing, record_sent
from rapport.store.db import Database
from rapport.store.engagement import Case, CaseEvent, Delivery, DeliveryStatus, Notification
from rapport.store.models import ChannelKind

log = logging.getLogger(__name__)

deliveries = cast(Table, Delivery.__table__)
cases = cast(Table, Case.__table__)
case_events = cast(Table, CaseEvent.__table__)
notifications = cast(Table, Notification.__table__)

MAX_ATTEMPTS = 8
FIRST_DELAY = 30.0  # seconds before the second attempt; doubled for each next one
LONGEST_DELAY = 3600.0
STUCK_AFTER = timedelta(minutes=10)
DUE_BATCH = 100
SYSTEM = "system"
MISSING = "missing"
_DUE = (DeliveryStatus.QUEUED.value, DeliveryStatus.RETRYING.value)
_SENDING = DeliveryStatus.SENDING.value

SenderFactory = Callable[[ChannelKind, Mapping[str, Any]], ReplySender]
Outcome = Delivered | DeliveryError


@dataclass(frozen=True, slots=True)
class _Claim:
    delivery_id: int
    workspace_id: int
    case_id: int | None
    author_id: int | None
    attempts: int


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1, 2, ...): 30 s doubling
    up to 1 h, ±25 % so that many replies stopped together do not return together, and at
    least what the platform asked for."""
    base = min(FIRST_DELAY * 2 ** (attempt - 1), LONGEST_DELAY)
    jittered = min(base * random.uniform(0.75, 1.25), LONGEST_DELAY)
    return timedelta(seconds=max(retry_after or 0.0, jittered))


def deliver(
    db: Database,
    delivery_id: int,
    *,
    now: datetime | None = None,
    senders: SenderFactory | None = None,
) -> str:
    """Make one attempt at sending a delivery, if it is due and nobody else has it.

    Returns the delivery's status afterwards (``missing`` if there is no such delivery).
    Safe to call twice, or from several workers at once: only one of them sends.
    """
    at = now or datetime.now(UTC)
    job: Outgoing | None = None
    sender: ReplySender | None = None
    outcome: Outcome | None = None
    with db.session() as session:
        conn = session.connection()
        claim = _claim(conn, delivery_id, at)
        if claim is None:
            return _status_of(conn, delivery_id)
        try:
            job = prepare_outgoing(conn, delivery_id)
            sender = (senders or get_sender)(job.reply.kind, job.reply.settings)
        except DeliveryError as exc:
            outcome = exc
        except (ValueError, NoResultFound) as exc:  # a channel of an unknown kind, a lost row
            outcome = DeliveryError(f"this reply cannot be prepared for sending: {exc}")
    if outcome is None and job is not None and sender is not None:
        outcome = _send(sender, job.reply)
    assert outcome is not None
    return _settle(db, claim, job, outcome, at)


def deliver_due(
    db: Database,
    now: datetime | None = None,
    *,
    workspace_id: int | None = None,
    limit: int = DUE_BATCH,
    senders: SenderFactory | None = None,
) -> dict[str, int]:
    """Attempt the due deliveries (at most ``limit``, oldest due first); how many ended in
    each status."""
    at = now or datetime.now(UTC)
    c = deliveries.c
    query = select(c.id).where(c.status.in_(_DUE), c.next_attempt_at <= at)
    if workspace_id is not None:
        query = query.where(c.workspace_id == workspace_id)
    with db.session() as session:
        due = list(
            session.connection()
            .execute(query.order_by(c.next_attempt_at, c.id).limit(limit))
            .scalars()
        )
    outcomes = Counter(deliver(db, delivery_id, now=now, senders=senders) for delivery_id in due)
    return dict(outcomes)


def recover_stuck(db: Database, now: datetime | None = None) -> list[int]:
    """Deliveries left ``sending`` for :data:`STUCK_AFTER` (their worker died mid-send)
    become ``uncertain``: they may have gone out. Returns their ids. Also stores in their
    conversation the sent replies a dead worker had not stored yet."""
    at = now or datetime.now(UTC)
    with db.session() as session:
        conn = session.connection()
        recovered = _give_up_stuck(conn, at)
        unrecorded = _unrecorded(conn, at)
    for job, external_id in unrecorded:
        record_sent(db, job, external_id, at)
    return recovered


def _give_up_stuck(conn: Connection, at: datetime) -> list[int]:
    c = deliveries.c
    stuck = conn.execute(
        select(c.id, c.workspace_id, c.case_id, c.author_id, c.attempts)
        .where(c.status == _SENDING, c.next_attempt_at < at - STUCK_AFTER)
        .limit(DUE_BATCH)
    ).all()
    error = (
        "the worker sending this reply stopped before the platform answered; "
        "it may have been sent, so it is not sent again automatically"
    )
    recovered: list[int] = []
    for row in stuck:
        claim = _Claim(row.id, row.workspace_id, row.case_id, row.author_id, row.attempts)
        if _finish(conn, claim, DeliveryStatus.UNCERTAIN.value, last_error=error):
            _tell(conn, claim, at, "reply_uncertain", error)
            recovered.append(row.id)
    return recovered


def _unrecorded(conn: Connection, at: datetime) -> list[tuple[Outgoing, str]]:
    """Sent deliveries whose reply is not in its conversation yet (nor failed to be)."""
    c = deliveries.c
    rows = conn.execute(
        select(c.id, c.external_id)
        .where(
            c.status == DeliveryStatus.SENT.value,
            c.message_id.is_(None),
            c.last_error.is_(None),
            c.external_id.is_not(None),
            c.sent_at < at - STUCK_AFTER,
        )
        .limit(DUE_BATCH)
    ).all()
    found: list[tuple[Outgoing, str]] = []
    for row in rows:
        try:
            found.append((prepare_outgoing(conn, row.id), row.external_id))
        except (DeliveryError, ValueError, NoResultFound):
            continue
    return found


# -- one attempt ------------------------------------------------------------------------------


def _claim(conn: Connection, delivery_id: int, at: datetime) -> _Claim | None:
    c = deliveries.c
    claimed = conn.execute(
        deliveries.update()
        .where(c.id == delivery_id, c.status.in_(_DUE), c.next_attempt_at <= at)
        .values(status=_SENDING, attempts=c.attempts + 1, next_attempt_at=at)
    )
    if claimed.rowcount != 1:
        return None
    row = conn.execute(
        select(c.workspace_id, c.case_id, c.author_id, c.attempts).where(c.id == delivery_id)
    ).one()
    return _Claim(delivery_id, row.workspace_id, row.case_id, row.author_id, row.attempts)


def _status_of(conn: Connection, delivery_id: int) -> str:
    status = conn.execute(
        select(deliveries.c.status).where(deliveries.c.id == delivery_id)
    ).scalar()
    return str(status) if status is not None else MISSING


def _send(sender: ReplySender, reply: OutboundReply) -> Outcome:
    try:
        return sender.send(reply)
    except DeliveryError as exc:
        return exc
    except Exception as exc:  # a bug or a library's surprise, perhaps after sending
        log.exception("delivery %s: unexpected failure while sending", reply.delivery_id)
        return DeliveryUncertain(
            f"unexpected failure while sending ({type(exc).__name__}: {exc}); "
            "it may have been sent, so it is not sent again automatically"
        )


def _settle(
    db: Database, claim: _Claim, job: Outgoing | None, outcome: Outcome, at: datetime
) -> str:
    """Write what the attempt came to; returns the delivery's status."""
    if isinstance(outcome, Delivered):
        with db.session() as session:
            _finish(
                session.connection(),
                claim,
                DeliveryStatus.SENT.value,
                external_id=outcome.external_id[:500],
                sent_at=at,
                last_error=None,
            )
        if job is not None:
            record_sent(db, job, outcome.external_id, at)
        return DeliveryStatus.SENT.value
    error = str(outcome) or type(outcome).__name__
    with db.session() as session:
        conn = session.connection()
        if isinstance(outcome, RetryLater) and claim.attempts < MAX_ATTEMPTS:
            status = DeliveryStatus.RETRYING.value
            wait = backoff(claim.attempts, outcome.retry_after)
            done = _finish(conn, claim, status, next_attempt_at=at + wait, last_error=error)
        else:
            if isinstance(outcome, RetryLater):
                error = f"gave up after {claim.attempts} attempts: {error}"
            uncertain = isinstance(outcome, DeliveryUncertain)
            status = (DeliveryStatus.UNCERTAIN if uncertain else DeliveryStatus.FAILED).value
            done = _finish(conn, claim, status, last_error=error)
            if done:
                _tell(conn, claim, at, f"reply_{status}", error)
        return status if done else _status_of(conn, claim.delivery_id)


def _finish(conn: Connection, claim: _Claim, status: str, **values: Any) -> bool:
    """End this attempt, unless the delivery moved on meanwhile (a later attempt has it).
    A success is also written over an attempt already given up as uncertain."""
    c = deliveries.c
    mine = [_SENDING]
    if status == DeliveryStatus.SENT.value:
        mine.append(DeliveryStatus.UNCERTAIN.value)
    result = conn.execute(
        deliveries.update()
        .where(c.id == claim.delivery_id, c.status.in_(mine), c.attempts == claim.attempts)
        .values(status=status, **values)
    )
    return result.rowcount == 1


def _tell(conn: Connection, claim: _Claim, at: datetime, activity: str, error: str) -> None:
    """Record a failed or uncertain delivery on its case and notify its author."""
    if claim.case_id is not None:
        team_id = conn.execute(select(cases.c.team_id).where(cases.c.id == claim.case_id)).scalar()
        conn.execute(
            case_events.insert().values(
                workspace_id=claim.workspace_id,
                case_id=claim.case_id,
                at=at,
                activity=activity,
                actor_id=None,
                resource=SYSTEM,
                team_id=team_id,
                attributes={"delivery": claim.delivery_id, "error": error[:1000]},
            )
        )
    if claim.author_id is not None:
        where = f"on case #{claim.case_id}" if claim.case_id is not None else ""
        verdict = "may not have been sent" if activity.endswith("uncertain") else "was not sent"
        conn.execute(
            notifications.insert().values(
                workspace_id=claim.workspace_id,
                user_id=claim.author_id,
                kind="delivery",
                case_id=claim.case_id,
                text=" ".join(f"Your reply {where} {verdict}: {error}".split())[:1000],
                created_at=at,
            )
        )
