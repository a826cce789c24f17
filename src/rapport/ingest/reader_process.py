"""Read, parse and prepare a file in a second process, so parsing uses the other core.

Threads cannot parse and write at once in Python (the GIL); a process can. The reader
sends each prepared batch as plain tuples (see ``wire``) through a bounded queue, so memory
stays flat however large the file. An error in the reader is raised again in the writer.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rapport.ingest.batches import batches
from rapport.ingest.prepare import PreparedBatch, analyze_batch, prepare_batch, stamp_for
from rapport.ingest.wire import decode, encode
from rapport.intelligence.enrichment import Analyzer

_DONE = "done"
_FAILED = "failed"


def _produce(
    format_name: str, path: str, size: int, dialect: str, out: Any, analyzer: Analyzer | None
) -> None:
    from rapport.channels.base import get_format

    try:
        stamp = stamp_for(dialect)
        records = get_format(format_name).read(Path(path))
        for messages, rejected in batches(records, size):
            batch = prepare_batch(messages, rejected, stamp)
            # The two processes share the reading: while the writer has batches waiting, this
            # one reads; when the writer waits for work, it gets the batch unread and reads
            # it itself. Either way a message reads the same (the analyzer reads texts one
            # by one), so this only decides which core does it.
            if analyzer is not None and not out.empty():
                analyze_batch(batch, analyzer)
            out.put(encode(batch))
        out.put(_DONE)
    except BaseException as exc:  # handed to the writer, raised there
        try:
            out.put((_FAILED, exc))
        except Exception:
            out.put((_FAILED, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _context() -> Any:
    # fork is immediate and safe while this process runs one thread (the child never touches
    # the database and leaves through os._exit); otherwise start a fresh interpreter.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def prepared_batches(
    format_name: str,
    path: Path,
    size: int,
    dialect: str,
    depth: int = 3,
    analyzer: Analyzer | None = None,
) -> Iterator[PreparedBatch]:
    """The prepared batches of ``path``, read by a child process ``depth`` batches ahead.

    With an ``analyzer``, a forked child also reads the messages of the batches it sends while
    the writer is busy (their ``readings``), so enrichment runs on both cores. A child
    started afresh (spawn) does not: it would have to load every model again, so the batches
    come without readings and the writer reads the new messages itself."""
    context = _context()
    if context.get_start_method() != "fork":
        analyzer = None
    channel = context.Queue(maxsize=depth)
    reader = context.Process(
        target=_produce,
        args=(format_name, str(path), size, dialect, channel, analyzer),
        name="rapport-import-reader",
        daemon=True,
    )
    reader.start()
    try:
        while True:
            try:
                item = channel.get(timeout=1.0)
            except queue.Empty:
                if not reader.is_alive():
                    raise RuntimeError(
                        f"the reader of {path} stopped (exit status {reader.exitcode})"
                    ) from None
                continue
            if item == _DONE:
                return
            if isinstance(item, tuple) and len(item) == 2 and item[0] == _FAILED:
                raise item[1]
            yield decode(item)
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join(timeout=5)
        channel.close()
