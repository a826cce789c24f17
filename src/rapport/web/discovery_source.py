"""A log the user uploads in ``/discovery``: kept on disk only until it is read, then in
the browser tab's memory (one log per tab, gone when the tab closes; at most
``MAX_HELD_LOGS`` over all tabs, the longest held released first).

CSV files need their columns named and OCEL logs an object type before they can be read, so
an upload first becomes a ``PendingUpload`` that knows its columns or object types.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from rapport.discovery.log import EventLog, EventLogError
from rapport.discovery.readers import ColumnMapping, log_format, read_log
from rapport.errors import PayloadTooLarge

T = TypeVar("T")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # as POST /api/v1/discovery/*
ROLES = ("case", "activity", "timestamp", "resource")
_GUESSES = {
    "case": ("case:concept:name", "case", "case_id", "caseid", "case id", "ticket", "id"),
    "activity": ("concept:name", "activity", "event", "step", "task", "action"),
    "timestamp": ("time:timestamp", "timestamp", "time", "at", "date", "start_time"),
    "resource": ("org:resource", "resource", "user", "agent", "employee", "performer"),
}


class SavedFile(Protocol):
    """What NiceGUI's upload hands over (``nicegui.elements.upload_files.FileUpload``)."""

    name: str

    def size(self) -> int: ...

    async def save(self, path: str | Path) -> None: ...


@dataclass
class PendingUpload:
    """An uploaded file on disk, not yet read: its name, format and what to ask for."""

    name: str
    fmt: str
    folder: Path
    path: Path
    columns: list[str] = field(default_factory=list)
    object_types: list[str] = field(default_factory=list)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


async def receive(upload: SavedFile) -> PendingUpload:
    """Save an upload to a private temporary folder and look at what it needs.

    Raises ``EventLogError`` (unknown format, unreadable header) or ``PayloadTooLarge``.
    The client's file name is kept for messages but never used as a path.
    """
    name = Path(upload.name or "upload").name or "upload"
    fmt = log_format(Path(name))
    if upload.size() > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            f"{name}: larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB, the most this server "
            "reads; nothing was stored"
        )
    folder = Path(tempfile.mkdtemp(prefix="rapport-discovery-web-"))
    pending = PendingUpload(name=name, fmt=fmt, folder=folder, path=folder / f"log{fmt}")
    try:
        await upload.save(pending.path)
        if fmt == ".csv":
            pending.columns = _csv_header(pending)
        elif fmt in (".jsonocel", ".xmlocel", ".sqlite"):
            from rapport.discovery.ocel import object_types

            pending.object_types = _named(pending, lambda: object_types(pending.path))
    except BaseException:
        pending.discard()
        raise
    return pending


def read_pending(
    pending: PendingUpload, mapping: ColumnMapping | None = None, object_type: str | None = None
) -> EventLog:
    """Read the saved file as a log; errors name the user's file, never the temporary copy."""
    log = _named(pending, lambda: read_log(pending.path, mapping=mapping, object_type=object_type))
    return EventLog(frame=log.frame, source=pending.name, missing=log.missing)


def guess_mapping(columns: list[str]) -> dict[str, str | None]:
    """The column most likely to hold each role (by name, case-insensitively), or None."""
    lowered = {c.strip().lower(): c for c in columns}
    guessed: dict[str, str | None] = {}
    for role in ROLES:
        guessed[role] = next((lowered[g] for g in _GUESSES[role] if g in lowered), None)
    return guessed


def _named(pending: PendingUpload, action: Callable[[], T]) -> T:
    try:
        return action()
    except EventLogError as exc:
        raise EventLogError(
            str(exc)
            .replace(str(pending.path), pending.name)
            .replace(str(pending.folder), pending.name)
        ) from None


def _csv_header(pending: PendingUpload) -> list[str]:
    try:
        with pending.path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EventLogError(f"{pending.name}: row 1: not a readable CSV header ({exc})") from None
    if not [c for c in header if c.strip()]:
        raise EventLogError(f"{pending.name}: row 1: the file has no header row")
    return header


MAX_HELD_LOGS = 6  # uploaded logs held at once by this server process, over all tabs


class HeldLogs:
    """The uploaded logs held in memory, at most ``limit`` over all tabs: holding one more
    releases the one held longest (its tab is told to upload it again)."""

    def __init__(self, limit: int = MAX_HELD_LOGS) -> None:
        self.limit = limit
        self._held: OrderedDict[str, Callable[[], None]] = OrderedDict()

    def hold(self, key: str, release: Callable[[], None]) -> None:
        """``key`` (a tab) now holds a log; ``release`` drops it when room is needed."""
        self._held.pop(key, None)
        self._held[key] = release
        while len(self._held) > self.limit:
            _key, oldest = self._held.popitem(last=False)
            oldest()

    def drop(self, key: str) -> None:
        """``key`` holds no log any more (it went back to the cases, or closed)."""
        self._held.pop(key, None)

    def __len__(self) -> int:
        return len(self._held)


_held: HeldLogs | None = None


def held_logs() -> HeldLogs:
    """This process's registry of held uploads (made on first use)."""
    global _held
    if _held is None:
        _held = HeldLogs()
    return _held
