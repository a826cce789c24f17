"""The "Customer Support on Twitter" CSV (twcs): one tweet per row.

Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id. ``inbound`` is True for a customer's tweet and False for the brand's;
the reply ids may be written as floats (``3.0``) and ``response_tweet_id`` may list several
ids separated by commas.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterator
from pathlib import Path

from rapport.channels.twitter.timestamps import parse_twitter_time
from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.store.models import Direction

COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)
_BOOLEANS = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}


def _tweet_id(value: str, field: str) -> str:
    """Normalise an id cell (``'3'`` or ``'3.0'``) to its digits; raise ValueError otherwise."""
    digits = value[:-2] if value.endswith(".0") else value
    if not digits.isdigit():
        raise ValueError(f"{field}: expected a tweet id, got {value!r}")
    return digits


def read_twcs(path: Path) -> Iterator[Record]:
    """Stream the rows of a twcs CSV file as inbound messages or rejections."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            return
        if tuple(h.strip() for h in header) != COLUMNS:
            yield Rejected(
                location="line 1",
                reason=f"header: expected columns {','.join(COLUMNS)}, got {','.join(header)}",
                payload=",".join(header),
            )
            return
        parse_time = parse_twitter_time
        inbound_dir, outbound_dir = Direction.INBOUND, Direction.OUTBOUND
        last_line = reader.line_num
        for row in reader:
            line = last_line + 1
            last_line = reader.line_num
            if len(row) != 7:
                reason = f"expected 7 columns, found {len(row)}"
                yield Rejected(f"line {line}", reason, _as_csv(row))
                continue
            tweet_id, author_id, inbound, created_at, text, _responses, parent = row
            try:
                external_id = tweet_id if tweet_id.isdigit() else _tweet_id(tweet_id, "tweet_id")
                if not author_id:
                    raise ValueError("author_id: empty")
                is_inbound = _BOOLEANS.get(inbound)
                if is_inbound is None:
                    raise ValueError(f"inbound: expected True or False, got {inbound!r}")
                try:
                    sent_at = parse_time(created_at)
                except ValueError as exc:
                    raise ValueError(f"created_at: {exc}") from None
                in_reply_to = _tweet_id(parent, "in_response_to_tweet_id") if parent else None
            except ValueError as exc:
                yield Rejected(f"line {line}", str(exc), _as_csv(row))
                continue
            if "&" in text:  # Twitter escapes &, < and > in tweet text
                text = html.unescape(text)
            yield InboundMessage(
                external_id=external_id,
                author_id=author_id,
                author_handle=author_id,
                text=text,
                sent_at=sent_at,
                direction=inbound_dir if is_inbound else outbound_dir,
                in_reply_to=in_reply_to,
                location=f"line {line}",
            )


def _as_csv(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)
    return buffer.getvalue().rstrip("\r\n")
