"""ORM models of alerts: the rules that watch a trend, and each time one fired."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.store.models import Base, BigId, utcnow
from rapport.store.types import UTCDateTime


class AlertMetric(enum.StrEnum):
    VOLUME = "volume"
    NEGATIVE_SHARE = "negative_share"


class AlertRule(Base):
    """Watch one subject's volume or negative share per hour or day; fire when its last
    complete bucket jumps (see ``rapport.intelligence.trends.detect``).

    ``sensitivity`` is the score a bucket must reach (robust standard deviations above the
    expected); ``min_count`` the messages (or readings) it needs; ``cooldown_seconds`` how
    long after a fired window the rule stays quiet. Buckets are cut in ``time_zone``."""

    __tablename__ = "alert_rules"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    metric: Mapped[str] = mapped_column(String(16))
    sensitivity: Mapped[float] = mapped_column(Float)
    min_count: Mapped[int] = mapped_column(Integer)
    interval: Mapped[str] = mapped_column(String(8))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    cooldown_seconds: Mapped[int] = mapped_column(Integer)
    notify_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(200), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    checked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertEvent(Base):
    """One firing of a rule on one window, with the posts behind it (a sample of message
    ids) and how each delivery went. A rule fires at most once per window (unique)."""

    __tablename__ = "alert_events"
    __table_args__ = (
        UniqueConstraint("rule_id", "window_start"),
        Index("ix_alert_events_workspace", "workspace_id", "fired_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    observed: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    basis: Mapped[str] = mapped_column(String(64))
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivery_state: Mapped[str] = mapped_column(String(16), default="pending")
    delivery: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
