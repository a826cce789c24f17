"""Import files and single messages into a workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rapport.accounts.service import get_or_create_channel
from rapport.channels.base import FileFormat
from rapport.engage.sla import sweep
from rapport.errors import InvalidInput
from rapport.ingest.pipeline import ImportReport, Ingestor
from rapport.ingest.reader_process import prepared_batches
from rapport.ingest.records import InboundMessage, Record
from rapport.intelligence.enrichment import Analyzer
from rapport.store.db import Database
from rapport.store.models import ChannelKind

# Below this size a file is read by a thread: starting a process would cost more than it saves.
PROCESS_THRESHOLD_BYTES = 4 * 1024 * 1024


def _records(fmt: FileFormat, path: Path) -> Iterator[Record]:
    yield from fmt.read(path)


def import_file(
    db: Database,
    *,
    workspace_id: int,
    path: Path,
    fmt: FileFormat,
    channel_name: str | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    on_stored: Callable[[list[int]], None] | None = None,
    route: bool = True,
    analyzer: Analyzer | None = None,
) -> ImportReport:
    """Import one file (or folder, for formats that read folders) into a channel.

    With ``route`` (the default) every new message is routed as it is stored: cases are
    opened, rules run, agents assigned (see rapport.engage.routing). With an ``analyzer``
    every new message is first read for its language, sentiment, intent and keywords."""
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    with db.session() as session:
        channel = get_or_create_channel(
            session, workspace_id, channel_name or fmt.default_channel, fmt.kind
        )
        channel_id = channel.id
    ingestor = Ingestor(
        db,
        workspace_id=workspace_id,
        channel_id=channel_id,
        source=str(path.resolve()),
        format_name=fmt.name,
        batch_size=batch_size,
        on_stored=on_stored,
        route=route,
        analyzer=analyzer,
    )
    if path.is_file() and path.stat().st_size >= PROCESS_THRESHOLD_BYTES:
        # A large file is read and prepared by a second process while this one writes;
        # with an analyzer, that process reads the messages too (see prepared_batches).
        batches = prepared_batches(fmt.name, path, batch_size, db.dialect, analyzer=analyzer)
        report = ingestor.run_prepared(batches, progress)
    else:
        report = ingestor.run(_records(fmt, path), progress)
    if report.imported and route:
        settle_cases(db, workspace_id)
    return report


def settle_cases(db: Database, workspace_id: int) -> None:
    """Bring the SLA clocks of imported history up to now: breaches that happened, and
    answered cases the customer never came back to, resolved."""
    with db.session() as session:
        sweep(session.connection(), workspace_id)


def ingest_messages(
    db: Database,
    *,
    workspace_id: int,
    channel_name: str,
    kind: ChannelKind,
    messages: Iterable[InboundMessage],
    source: str = "api",
    analyzer: Analyzer | None = None,
) -> ImportReport:
    """Store messages that arrived one by one (the API, a webhook)."""
    with db.session() as session:
        channel_id = get_or_create_channel(session, workspace_id, channel_name, kind).id
    ingestor = Ingestor(
        db,
        workspace_id=workspace_id,
        channel_id=channel_id,
        source=source,
        format_name=source,
        analyzer=analyzer,
    )
    return ingestor.run(messages)
