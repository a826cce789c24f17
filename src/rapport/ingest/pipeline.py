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
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select, text, update

from rapport.ingest.records import InboundMessage, Record, Rejected
from rapport.ingest.threading import group_into_threads, message_keys
from rapport.store.db import Database
from rapport.store.dialects import insert_ignoring_conflicts
from rapport.store.models import (
    Contact,
    Conversation,
    ConversationStatus,
    DeadLetter,
    Direction,
    Identity,
    Message,
    ThreadLink,
)
from rapport.store.types import UTCDateTime

PREVIEW_LENGTH = 280
_LOOKUP_CHUNK = 500  # ids per IN (...) list, well under SQLite's parameter limit
_IDENTITY_CACHE_LIMIT = 500_000

conversations = Conversation.__table__
messages = Message.__table__
identities = Identity.__table__
contacts = Contact.__table__
thread_links = ThreadLink.__table__
dead_letters = DeadLetter.__table__


@dataclass(slots=True)
class ImportReport:
    """What an import did. ``rejections`` keeps the first few for display."""

    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    conversations_created: int = 0
    rejections: list[Rejected] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported={self.imported} duplicates={self.duplicates} rejected={self.rejected}"


def _chunks(items: Sequence[Any], size: int = _LOOKUP_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _preview(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


def fingerprint(source: str, location: str, payload: str) -> str:
    return hashlib.sha256(f"{source}\0{location}\0{payload}".encode()).hexdigest()


_UPDATE_CONVERSATION = (
    update(conversations)
    .where(conversations.c.id == bindparam("b_id"))
    .values(
        message_count=conversations.c.message_count + bindparam("b_count"),
        first_message_at=case(
            (
                bindparam("b_first", type_=UTCDateTime()) < conversations.c.first_message_at,
                bindparam("b_first", type_=UTCDateTime()),
            ),
            else_=conversations.c.first_message_at,
        ),
        last_message_preview=case(
            (
                bindparam("b_last", type_=UTCDateTime()) > conversations.c.last_message_at,
                bindparam("b_preview"),
            ),
            else_=conversations.c.last_message_preview,
        ),
        last_direction=case(
            (
                bindparam("b_last", type_=UTCDateTime()) > conversations.c.last_message_at,
                bindparam("b_direction"),
            ),
            else_=conversations.c.last_direction,
        ),
        last_message_at=case(
            (
                bindparam("b_last", type_=UTCDateTime()) > conversations.c.last_message_at,
                bindparam("b_last", type_=UTCDateTime()),
            ),
            else_=conversations.c.last_message_at,
        ),
        contact_id=func.coalesce(conversations.c.contact_id, bindparam("b_contact")),
        unread=conversations.c.unread | bindparam("b_inbound"),
        status=case(
            (
                bindparam("b_inbound")
                & (conversations.c.status == ConversationStatus.CLOSED.value),
                ConversationStatus.OPEN.value,
            ),
            else_=conversations.c.status,
        ),
    )
)


class Ingestor:
    """Stores a stream of records into one channel of one workspace.

    The ingestor owns its transactions (one per batch). ``on_stored`` is called after each
    committed batch with the messages that were new, for work queued after the commit.
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
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.channel_id = channel_id
        self.source = source
        self.format_name = format_name
        self.batch_size = batch_size
        self.on_stored = on_stored
        self._identities: dict[str, tuple[int, int | None]] = {}
        self._fts = db.dialect == "sqlite"

    def run(
        self, records: Iterable[Record], progress: Callable[[int], None] | None = None
    ) -> ImportReport:
        """Import every record; ``progress`` is told how many records each batch held."""
        report = ImportReport()
        batch: list[InboundMessage] = []
        rejected: list[Rejected] = []
        seen = 0
        for record in records:
            seen += 1
            if isinstance(record, Rejected):
                rejected.append(record)
            else:
                batch.append(record)
            if len(batch) + len(rejected) >= self.batch_size:
                self._commit_batch(batch, rejected, report)
                if progress:
                    progress(seen)
                batch, rejected, seen = [], [], 0
        if batch or rejected:
            self._commit_batch(batch, rejected, report)
        if progress and seen:
            progress(seen)
        return report

    # -- one batch, one transaction ---------------------------------------------------------

    def _commit_batch(
        self, batch: list[InboundMessage], rejected: list[Rejected], report: ImportReport
    ) -> None:
        new_ids: list[int] = []
        with self.db.session() as session:
            conn = session.connection()
            if rejected:
                self._store_rejections(conn, rejected, report)
            if batch:
                new_ids = self._store_messages(conn, batch, report)
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
        self, conn: Connection, batch: list[InboundMessage], report: ImportReport
    ) -> list[int]:
        unique: dict[str, InboundMessage] = {}
        for message in batch:
            if message.external_id in unique:
                report.duplicates += 1
            else:
                unique[message.external_id] = message
        existing = self._existing_message_ids(conn, list(unique))
        fresh = [m for ext, m in unique.items() if ext not in existing]
        report.duplicates += len(unique) - len(fresh)
        if not fresh:
            return []
        authors = self._resolve_identities(conn, fresh)
        conversation_of, recount = self._thread(conn, fresh, authors, report)

        now = datetime.now(UTC)
        workspace_id, channel_id = self.workspace_id, self.channel_id
        rows = [
            {
                "workspace_id": workspace_id,
                "channel_id": channel_id,
                "conversation_id": conversation_of[m.external_id],
                "identity_id": authors[m.author_id][0],
                "external_id": m.external_id,
                "in_reply_to": m.in_reply_to,
                "direction": m.direction.value,
                "sent_at": m.sent_at,
                "subject": m.subject,
                "text": m.text,
                "meta": m.meta,
                "created_at": now,
            }
            for m in fresh
        ]
        before = conn.execute(select(func.coalesce(func.max(messages.c.id), 0))).scalar_one()
        conn.execute(messages.insert(), rows)
        new_ids = list(conn.execute(select(messages.c.id).where(messages.c.id > before)).scalars())
        if self._fts:
            conn.execute(
                text(
                    "INSERT INTO message_fts(rowid, text) SELECT id, text FROM messages WHERE id > :b"
                ),
                {"b": before},
            )
        for conversation_id in recount:
            self._recount(conn, conversation_id)
        report.imported += len(fresh)
        return new_ids

    def _existing_message_ids(self, conn: Connection, external_ids: list[str]) -> set[str]:
        found: set[str] = set()
        query = select(messages.c.external_id).where(
            messages.c.channel_id == self.channel_id,
            messages.c.external_id.in_(bindparam("ids", expanding=True)),
        )
        for chunk in _chunks(external_ids):
            found.update(conn.execute(query, {"ids": list(chunk)}).scalars())
        return found

    # -- identities and contacts ------------------------------------------------------------

    def _resolve_identities(
        self, conn: Connection, fresh: list[InboundMessage]
    ) -> dict[str, tuple[int, int | None]]:
        cache = self._identities
        if len(cache) > _IDENTITY_CACHE_LIMIT:
            cache.clear()
        wanted: dict[str, InboundMessage] = {}
        company: set[str] = set()
        for m in fresh:
            if m.author_id not in cache:
                wanted.setdefault(m.author_id, m)
                if m.direction is Direction.OUTBOUND:
                    company.add(m.author_id)
        if wanted:
            query = select(
                identities.c.external_id, identities.c.id, identities.c.contact_id
            ).where(
                identities.c.channel_id == self.channel_id,
                identities.c.external_id.in_(bindparam("ids", expanding=True)),
            )
            for chunk in _chunks(list(wanted)):
                for external_id, identity_id, contact_id in conn.execute(
                    query, {"ids": list(chunk)}
                ):
                    cache[external_id] = (identity_id, contact_id)
            missing = [a for a in wanted if a not in cache]
            if missing:
                self._create_identities(conn, [wanted[a] for a in missing], company)
        return cache

    def _create_identities(
        self, conn: Connection, firsts: list[InboundMessage], company: set[str]
    ) -> None:
        now = datetime.now(UTC)
        customers = [m for m in firsts if m.author_id not in company]
        contact_ids: dict[str, int] = {}
        if customers:
            rows = [
                {
                    "workspace_id": self.workspace_id,
                    "display_name": m.author_name or m.author_handle or m.author_id,
                    "email": m.author_email,
                    "attributes": {},
                    "created_at": now,
                }
                for m in customers
            ]
            ids = conn.execute(
                contacts.insert().returning(contacts.c.id, sort_by_parameter_order=True), rows
            ).scalars()
            contact_ids = {m.author_id: cid for m, cid in zip(customers, ids, strict=True)}
        rows = [
            {
                "workspace_id": self.workspace_id,
                "channel_id": self.channel_id,
                "external_id": m.author_id,
                "handle": m.author_handle,
                "display_name": m.author_name or m.author_handle or m.author_id,
                "is_company": m.author_id in company,
                "followers_count": m.followers_count,
                "contact_id": contact_ids.get(m.author_id),
                "created_at": now,
            }
            for m in firsts
        ]
        ids = conn.execute(
            identities.insert().returning(identities.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for m, identity_id in zip(firsts, ids, strict=True):
            self._identities[m.author_id] = (identity_id, contact_ids.get(m.author_id))

    # -- threading into conversations -------------------------------------------------------

    def _thread(
        self,
        conn: Connection,
        fresh: list[InboundMessage],
        authors: dict[str, tuple[int, int | None]],
        report: ImportReport,
    ) -> tuple[dict[str, int], set[int]]:
        """Assign every fresh message a conversation, creating and merging as needed.

        Returns the conversation of each message, and the merged conversations whose
        figures must be recounted once the batch's messages are stored.
        """
        groups = group_into_threads(fresh)
        all_keys = list({k for m in fresh for k in message_keys(m)})
        links = self._existing_links(conn, all_keys)
        redirect: dict[int, int] = {}

        def current(conversation_id: int) -> int:
            while conversation_id in redirect:
                conversation_id = redirect[conversation_id]
            return conversation_id

        to_create: list[list[InboundMessage]] = []
        to_update: list[tuple[int, list[InboundMessage]]] = []
        recount: set[int] = set()
        for group in groups:
            keys = {k for m in group for k in message_keys(m)}
            found = {current(links[k]) for k in keys if k in links}
            if not found:
                to_create.append(group)
                continue
            target = min(found)
            others = sorted(found - {target})
            if others:
                self._merge_conversations(conn, target, others)
                for other in others:
                    redirect[other] = target
                recount.add(target)
            to_update.append((target, group))

        conversation_of: dict[str, int] = {}
        new_links: list[dict[str, Any]] = []
        if to_create:
            created = self._create_conversations(conn, to_create, authors)
            report.conversations_created += len(created)
            for group, conversation_id in zip(to_create, created, strict=True):
                for m in group:
                    conversation_of[m.external_id] = conversation_id
                    for key in message_keys(m):
                        if key not in links:
                            links[key] = conversation_id
                            new_links.append(
                                {
                                    "channel_id": self.channel_id,
                                    "ref": key,
                                    "conversation_id": conversation_id,
                                }
                            )
        updates = []
        for target, group in to_update:
            for m in group:
                conversation_of[m.external_id] = target
                for key in message_keys(m):
                    if key not in links:
                        links[key] = target
                        new_links.append(
                            {"channel_id": self.channel_id, "ref": key, "conversation_id": target}
                        )
            if target not in recount:
                updates.append(self._aggregate_update(target, group, authors))
        if updates:
            conn.execute(_UPDATE_CONVERSATION, updates)
        if new_links:
            conn.execute(insert_ignoring_conflicts(thread_links, conn.dialect.name), new_links)
        return conversation_of, recount

    def _existing_links(self, conn: Connection, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        query = select(thread_links.c.ref, thread_links.c.conversation_id).where(
            thread_links.c.channel_id == self.channel_id,
            thread_links.c.ref.in_(bindparam("keys", expanding=True)),
        )
        for chunk in _chunks(keys):
            for ref, conversation_id in conn.execute(query, {"keys": list(chunk)}):
                found[ref] = conversation_id
        return found

    def _create_conversations(
        self,
        conn: Connection,
        groups: list[list[InboundMessage]],
        authors: dict[str, tuple[int, int | None]],
    ) -> list[int]:
        now = datetime.now(UTC)
        rows = []
        for group in groups:
            first = min(group, key=lambda m: m.sent_at)
            last = max(group, key=lambda m: m.sent_at)
            customer = _first_customer(group, authors)
            rows.append(
                {
                    "workspace_id": self.workspace_id,
                    "channel_id": self.channel_id,
                    "contact_id": customer,
                    "subject": first.subject,
                    "status": ConversationStatus.OPEN.value,
                    "unread": any(m.direction is Direction.INBOUND for m in group),
                    "message_count": len(group),
                    "first_message_at": first.sent_at,
                    "last_message_at": last.sent_at,
                    "last_message_preview": _preview(last.text),
                    "last_direction": last.direction.value,
                    "created_at": now,
                }
            )
        result = conn.execute(
            conversations.insert().returning(conversations.c.id, sort_by_parameter_order=True),
            rows,
        )
        return list(result.scalars())

    def _aggregate_update(
        self,
        conversation_id: int,
        group: list[InboundMessage],
        authors: dict[str, tuple[int, int | None]],
    ) -> dict[str, Any]:
        first = min(group, key=lambda m: m.sent_at)
        last = max(group, key=lambda m: m.sent_at)
        return {
            "b_id": conversation_id,
            "b_count": len(group),
            "b_first": first.sent_at,
            "b_last": last.sent_at,
            "b_preview": _preview(last.text),
            "b_direction": last.direction.value,
            "b_contact": _first_customer(group, authors),
            "b_inbound": any(m.direction is Direction.INBOUND for m in group),
        }

    def _merge_conversations(self, conn: Connection, target: int, others: list[int]) -> None:
        """Fold conversations that turned out to be one thread into the oldest of them."""
        conn.execute(
            update(messages)
            .where(messages.c.conversation_id.in_(others))
            .values(conversation_id=target)
        )
        conn.execute(
            update(thread_links)
            .where(thread_links.c.conversation_id.in_(others))
            .values(conversation_id=target)
        )
        conn.execute(conversations.delete().where(conversations.c.id.in_(others)))

    def _recount(self, conn: Connection, conversation_id: int) -> None:
        count, first_at = conn.execute(
            select(func.count(), func.min(messages.c.sent_at)).where(
                messages.c.conversation_id == conversation_id
            )
        ).one()
        last = conn.execute(
            select(messages.c.text, messages.c.direction, messages.c.sent_at)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.sent_at.desc(), messages.c.id.desc())
            .limit(1)
        ).one()
        customer = conn.execute(
            select(identities.c.contact_id)
            .join(messages, messages.c.identity_id == identities.c.id)
            .where(
                messages.c.conversation_id == conversation_id,
                messages.c.direction == Direction.INBOUND.value,
            )
            .order_by(messages.c.sent_at)
            .limit(1)
        ).scalar()
        first_value = UTCDateTime().process_result_value(first_at, conn.dialect)
        conn.execute(
            update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(
                message_count=count,
                first_message_at=first_value,
                last_message_at=last.sent_at,
                last_message_preview=_preview(last.text),
                last_direction=last.direction,
                contact_id=customer,
                unread=True,
            )
        )


def _first_customer(
    group: list[InboundMessage], authors: dict[str, tuple[int, int | None]]
) -> int | None:
    inbound = [m for m in group if m.direction is Direction.INBOUND]
    if not inbound:
        return None
    return authors[min(inbound, key=lambda m: m.sent_at).author_id][1]
