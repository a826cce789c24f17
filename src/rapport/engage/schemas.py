"""What the API and the CLI's ``--json`` print about cases, events and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseOut(_Out):
    id: int
    status: str
    priority: str
    subject: str
    channel: str
    customer: str | None
    contact_id: int | None
    assignee: str | None
    assignee_email: str | None
    team: str | None
    tags: list[str]
    language: str | None
    escalated: bool
    opened_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    sla_policy: str | None
    first_response_breached: bool
    resolution_breached: bool
    merged_into_id: int | None


class CaseEventOut(_Out):
    at: datetime
    activity: str
    resource: str
    attributes: dict[str, Any]


class NoteOut(_Out):
    id: int
    author: str | None
    body: str
    created_at: datetime


class CaseDetailOut(_Out):
    case: CaseOut
    conversation_ids: list[int]
    events: list[CaseEventOut]
    notes: list[NoteOut]
