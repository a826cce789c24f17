"""``/api/v1/channels``: the workspace's channels and how many conversations each holds."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapport.api.auth import CurrentPrincipal, RequestSession
from rapport.api.schemas import ChannelOut
from rapport.store.models import Channel, Conversation

router = APIRouter(prefix="/channels", tags=["channels"])


def _channels(session: Session, workspace_id: int) -> list[ChannelOut]:
    # The inbox queries have no channel listing yet; this one small read lives here until
    # channel management gets its own service.
    counts = (
        select(Conversation.channel_id, func.count().label("n"))
        .where(Conversation.workspace_id == workspace_id)
        .group_by(Conversation.channel_id)
        .subquery()
    )
    rows = session.execute(
        select(Channel, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.channel_id == Channel.id)
        .where(Channel.workspace_id == workspace_id)
        .order_by(Channel.name)
    )
    return [
        ChannelOut(
            id=channel.id,
            name=channel.name,
            kind=channel.kind,
            created_at=channel.created_at,
            conversation_count=n,
        )
        for channel, n in rows
    ]


@router.get("", response_model=list[ChannelOut])
def list_channels(principal: CurrentPrincipal, session: RequestSession) -> list[ChannelOut]:
    """Every channel of the workspace, by name."""
    return _channels(session, principal.workspace_id)
