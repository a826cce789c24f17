"""The ingest pipeline: dedupe, identify, thread and store messages in batches.

It runs on SQLAlchemy Core statements over executemany, one transaction per batch, so an
import streams through files of any size in bounded memory, and a batch that fails leaves
the ones before it stored. Importing the same messages twice changes nothing: external ids
are unique per channel and are looked up before anything is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Column, Connection, MetaData, Table, select

from rapport.engage.routing import Router, StoredMessage
from rapport.ingest.batches import read_ahead
from rapport.ingest.bulk import BulkWriter
from rapport.ingest.conversations import UPDATE_CONVERSATION, ConversationWriter, aggregate_update
from rapport.ingest.identities import IdentityResolver
from rapport.ingest.prepare import (
    PreparedBatch,
    Thread,
    analysis_text,
    make_threads,
    prepare_batch,
    stamp_for,
)
from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.intelligence.enrichment import Analyzer, Enrichment, enrichment_rows
from rapport.store.db import Database
from rapport.store.dialects import in_list, insert_ignoring_conflicts
from rapport.store.models import (
    Conversation,
    DeadLetter,
    Message,
    MessageEnrichment,
    ThreadLink,
)

conversations = cast(Table, Conversation.__table__)
messages = cast(Table, Message.__table__)
thread_links = cast(Table, ThreadLink.__table__)
dead_letters = cast(Table, DeadLetter.__table__)
enrichments = cast(Table, MessageEnrichment.__table__)


@dataclass(slots=True)
class ImportReport:
    """What an import did. ``rejections`` keeps the first few for display."""

    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    conversations_created: int = 0
    cases_opened: int = 0
    rejections: list[Rejected] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)  # replies to send after the commit

    def add(self, other: ImportReport) -> None:
        """Count ``other`` in too (one import of several files)."""
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.conversations_created += other.conversations_created
        self.cases_opened += other.cases_opened
        self.deliveries.extend(other.deliveries)

    def summary(self) -> str:
        return f"imported={self.imported} duplicates={self.duplicates} rejected={self.rejected}"


def fingerprint(source: str, location: str, payload: str) -> str:
    return hashlib.sha256(f"{source}\0{location}\0{payload}".encode()).hexdigest()


_MESSAGE_COLUMNS = (
    "id",
    "workspace_id",
    "channel_id",
    "conversation_id",
    "identity_id",
    "external_id",
    "in_reply_to",
    "direction",
    "sent_at",
    "subject",
    "text",
    "meta",
    "created_at",
)
_ENRICHMENT_COLUMNS = (
    "message_id",
    "workspace_id",
    "language",
    "sentiment",
    "sentiment_score",
    "intent",
    "intent_score",
    "keywords",
    "models",
    "enriched_at",
)
_FTS_TABLE = Table("message_fts", MetaData(), Column("rowid"), Column("text"))


class Ingestor:
    """Stores a stream of records into one channel of one workspace.

    The ingestor owns its transactions (one per batch). ``on_stored`` is called after each
    committed batch with the messages that were new, for work queued after the commit.
    With an ``analyzer``, every new message is read (language, sentiment, intent, keywords)
    in the same transaction, before it is routed, so the rules can use what it says.
    """

    def __init__(
        self,
        db: Database,
        *,
        workspace_id: int,
        channel_id: int,
        source: str,
        format_name: str,
        batch_size: int = 5000,
        on_stored: Callable[[list[int]], None] | None = None,
        route: bool = True,
        analyzer: Analyzer | None = None,
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.channel_id = channel_id
        self.source = source
        self.format_name = format_name
        self.batch_size = batch_size
        self.on_stored = on_stored
        self._fts = db.dialect == "sqlite"
        self._stamp = stamp_for(db.dialect)
        self._authors = IdentityResolver(workspace_id, channel_id, self._stamp)
        self._conversations = ConversationWriter(workspace_id, channel_id, self._stamp)
        self._route = route
        self._router: Router | None = None
        self._analyzer = analyzer

    def run(
        self, records: Iterable[Record], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Import every record; ``progress`` is told how many records each batch held.

        Reading, checking and grouping run in a second thread, one batch ahead, while this
        thread writes: SQLite releases the GIL while it works, so the two overlap.
        """
        stamp = self._stamp

        def prepare(batch: list[InboundMessage], rejected: list[Rejected]) -> PreparedBatch:
            return prepare_batch(batch, rejected, stamp)

        return self.run_prepared(read_ahead(records, self.batch_size, prepare), progress)

    def run_prepared(
        self, prepared: Iterable[PreparedBatch], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Store batches prepared elsewhere (another thread or process), one transaction each."""
        report = ImportReport()
        for batch in prepared:
            self._commit_batch(batch, report)
            if progress:
                progress(batch.size)
        return report

    # -- one batch, one transaction ---------------------------------------------------------

    def _commit_batch(self, prepared: PreparedBatch, report: ImportReport) -> None:
        new_ids: list[int] = []
        report.duplicates += prepared.duplicates
        with self.db.session() as session:
            conn = session.connection()
            writer = BulkWriter(conn)
            if prepared.rejected:
                self._store_rejections(conn, prepared.rejected, report)
            if prepared.messages:
                new_ids = self._store_messages(writer, prepared, report)
        if new_ids and self.on_stored:
            self.on_stored(new_ids)

    def _store_rejections(
        self, conn: Connection, rejected: list[Rejected], report: ImportReport
    ) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "workspace_id": self.workspace_id,
                "source": self.source,
                "location": r.location,
                "format": self.format_name,
                "reason": r.reason,
                "payload": r.payload,
                "fingerprint": fingerprint(self.source, r.location, r.payload),
                "created_at": now,
            }
            for r in rejected
        ]
        conn.execute(insert_ignoring_conflicts(dead_letters, conn.dialect.name), rows)
        report.rejected += len(rejected)
        room = 20 - len(report.rejections)
        if room > 0:
            report.rejections.extend(rejected[:room])

    def _store_messages(
        self, writer: BulkWriter, prepared: PreparedBatch, report: ImportReport
    ) -> list[int]:
        conn = writer.conn
        stored = self._conversations_by_key(conn, messages, "external_id", prepared.keys)
        fresh = [m for m in prepared.messages if m.external_id not in stored]
        report.duplicates += len(prepared.messages) - len(fresh)
        if not fresh:
            return []
        # Some were stored before: the batch's threads are worked out again without them.
        threads = (
            prepared.threads
            if len(fresh) == len(prepared.messages)
            else make_threads(fresh, prepared.values)
        )
        # Where each key already lives: a stored message with that id, or a reference
        # (in_reply_to, thread key) that earlier messages made.
        links = self._conversations_by_key(conn, thread_links, "ref", prepared.keys)
        links.update(stored)
        authors = self._authors.resolve(writer, fresh)
        conversation_of, recount = self._thread(writer, threads, links, authors, report)

        now = self._stamp(datetime.now(UTC))
        head = (self.workspace_id, self.channel_id)
        values = prepared.values
        ids = writer.allocate_ids(messages, len(fresh))
        rows = [
            (
                message_id,
                *head,
                conversation_of[m.external_id],
                authors[m.author_id][0],
                *values[m.external_id],
                now,
            )
            for message_id, m in zip(ids, fresh, strict=True)
        ]
        writer.insert(messages, _MESSAGE_COLUMNS, rows)
        if self._fts:
            writer.insert(
                _FTS_TABLE,
                ("rowid", "text"),
                [(message_id, m.text) for message_id, m in zip(ids, fresh, strict=True)],
            )
        for conversation_id in recount:
            self._conversations.recount(conn, conversation_id)
        readings: Sequence[Enrichment | None] = [None] * len(fresh)
        if self._analyzer is not None:
            found = self._readings(prepared, fresh, self._analyzer)
            writer.insert(
                enrichments,
                _ENRICHMENT_COLUMNS,
                enrichment_rows(self.workspace_id, self._analyzer.models, ids, found, now),
            )
            readings = found
        if self._route:
            if self._router is None:
                self._router = Router(conn, self.workspace_id, self.channel_id, self._stamp)
            routed = self._router.route(
                writer,
                [
                    StoredMessage(
                        message_id,
                        conversation_of[m.external_id],
                        authors[m.author_id][1],
                        m,
                        reading,
                    )
                    for message_id, m, reading in zip(ids, fresh, readings, strict=True)
                ],
            )
            report.cases_opened += routed.cases_opened
            report.deliveries.extend(routed.deliveries)
        report.imported += len(fresh)
        return ids

    @staticmethod
    def _readings(
        prepared: PreparedBatch, fresh: list[InboundMessage], analyzer: Analyzer
    ) -> list[Enrichment]:
        """What the analyzer reads in the fresh messages: read here, unless the reader
        process already read the whole batch (with the same analyzer)."""
        if prepared.readings is None:
            return analyzer.analyze([analysis_text(m) for m in fresh])
        if len(fresh) == len(prepared.messages):
            return prepared.readings
        of = {m.external_id: r for m, r in zip(prepared.messages, prepared.readings, strict=True)}
        return [of[m.external_id] for m in fresh]

    def _conversations_by_key(
        self, conn: Connection, table: Table, key: str, keys: list[str]
    ) -> dict[str, int]:
        """``key`` value -> conversation, for the rows of ``table`` on this channel whose
        ``key`` is one of ``keys`` (stored messages by id, or recorded thread references)."""
        column = table.c[key]
        query = select(column, table.c.conversation_id).where(
            table.c.channel_id == self.channel_id, in_list(column, keys, conn.dialect.name)
        )
        return {found: conversation_id for found, conversation_id in conn.execute(query)}

    # -- threading into conversations -------------------------------------------------------

    def _thread(
        self,
        writer: BulkWriter,
        threads: list[Thread],
        links: dict[str, int],
        authors: dict[str, tuple[int, int | None]],
        report: ImportReport,
    ) -> tuple[dict[str, int], set[int]]:
        """Assign every fresh message a conversation, creating and merging as needed.

        Returns the conversation of each message, and the merged conversations whose
        figures must be recounted once the batch's messages are stored.
        """
        conn = writer.conn
        redirect: dict[int, int] = {}

        def current(conversation_id: int) -> int:
            while conversation_id in redirect:
                conversation_id = redirect[conversation_id]
            return conversation_id

        to_create: list[Thread] = []
        to_update: list[tuple[int, Thread]] = []
        recount: set[int] = set()
        for thread in threads:
            found: set[int] = set()
            for m in thread.messages:
                for key in (m.external_id, m.in_reply_to, *m.thread_refs):
                    if key in links:
                        found.add(current(links[key]))
            if not found:
                to_create.append(thread)
                continue
            target = min(found)
            others = sorted(found - {target})
            if others:
                self._conversations.merge(conn, target, others)
                for other in others:
                    redirect[other] = target
                recount.add(target)
            to_update.append((target, thread))

        # A later thread may have merged an earlier one's target away: follow the merges.
        to_update = [(current(target), thread) for target, thread in to_update]
        recount = {current(target) for target in recount}
        created = writer.allocate_ids(conversations, len(to_create))
        report.conversations_created += len(created)
        assigned = [*zip(created, to_create, strict=True), *to_update]
        conversation_of: dict[str, int] = {}
        new_links: list[tuple[int, str, int]] = []
        channel_id = self.channel_id
        for conversation_id, thread in assigned:
            for m in thread.messages:
                conversation_of[m.external_id] = conversation_id
                links[m.external_id] = conversation_id
        # A message's own id is found through the messages table; only the keys it refers
        # to are recorded, so a parent or sibling arriving later finds this conversation.
        for conversation_id, thread in assigned:
            for m in thread.messages:
                parent = m.in_reply_to
                if parent and parent not in links:
                    links[parent] = conversation_id
                    new_links.append((channel_id, parent, conversation_id))
                for key in m.thread_refs:
                    if key not in links:
                        links[key] = conversation_id
                        new_links.append((channel_id, key, conversation_id))
        self._conversations.create(writer, created, to_create, authors)
        writer.execute_many(
            UPDATE_CONVERSATION,
            [
                aggregate_update(target, thread, authors)
                for target, thread in to_update
                if target not in recount
            ],
        )
        writer.insert(
            thread_links,
            ("channel_id", "ref", "conversation_id"),
            new_links,
            ignore_conflicts=True,
        )
        return conversation_of, recount
