"""Cut a stream of records into batches, read one batch ahead in a background thread."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from rapport.ingest.records import InboundMessage, Record, Rejected

Batch = tuple[list[InboundMessage], list[Rejected]]
T = TypeVar("T")
_DONE = object()


def batches(records: Iterable[Record], size: int) -> Iterator[Batch]:
    """Consecutive batches of at most ``size`` records, split into messages and rejections."""
    messages: list[InboundMessage] = []
    rejected: list[Rejected] = []
    for record in records:
        if isinstance(record, Rejected):
            rejected.append(record)
        else:
            messages.append(record)
        if len(messages) + len(rejected) >= size:
            yield messages, rejected
            messages, rejected = [], []
    if messages or rejected:
        yield messages, rejected


def read_ahead(
    records: Iterable[Record],
    size: int,
    prepare: Callable[[list[InboundMessage], list[Rejected]], T],
    depth: int = 2,
) -> Iterator[T]:
    """Batches as :func:`batches` cuts them, each passed through ``prepare``, both done by a
    worker thread at most ``depth`` batches ahead of the consumer.

    Memory stays bounded by ``depth + 1`` batches. An error raised while reading is raised
    again here, in the consumer; if the consumer stops early, the worker is told to stop.
    """
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for messages, rejected in batches(records, size):
                prepared = prepare(messages, rejected)
                while not stop.is_set():
                    try:
                        channel.put(prepared, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            channel.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            channel.put(exc)

    worker = threading.Thread(target=produce, name="rapport-import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = channel.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5)
