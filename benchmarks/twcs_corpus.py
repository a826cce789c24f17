"""Build large twcs-format files from the real sample: same reply structure, new ids.

Copy k of the sample shifts every tweet id (and the ids it points to) by k * span and gives
each customer a new author id, so threads, reply chains and brands stay as in the real data.
"""

from __future__ import annotations

import csv
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "twcs" / "twcs_sample.csv"


def _shift(cell: str, offset: int) -> str:
    if not cell:
        return cell
    return ",".join(str(int(float(part)) + offset) for part in cell.split(","))


def build_twcs(target: Path, messages: int, sample: Path = SAMPLE) -> Path:
    """Write a twcs CSV of ``messages`` rows to ``target`` (streamed, bounded memory)."""
    with sample.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    span = max(int(r[0]) for r in rows) + 1
    written = 0
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        copy = 0
        while written < messages:
            offset = copy * span
            for tweet_id, author, inbound, created, text, responses, parent in rows:
                if written >= messages:
                    break
                if inbound == "True":
                    author = str(int(author) + copy * 1_000_000) if author.isdigit() else author
                writer.writerow(
                    [
                        int(tweet_id) + offset,
                        author,
                        inbound,
                        created,
                        text,
                        _shift(responses, offset),
                        _shift(parent, offset),
                    ]
                )
                written += 1
            copy += 1
    return target
