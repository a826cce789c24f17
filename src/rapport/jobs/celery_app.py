"""The Celery app: Rapport's jobs on workers sharing a Redis or RabbitMQ broker.

``make_celery`` builds it on demand (nothing happens at import). Tasks acknowledge their
message only once done (``acks_late``), and a message whose worker died is handed to
another; that is safe because every task is idempotent: a delivery is claimed in the
database before it is sent, so a task run twice sends once. Each worker takes one task at
a time (prefetch 1), so a slow platform does not hold back replies another worker could
send. Only JSON travels through the broker. Beat runs the periodic tasks.
"""

from __future__ import annotations

import threading
from typing import Any

from rapport.engage.delivery import deliver
from rapport.jobs.dispatch import DELIVER_TASK
from rapport.jobs.tasks import check_all_alerts, deliver_due_replies, sweep_all_workspaces
from rapport.store.db import Database

DELIVER_DUE_TASK = "rapport.deliver_due"
SLA_SWEEP_TASK = "rapport.sla_sweep"
ALERTS_TASK = "rapport.check_alerts"
ENRICH_TASK = "rapport.enrich_span"


class _LazyDatabase:
    """The worker's database, opened at its first task (after the pool has forked)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db: Database | None = None
        self._lock = threading.Lock()

    def get(self) -> Database:
        with self._lock:
            if self._db is None:
                self._db = Database(self.url)
            return self._db


def make_celery(
    broker_url: str, database_url: str, *, tick_seconds: float = 30.0, queue: str = "celery"
) -> Any:
    """A Celery app whose tasks work on the database at ``database_url``; it sends its
    tasks to ``queue`` and its workers take them from there."""
    from celery import Celery  # only those who run Celery pay for importing it

    app = Celery("rapport", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        enable_utc=True,
        timezone="UTC",
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            "deliver-due-replies": {"task": DELIVER_DUE_TASK, "schedule": tick_seconds},
            "sla-sweep": {"task": SLA_SWEEP_TASK, "schedule": tick_seconds},
            "check-alerts": {"task": ALERTS_TASK, "schedule": tick_seconds},
        },
    )
    database = _LazyDatabase(database_url)

    def deliver_task(delivery_id: int) -> str:
        """Send one delivery (a no-op when another worker has it or it is done)."""
        return deliver(database.get(), int(delivery_id))

    def deliver_due_task() -> dict[str, int]:
        """Give up on stuck deliveries and send the due ones."""
        return deliver_due_replies(database.get())

    def sla_sweep_task() -> int:
        """SLA warnings, breaches and auto-resolution in every workspace."""
        return sweep_all_workspaces(database.get())

    app.task(name=DELIVER_TASK)(deliver_task)
    app.task(name=DELIVER_DUE_TASK)(deliver_due_task)

    def check_alerts_task() -> int:
        """Alert rules of every workspace: fire, notify, e-mail and post webhooks."""
        return check_all_alerts(database.get())

    def enrich_task(job: dict[str, Any]) -> int:
        """Enrich one span of messages (idempotent: messages it read are skipped; refused
        when this worker's models are not those the span was queued for)."""
        from rapport.jobs.enrich_tasks import enrich_span

        return enrich_span(database.get(), job)

    app.task(name=ENRICH_TASK)(enrich_task)
    app.task(name=SLA_SWEEP_TASK)(sla_sweep_task)
    app.task(name=ALERTS_TASK)(check_alerts_task)
    return app


def make_celery_from_settings() -> Any:
    """The Celery app configured by ``RAPPORT_BROKER_URL``, ``RAPPORT_DATABASE_URL`` and
    ``RAPPORT_JOBS_QUEUE``."""
    from rapport.config import get_settings

    settings = get_settings()
    return make_celery(
        settings.broker_url,
        settings.database_url,
        tick_seconds=settings.jobs_tick_seconds,
        queue=settings.jobs_queue,
    )
