"""Handing jobs to whatever runs them: a thread of this process, or Celery workers.

The request (or command) that queued a delivery commits first, then calls
``dispatcher.submit_delivery(delivery_id)``. Nothing is lost if a submission is: the
periodic tick sends every due delivery anyway.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Protocol

from rapport.config import Settings
from rapport.engage.delivery import SenderFactory, deliver
from rapport.jobs.tasks import check_all_alerts, deliver_due_replies, sweep_all_workspaces
from rapport.store.db import Database

log = logging.getLogger(__name__)

DELIVER_TASK = "rapport.deliver"


class Dispatcher(Protocol):
    """Runs background jobs somewhere."""

    def submit_delivery(self, delivery_id: int) -> None:
        """Send this delivery soon (call after the commit that queued it)."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


_TICK = object()
_STOP = object()


class InProcessDispatcher:
    """One daemon thread of this process: it sends submitted deliveries at once and, every
    ``tick_seconds``, gives up stuck ones, sends the due ones, runs the SLA sweep and checks
    the alert rules."""

    def __init__(
        self,
        db: Database,
        *,
        tick_seconds: float = 30.0,
        senders: SenderFactory | None = None,
    ) -> None:
        self.db = db
        self.tick_seconds = tick_seconds
        self.senders = senders
        self._jobs: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit_delivery(self, delivery_id: int) -> None:
        self._jobs.put(delivery_id)

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="rapport-jobs", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the job at hand and stop (jobs still queued are picked up by the next
        start's tick: the database, not this queue, is the record)."""
        if self._thread is not None:
            self._jobs.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted job is done; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._jobs.all_tasks_done:
            while self._jobs.unfinished_tasks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._jobs.all_tasks_done.wait(left)
        return True

    def tick(self) -> None:
        """The periodic work, run once."""
        deliver_due_replies(self.db, senders=self.senders)
        sweep_all_workspaces(self.db)
        check_all_alerts(self.db)

    def _run(self) -> None:
        next_tick = time.monotonic() + self.tick_seconds
        while True:
            try:
                job = self._jobs.get(timeout=max(0.0, next_tick - time.monotonic()))
            except queue.Empty:
                job, queued = _TICK, False
            else:
                queued = True
            try:
                if job is _STOP:
                    return
                if job is _TICK:
                    next_tick = time.monotonic() + self.tick_seconds
                    self.tick()
                elif isinstance(job, int):
                    deliver(self.db, job, senders=self.senders)
            except Exception:  # one job's failure must never stop the others
                log.exception("background job %r failed", job)
            finally:
                if queued:
                    self._jobs.task_done()


class CeleryDispatcher:
    """Sends jobs to Celery workers through the broker; the workers' beat runs the
    periodic ones."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def submit_delivery(self, delivery_id: int) -> None:
        self.app.send_task(DELIVER_TASK, args=[delivery_id])

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def make_dispatcher(db: Database, settings: Settings) -> Dispatcher:
    """The dispatcher ``settings.jobs`` asks for (``inprocess`` or ``celery``)."""
    if settings.jobs == "celery":
        from rapport.jobs.celery_app import make_celery

        app = make_celery(settings.broker_url, db.url, queue=settings.jobs_queue)
        return CeleryDispatcher(app)
    return InProcessDispatcher(db, tick_seconds=settings.jobs_tick_seconds)


# The dispatcher of the running server, so code outside a request (the web UI) can hand
# it work; None outside ``rapport serve``, where the next tick or a worker picks work up.
_active: Dispatcher | None = None


def set_active(dispatcher: Dispatcher | None) -> None:
    global _active
    _active = dispatcher


def submit_deliveries(delivery_ids: list[int]) -> None:
    """Send these committed deliveries now, if a job runner is running in this process."""
    dispatcher = _active
    if dispatcher is None:
        return
    for delivery_id in delivery_ids:
        try:
            dispatcher.submit_delivery(delivery_id)
        except Exception:  # the broker is down: the delivery waits for the next tick
            log.exception("could not hand delivery %s to the job runner", delivery_id)
