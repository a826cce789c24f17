"""ORM models of listening: the workspace's named keyword queries and their change history."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.store.models import Base, utcnow
from rapport.store.types import UTCDateTime


class QueryKind(enum.StrEnum):
    """What a listening query follows; share of voice compares queries of one kind."""

    BRAND = "brand"
    PRODUCT = "product"
    COMPETITOR = "competitor"
    CAMPAIGN = "campaign"
    TOPIC = "topic"
    OTHER = "other"


class ListeningQuery(Base):
    """A named boolean keyword query. ``variants`` maps a language (ISO 639-1) to the
    expression that replaces ``expression`` for messages read as that language."""

    __tablename__ = "listening_queries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        Index("ix_listening_queries_kind", "workspace_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default=QueryKind.BRAND.value)
    expression: Mapped[str] = mapped_column(Text)
    variants: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ListeningQueryChange(Base):
    """One change of a listening query: who, when, and what it was before and after.

    ``query_id`` is kept without a foreign key so the history outlives a removed query."""

    __tablename__ = "listening_query_changes"
    __table_args__ = (Index("ix_listening_query_changes_query", "workspace_id", "query_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    query_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # created, edited, removed
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    old_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    new_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    old_expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_expression: Mapped[str | None] = mapped_column(Text, nullable=True)
    old_variants: Mapped[dict[str, str] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    new_variants: Mapped[dict[str, str] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
