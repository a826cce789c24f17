"""The readers stream: peak memory stays far below the size of the file they read."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rapport.channels.email.messages import read_email
from rapport.channels.meta.webhooks import read_meta
from rapport.channels.twitter.xv2 import read_xv2
from rapport.ingest.records import InboundMessage, Record

FILLER = "Þetta er löng kvörtun um týnda tösku. " * 25  # about 1 kB of text per record


def tweets(count: int) -> Iterator[str]:
    for n in range(count):
        tweet = {
            "id": str(10_000 + n),
            "text": FILLER,
            "author_id": str(n % 97),
            "created_at": "2024-07-02T09:14:05.000Z",
            "conversation_id": str(10_000 + n - n % 5),
        }
        yield json.dumps(tweet, ensure_ascii=False)


def deliveries(count: int) -> Iterator[str]:
    for n in range(count):
        event = {
            "sender": {"id": f"61{n % 89}"},
            "recipient": {"id": "1047"},
            "timestamp": 1731059920877 + n,
            "message": {"mid": f"m_{n}", "text": FILLER},
        }
        yield json.dumps({"object": "page", "entry": [{"id": "1047", "messaging": [event]}]})


def mailbox(count: int) -> Iterator[str]:
    for n in range(count):
        yield (
            f"From c{n}@example.com Mon Nov 11 08:15:00 2024\n"
            f"From: Customer {n} <c{n}@example.com>\nTo: help@shop.example\n"
            f"Subject: case {n}\nDate: Mon, 11 Nov 2024 08:15:00 +0000\n"
            f"Message-ID: <{n}@example.com>\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{FILLER}\n"
        )


def peak_memory(reader: Callable[[Path], Iterator[Record]], path: Path) -> tuple[int, int]:
    """How many messages ``reader`` read from ``path``, and its peak traced memory."""
    tracemalloc.start()
    try:
        count = sum(1 for record in reader(path) if isinstance(record, InboundMessage))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize(
    ("name", "lines", "reader"),
    [
        ("tweets.jsonl", tweets, read_xv2),
        ("deliveries.jsonl", deliveries, read_meta),
        ("support.mbox", mailbox, read_email),
    ],
)
def test_reader_memory_does_not_grow_with_the_file(
    tmp_path: Path,
    name: str,
    lines: Callable[[int], Iterator[str]],
    reader: Callable[[Path], Iterator[Record]],
) -> None:
    peaks = []
    for count in (250, 2000):
        path = tmp_path / f"{count}-{name}"
        with path.open("w", encoding="utf-8") as handle:
            for line in lines(count):
                handle.write(line + "\n")
        read, peak = peak_memory(reader, path)
        assert read == count
        peaks.append(peak)
    size = path.stat().st_size
    small, large = peaks
    # Eight times the records (about 3 MB) may not cost more than a record's worth or two.
    assert large < small + 64_000, f"peak {small:,} -> {large:,} bytes; the file is {size:,}"
    assert large < size / 4
