"""Read the JSON files webhook and API exports come in: JSON lines, or one JSON document.

A platform's payloads are saved either one per line (what a webhook logger or
``twarc2``-style tool appends) or as one document (a saved API response, or a list of
recorded payloads). :func:`iter_json_payloads` hides the difference and streams JSON lines;
only a document whose first line is not a complete JSON value is read whole, and only when
it is smaller than :data:`MAX_DOCUMENT_BYTES` (a single API response or a list of recorded
webhooks, not a bulk export).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapport.ingest.records import Rejected

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class JsonPayload:
    """One top-level payload, and where it was: ``line 4``, ``record 2`` or ``document``."""

    location: str
    value: Any
    raw: str


def as_raw(value: Any) -> str:
    """A decoded value back as compact JSON text, for a dead letter's payload."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _first_line(path: Path) -> str | None:
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip():
                return line.strip()
    return None


def _complete_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def iter_json_payloads(path: Path) -> Iterator[JsonPayload | Rejected]:
    """Yield every payload of a JSON-lines file or JSON document, or a rejection per bad line.

    A file whose first non-blank line is a complete JSON value is JSON lines, one payload
    per line. Otherwise it is one document: a list yields one payload per element
    (``record N``), anything else is a single payload (``document``). A document that does
    not parse is one rejection, unless its first line shows it was meant as JSON lines.
    """
    first = _first_line(path)
    if first is None:
        return
    small = path.stat().st_size <= MAX_DOCUMENT_BYTES
    if first[0] in "{[" and small and not _complete_json(first):
        text = path.read_text(encoding="utf-8-sig")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if first in ("{", "["):  # plainly a pretty-printed document, broken somewhere
                yield Rejected(
                    "document",
                    f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                    text,
                )
                return
        else:
            yield from _document_payloads(document)
            return
    yield from _line_payloads(path)


def _document_payloads(document: Any) -> Iterator[JsonPayload]:
    if isinstance(document, list):
        for number, value in enumerate(document, 1):
            yield JsonPayload(f"record {number}", value, as_raw(value))
    else:
        yield JsonPayload("document", document, as_raw(document))


def _line_payloads(path: Path) -> Iterator[JsonPayload | Rejected]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            stripped = line.strip()
            if not stripped:
                continue
            location = f"line {number}"
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as exc:
                yield Rejected(
                    location, f"not valid JSON: {exc.msg} at column {exc.colno}", stripped
                )
                continue
            yield JsonPayload(location, value, stripped)
