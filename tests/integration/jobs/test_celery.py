"""At scale: a real Celery worker (``celery -A rapport.jobs.worker worker --pool solo``, a
process of its own) on a real broker, Redis and RabbitMQ, sends an agent's e-mail reply
to a real SMTP server. The task is delivered twice, as a broker may: one e-mail arrives.

Where a broker is not running these tests skip, saying which; under CI they fail.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection
from tests.conftest import IN_CI
from tests.integration.engage.support import (
    customer_email,
    delivery,
    make_agent,
    make_channel,
    smtp_server,
    store,
)

from rapport.engage.replies import queue_reply
from rapport.jobs.celery_app import DELIVER_DUE_TASK, make_celery
from rapport.jobs.dispatch import CeleryDispatcher
from rapport.store.db import Database
from rapport.store.models import ChannelKind

BROKERS = {
    "redis": os.environ.get("RAPPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    "rabbitmq": os.environ.get("RAPPORT_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
QUEUE = "rapport-tests"


@pytest.fixture(params=sorted(BROKERS))
def broker(request: pytest.FixtureRequest) -> str:
    url = BROKERS[request.param]
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        message = f"the {request.param} broker is not reachable at {url}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def app(broker: str, db: Database) -> Iterator[Any]:
    """The app the web process would use to hand jobs over, on a queue of the tests' own."""
    celery = make_celery(broker, db.url, queue=QUEUE)
    # Nothing left on the tests' queue from an earlier run. A connection of its own: kombu's
    # pool is process-wide and may hold one the broker dropped during other tests.
    with celery.connection_for_write() as connection:
        celery.control.purge(connection=connection)
    yield celery
    # No broker connection outlives the test: kombu closes a pool's connections in every
    # process forked later (the forked import reader), and one left waiting on Redis would
    # hang that child
    celery.close()


StartWorker = Callable[[], Path]


@pytest.fixture
def start_worker(app: Any, broker: str, db: Database, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts a Celery worker process found by ``-A rapport.jobs.worker``, taking the tests'
    queue from ``RAPPORT_JOBS_QUEUE``; returns its log file. Each has a node name of its own
    (two of one name on a RabbitMQ fight over their control queue); all stop at teardown."""
    processes: list[subprocess.Popen[bytes]] = []
    env = {
        **os.environ,
        "RAPPORT_DATABASE_URL": db.url,
        "RAPPORT_BROKER_URL": broker,
        "RAPPORT_JOBS": "celery",
        "RAPPORT_JOBS_QUEUE": QUEUE,
    }

    def start() -> Path:
        name = f"rapport-test-{uuid.uuid4().hex[:10]}"
        log = tmp_path / f"{name}.log"
        command = [sys.executable, "-m", "celery", "-A", "rapport.jobs.worker", "worker"]
        command += ["--pool", "solo", "-n", f"{name}@%h", "--loglevel", "info"]
        command += ["--without-gossip", "--without-mingle"]
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
            )
        return log

    try:
        yield start
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)  # warm shutdown: the task at hand finishes
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@pytest.fixture
def worker(start_worker: StartWorker) -> Path:
    """One Celery worker, started with the test; its log file."""
    return start_worker()


def _wait(condition: Any, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout} s; worker log:\n{log.read_text('utf-8')}")
        time.sleep(0.1)


def _succeeded(log: Path, task: str) -> int:
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", log.read_text("utf-8")))


def test_a_celery_worker_sends_a_reply_once_however_often_the_task_arrives(
    db: Database, workspace_id: int, app: Any, worker: Path
) -> None:
    with smtp_server() as (recorder, settings):
        make_channel(db, workspace_id, "support-mail", ChannelKind.EMAIL, settings)
        conversation_id = store(
            db,
            workspace_id,
            "support-mail",
            ChannelKind.EMAIL,
            customer_email("<celery.1@customer.example>", text="Where is my order 1234?"),
        )
        sara = make_agent(db, workspace_id, "Sara Jónsdóttir")
        with db.session() as session:
            delivery_id = queue_reply(
                session,
                workspace_id,
                conversation_id=conversation_id,
                author=sara.actor,
                text="Hi Bob, your order left today.",
            ).id
            other_id = queue_reply(
                session,
                workspace_id,
                conversation_id=conversation_id,
                author=sara.actor,
                text="P.S. The tracking number follows.",
            ).id

        dispatcher = CeleryDispatcher(app)
        dispatcher.submit_delivery(delivery_id)
        dispatcher.submit_delivery(delivery_id)  # a redelivered message, as brokers may
        _wait(lambda: _succeeded(worker, "rapport.deliver") >= 2, 60, "both tasks ran", worker)
        assert delivery(db, delivery_id).status == "sent"
        assert len(recorder.received()) == 1

        # The periodic task sends what nobody submitted.
        app.send_task(DELIVER_DUE_TASK)
        _wait(lambda: delivery(db, other_id).status == "sent", 60, "the due reply sent", worker)
        mails = recorder.wait_for(2)
        assert len(mails) == 2
        assert {m.get_content().splitlines()[0] for m in mails} == {
            "Hi Bob, your order left today.",
            "P.S. The tracking number follows.",
        }


def test_two_workers_on_one_broker_each_answer_under_a_name_of_its_own(
    app: Any, start_worker: StartWorker
) -> None:
    logs = [start_worker(), start_worker()]
    names: set[str] = set()

    def both_answer() -> bool:
        # a connection of its own, closed after: the replies are read on it
        with app.connection_for_write() as connection:
            replies = app.control.ping(timeout=1.0, connection=connection)
        names.update(name for reply in replies for name in reply)
        return len(names) == 2

    _wait(both_answer, 60, "both workers answered a ping", logs[0])
    assert all(name.startswith("rapport-test-") for name in names)
