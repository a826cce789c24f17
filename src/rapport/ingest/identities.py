"""Authors become identities on their channel; customers also become contacts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, select

from rapport.ingest.bulk import BulkWriter
from rapport.ingest.prepare import Stamp
from rapport.ingest.records import InboundMessage
from rapport.store.dialects import in_list
from rapport.store.models import Contact, Direction, Identity

CACHE_LIMIT = 500_000  # authors remembered across batches; the cache is emptied beyond it
identities = cast(Table, Identity.__table__)
contacts = cast(Table, Contact.__table__)


class IdentityResolver:
    """Finds or creates the identity (and contact) of every author on one channel.

    Company accounts (authors of outbound messages) get an identity but no contact: contacts
    are the people the company talks to.
    """

    def __init__(self, workspace_id: int, channel_id: int, stamp: Stamp) -> None:
        self.workspace_id = workspace_id
        self.channel_id = channel_id
        self._stamp = stamp
        self._cache: dict[str, tuple[int, int | None]] = {}

    def resolve(
        self, writer: BulkWriter, fresh: list[InboundMessage]
    ) -> dict[str, tuple[int, int | None]]:
        """The (identity id, contact id) of every author, creating the ones not seen yet."""
        cache = self._cache
        if len(cache) > CACHE_LIMIT:
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
                in_list(identities.c.external_id, list(wanted), writer.conn.dialect.name),
            )
            for external_id, identity_id, contact_id in writer.conn.execute(query):
                cache[external_id] = (identity_id, contact_id)
            missing = [wanted[a] for a in wanted if a not in cache]
            if missing:
                self._create(writer, missing, company)
        return cache

    def _create(self, writer: BulkWriter, firsts: list[InboundMessage], company: set[str]) -> None:
        """New authors become identities; customers (not the company) also become contacts."""
        now = self._stamp(datetime.now(UTC))
        customers = [m for m in firsts if m.author_id not in company]
        contact_ids = dict(
            zip(
                (m.author_id for m in customers),
                writer.allocate_ids(contacts, len(customers)),
                strict=True,
            )
        )
        writer.insert(
            contacts,
            ("id", "workspace_id", "display_name", "email", "attributes", "created_at"),
            [
                (
                    contact_ids[m.author_id],
                    self.workspace_id,
                    m.author_name or m.author_handle or m.author_id,
                    m.author_email,
                    "{}",
                    now,
                )
                for m in customers
            ],
        )
        identity_ids = writer.allocate_ids(identities, len(firsts))
        writer.insert(
            identities,
            (
                "id",
                "workspace_id",
                "channel_id",
                "external_id",
                "handle",
                "display_name",
                "is_company",
                "followers_count",
                "contact_id",
                "created_at",
            ),
            [
                (
                    identity_id,
                    self.workspace_id,
                    self.channel_id,
                    m.author_id,
                    m.author_handle,
                    m.author_name or m.author_handle or m.author_id,
                    m.author_id in company,
                    m.followers_count,
                    contact_ids.get(m.author_id),
                    now,
                )
                for identity_id, m in zip(identity_ids, firsts, strict=True)
            ],
        )
        for identity_id, m in zip(identity_ids, firsts, strict=True):
            self._cache[m.author_id] = (identity_id, contact_ids.get(m.author_id))
