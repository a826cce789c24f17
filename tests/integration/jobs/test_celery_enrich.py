"""At scale: the enrichment backfill on a real Celery worker (a process of its own) over a
real broker, Redis and RabbitMQ. Every span is delivered twice, as a broker may after a
worker died: each message is read once, ``--redo`` or not, and the readings are those of an
in-process run. With no worker running, ``rapport enrich --on-workers`` stops waiting after
``--stall-timeout``, and the spans it queued are read once a worker starts.

Where a broker is not running these tests skip, saying which; under CI they fail.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.integration.jobs.test_celery import (
    QUEUE,
    StartWorker,
    _wait,
    app,
    broker,
    start_worker,
    worker,
)
from tests.integration.test_ingest_pipeline import ingestor, msg
from typer.testing import CliRunner

from rapport.cli import app as cli
from rapport.config import get_settings
from rapport.intelligence.analyzer import default_analyzer
from rapport.intelligence.enrichment import enrich_messages
from rapport.intelligence.enrichment_store import enrichment_of
from rapport.jobs.celery_app import ENRICH_TASK
from rapport.jobs.enrich_tasks import enrichment_jobs, read_since
from rapport.store.db import Database
from rapport.store.models import Message, MessageEnrichment, Workspace

__all__ = [
    "app",
    "broker",
    "start_worker",
    "worker",
]  # the fixtures, shared with the delivery tests

TEXTS = [
    "My parcel never arrived, this is the third time. Refund me now!",
    "Thank you so much, the new router works perfectly 😍",
    "Wann öffnet ihr am Samstag?",
    "Il servizio è pessimo, voglio disdire l'abbonamento",
    "bhai mera order kab aayega? 3 din ho gaye",
    "پرداخت من دو بار انجام شد، لطفا پول را برگردانید",
    "Pakkinn minn kom aldrei, hvað á ég að gera?",
    "Köszönöm a gyors segítséget!",
]


def _store(db: Database, workspace_id: int, count: int) -> list[int]:
    posts = [
        msg(f"w{n}", f"user{n}", n, text=f"{TEXTS[n % len(TEXTS)]} #{n}") for n in range(count)
    ]
    ingestor(db, workspace_id, name="workers").run(posts)
    with db.session() as session:
        query = select(Message.id).where(Message.workspace_id == workspace_id)
        return list(session.scalars(query.order_by(Message.id)))


def _results(log: Path) -> list[int]:
    found = re.findall(
        rf"Task {re.escape(ENRICH_TASK)}\[[^\]]+\] succeeded in [\d.]+s: (\d+)",
        log.read_text("utf-8"),
    )
    return sorted(int(n) for n in found)


def test_workers_read_each_message_once_as_an_in_process_run_would(
    db: Database, workspace_id: int, app: Any, worker: Path
) -> None:
    ids = _store(db, workspace_id, 30)
    analyzer = default_analyzer()
    moment = datetime.now(UTC)
    jobs = enrichment_jobs(db, workspace_id, analyzer, size=12)
    assert [job["count"] for job in jobs] == [12, 12, 6]
    for job in jobs:
        app.send_task(ENRICH_TASK, args=[job])
        app.send_task(ENRICH_TASK, args=[job])  # redelivered

    _wait(lambda: len(_results(worker)) == 6, 120, "six enrichment tasks done", worker)
    assert _results(worker) == [0, 0, 0, 6, 12, 12]
    assert read_since(db, workspace_id, analyzer, moment) == 30
    with db.engine.connect() as conn:
        stored = enrichment_of(conn, ids)
        rows = conn.execute(
            select(func.count()).where(MessageEnrichment.workspace_id == workspace_id)
        ).scalar_one()
        texts = dict(
            conn.execute(select(Message.id, Message.text).where(Message.id.in_(ids))).all()
        )
    assert rows == 30
    expected = analyzer.analyze([texts[i] for i in ids])
    for message_id, reading in zip(ids, expected, strict=True):
        got = stored[message_id]
        assert (got.language, got.sentiment, got.intent) == (
            reading.language,
            reading.sentiment,
            reading.intent,
        ), texts[message_id]
        assert got.models == analyzer.models
    assert {stored[i].language for i in ids} >= {"en", "de", "it", "hi", "fa", "is", "hu"}


def _stored_rows(db: Database, workspace_id: int) -> int:
    with db.engine.connect() as conn:
        query = select(func.count()).where(MessageEnrichment.workspace_id == workspace_id)
        return int(conn.execute(query).scalar_one())


def test_a_redo_span_delivered_twice_reads_each_message_once(
    db: Database, workspace_id: int, app: Any, worker: Path
) -> None:
    ids = _store(db, workspace_id, 30)
    analyzer = default_analyzer()
    assert enrich_messages(db, workspace_id, analyzer).enriched == 30  # read once before
    moment = datetime.now(UTC)
    jobs = enrichment_jobs(db, workspace_id, analyzer, redo=True, size=12)
    assert [job["count"] for job in jobs] == [12, 12, 6]
    for job in jobs:
        app.send_task(ENRICH_TASK, args=[job])
        app.send_task(ENRICH_TASK, args=[job])  # redelivered

    _wait(lambda: len(_results(worker)) == 6, 120, "six redo tasks done", worker)
    assert _results(worker) == [0, 0, 0, 6, 12, 12]
    assert read_since(db, workspace_id, analyzer, moment) == 30  # every reading is new
    assert _stored_rows(db, workspace_id) == 30
    with db.engine.connect() as conn:
        assert {r.models for r in enrichment_of(conn, ids).values()} == {analyzer.models}


def test_a_worker_with_other_models_refuses_the_span_and_stores_nothing(
    db: Database, workspace_id: int, app: Any, worker: Path
) -> None:
    _store(db, workspace_id, 5)
    analyzer = default_analyzer()
    [job] = enrichment_jobs(db, workspace_id, analyzer)
    job["models"] = "2020-01-01.1/sentiment:fast/intent:fast"  # queued by an older CLI
    app.send_task(ENRICH_TASK, args=[job])

    _wait(lambda: "ModelsMismatch" in worker.read_text("utf-8"), 120, "span refused", worker)
    log = worker.read_text("utf-8")
    assert "queued for the models 2020-01-01.1/sentiment:fast/intent:fast" in log
    assert f"this worker reads with {analyzer.models}; it stored nothing" in log
    assert _results(worker) == []
    assert _stored_rows(db, workspace_id) == 0


@pytest.fixture
def cli_env(db: Database, broker: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command line's settings: the tests' database, broker and queue."""
    monkeypatch.setenv("RAPPORT_DATABASE_URL", db.url)
    monkeypatch.setenv("RAPPORT_BROKER_URL", broker)
    monkeypatch.setenv("RAPPORT_JOBS_QUEUE", QUEUE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_with_no_worker_the_command_stops_waiting_and_a_later_worker_reads_the_spans(
    db: Database, workspace_id: int, app: Any, start_worker: StartWorker, cli_env: None
) -> None:
    _store(db, workspace_id, 5)
    with db.session() as session:
        slug = session.get_one(Workspace, workspace_id).slug
    analyzer = default_analyzer()
    moment = datetime.now(UTC)

    began = time.monotonic()
    result = CliRunner().invoke(
        cli, ["enrich", "--on-workers", "--stall-timeout", "2", "--workspace", slug, "-q"]
    )
    waited = time.monotonic() - began

    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert "queued 5 messages in 1 spans" in said
    assert "no worker read a message for 2 s: 0 of 5 messages read, 5 still queued" in said
    assert f"stay on the broker (queue {QUEUE})" in said
    assert "`celery -A rapport.jobs.worker worker`" in said
    assert "Traceback" not in result.output
    assert 2 <= waited < 30
    assert _stored_rows(db, workspace_id) == 0

    log = start_worker()
    _wait(
        lambda: read_since(db, workspace_id, analyzer, moment) == 5,
        120,
        "the queued span read by the late worker",
        log,
    )
    assert _results(log) == [5]
